@testable import DriverDeskApp
import DriverDeskStore
import StoreHarness
import Foundation
import Testing

/// Use cases on a fresh database of each engine, as the command line and the web call them.
@Suite("Use cases")
struct DeskTests {
    func desk(_ backend: Backend = .sqlite, now: String = "2026-11-20 20:00") throws -> Desk {
        let database = try TestStore(backend).store
        let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
        return Desk(database: database, now: try time.parse(now, field: "now", now: Date()), operator: "desk-test")
    }

    func addWang(_ desk: Desk) throws -> StaffView {
        try desk.addStaff(name: " 王磊 ", idNumber: "110105198803124111", licenseClass: "c1", licenseFirstIssued: "2009-05-20",
                          licenseValidUntil: "2031-05-20", phone: "139-1102-0001")
    }

    @Test("Given typed input, When a staff member is added, Then fields are normalised and the ID masked in the view", arguments: Backend.allCases)
    func addStaff(_ backend: Backend) throws {
        let desk = try desk(backend)
        let staff = try addWang(desk)
        #expect(staff.name == "王磊")
        #expect(staff.licenseClass == "C1")
        #expect(staff.phone == "13911020001")
        #expect(staff.idNumber == "110105********4111")
        #expect(try desk.showStaff("王磊").staff.idNumber == "110105198803124111")
    }

    @Test("A licence first issued before the holder turned 16, or valid until before it was issued, is refused", arguments: Backend.allCases)
    func licenceDates(_ backend: Backend) throws {
        let desk = try desk(backend)
        #expect { try desk.addStaff(name: "x", idNumber: "110105198803124111", licenseClass: "C1", licenseFirstIssued: "2000-01-01", licenseValidUntil: "2030-01-01", phone: nil) }
            throws: { ($0 as? DeskError)?.field == "license-first-issued" }
        #expect { try desk.addStaff(name: "x", idNumber: "110105198803124111", licenseClass: "C1", licenseFirstIssued: "2010-01-01", licenseValidUntil: "2009-01-01", phone: nil) }
            throws: { ($0 as? DeskError)?.field == "license-valid-until" }
        #expect { try desk.addStaff(name: "x", idNumber: "110105198803124111", licenseClass: "C1", licenseFirstIssued: "2027-01-01", licenseValidUntil: "2037-01-01", phone: nil) }
            throws: { ($0 as? DeskError)?.field == "license-first-issued" }
        #expect(try desk.database.isEmpty())
    }

    @Test("Movements default to now and refuse the future; a bare clock time means today", arguments: Backend.allCases)
    func times(_ backend: Backend) throws {
        let desk = try desk(backend)
        _ = try addWang(desk)
        _ = try desk.addVehicle(plate: "京A12345", owner: "张伟", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        _ = try desk.checkin(plate: "京A12345", at: "09:00", orderNo: nil)
        let started = try desk.startMovement(plate: "京A12345", staff: "1", purpose: nil, at: nil)
        #expect(started.startAt == "2026-11-20T20:00:00+08:00")
        #expect(started.purpose == "other")
        #expect { try desk.endMovement(plate: "京A12345", at: "2026-11-20 23:00") } throws: { ($0 as? DeskError)?.field == "at" }
    }

    @Test("Status lists cars in the shop, who drives, and visits open too long", arguments: Backend.allCases)
    func status(_ backend: Backend) throws {
        let desk = try desk(backend)
        _ = try addWang(desk)
        _ = try desk.addVehicle(plate: "京A12345", owner: "张伟", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        _ = try desk.addVehicle(plate: "沪B88888", owner: "李四", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        _ = try desk.checkin(plate: "京A12345", at: "2026-10-01 09:00", orderNo: nil)
        _ = try desk.checkin(plate: "沪B88888", at: "2026-11-20 09:00", orderNo: "WO-9")
        _ = try desk.startMovement(plate: "沪B88888", staff: "王磊", purpose: "road-test", at: "19:50")
        let status = try desk.status()
        #expect(status.carsInShop.map(\.plate) == ["京A12345", "沪B88888"])
        #expect(status.driving.map(\.plate) == ["沪B88888"])
        #expect(status.driving.first?.driver?.name == "王磊")
        #expect(status.staleVisits.map(\.plate) == ["京A12345"])
        #expect(status.movementsToday == 1)
    }

    @Test("Status groups the 200 most recent unfinished violations and counts the older ones", arguments: Backend.allCases)
    func statusCap(_ backend: Backend) throws {
        let desk = try desk(backend)
        _ = try desk.addVehicle(plate: "京A12345", owner: "张伟", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        _ = try desk.checkin(plate: "京A12345", at: "2026-10-01 09:00", orderNo: nil)
        // Parked in the shop's custody, nobody driving: each one is the shop's to act on.
        for index in 0..<205 {
            _ = try desk.addViolation(plate: "京A12345", at: "2026-10-\(two(2 + index / 24)) \(two(index % 24)):10", code: "1039",
                                      points: nil, fine: nil, location: nil, recordNo: nil)
        }
        let status = try desk.status()
        #expect(status.violations.values.reduce(0) { $0 + $1.count } == 200)
        #expect(status.violationsNotShown == 5)
        // The newest are the ones shown.
        let shown = Set(status.violations.values.flatMap { $0 }.map(\.id))
        #expect(shown.contains(205) && !shown.contains(1))
    }

    @Test("The demo is the same workshop for the same clock, and obeys R1", arguments: Backend.allCases)
    func demoIsDeterministic(_ backend: Backend) throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("data/demo")
        let first = try desk(backend, now: "2026-11-26 16:00"), second = try desk(backend, now: "2026-11-26 16:00")
        let a = try DemoWorkshop(folder: folder).load(into: first)
        let b = try DemoWorkshop(folder: folder).load(into: second)
        #expect(a.movements == b.movements)
        #expect(a.visits == b.visits)
        #expect(try first.movements(plate: nil, staff: nil, from: nil, to: nil) == second.movements(plate: nil, staff: nil, from: nil, to: nil))
        #expect(a.drivingNow == 2)
    }
}

private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
