import DriverDeskCore
@testable import DriverDeskApp
import DriverDeskStore
import Foundation
import StoreHarness
import Testing

/// Registrations planned at check-in, on both engines: the plan kept on the visit, the suggestion made from the shop's
/// real facts, the invite made right after, and the status's list of road tests without a driver.
@Suite("Registrations planned at check-in in the store (R3, R13)")
struct PlanStoreTests {
    static let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)

    /// A shop at 2026-11-20 14:00 with four staff: 王磊 (C1, drove a car this morning), 李强 (C1, one registration
    /// already, logged in today), 张三 (C2), 赵六 (licence expired); the car 京A12345 and two others.
    struct Story {
        let test: TestStore
        var database: any ShopStore { test.store }

        init(_ backend: Backend) throws {
            test = try TestStore(backend)
            let march = PlanStoreTests.desk(test.store, at: "2026-03-01 09:00")
            for (name, id, licence, until) in [("王磊", "110105198803124111", "C1", "2031-05-20"), ("李强", "11010519491231002X", "C1", "2030-01-01"),
                                               ("张三", "110101199003070011", "C2", "2030-01-01"), ("赵六", "110101198001010053", "C1", "2026-11-01")] {
                _ = try march.addStaff(name: name, idNumber: id, licenseClass: licence, licenseFirstIssued: "2010-01-01", licenseValidUntil: until, phone: nil)
            }
            for plate in ["京A12345", "沪B88888", "沪C66666"] {
                _ = try march.addVehicle(plate: plate, owner: "车主", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
            }
            // 李强 holds one registration on another car since March, and logged in on the web today.
            _ = try march.checkin(plate: "沪C66666", at: "2026-03-01 08:00", orderNo: nil)
            let invite = try march.invite(plate: "沪C66666", staff: "李强", method: nil).view
            _ = try PlanStoreTests.desk(test.store, at: "2026-03-02 09:00").confirmRegistration(ref: invite.registration.ref, at: nil)
            _ = try PlanStoreTests.desk(test.store, at: "2026-03-05 09:00").checkout(plate: "沪C66666", at: nil)
            // 王磊 drove another car this morning: on shift.
            let setup = PlanStoreTests.desk(test.store, at: "2026-11-20 09:00")
            _ = try setup.checkin(plate: "沪B88888", at: "2026-11-20 08:00", orderNo: nil)
            _ = try setup.logMovement(plate: "沪B88888", staff: "王磊", from: "2026-11-20 08:10", to: "2026-11-20 08:30", purpose: "parking")
            _ = try test.store.writing { tx in
                try tx.addAccount(NewAccount(name: "liqiang", role: .desk, staff: "李强", passwordHash: "$y$test"), context: WriteContext(operator: "t", now: setup.now))
            }
            try test.store.recordLogin("login", name: "liqiang", address: "127.0.0.1",
                                       context: WriteContext(operator: "liqiang (李强)", now: try PlanStoreTests.time.parse("2026-11-20 11:00", field: "at", now: Date())))
        }

        func desk(at clock: String = "2026-11-20 14:00") -> Desk { PlanStoreTests.desk(test.store, at: clock) }
        func planRows() throws -> Int { try test.count(test.backend == .sqlite ? "visitPlan" : "visit_plan") }
    }

    static func desk(_ store: any ShopStore, at clock: String) -> Desk {
        Desk(database: store, now: try! time.parse(clock, field: "now", now: Date()), operator: "desk-test")
    }

    @Test("Given a check-in with a plan, Then the visit keeps it (its view, the car's visits, the audit) and a check-in without one has none", arguments: Backend.allCases)
    func planStored(_ backend: Backend) throws {
        let story = try Story(backend)
        let desk = story.desk()
        let before = try story.planRows()
        let result = try desk.checkin(plate: "京a·12345", at: "2026-11-20 13:30", orderNo: "WO-7", plan: ["road-test,delivery", "road-test"])
        #expect(result.visit.plan == ["road-test", "delivery"])
        #expect(try story.planRows() == before + 2)
        #expect(try desk.showVehicle("京A12345").visits.first?.plan == ["road-test", "delivery"])
        let entry = try #require(try story.database.auditEntries(since: nil).last)
        #expect(entry.action == "visit.checkin" && entry.after?.contains(#""plan":["road-test","delivery"]"#) == true)
        // Checked out, the visit still says what it was planned for.
        #expect(try story.desk(at: "2026-11-20 18:00").checkout(plate: "京A12345", at: nil).plan == ["road-test", "delivery"])

        let plain = try story.desk(at: "2026-11-20 18:30").checkin(plate: "京A12345", at: nil, orderNo: nil)
        #expect(plain.plan.isEmpty)
        #expect(try story.planRows() == before + 2)
        // A purpose that is not one is refused before anything is written.
        let audit = try story.database.auditEntries(since: nil).count
        #expect { try desk.checkin(plate: "沪C66666", at: nil, orderNo: nil, plan: ["road trip"]) } throws: { ($0 as? DeskError)?.field == "plan" }
        #expect(try story.database.auditEntries(since: nil).count == audit)
        #expect(try story.planRows() == before + 2)
    }

    @Test("Given the shop's real facts, the check-in's answer ranks who may be registered and says why the others cannot", arguments: Backend.allCases)
    func suggestions(_ backend: Backend) throws {
        let story = try Story(backend)
        let answer = try #require(try story.desk().checkin(plate: "京A12345", at: "2026-11-20 13:30", orderNo: nil, plan: ["road-test"]).answer)
        // 王磊 drove today, 李强 logged in today (on shift, but one slot used), 张三 drives automatics only; 赵六's licence expired.
        #expect(answer.suggestedDrivers.map(\.staff.name) == ["王磊", "李强", "张三"])
        #expect(answer.suggestedDrivers.map(\.onShift) == [true, true, false])
        #expect(answer.suggestedDrivers.map(\.activeLeft) == [3, 2, 3])
        #expect(answer.suggestedDrivers.map(\.yearLeft) == [5, 4, 5])
        try #require(answer.suggestedDrivers.count == 3)
        #expect(answer.suggestedDrivers[2].licenceFits == false && answer.suggestedDrivers[2].reasonCodes.contains("driving.automaticOnly"))
        #expect(answer.cannotRegister.map(\.staff.name) == ["赵六"])
        #expect(answer.cannotRegister.first?.reasonCodes == ["registration.licenceExpired"])
        #expect(answer.suggestedDrivers.first?.reasons.first?.contains("王磊") == true)
        #expect(answer.driversLeft == 3 && answer.method == "qr")
    }

    @Test("The invite made at check-in: recorded apart from the check-in, after which that driver needs none; the status lists the car until a driver's registration is active", arguments: Backend.allCases)
    func inviteAtCheckin(_ backend: Backend) throws {
        let story = try Story(backend)
        let desk = story.desk()
        let checkin = try desk.checkin(plate: "京A12345", at: "2026-11-20 13:30", orderNo: nil, plan: ["road-test"])
        #expect(try desk.status().plannedRoadTests.map(\.plate) == ["京A12345"])
        #expect(try desk.status().plannedRoadTests.first?.suggestedDriver?.name == "王磊")
        let first = try #require(checkin.answer?.suggestedDrivers.first)
        let invite = try desk.planInvite(plate: "京A12345", staff: nil).view
        #expect(invite.registration.staff == first.staff && invite.registration.status == "invited")
        let again = try desk.registrationPlan(plate: "京A12345")
        #expect(again.alreadyRegistered.map(\.staff.name) == ["王磊"] && again.alreadyRegistered.first?.reasonCodes == ["plan.alreadyRegistered"])
        #expect(again.suggestedDrivers.map(\.staff.name) == ["李强", "张三"] && again.driversLeft == 2)
        // An invite is not yet a registration: the car still waits for a driver.
        #expect(try desk.status().plannedRoadTests.map(\.plate) == ["京A12345"])
        _ = try story.desk(at: "2026-11-20 15:00").confirmRegistration(ref: invite.registration.ref, at: nil)
        #expect(try story.desk(at: "2026-11-20 15:00").status().plannedRoadTests.isEmpty)

        // A refused invite leaves the check-in as it was: 赵六 cannot be registered.
        let other = try desk.checkin(plate: "沪C66666", at: "2026-11-20 13:40", orderNo: nil, plan: ["road-test"])
        let audit = try story.database.auditEntries(since: nil).count
        #expect { try desk.planInvite(plate: "沪C66666", staff: "赵六") } throws: { error in
            guard case .refusedWith(let rule, let reasons) = error as? DeskError else { return false }
            return rule == "R3, R13" && reasons.map(\.code) == ["registration.licenceExpired"]
        }
        #expect(try story.database.auditEntries(since: nil).count == audit)
        #expect(try desk.showVehicle("沪C66666").visits.first?.id == other.visit.id)
        #expect(try desk.showVehicle("沪C66666").visits.first?.open == true)
    }

    @Test("A plan corrected with a reason: the visit's plan replaced, the audit keeps before, after and why, in words; no reason or no car in the shop is refused, nothing written", arguments: Backend.allCases)
    func correction(_ backend: Backend) throws {
        let story = try Story(backend)
        let desk = story.desk()
        _ = try desk.checkin(plate: "京A12345", at: "2026-11-20 13:30", orderNo: nil, plan: ["road-test"])
        let audit = try story.database.auditEntries(since: nil).count
        #expect { try desk.changePlan(plate: "京A12345", plan: ["delivery"], reason: nil) } throws: { ($0 as? DeskError)?.field == "reason" }
        #expect { try desk.changePlan(plate: "沪C66666", plan: ["delivery"], reason: "送车") } throws: { ($0 as? DeskError)?.exitCode == 1 }
        #expect(try story.database.auditEntries(since: nil).count == audit)

        let changed = try desk.changePlan(plate: "京A12345", plan: ["delivery"], reason: "只送车，不路试")
        #expect(changed.visit.plan == ["delivery"] && changed.answer?.plan == ["delivery"])
        #expect(try desk.showVehicle("京A12345").visits.first?.plan == ["delivery"])
        // No road test planned any more: the dashboard's list is empty.
        #expect(try desk.status().plannedRoadTests.isEmpty)
        let entry = try #require(try story.database.auditEntries(since: nil).last)
        #expect(entry.action == "visit.plan" && entry.before == #"{"plan":["road-test"]}"# && entry.after?.contains("只送车，不路试") == true)
        let line = try #require(try desk.auditPage(since: nil, until: nil, person: nil, action: "visit.plan", page: nil).lines.first)
        #expect(line.actionText == "更正进店计划")
        #expect(line.changes.contains { $0.label == "计划" && $0.before == "路试" && $0.after == "送车" })

        let cleared = try desk.changePlan(plate: "京A12345", plan: [], reason: "不需要")
        #expect(cleared.visit.plan.isEmpty && cleared.answer == nil)
        #expect(try story.planRows() == 0)
    }
}
