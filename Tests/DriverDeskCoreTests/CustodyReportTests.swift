import DriverDeskCore
import Foundation
import Testing

/// R14, the km check of the custody report: readings and movements in, km driven, explained and unexplained out.
@Suite("Custody report: the km check (R14)")
struct CustodyReportTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    func at(_ clock: String) -> Date { try! time.parse("2026-11-20 \(clock)", field: "at", now: Date()) }
    func move(_ id: Int64, _ from: String, _ to: String?, purpose: MovementPurpose = .roadTest) -> MovementSpan {
        MovementSpan(id: id, plate: "京A12345", staff: StaffRef(id: 1, name: "王磊"), start: at(from), end: to.map(at), purpose: purpose)
    }

    func invalidField(_ body: () throws -> Any?) -> (field: String, code: String)? {
        do { _ = try body() } catch let DeskError.invalid(field, reason, _) { return (field, reason.code) } catch { Issue.record("not bad input: \(error)") }
        return nil
    }

    @Test("Given 55 km driven in 30 minutes of movements, When checked at 1 km a minute and 3 km of slack, Then 33 km are explained and 22 are not")
    func unexplained() {
        let check = CustodyReportRules.check(readings: VisitReadings(odometerIn: 12_345, odometerOut: 12_400), movements: [move(1, "10:00", "10:20"), move(2, "11:00", "11:10", purpose: .parking)],
                                             until: at("18:00"), kmPerMinute: 1, kmSlack: 3)
        #expect(check.kmDriven == 55 && check.minutesDriven == 30 && check.kmExplained == 33 && check.unexplainedKm == 22 && check.isFlagged)
        #expect(check.reasons.map(\.code) == ["custody.kmDriven", "custody.kmExplained", "custody.kmUnexplained"])
        #expect(check.reasons.last?.arguments["km"] == .number(22))
    }

    @Test("km within the movements' minutes and the slack are explained: 0 unexplained, not flagged; a part of a km beyond is not counted")
    func explained() {
        let within = CustodyReportRules.check(readings: VisitReadings(odometerIn: 100, odometerOut: 123), movements: [move(1, "10:00", "10:20")],
                                              until: at("18:00"), kmPerMinute: 1, kmSlack: 3)
        #expect(within.unexplainedKm == 0 && !within.isFlagged && within.reasons.map(\.code).last == "custody.kmAllExplained")
        let half = CustodyReportRules.check(readings: VisitReadings(odometerIn: 100, odometerOut: 110), movements: [move(1, "10:00", "10:13")],
                                            until: at("18:00"), kmPerMinute: 0.5, kmSlack: 3)
        #expect(half.kmExplained == 9.5 && half.unexplainedKm == 0, "10 km against 9.5 explained: the odometer reads whole km")
        let none = CustodyReportRules.check(readings: VisitReadings(odometerIn: 100, odometerOut: 104), movements: [], until: at("18:00"), kmPerMinute: 1, kmSlack: 3)
        #expect(none.minutesDriven == 0 && none.unexplainedKm == 1, "no movement: only the slack is allowed")
    }

    @Test("a missing reading leaves the km unknown (null), with the reason; a movement in progress counts up to the report's time")
    func missing() {
        let noOut = CustodyReportRules.check(readings: VisitReadings(odometerIn: 100), movements: [move(1, "17:30", nil)], until: at("18:00"), kmPerMinute: 1, kmSlack: 3)
        #expect(noOut.kmDriven == nil && noOut.unexplainedKm == nil && !noOut.isFlagged && noOut.minutesDriven == 30)
        #expect(noOut.reasons == [Message("custody.noCheckoutReading")])
        let noIn = CustodyReportRules.check(readings: VisitReadings(odometerOut: 100), movements: [], until: at("18:00"), kmPerMinute: 1, kmSlack: 3)
        #expect(noIn.reasons == [Message("custody.noCheckinReading")] && noIn.unexplainedKm == nil)
        let neither = CustodyReportRules.check(readings: VisitReadings(fuelIn: 50), movements: [], until: at("18:00"), kmPerMinute: 1, kmSlack: 3)
        #expect(neither.reasons.map(\.code) == ["custody.noReadings"])
    }

    @Test("odometer and fuel as typed: whole km 0–9,999,999 (commas allowed), percent 0–100; anything else names its field")
    func parsing() throws {
        #expect(try CustodyReportRules.odometer("12,345") == 12_345 && CustodyReportRules.odometer(" 0 ") == 0 && CustodyReportRules.odometer("9999999") == 9_999_999)
        #expect(try CustodyReportRules.odometer(nil) == nil && CustodyReportRules.odometer("  ") == nil)
        for bad in ["-1", "10000000", "12.5", "abc", "１２"] {
            #expect(invalidField { try CustodyReportRules.odometer(bad) }?.field == "odometer", "\(bad)")
        }
        #expect(try CustodyReportRules.fuel("50") == 50 && CustodyReportRules.fuel("100%") == 100 && CustodyReportRules.fuel("0") == 0)
        for bad in ["101", "-5", "half", "50.5"] {
            #expect(invalidField { try CustodyReportRules.fuel(bad) }?.field == "fuel", "\(bad)")
        }
        #expect(invalidField { try CustodyReportRules.odometer("x", field: "odometer-out") }?.field == "odometer-out")
    }

    @Test("an odometer lower at check-out than at check-in is bad input naming odometer, with both readings; equal or missing is fine")
    func backwards() throws {
        do {
            try CustodyReportRules.checkOdometer(in: 12_345, out: 12_000)
            Issue.record("a lower reading was accepted")
        } catch let DeskError.invalid(field, reason, _) {
            #expect(field == "odometer" && reason == Message("input.odometer.belowCheckin", ["in": .number(12_345), "out": .number(12_000)]))
        }
        try CustodyReportRules.checkOdometer(in: 12_345, out: 12_345)
        try CustodyReportRules.checkOdometer(in: nil, out: 5)
        try CustodyReportRules.checkOdometer(in: 5, out: nil)
    }

    @Test("a correction changes only what was given, clears with none, refuses nothing to change, a check-out reading on a visit still open, and a backwards odometer")
    func corrections() throws {
        let taken = VisitReadings(odometerIn: 100, odometerOut: 150, fuelIn: 50, fuelOut: 40)
        #expect(try CustodyReportRules.corrected(taken, change: ReadingsChange(odometerOut: .some(160)), visitOpen: false)
                == VisitReadings(odometerIn: 100, odometerOut: 160, fuelIn: 50, fuelOut: 40))
        #expect(try CustodyReportRules.corrected(taken, change: ReadingsChange(fuelIn: .some(nil)), visitOpen: false).fuelIn == nil)
        #expect(invalidField { try CustodyReportRules.corrected(taken, change: ReadingsChange(), visitOpen: false) }?.code == "input.reading.nothing")
        #expect(invalidField { try CustodyReportRules.corrected(taken, change: ReadingsChange(odometerOut: .some(150)), visitOpen: false) }?.code == "input.reading.nothing")
        #expect(invalidField { try CustodyReportRules.corrected(VisitReadings(odometerIn: 100), change: ReadingsChange(odometerOut: .some(120)), visitOpen: true) }?.field == "odometer-out")
        let lower = invalidField { try CustodyReportRules.corrected(taken, change: ReadingsChange(odometerOut: .some(90)), visitOpen: false) }
        #expect(lower?.field == "odometer-out" && lower?.code == "input.odometer.belowCheckin")
        #expect(invalidField { try CustodyReportRules.corrected(taken, change: ReadingsChange(odometerIn: .some(200)), visitOpen: false) }?.field == "odometer-in")
        #expect(try CustodyReportRules.correction("none", field: "fuel-in") { try CustodyReportRules.fuel($0, field: $1) } == .some(nil))
        #expect(try CustodyReportRules.correction(nil, field: "fuel-in") { try CustodyReportRules.fuel($0, field: $1) } == nil)
    }

    @Test("the settings: km per minute driven a decimal 0–10 (default 1), the slack whole km (default 3), the days the dashboard flags (default 30)")
    func settings() throws {
        let config = Config()
        #expect(config.decimal(.custodyKmPerMovementMinute) == 1 && config.int(.custodyKmSlack) == 3 && config.int(.custodyFlagDays) == 30)
        let rate = try Config.setting("custody.kmPerMovementMinute")
        #expect(try rate.normalise("1.50") == "1.5" && rate.normalise("0.25") == "0.25" && rate.normalise("2") == "2")
        for bad in ["11", "-1", "abc", "0.125", "1e1"] {
            #expect(invalidField { try rate.normalise(bad) }?.field == "custody.kmPerMovementMinute", "\(bad)")
        }
        #expect(Config(stored: ["custody.kmPerMovementMinute": "0.5"]).decimal(.custodyKmPerMovementMinute) == 0.5)
        #expect(rate.unit == .kmPerMinute && rate.group == .custody && rate.rule == "R14")
    }
}
