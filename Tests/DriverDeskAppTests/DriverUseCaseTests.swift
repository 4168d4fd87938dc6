@testable import DriverDeskApp
import DriverDeskStore
import Foundation
import StoreHarness
import Testing

/// Issue 29: a driver on his own phone, on a fresh database of each engine: his account, a key tag's link, starting
/// and ending only his own movements, his page. Nothing written when refused.
@Suite("Use cases: a driver's phone")
struct DriverUseCaseTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)

    struct Setup {
        let store: TestStore
        let shop: Shop
        let desk: Desk
        let wang: SignedIn
        let li: SignedIn
        /// The use cases as a driver's phone calls them, at a time of the day.
        func phone(_ person: SignedIn, at clock: String) throws -> Desk {
            let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
            return shop.desk(now: try time.parse("2026-11-20 \(clock)", field: "now", now: Date()), operator: person.operatorName, actor: person.actor)
        }
        func rows() throws -> [Int] { try ["movement", "audit", "visit"].map { try store.count($0) } }
    }

    func setup(_ backend: Backend) throws -> Setup {
        let store = try TestStore(backend)
        let shop = Shop(database: store.store)
        let desk = shop.desk(now: try time.parse("2026-11-20 09:00", field: "now", now: Date()), operator: "setup")
        for (name, id) in [("王磊", "110105198803124111"), ("李强", "11010519491231002X")] {
            _ = try desk.addStaff(name: name, idNumber: id, licenseClass: "C1", licenseFirstIssued: "2009-05-20", licenseValidUntil: "2031-05-20", phone: nil)
        }
        for plate in ["京A12345", "沪B88888", "粤C33333"] { _ = try desk.addVehicle(plate: plate, owner: "车主", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil) }
        for plate in ["京A12345", "沪B88888"] { _ = try desk.checkin(plate: plate, at: "2026-11-20 08:30", orderNo: nil) }
        _ = try desk.addUser(name: "wang", role: "driver", staff: "王磊", password: "Wang-phone-2026")
        _ = try desk.addUser(name: "li", role: "driver", staff: "李强", password: "Li-phone-2026x")
        let wang = try #require(try shop.logIn(name: "wang", password: "Wang-phone-2026", address: "test", now: desk.now))
        let li = try #require(try shop.logIn(name: "li", password: "Li-phone-2026x", address: "test", now: desk.now))
        return Setup(store: store, shop: shop, desk: desk, wang: wang, li: li)
    }

    @Test("a driver's account is tied to an employed staff member; the login carries him", arguments: Backend.allCases)
    func account(_ backend: Backend) throws {
        let s = try setup(backend)
        #expect(s.wang.role == .driver && s.wang.staffId != nil && s.wang.operatorName == "wang (王磊)")
        #expect { try s.desk.addUser(name: "nobody", role: "driver", staff: nil, password: "Nobody-phone-2026") } throws: { ($0 as? DeskError)?.field == "staff" }
        _ = try s.desk.addStaff(name: "赵六", idNumber: "110101199003071233", licenseClass: "C1", licenseFirstIssued: "2012-01-01", licenseValidUntil: "2030-01-01", phone: nil)
        _ = try s.desk.deactivateStaff("赵六")
        #expect { try s.desk.addUser(name: "zhao", role: "driver", staff: "赵六", password: "Zhao-phone-2026") } throws: { ($0 as? DeskError)?.field == "staff" }
        #expect(try s.store.count("account") == 2)
        #expect(try s.desk.users().first { $0.name == "wang" }?.role == "driver")
    }

    @Test("start and end his own movement from the key tag's link; the audit names him; the link offers end while he drives", arguments: Backend.allCases)
    func startAndEnd(_ backend: Backend) throws {
        let s = try setup(backend)
        let before = try s.phone(s.wang, at: "10:00").driverCar(token: "https://desk.example/k/BJ-A12345")
        #expect(before.plate == "京A12345" && before.offer == "start" && before.movement == nil)
        let started = try s.phone(s.wang, at: "10:00").driverStart(token: "BJ-A12345", purpose: "road-test")
        #expect(started.staff.name == "王磊" && started.purpose == "road-test" && started.inProgress)
        let driving = try s.phone(s.wang, at: "10:05").driverCar(token: "bj-a12345")
        #expect(driving.offer == "end" && driving.movement?.id == started.id)
        let ended = try s.phone(s.wang, at: "10:20").driverEnd(token: "BJ-A12345")
        #expect(ended.id == started.id && ended.minutes == 20 && !ended.inProgress)
        let audit = try s.desk.audit(since: nil).filter { $0.action.hasPrefix("movement.") }
        #expect(audit.map(\.action) == ["movement.start", "movement.end"])
        #expect(audit.allSatisfy { $0.operator == "wang (王磊)" })
    }

    @Test("another's movement is refused naming who drives since when; a car not in the shop, an unknown car, a second car at once: refused, nothing written", arguments: Backend.allCases)
    func refusals(_ backend: Backend) throws {
        let s = try setup(backend)
        _ = try s.phone(s.li, at: "10:00").driverStart(token: "BJ-A12345", purpose: "parking")
        let rows = try s.rows()
        func refused(_ body: () throws -> Any) -> DeskError? {
            do { _ = try body(); return nil } catch let error as DeskError { return error } catch { return nil }
        }
        let theirs = refused { try s.phone(s.wang, at: "10:05").driverCar(token: "BJ-A12345") }
        guard case .refusedWith("R1", let reasons)? = theirs else { Issue.record("expected R1, got \(String(describing: theirs))"); return }
        #expect(reasons.map(\.code) == ["movement.beingDriven", "driver.notYours"])
        #expect(reasons.first?.arguments["staff"] == .text("李强"))
        guard case .refusedWith("R1", let endReasons)? = refused({ try s.phone(s.wang, at: "10:05").driverEnd(token: "BJ-A12345") }) else {
            Issue.record("ending another's movement was not refused"); return
        }
        #expect(endReasons.last?.code == "driver.notYours")
        guard case .refusedWith("R1", _)? = refused({ try s.phone(s.wang, at: "10:05").driverStart(token: "BJ-A12345", purpose: "road-test") }) else {
            Issue.record("starting a car someone drives was not refused"); return
        }
        guard case .refusedWith("R1", let away)? = refused({ try s.phone(s.wang, at: "10:05").driverCar(token: "GD-C33333") }) else {
            Issue.record("a car not checked in was not refused"); return
        }
        #expect(away.map(\.code) == ["driver.notInShop"])
        #expect(refused { try s.phone(s.wang, at: "10:05").driverStart(token: "GD-C33333", purpose: "road-test") } != nil)
        #expect(refused { try s.phone(s.wang, at: "10:05").driverCar(token: "BJ-ZZZ999") }?.field == "plate")
        #expect(refused { try s.phone(s.wang, at: "10:05").driverCar(token: "nonsense") }?.field == "token")
        #expect(refused { try s.phone(s.wang, at: "10:05").driverStart(token: "SH-B88888", purpose: "joyride") }?.field == "purpose")
        // He drives 沪B88888; a second car at once is R1's.
        _ = try s.phone(s.wang, at: "10:06").driverStart(token: "SH-B88888", purpose: "road-test")
        let two = try s.rows()
        #expect(refused { try s.phone(s.li, at: "10:07").driverEnd(token: "SH-B88888") } != nil)
        #expect(try s.rows() == two)
        #expect(two[0] == rows[0] + 1)
    }

    @Test("a driver reads nothing of the shop and does no desk work; the desk does none of a driver's", arguments: Backend.allCases)
    func roles(_ backend: Backend) throws {
        let s = try setup(backend)
        let phone = try s.phone(s.wang, at: "10:00")
        #expect { try phone.showVehicle("京A12345") } throws: { ($0 as? DeskError)?.exitCode == 1 }
        #expect { try phone.violationList(status: nil) } throws: { ($0 as? DeskError)?.exitCode == 1 }
        #expect { try phone.startMovement(plate: "京A12345", staff: "李强", purpose: nil, at: nil) } throws: { ($0 as? DeskError)?.exitCode == 1 }
        #expect { try phone.showStaff("李强") } throws: { ($0 as? DeskError)?.exitCode == 1 }
        let anna = s.shop.desk(now: phone.now, operator: "anna", actor: .account(name: "anna", role: .desk))
        #expect { try anna.driverStart(token: "BJ-A12345", purpose: nil) } throws: { ($0 as? DeskError)?.exitCode == 1 }
        #expect { try anna.driverHome() } throws: { ($0 as? DeskError)?.exitCode == 1 }
        #expect(try s.store.count("movement") == 0)
    }

    @Test("his page: today's movements, only his violations with what each asks of him, registrations to remove, points and slots", arguments: Backend.allCases)
    func home(_ backend: Backend) throws {
        let s = try setup(backend)
        _ = try s.desk.setSetting(key: "rules.noSameDayProcessing", value: "false")
        _ = try s.desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 08:40", to: "2026-11-20 09:00", purpose: "road-test")
        _ = try s.desk.logMovement(plate: "沪B88888", staff: "李强", from: "2026-11-20 08:40", to: "2026-11-20 09:00", purpose: "road-test")
        let mine = try s.desk.addViolation(plate: "京A12345", at: "2026-11-20 08:50", code: "1625", points: nil, fine: nil, location: "东三环", recordNo: nil)
        _ = try s.desk.addViolation(plate: "沪B88888", at: "2026-11-20 08:50", code: "1625", points: nil, fine: nil, location: "西三环", recordNo: nil)
        _ = try s.phone(s.wang, at: "10:00").driverStart(token: "SH-B88888", purpose: "parking")
        let home = try s.phone(s.wang, at: "10:10").driverHome()
        #expect(home.staff.name == "王磊")
        #expect(home.today.map(\.plate) == ["沪B88888", "京A12345"])
        #expect(home.driving?.plate == "沪B88888")
        #expect(home.violations.map(\.id) == [mine.id])
        #expect(home.violations.first?.driver?.name == "王磊")
        let todo = try #require(home.todo[mine.id])
        #expect(!todo.isEmpty)
        #expect(home.slots.activeLimit == 3 && home.slotsText.contains("3"))
        // Paid: nothing is asked of him any more.
        _ = try s.desk.processViolation(String(mine.id), window: true, at: nil)
        #expect(try s.phone(s.wang, at: "10:11").driverHome().todo[mine.id]?.contains("缴款") == true)
        _ = try s.desk.payViolation(String(mine.id), method: "cash", payer: "shop", amount: nil, at: nil)
        #expect(try s.phone(s.wang, at: "10:12").driverHome().violations.isEmpty)
    }
}
