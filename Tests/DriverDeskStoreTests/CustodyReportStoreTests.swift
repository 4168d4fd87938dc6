import DriverDeskCore
@testable import DriverDeskApp
import DriverDeskStore
import Foundation
import StoreHarness
import Testing

/// The custody report on both engines (R14): readings kept on the visit, a backwards odometer refused with nothing
/// written, a corrected reading audited, the report's figures, the manager's list.
@Suite("Custody report in the store (R14)")
struct CustodyReportStoreTests {
    /// The use cases on the shop's store, at a time after everything the test records.
    func desk(_ shop: Shop, at clock: String = "20:00", actor: Actor = .administrator) -> Desk {
        Desk(database: shop.db, now: shop.at(clock), operator: "tester", actor: actor)
    }

    func invalid(_ body: () throws -> Any) -> (field: String, reason: Message)? {
        do { _ = try body() } catch let DeskError.invalid(field, reason, _) { return (field, reason) } catch { Issue.record("not bad input: \(error)") }
        return nil
    }

    /// A stay of 京A12345: in at 09:00 with 12,345 km and half a tank; two movements of 20 and 10 minutes.
    func stay(_ shop: Shop) throws -> Desk {
        let desk = desk(shop)
        _ = try desk.checkin(plate: "京A12345", at: "2026-11-20 09:00", orderNo: "WO7", odometer: "12345", fuel: "50")
        _ = try desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 10:00", to: "2026-11-20 10:20", purpose: "road-test")
        _ = try desk.logMovement(plate: "京A12345", staff: "李强", from: "2026-11-20 11:00", to: "2026-11-20 11:10", purpose: "parking")
        return desk
    }

    @Test("Given readings at check-in and check-out, Then the visit keeps them and shows them", arguments: Backend.allCases)
    func readingsStored(_ backend: Backend) throws {
        let shop = try Shop(backend)
        let desk = try stay(shop)
        let out = try desk.checkout(plate: "京A12345", at: "2026-11-20 17:00", odometer: "12,380", fuel: "40%")
        #expect(out.odometerIn == 12_345 && out.odometerOut == 12_380 && out.fuelIn == 50 && out.fuelOut == 40)
        let shown = try desk.showVehicle("京A12345").visits.first
        #expect(shown?.odometerIn == 12_345 && shown?.odometerOut == 12_380 && shown?.fuelIn == 50 && shown?.fuelOut == 40)
        // Without readings a visit has none (null), as before.
        let other = try desk.checkin(plate: "沪B88888", at: "2026-11-20 09:00", orderNo: nil)
        #expect(other.odometerIn == nil && other.fuelIn == nil)
    }

    @Test("Given 12,345 km at check-in, When check-out reads 12,000, Then it is refused naming odometer with both readings, and nothing is written", arguments: Backend.allCases)
    func lowerOdometerRefused(_ backend: Backend) throws {
        let shop = try Shop(backend)
        let desk = try stay(shop)
        let before = try shop.counts()
        let refusal = invalid { try desk.checkout(plate: "京A12345", at: "2026-11-20 17:00", odometer: "12000", fuel: "40") }
        #expect(refusal?.field == "odometer" && refusal?.reason == Message("input.odometer.belowCheckin", ["in": .number(12_345), "out": .number(12_000)]))
        #expect(try shop.counts() == before)
        #expect(try desk.showVehicle("京A12345").vehicle.inShop, "the car is still checked in")
        #expect(invalid { try desk.checkout(plate: "京A12345", at: "2026-11-20 17:00", odometer: "12,345.5") }?.field == "odometer")
        #expect(invalid { try desk.checkout(plate: "京A12345", at: "2026-11-20 17:00", fuel: "101") }?.field == "fuel")
        #expect(try shop.counts() == before)
    }

