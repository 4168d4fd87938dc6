import DriverDeskCore
import Foundation
import Testing

/// R2 as a pure function: the day of 京A12345 in the shop, checked in at 09:00.
@Suite("Who drove (R2)")
struct AttributionTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    let wang = StaffRef(id: 1, name: "王磊")
    let li = StaffRef(id: 2, name: "李强")

    func at(_ clock: String) -> Date { try! time.parse("2026-11-20 \(clock)", field: "at", now: Date()) }

    var visits: [VisitSpan] { [VisitSpan(id: 7, checkin: at("09:00"), checkout: at("18:00"))] }
    var movements: [MovementSpan] {
        [
            MovementSpan(id: 1, plate: "京A12345", staff: wang, start: at("10:00"), end: at("10:30"), purpose: .roadTest),
            MovementSpan(id: 2, plate: "京A12345", staff: li, start: at("10:30"), end: at("10:40"), purpose: .parking),
            MovementSpan(id: 3, plate: "京A12345", staff: wang, start: at("15:00"), end: at("15:20"), purpose: .delivery),
        ]
    }

    func decide(_ clock: String, parking: Bool = false, slackMinutes: Int = 10) -> Attribution {
        Attribution.decide(plate: "京A12345", at: at(clock), isParking: parking, movements: movements, visits: visits,
                           slack: TimeInterval(slackMinutes * 60), time: time)
    }

    @Test("Given a movement covering the time, its driver drove")
    func inside() {
        let answer = decide("10:15")
        #expect(answer.kind == .movement)
        #expect(answer.driver == wang)
        #expect(!answer.needsReview)
        #expect(answer.movementId == 1)
        #expect(answer.reasons == [Message("attribution.driving", ["staff": .text("王磊"), "plate": .text("京A12345"), "at": .time(at("10:15")), "movement": .number(1),
                                                                 "purpose": .term("purpose", "road-test"), "from": .time(at("10:00")), "to": .time(at("10:30"))])])
    }

    @Test("Both edges of a movement count")
    func edges() {
        #expect(decide("10:00").driver == wang)
        #expect(decide("15:20").driver == wang)
        #expect(!decide("15:20").needsReview)
    }

    @Test("At a handover the one starting gets it, marked for review")
    func handover() {
        let answer = decide("10:30")
        #expect(answer.driver == li)
        #expect(answer.needsReview)
        #expect(answer.reasons.map(\.code) == ["attribution.driving", "attribution.handover"])
        #expect(answer.reasons[1].arguments["from"] == .names(["王磊"]) && answer.reasons[1].arguments["staff"] == .text("李强"))
    }

    @Test("Within the slack the nearest movement's driver, marked for review")
    func slack() {
        let before = decide("14:52")
        #expect(before.kind == .movement)
        #expect(before.driver == wang)
        #expect(before.needsReview)
        #expect(before.reasons.map(\.code) == ["attribution.nearMovement", "attribution.withinSlack"])
        #expect(before.reasons[0].arguments["distance"] == .minutes(8) && before.reasons[0].arguments["edge"] == .term("edge", "started"))
        #expect(before.reasons[1].arguments["slack"] == .minutes(10) && before.reasons[1].arguments["setting"] == .text("attribution.slackMinutes"))
        let after = decide("10:47")
        #expect(after.driver == li)
        #expect(after.needsReview)
        #expect(decide("14:49").kind == .unattributed)
        #expect(decide("14:52", slackMinutes: 0).kind == .unattributed)
    }

    @Test("A parking violation in custody goes to whoever parked it last")
    func parked() {
        let answer = decide("12:00", parking: true)
        #expect(answer.kind == .parked)
        #expect(answer.driver == li)
        #expect(!answer.needsReview)
        #expect(answer.movementId == 2)
    }

    @Test("A non-parking violation in custody with nobody driving is unattributed, naming the last mover")
    func unattributed() {
        let answer = decide("12:00")
        #expect(answer.kind == .unattributed)
        #expect(answer.driver == nil)
        #expect(answer.needsReview)
        #expect(answer.reasons.map(\.code) == ["attribution.inCustody", "attribution.noMovement", "attribution.lastMoved"])
        #expect(answer.reasons[2].arguments["staff"] == .text("李强") && answer.reasons[2].arguments["movement"] == .number(2))
    }

    @Test("In custody before anyone moved it: unattributed; a parking violation too")
    func beforeAnyMovement() {
        #expect(decide("09:30").kind == .unattributed)
        #expect(decide("09:30", parking: true).kind == .unattributed)
        #expect(decide("09:30").reasons.map(\.code) == ["attribution.inCustody", "attribution.noMovement", "attribution.nobodyMovedYet"])
    }

    @Test("Outside every visit it is the owner's own matter")
    func outside() {
        let answer = decide("20:00")
        #expect(answer.kind == .outsideCustody)
        #expect(answer.driver == nil)
        #expect(!answer.needsReview)
        #expect(decide("08:00", parking: true).kind == .outsideCustody)
    }

    @Test("A movement in progress covers every later time")
    func inProgress() {
        let open = [MovementSpan(id: 9, plate: "京A12345", staff: wang, start: at("16:00"), end: nil, purpose: .roadTest)]
        let answer = Attribution.decide(plate: "京A12345", at: at("17:30"), isParking: false, movements: open,
                                        visits: [VisitSpan(id: 1, checkin: at("09:00"), checkout: nil)], slack: 600, time: time)
        #expect(answer.driver == wang)
        #expect(answer.reasons.map(\.code) == ["attribution.drivingStill"])
        #expect(answer.reasons[0].arguments["movement"] == .number(9) && answer.reasons[0].arguments["to"] == nil)
    }
}

