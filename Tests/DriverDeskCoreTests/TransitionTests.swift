import DriverDeskCore
import Foundation
import Testing

/// The state machines of a violation and a registration, and the roster's refusals, as pure functions of the facts.
@Suite("Transitions: which step is allowed from which state (R1, R2, R4, R7, R8)")
struct TransitionTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    func at(_ text: String) -> Date { try! time.parse(text, field: "at", now: Date()) }
    let wang = StaffRef(id: 1, name: "王磊")

    /// The rule and the reasons of a refusal; nil when the step is allowed. Any other error is a failure of the test
    /// (recorded where the check is), never taken for "allowed".
    func refusal(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> (rule: String, reasons: [Message])? {
        do {
            try body()
            return nil
        } catch DeskError.refusedWith(let rule, let reasons) {
            return (rule, reasons)
        } catch {
            Issue.record("not a refusal: \(error)", sourceLocation: sourceLocation)
            return ("not a refusal", [])
        }
    }

    @Test("a violation is assigned while open, processed or paid (a correction), processed only once and with a driver, paid only once processed")
    func violation() {
        #expect(refusal { try ViolationRules.checkAssign(id: 3, status: .open) } == nil)
        #expect(refusal { try ViolationRules.checkAssign(id: 3, status: .paid) } == nil)
        let assign = refusal { try ViolationRules.checkAssign(id: 3, status: .handedBack) }
        #expect(assign?.rule == "R2" && assign?.reasons == [Message("violation.assignNotOpen", ["violation": .number(3), "status": .term("violationStatus", "handedBack")])])
        #expect(refusal { try ViolationRules.checkProcessable(id: 3, status: .open, processedAt: nil) } == nil)
        #expect(refusal { try ViolationRules.checkProcessable(id: 3, status: .processed, processedAt: at("2026-11-20 10:00")) }?.reasons
                == [Message("violation.alreadyProcessed", ["violation": .number(3), "at": .time(at("2026-11-20 10:00"))])])
        #expect(refusal { try ViolationRules.checkProcessable(id: 3, status: .void, processedAt: nil) }?.reasons.map(\.code) == ["violation.isVoid"])
        let day = CivilDate(year: 2026, month: 11, day: 20)!
        #expect(refusal { try ViolationRules.checkProcess(id: 3, driver: nil, plate: "京A12345", window: true, decision: nil, day: day) }?.reasons.map(\.code)
                == ["violation.nobodyAttributed"])
        #expect(refusal { try ViolationRules.checkProcess(id: 3, driver: wang, plate: "京A12345", window: true, decision: nil, day: day) } == nil)
        #expect(refusal { try ViolationRules.checkPay(id: 3, status: .processed, paidAt: nil) } == nil)
        let unprocessed = refusal { try ViolationRules.checkPay(id: 3, status: .open, paidAt: nil) }
        #expect(unprocessed?.rule == "R7" && unprocessed?.reasons.map(\.code) == ["violation.payNotProcessed"])
        #expect(refusal { try ViolationRules.checkPay(id: 3, status: .paid, paidAt: at("2026-11-21 09:00")) }?.reasons.map(\.code) == ["violation.alreadyPaidOn"])
    }

    @Test("online processing follows R4's decision: the window refuses with every reason; the day of binding waits")
    func online() {
        let day = CivilDate(year: 2026, month: 11, day: 20)!
        let window = ChannelDecision(channel: .window, reasons: [Message("channel.notRegistered", ["staff": .text("王磊"), "plate": .text("京A12345"), "setting": .text("rules.registrationMustPrecedeViolation")])], onlineFrom: nil)
        let refused = refusal { try ViolationRules.checkProcess(id: 3, driver: wang, plate: "京A12345", window: false, decision: window, day: day) }
        #expect(refused?.rule == "R4" && refused?.reasons.map(\.code) == ["channel.refusedOnline", "channel.notRegistered"])
        let tomorrow = day.adding(days: 1)
        let binding = ChannelDecision(channel: .online, reasons: [], onlineFrom: tomorrow)
        #expect(refusal { try ViolationRules.checkProcess(id: 3, driver: wang, plate: "京A12345", window: false, decision: binding, day: day) }?.reasons.first?.arguments["from"]
                == .day(tomorrow))
        #expect(refusal { try ViolationRules.checkProcess(id: 3, driver: wang, plate: "京A12345", window: false, decision: binding, day: tomorrow) } == nil)
    }

    @Test("a registration is removed while live; one removed, expired or cancelled is refused with its date")
    func removal() {
        for status in [RegistrationStatus.invited, .active, .removalDue] {
            #expect(refusal { try RegistrationRules.checkRemove(ref: "INV-AAAA-0001", status: status, removedAt: nil, expiredAt: nil, cancelledAt: nil) } == nil)
        }
        let removed = refusal { try RegistrationRules.checkRemove(ref: "INV-AAAA-0001", status: .removed, removedAt: at("2026-11-20 11:00"), expiredAt: nil, cancelledAt: nil) }
        #expect(removed?.rule == "R8" && removed?.reasons == [Message("registration.alreadyRemoved", ["ref": .text("INV-AAAA-0001"), "at": .time(at("2026-11-20 11:00"))])])
        #expect(refusal { try RegistrationRules.checkRemove(ref: "INV-AAAA-0001", status: .expired, removedAt: nil, expiredAt: at("2026-11-27 00:00"), cancelledAt: nil) }?.rule == "R9")
        #expect(refusal { try RegistrationRules.checkRemove(ref: "INV-AAAA-0001", status: .cancelled, removedAt: nil, expiredAt: nil, cancelledAt: at("2026-11-21 00:00")) }?.reasons.map(\.code)
                == ["registration.removeCancelled"])
    }

    @Test("the roster: one staff member per ID number, one car per plate; an inactive or driving staff member is refused")
    func roster() {
        #expect(refusal { try RosterRules.checkNewStaff(existing: nil, maskedIdNumber: "110105********4111") } == nil)
        #expect(refusal { try RosterRules.checkNewStaff(existing: wang, maskedIdNumber: "110105********4111") }?.reasons
                == [Message("staff.duplicateIdNumber", ["staff": .text("王磊"), "id": .number(1), "idNumber": .text("110105********4111")])])
        #expect(refusal { try RosterRules.checkDeactivate(wang, active: false, driving: nil) }?.reasons.map(\.code) == ["staff.alreadyInactive"])
        let driving = refusal { try RosterRules.checkDeactivate(wang, active: true, driving: ("京A12345", 7)) }
        #expect(driving?.rule == "R1" && driving?.reasons.first?.arguments["movement"] == .number(7))
        #expect(refusal { try RosterRules.checkDeactivate(wang, active: true, driving: nil) } == nil)
        #expect(refusal { try RosterRules.checkNewVehicle(existing: ("京A12345", 2, "张伟")) }?.reasons.map(\.code) == ["vehicle.duplicate"])
        #expect(refusal { try CustodyRules.checkDriver(wang, active: false) }?.reasons.map(\.code) == ["staff.inactive"])
        #expect(refusal { try CustodyRules.checkHasOpenVisit(plate: "京A12345", open: false) }?.reasons.map(\.code) == ["visit.notInShop"])
        #expect(refusal { try CustodyRules.checkBeingDriven(plate: "京A12345", driven: false) }?.reasons.map(\.code) == ["movement.nobodyDriving"])
        #expect(refusal { try CustodyRules.checkBeingDriven(plate: "京A12345", driven: true) } == nil)
    }

    @Test("R8: the last payment of a driver on a car makes his active registration due for removal, after the grace days")
    func removalAfterPayment() {
        let paid = Date(timeIntervalSince1970: 1_795_140_000)
        #expect(RegistrationRules.removalDue(paidAt: paid, otherUnpaidOnCar: 0, registration: .active, graceDays: 0) == paid)
        #expect(RegistrationRules.removalDue(paidAt: paid, otherUnpaidOnCar: 0, registration: .active, graceDays: 2) == paid.addingTimeInterval(2 * 86_400))
        #expect(RegistrationRules.removalDue(paidAt: paid, otherUnpaidOnCar: 1, registration: .active, graceDays: 0) == nil)
        #expect(RegistrationRules.removalDue(paidAt: paid, otherUnpaidOnCar: 0, registration: nil, graceDays: 0) == nil)
        for status in [RegistrationStatus.invited, .removalDue, .removed, .expired, .cancelled] {
            #expect(RegistrationRules.removalDue(paidAt: paid, otherUnpaidOnCar: 0, registration: status, graceDays: 0) == nil)
        }
    }
}
