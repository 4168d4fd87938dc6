@testable import DriverDeskApp
import DriverDeskStore
import Foundation
import StoreHarness
import Testing

/// The accounts' use cases on a fresh database of each engine, as `user …` and the web's pages call them.
@Suite("Use cases: accounts")
struct AccountUseCaseTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)

    func shop(_ backend: Backend) throws -> (store: TestStore, shop: Shop, desk: Desk) {
        let store = try TestStore(backend)
        let shop = Shop(database: store.store)
        let desk = shop.desk(now: try time.parse("2026-11-20 20:00", field: "now", now: Date()), operator: "setup")
        _ = try desk.addStaff(name: "王磊", idNumber: "110105198803124111", licenseClass: "C1", licenseFirstIssued: "2009-05-20",
                              licenseValidUntil: "2031-05-20", phone: nil)
        return (store, shop, desk)
    }

    @Test("an account is added with its staff member, listed without its hash, and its name is taken whatever the case", arguments: Backend.allCases)
    func add(_ backend: Backend) throws {
        let (store, _, desk) = try shop(backend)
        let anna = try desk.addUser(name: " anna ", role: "desk", staff: "王磊", password: "Anna-front-2026")
        #expect(anna.name == "anna" && anna.role == "desk" && anna.staff?.name == "王磊" && anna.active)
        #expect(try desk.users().map(\.name) == ["anna"])
        #expect { try desk.addUser(name: "ANNA", role: "manager", staff: nil, password: "Other-front-2026") } throws: { ($0 as? DeskError)?.field == "name" }
        #expect { try desk.addUser(name: "bob", role: "desk", staff: "赵六", password: "Bob-front-2026") } throws: { ($0 as? DeskError)?.field == "staff" }
        #expect { try desk.addUser(name: "bob", role: "owner", staff: nil, password: "Bob-front-2026") } throws: { ($0 as? DeskError)?.field == "role" }
        #expect { try desk.addUser(name: "bob", role: "chain", staff: nil, password: "Bob-front-2026") } throws: { ($0 as? DeskError)?.field == "role" }
        #expect { try desk.addUser(name: "bob smith", role: "desk", staff: nil, password: "Bob-front-2026") } throws: { ($0 as? DeskError)?.field == "name" }
        #expect(try store.count("account") == 1)
        let audit = try desk.audit(since: nil)
        let added = try #require(audit.last { $0.action == "account.add" })
        #expect(added.subject == "account anna")
        #expect(!"\(audit)".contains("Anna-front-2026") && !"\(audit)".contains("$y$"))
    }

    @Test("passwords: at least 10 characters, not a common one, not the name; stored only as a salted hash", arguments: Backend.allCases)
    func passwords(_ backend: Backend) throws {
        let (store, shop, desk) = try shop(backend)
        for (password, reason) in [("short-pw", "input.password.short"), ("qwertyuiop", "input.password.common"), ("1234567890", "input.password.common"),
                                   ("Carl.Smith", "input.password.common"), ("tab\there-1234", "input.password.control")] {
            let error = #expect(throws: DeskError.self) { try desk.addUser(name: "Carl.Smith", role: "desk", staff: nil, password: password) }
            guard case .invalid(let field, let message, _)? = error else { continue }
            #expect(field == "password" && message.code == reason, "\(password): \(message.code)")
        }
        #expect(try store.count("account") == 0)
        _ = try desk.addUser(name: "carl", role: "manager", staff: nil, password: "Carl-office-2026")
        #expect(try shop.logIn(name: "CARL", password: "Carl-office-2026", address: "test", now: desk.now)?.role == .manager)
        #expect(try shop.logIn(name: "carl", password: "carl-office-2026", address: "test", now: desk.now) == nil)
        #expect(try CommonPasswords.count() == 10_000)
    }

    @Test("a new password and disabling raise the epoch; the old password and a disabled account log in no more", arguments: Backend.allCases)
    func passwdAndDisable(_ backend: Backend) throws {
        let (_, shop, desk) = try shop(backend)
        _ = try desk.addUser(name: "anna", role: "desk", staff: "王磊", password: "Anna-front-2026")
        let first = try #require(try shop.logIn(name: "anna", password: "Anna-front-2026", address: "test", now: desk.now))
        #expect(first.operatorName == "anna (王磊)")
        _ = try desk.setPassword(name: "anna", password: "Anna-second-2026")
        #expect(try shop.accountStates()[first.accountId]?.epoch == first.epoch + 1)
        #expect(try shop.logIn(name: "anna", password: "Anna-front-2026", address: "test", now: desk.now) == nil)
        #expect(try shop.logIn(name: "anna", password: "Anna-second-2026", address: "test", now: desk.now) != nil)
        _ = try desk.disableUser(name: "anna")
        #expect(try shop.accountStates()[first.accountId]?.active == false)
        #expect(try shop.logIn(name: "anna", password: "Anna-second-2026", address: "test", now: desk.now) == nil)
        let again = #expect(throws: DeskError.self) { try desk.disableUser(name: "anna") }
        #expect(again?.exitCode == 1)
        #expect { try desk.setPassword(name: "nobody", password: "Nobody-front-2026") } throws: { ($0 as? DeskError)?.field == "name" }
        #expect(try desk.audit(since: nil, action: "account").map(\.action) == ["account.add", "account.passwd", "account.disable"])
    }

    @Test("a desk account's use cases refuse a manager's work (exit 1) and write nothing", arguments: Backend.allCases)
    func roles(_ backend: Backend) throws {
        let (store, shop, setup) = try shop(backend)
        let desk = shop.desk(now: setup.now, operator: "anna", actor: .account(name: "anna", role: .desk))
        let audit = try store.count("audit")
        for attempt: () throws -> Void in [
            { _ = try desk.setSetting(key: "shop.phone", value: "010-1") }, { _ = try desk.cleanup(dryRun: true) },
            { _ = try desk.report(from: nil, to: nil) }, { _ = try desk.audit(since: nil) }, { _ = try desk.users() },
            { _ = try desk.addUser(name: "eve", role: "manager", staff: nil, password: "Eve-office-2026") }, { _ = try desk.deactivateStaff("王磊") },
            { _ = try desk.addStaff(name: "赵六", idNumber: "110101199003071234", licenseClass: "C1", licenseFirstIssued: "2012-01-01", licenseValidUntil: "2030-01-01", phone: nil) },
        ] {
            let error = #expect(throws: DeskError.self) { try attempt() }
            #expect(error?.exitCode == 1)
            guard case .forbidden(let reasons)? = error else { Issue.record("not a role's refusal: \(String(describing: error))"); continue }
            #expect(reasons.first?.code == "role.notAllowed")
        }
        #expect(try store.count("audit") == audit)
        _ = try desk.addVehicle(plate: "京C11111", owner: "刘洋", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        let chain = shop.desk(now: setup.now, operator: "cm", actor: .account(name: "cm", role: .chain))
        #expect(throws: DeskError.self) { try chain.addVehicle(plate: "京C22222", owner: "刘洋", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil) }
        #expect(try chain.report(from: nil, to: nil).staff.count == 1)
    }

    @Test("the audit by person (with or without the staff member), by action and its children, by days", arguments: Backend.allCases)
    func auditFilters(_ backend: Backend) throws {
        let (_, shop, setup) = try shop(backend)
        for (name, staff) in [("anna", "王磊" as String?), ("ann", nil)] {
            _ = try setup.addUser(name: name, role: "desk", staff: staff, password: "\(name.capitalized)-front-2026")
        }
        let anna = shop.desk(now: setup.now, operator: "anna (王磊)"), ann = shop.desk(now: setup.now, operator: "ann")
        _ = try anna.addVehicle(plate: "京C11111", owner: "刘洋", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        _ = try ann.addVehicle(plate: "京C22222", owner: "刘洋", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        _ = try ann.checkin(plate: "京C22222", at: nil, orderNo: nil)
        #expect(try setup.audit(since: nil, person: "ANNA").map(\.subject).count == 1)
        #expect(try setup.audit(since: nil, person: "ann").map(\.action) == ["vehicle.add", "visit.checkin"])
        #expect(try setup.audit(since: nil, person: "an").isEmpty)
        #expect(try setup.audit(since: nil, action: "vehicle").count == 2)
        #expect(try setup.audit(since: nil, action: "vehicle.add").count == 2)
        #expect(try setup.audit(since: nil, action: "vehicl").isEmpty)
        #expect(try setup.audit(since: "2026-11-20", until: "2026-11-20 19:59").isEmpty)
        #expect(try setup.audit(since: "2026-11-20", until: "2026-11-20 20:00").count == setup.audit(since: "2026-11-20").count)
        #expect(try setup.audit(since: nil, limit: "2").map(\.action) == ["vehicle.add", "visit.checkin"])
        #expect { try setup.audit(since: "2026-11-21", until: "2026-11-20") } throws: { ($0 as? DeskError)?.field == "until" }
    }
}