@Suite("Movements never overlap and lie inside a visit (R1)")
struct CustodyRulesTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    let wang = StaffRef(id: 1, name: "王磊")
    func at(_ clock: String) -> Date { try! time.parse("2026-11-20 \(clock)", field: "at", now: Date()) }
    var visit: VisitSpan { VisitSpan(id: 7, checkin: at("09:00"), checkout: nil) }
    var existing: MovementSpan { MovementSpan(id: 1, plate: "京A12345", staff: wang, start: at("10:00"), end: at("10:30"), purpose: .roadTest) }

    func check(_ start: String, _ end: String?, visit: VisitSpan? = nil, vehicle: [MovementSpan] = [], staff: [MovementSpan] = []) throws {
        try CustodyRules.checkMovement(plate: "京A12345", staff: wang, start: at(start), end: end.map(at), visit: visit ?? self.visit,
                                       vehicleMovements: vehicle, staffMovements: staff, time: time)
    }

    /// The reasons of an R1 refusal, or nil when nothing was refused.
    func refusal(_ body: () throws -> Void) -> [Message]? {
        do { try body() } catch let error as DeskError {
            if case .refusedWith(let rule, let reasons) = error, rule == "R1" { return reasons }
        } catch {}
        return nil
    }

    @Test("Touching movements are fine; overlapping ones are refused naming the other")
    func overlaps() throws {
        try check("10:30", "10:45", vehicle: [existing])
        try check("09:30", "10:00", vehicle: [existing])
        // The refusal names the conflicting movement: its car, driver, times and number.
        #expect(refusal { try check("10:20", "10:50", vehicle: [existing]) }
                == [Message("movement.overlaps", ["plate": .text("京A12345"), "staff": .text("王磊"), "from": .time(at("10:00")), "to": .time(at("10:30")), "movement": .number(1)])])
        #expect(refusal { try check("09:00", nil, vehicle: [existing]) }?.map(\.code) == ["movement.overlaps"])
    }

    @Test("A car being driven names the driver and the movement to end")
    func beingDriven() {
        let open = MovementSpan(id: 4, plate: "京A12345", staff: wang, start: at("10:02"), end: nil, purpose: .roadTest)
        #expect(refusal { try check("11:00", nil, vehicle: [open]) }
                == [Message("movement.beingDriven", ["plate": .text("京A12345"), "staff": .text("王磊"), "since": .time(at("10:02")), "movement": .number(4)])])
    }

    @Test("Nobody drives two cars at once")
    func staffOverlap() {
        let other = MovementSpan(id: 5, plate: "沪B88888", staff: wang, start: at("10:00"), end: nil, purpose: .parking)
        let reasons = refusal { try check("10:10", "10:20", staff: [other]) }
        #expect(reasons?.map(\.code) == ["movement.driverBusy", "movement.beingDriven"])
        #expect(reasons?.last?.arguments["plate"] == .text("沪B88888"))
    }

    @Test("End before start, outside a visit, past check-out: refused")
    func bounds() {
        #expect(refusal { try check("10:30", "10:00") }?.map(\.code) == ["movement.endsBeforeStart"])
        #expect(refusal { try check("10:30", "10:30") }?.map(\.code) == ["movement.endsBeforeStart"])
        #expect(refusal { try check("08:00", "08:30") } == [Message("movement.notCheckedIn", ["plate": .text("京A12345"), "at": .time(at("08:00"))])])
        let closed = VisitSpan(id: 7, checkin: at("09:00"), checkout: at("12:00"))
        #expect(refusal { try check("11:50", "12:10", visit: closed) }?.map(\.code) == ["movement.endsAfterCheckout"])
        #expect(refusal { try check("11:50", nil, visit: closed) }?.map(\.code) == ["movement.openAfterCheckout"])
    }

    @Test("Check-in inside another visit and check-out before the last movement are refused")
    func visits() throws {
        let open = VisitSpan(id: 3, checkin: at("09:00"), checkout: nil)
        #expect(refusal { try CustodyRules.checkCheckin(plate: "京A12345", at: at("12:00"), visits: [open], time: time) }?.map(\.code) == ["visit.alreadyIn"])
        try CustodyRules.checkCheckin(plate: "京A12345", at: at("12:00"), visits: [VisitSpan(id: 3, checkin: at("09:00"), checkout: at("11:00"))], time: time)
        #expect(refusal { try CustodyRules.checkCheckout(plate: "京A12345", visit: open, at: at("10:15"), movements: [existing], time: time) }
                == [Message("visit.checkoutBeforeMovementEnd", ["plate": .text("京A12345"), "staff": .text("王磊"), "until": .time(at("10:30")), "movement": .number(1)])])
        #expect(refusal { try CustodyRules.checkCheckout(plate: "京A12345", visit: open, at: at("08:00"), movements: [], time: time) }?.map(\.code) == ["visit.checkoutBeforeCheckin"])
        try CustodyRules.checkCheckout(plate: "京A12345", visit: open, at: at("10:30"), movements: [existing], time: time)
    }
}