    @Test("the report: every movement with who, why, when and how long; 55 km driven against 33 explained: 22 unexplained, flagged, on the manager's list", arguments: Backend.allCases)
    func reportFigures(_ backend: Backend) throws {
        let shop = try Shop(backend)
        let desk = try stay(shop)
        let open = try desk.visitReport(plate: "京A12345", visit: nil)
        #expect(open.inShop && open.kmDriven == nil && open.unexplainedKm == nil && open.reasonCodes == ["custody.noCheckoutReading"])
        let out = try desk.checkout(plate: "京A12345", at: "2026-11-20 17:00", odometer: "12400", fuel: "30")
        let report = try desk.visitReport(plate: "京a12345", visit: nil)
        #expect(report.visitId == out.id && report.plate == "京A12345" && !report.inShop && report.checkout != nil)
        #expect(report.movements.map(\.staff.name) == ["王磊", "李强"] && report.movements.map(\.purpose) == ["road-test", "parking"])
        #expect(report.movements.map(\.minutes) == [20, 10] && report.minutesDriven == 30)
        #expect(report.kmDriven == 55 && report.kmExplained == 33 && report.unexplainedKm == 22 && report.flagged)
        #expect(report.reasonCodes == ["custody.kmDriven", "custody.kmExplained", "custody.kmUnexplained"])
        #expect(report.text.hasPrefix("【") && report.text.contains("王磊") && report.text.contains("22") && report.text.contains("Dear"))
        #expect(!report.text.contains("110105198803124111") && !report.text.contains("110105"), "no ID number in the owner's text (R12)")
        #expect(try desk.visitReport(plate: nil, visit: String(out.id)).kmDriven == 55, "a visit by its number alone")
        let flagged = try desk.status().unexplainedKm
        #expect(flagged.map(\.plate) == ["京A12345"] && flagged.first?.unexplainedKm == 22 && flagged.first?.visitId == out.id)
        // A faster car per the shop's setting: all explained, off the list.
        _ = try desk.setSetting(key: "custody.kmPerMovementMinute", value: "2")
        #expect(try desk.visitReport(plate: "京A12345", visit: nil).unexplainedKm == 0)
        #expect(try desk.status().unexplainedKm.isEmpty)
        // Past custody.flagDays the visit leaves the list.
        _ = try desk.setSetting(key: "custody.kmPerMovementMinute", value: "1")
        #expect(try self.desk(shop, at: "20:00").status().unexplainedKm.count == 1)
        let later = Desk(database: shop.db, now: shop.at("20:00").addingTimeInterval(31 * 86_400), operator: "tester")
        #expect(try later.status().unexplainedKm.isEmpty)
        // Another car's visit, or none.
        #expect(throws: DeskError.self) { try desk.visitReport(plate: "沪B88888", visit: String(out.id)) }
        #expect(throws: DeskError.self) { try desk.visitReport(plate: "沪B88888", visit: nil) }
    }

    @Test("a wrong reading is corrected by a manager with a reason, audited with before and after; the desk may not", arguments: Backend.allCases)
    func correctionAudited(_ backend: Backend) throws {
        let shop = try Shop(backend)
        let desk = try stay(shop)
        _ = try desk.checkout(plate: "京A12345", at: "2026-11-20 17:00", odometer: "12400", fuel: "30")
        let before = try shop.counts()
        #expect(throws: DeskError.self) {
            try self.desk(shop, actor: .account(name: "anna", role: .desk)).editVisit(plate: "京A12345", visit: nil, odometerIn: nil, odometerOut: "12378", fuelIn: nil, fuelOut: nil, reason: "看错")
        }
        #expect(invalid { try desk.editVisit(plate: "京A12345", visit: nil, odometerIn: nil, odometerOut: "12300", fuelIn: nil, fuelOut: nil, reason: "看错") }?.field == "odometer-out")
        #expect(invalid { try desk.editVisit(plate: "京A12345", visit: nil, odometerIn: nil, odometerOut: "12378", fuelIn: nil, fuelOut: nil, reason: nil) }?.field == "reason")
        #expect(try shop.counts() == before)
        let fixed = try desk.editVisit(plate: "京A12345", visit: nil, odometerIn: nil, odometerOut: "12378", fuelIn: nil, fuelOut: "none", reason: "离店里程看错一位")
        #expect(fixed.odometerOut == 12_378 && fixed.fuelOut == nil && fixed.odometerIn == 12_345)
        let entry = try #require(try shop.db.auditEntries(since: nil).last)
        #expect(entry.action == "visit.edit" && entry.subject == "visit #\(fixed.id) 京A12345")
        #expect(entry.before?.contains("\"odometerOut\":12400") == true && entry.after?.contains("\"odometerOut\":12378") == true)
        #expect(entry.after?.contains("离店里程看错一位") == true)
        #expect(try desk.visitReport(plate: "京A12345", visit: nil).unexplainedKm == 0, "33 km driven, 33 explained")
    }
}
