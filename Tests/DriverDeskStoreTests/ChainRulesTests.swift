import DriverDeskCore
@testable import DriverDeskApp
import DriverDeskStore
import Foundation
import StoreHarness
import Testing

/// The rules that follow a driver across the shops of a chain (issue 14): one car at a time whichever shop it is in
/// (R1), his 12123 limits (R3) and his scoring cycle (R6), also when two front desks decide at the same moment.
@Suite("A driver across the shops of a chain (R1, R3, R6 on PostgreSQL)")
struct ChainRulesTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    let context: WriteContext

    init() throws {
        context = WriteContext(operator: "tester", now: try time.parse("2026-11-20 20:00", field: "now", now: Date()))
    }

    func at(_ text: String) -> Date { try! time.parse("2026-11-\(text)", field: "at", now: Date()) }

    /// 王磊 works in both shops (hired in each); each shop has its own cars, checked in on the 20th.
    func twoShops(plates: [String] = ["京A12345", "京A22222", "京A33333"]) throws -> (a: TestStore, b: TestStore) {
        let a = try TestStore(.postgres)
        let b = try a.anotherShop()
        for (shop, prefix) in [(a, "京"), (b, "沪")] {
            _ = try shop.store.addStaff(NewStaff(name: "王磊", idNumber: try IDNumber("110105198803124111"), licenseClass: .C1,
                                                 licenseFirstIssued: CivilDate(year: 2010, month: 1, day: 1)!, licenseValidUntil: CivilDate(year: 2030, month: 1, day: 1)!,
                                                 phone: nil), context: context)
            for plate in plates {
                let plate = try Plate(prefix + plate.dropFirst())
                _ = try shop.store.addVehicle(NewVehicle(plate: plate, ownerName: "车主", ownerPhone: nil, engineLast6: nil, usage: .private, size: .small), context: context)
                _ = try shop.store.checkin(plate: plate, at: at("20 08:00"), orderNo: nil, context: context)
            }
        }
        return (a, b)
    }

    @Test("the same person is one driver in every shop: his ID number finds his record, and his movements elsewhere stop an overlap (R1)")
    func oneCarAtATime() throws {
        let (a, b) = try twoShops()
        let inA = try a.store.staff("王磊"), inB = try b.store.staff("王磊")
        #expect(inA.id != inB.id && inA.idNumber == inB.idNumber)
        _ = try b.store.logMovement(plate: try Plate("沪A12345"), staff: "王磊", purpose: .roadTest, from: at("20 10:00"), to: at("20 10:30"), context: context)
        let before = try a.count("movement")
        let error = #expect(throws: DeskError.self) {
            _ = try a.store.logMovement(plate: try Plate("京A12345"), staff: "王磊", purpose: .parking, from: at("20 10:15"), to: at("20 10:20"), context: context)
        }
        guard case .refusedWith(let rule, let reasons)? = error else { Issue.record("not a refusal: \(String(describing: error))"); return }
        #expect(rule == "R1" && reasons.first?.code == "movement.driverBusy")
        // The other shop is named by its code: not its customer's plate, nor the movement's number or purpose.
        #expect(reasons.last?.code == "movement.elsewhere" && reasons.last?.arguments["shop"] == Message.Argument.text(b.shopCode!), "\(reasons)")
        #expect(reasons.last?.arguments["movement"] == nil && reasons.last?.arguments["plate"] == nil, "\(reasons)")
        #expect(try a.count("movement") == before)
        // Before and after it, he may drive here.
        _ = try a.store.logMovement(plate: try Plate("京A12345"), staff: "王磊", purpose: .parking, from: at("20 10:30"), to: at("20 10:40"), context: context)
    }

    @Test("his registrations in every shop count towards his limits (R3), and his points towards his cycle (R6)")
    func limitsAcrossShops() throws {
        let (a, b) = try twoShops()
        var number = 0
        func ref() -> String { number += 1; return String(format: "INV-TEST-%04d", number) }
        for plate in ["沪A12345", "沪A22222"] {
            _ = try b.store.invite(plate: try Plate(plate), staff: "王磊", method: .qr, context: context, makeRef: ref)
        }
        _ = try a.store.invite(plate: try Plate("京A12345"), staff: "王磊", method: .qr, context: context, makeRef: ref)
        let error = #expect(throws: DeskError.self) {
            _ = try a.store.invite(plate: try Plate("京A22222"), staff: "王磊", method: .qr, context: context) { "INV-TEST-9999" }
        }
        guard case .refusedWith("R3", let reasons)? = error else { Issue.record("not R3: \(String(describing: error))"); return }
        #expect(reasons.first?.code == "registration.staffFull", "\(reasons)")
        // Shop B's registrations are named by its code: not its car, not its references (INV-TEST-0001, -0002).
        guard case .names(let held)? = reasons.first?.arguments["registrations"] else { Issue.record("\(reasons)"); return }
        #expect(held.sorted() == ["[\(b.shopCode!)]", "[\(b.shopCode!)]", "京A12345 INV-TEST-0003"], "\(held)")
        let slots = try a.store.slots(staffId: try a.store.staff("王磊").id!, on: CivilDate(year: 2026, month: 11, day: 20)!)
        #expect(slots.pending == 3)

        // Points taken while driving for the other shop count in his cycle here.
        let violation = try b.store.addViolation(NewViolation(plate: try Plate("沪A12345"), occurredAt: at("20 09:00"), code: "1625", description: nil, category: nil,
                                                              location: nil, points: 3, fineFen: 20_000, recordNo: nil, isParking: false), context: context)
        _ = try b.store.assignViolation(violation.violation.id!, staff: "王磊", reason: "监控照片", context: context)
        _ = try b.store.processViolation(violation.violation.id!, window: true, at: at("20 12:00"), context: context)
        let here = try a.store.pointsInCycle(staff: try a.store.staff("王磊"), on: CivilDate(year: 2026, month: 11, day: 20)!)
        #expect(here.points == 3)
    }

    @Test("two front desks inviting the same driver at the same moment: the second waits for the first, sees it, and is refused (R3)")
    func concurrentInvites() throws {
        let (a, b) = try twoShops()
        var number = 0
        func ref() -> String { number += 1; return String(format: "INV-TEST-%04d", number) }
        for plate in ["京A12345", "京A22222"] {
            _ = try a.store.invite(plate: try Plate(plate), staff: "王磊", method: .qr, context: context, makeRef: ref)
        }
        // Shop B's desk takes the driver's third slot in a transaction that holds him, as DriverDesk's invite does, and
        // waits at a gate the test holds shut; shop A's invite of a fourth starts meanwhile, and must wait for it.
        let server = try SharedChain.server()
        let staffB = try b.store.staff("王磊"), carB = try #require(try b.store.vehicle(ifKnown: try Plate("沪A12345")))
        let gate = try SessionGate(server: server, database: b.chainDatabase)
        let marker = "desk-b-" + UUID().uuidString.prefix(8).lowercased()
        let (other, _, errors) = try server.start("""
            SELECT '\(marker)';
            SELECT lock_driver(\(staffB.id!));
            INSERT INTO registration (ref, vehicle_id, staff_id, person_id, method, status, invited_at)
                VALUES ('INV-TEST-B001', \(carB.id!), \(staffB.id!), (SELECT person_id FROM staff WHERE id = \(staffB.id!)), 'qr', 'invited', \(context.now.seconds));
            \(gate.statement)
            """, as: b.role, database: b.chainDatabase)
        try server.waitUntil("shop B's desk to hold the driver and wait at the gate", ThrowawayPostgres.waiting(marker, on: "advisory"), database: b.chainDatabase)
        let store = a.store, context = context
        let inviting = Background { try store.invite(plate: try Plate("京A33333"), staff: "王磊", method: .qr, context: context) { "INV-TEST-A003" } }
        try server.waitUntil("shop A's invite to wait for shop B's desk", ThrowawayPostgres.blocked(by: marker), database: b.chainDatabase)
        try gate.open()
        let error = #expect(throws: DeskError.self) { _ = try inviting.wait() }
        other.waitUntilExit()
        #expect(other.terminationStatus == 0, "\(String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self))")
        guard case .refusedWith("R3", let reasons)? = error else { Issue.record("not R3: \(String(describing: error))"); return }
        #expect(reasons.first?.code == "registration.staffFull", "\(reasons)")
        #expect(try a.count("registration") == 2)
    }
}
