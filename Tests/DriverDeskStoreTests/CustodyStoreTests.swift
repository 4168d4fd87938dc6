import DriverDeskCore
@testable import DriverDeskApp
import DriverDeskStore
import Foundation
import GRDB
import StoreHarness
import Testing

/// A fresh shop with two staff and two cars, for each test: in memory on SQLite, or a shop of a new chain database.
struct Shop {
    let test: TestStore
    var db: any ShopStore { test.store }
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    let context: WriteContext

    init(_ backend: Backend = .sqlite) throws {
        test = try TestStore(backend)
        context = WriteContext(operator: "tester", now: try time.parse("2026-11-20 20:00", field: "now", now: Date()))
        for (name, id) in [("王磊", "110105198803124111"), ("李强", "11010519491231002X")] {
            _ = try db.addStaff(NewStaff(name: name, idNumber: try IDNumber(id), licenseClass: .C1,
                                         licenseFirstIssued: CivilDate(year: 2010, month: 1, day: 1)!,
                                         licenseValidUntil: CivilDate(year: 2030, month: 1, day: 1)!, phone: nil), context: context)
        }
        for plate in ["京A12345", "沪B88888"] {
            _ = try db.addVehicle(NewVehicle(plate: try Plate(plate), ownerName: "车主", ownerPhone: nil, engineLast6: nil, usage: .private, size: .small), context: context)
        }
    }

    func at(_ clock: String) -> Date { try! time.parse("2026-11-20 \(clock)", field: "at", now: Date()) }
    func plate(_ text: String) -> Plate { try! Plate(text) }

    func counts() throws -> [Int] {
        try ["visit", "movement", "audit"].map { try test.count($0) }
    }

    /// Runs a write that must be refused by R1, and checks that nothing was written.
    /// Runs a write that must be refused by R1, checks that nothing was written, and returns the refusal's reasons
    /// (a refusal still worded in the store comes back as one verbatim message).
    func expectRefused(_ body: () throws -> Void) throws -> [Message] {
        let before = try counts()
        var reasons: [Message] = []
        do {
            try body()
            Issue.record("expected a refusal")
        } catch let error as DeskError {
            switch error {
            case .refusedWith(let rule, let given):
                #expect(rule == "R1")
                reasons = given
            default:
                Issue.record("expected a refusal, got \(error)")
            }
        }
        #expect(try counts() == before)
        return reasons
    }
}

@Suite("Visits and movements in the store (R1, R11)")
struct CustodyStoreTests {
    @Test("Given a checked-in car, When a movement is started and ended, Then it is recorded and audited", arguments: Backend.allCases)
    func startAndEnd(_ backend: Backend) throws {
        let shop = try Shop(backend)
        _ = try shop.db.checkin(plate: shop.plate("京A12345"), at: shop.at("09:00"), orderNo: "WO1", context: shop.context)
        let started = try shop.db.startMovement(plate: shop.plate("京a 12345"), staff: "王磊", purpose: .roadTest, at: shop.at("10:00"), context: shop.context)
        #expect(started.span.end == nil)
        let ended = try shop.db.endMovement(plate: shop.plate("京A·12345"), at: shop.at("10:30"), context: shop.context)
        #expect(ended.span.id == started.span.id)
        #expect(ended.span.end == shop.at("10:30"))
        let actions = try shop.db.auditEntries(since: nil).map(\.action)
        #expect(actions.suffix(3) == ["visit.checkin", "movement.start", "movement.end"])
        // A chain's shop begins with the owner's shop.add entry; everything after it is this test's.
        #expect(try shop.db.auditEntries(since: nil).filter { $0.action != "shop.add" }.allSatisfy { $0.operator == "tester" })
    }

    @Test("Overlaps per car and per staff member, a second start, movements outside a visit: refused, nothing written", arguments: Backend.allCases)
    func refusals(_ backend: Backend) throws {
        let shop = try Shop(backend)
        _ = try shop.db.checkin(plate: shop.plate("京A12345"), at: shop.at("09:00"), orderNo: nil, context: shop.context)
        _ = try shop.db.checkin(plate: shop.plate("沪B88888"), at: shop.at("09:00"), orderNo: nil, context: shop.context)
        _ = try shop.db.logMovement(plate: shop.plate("京A12345"), staff: "王磊", purpose: .roadTest, from: shop.at("10:00"), to: shop.at("10:30"), context: shop.context)
        _ = try shop.db.startMovement(plate: shop.plate("京A12345"), staff: "李强", purpose: .parking, at: shop.at("11:00"), context: shop.context)

        let sameCar = try shop.expectRefused {
            _ = try shop.db.logMovement(plate: shop.plate("京A12345"), staff: "王磊", purpose: .other, from: shop.at("10:15"), to: shop.at("10:45"), context: shop.context)
        }
        #expect(sameCar == [Message("movement.overlaps", ["plate": .text("京A12345"), "staff": .text("王磊"), "from": .time(shop.at("10:00")), "to": .time(shop.at("10:30")), "movement": .number(1)])])
        let secondStart = try shop.expectRefused {
            _ = try shop.db.startMovement(plate: shop.plate("京A12345"), staff: "王磊", purpose: .other, at: shop.at("11:30"), context: shop.context)
        }
        #expect(secondStart.map(\.code) == ["movement.beingDriven"] && secondStart.first?.arguments["staff"] == .text("李强")
                && secondStart.first?.arguments["since"] == .time(shop.at("11:00")))
        let twoCars = try shop.expectRefused {
            _ = try shop.db.logMovement(plate: shop.plate("沪B88888"), staff: "王磊", purpose: .other, from: shop.at("10:20"), to: shop.at("10:50"), context: shop.context)
        }
        #expect(twoCars.map(\.code) == ["movement.driverBusy", "movement.overlaps"])
        let busyStaff = try shop.expectRefused {
            _ = try shop.db.startMovement(plate: shop.plate("沪B88888"), staff: "李强", purpose: .other, at: shop.at("11:30"), context: shop.context)
        }
        #expect(busyStaff.map(\.code) == ["movement.driverBusy", "movement.beingDriven"] && busyStaff.last?.arguments["staff"] == .text("李强"))
        let outside = try shop.expectRefused {
            _ = try shop.db.logMovement(plate: shop.plate("沪B88888"), staff: "王磊", purpose: .other, from: shop.at("08:00"), to: shop.at("08:30"), context: shop.context)
        }
        #expect(outside.map(\.code) == ["movement.notCheckedIn"])
        let backwards = try shop.expectRefused {
            _ = try shop.db.logMovement(plate: shop.plate("沪B88888"), staff: "王磊", purpose: .other, from: shop.at("12:30"), to: shop.at("12:00"), context: shop.context)
        }
        #expect(backwards.map(\.code) == ["movement.endsBeforeStart"])
        let checkoutWhileDriven = try shop.expectRefused {
            _ = try shop.db.checkout(plate: shop.plate("京A12345"), at: shop.at("12:00"), context: shop.context)
        }
        #expect(checkoutWhileDriven.map(\.code) == ["movement.beingDriven"] && checkoutWhileDriven.first?.arguments["staff"] == .text("李强"))
    }

    @Test("A long history is checked against only the movements near the new one, and still completely", arguments: Backend.allCases)
    func longHistory(_ backend: Backend) throws {
        let shop = try Shop(backend)
        _ = try shop.db.checkin(plate: shop.plate("京A12345"), at: shop.at("00:00"), orderNo: nil, context: shop.context)
        for minute in stride(from: 0, to: 600, by: 10) {
            let start = shop.at("00:00").addingTimeInterval(TimeInterval(minute * 60))
            _ = try shop.db.logMovement(plate: shop.plate("京A12345"), staff: "王磊", purpose: .other, from: start, to: start.addingTimeInterval(300), context: shop.context)
        }
        // 00:00-00:05, 00:10-00:15, ...: a movement from 02:03 to 02:04 overlaps 02:00-02:05 only.
        _ = try shop.expectRefused {
            _ = try shop.db.logMovement(plate: shop.plate("京A12345"), staff: "李强", purpose: .other, from: shop.at("02:03"), to: shop.at("02:04"), context: shop.context)
        }
        _ = try shop.db.logMovement(plate: shop.plate("京A12345"), staff: "李强", purpose: .other, from: shop.at("02:05"), to: shop.at("02:10"), context: shop.context)
        _ = try shop.expectRefused {
            _ = try shop.db.logMovement(plate: shop.plate("京A12345"), staff: "李强", purpose: .other, from: shop.at("01:00"), to: shop.at("03:00"), context: shop.context)
        }
    }

    @Test("who: the store feeds R2 the right movements and visits", arguments: Backend.allCases)
    func attribution(_ backend: Backend) throws {
        let shop = try Shop(backend)
        _ = try shop.db.checkin(plate: shop.plate("京A12345"), at: shop.at("09:00"), orderNo: nil, context: shop.context)
        _ = try shop.db.logMovement(plate: shop.plate("京A12345"), staff: "王磊", purpose: .roadTest, from: shop.at("10:00"), to: shop.at("10:30"), context: shop.context)
        _ = try shop.db.checkout(plate: shop.plate("京A12345"), at: shop.at("17:00"), context: shop.context)
        func who(_ clock: String, parking: Bool = false) throws -> Attribution {
            try shop.db.attribution(plate: shop.plate("京A12345"), at: shop.at(clock), isParking: parking).attribution
        }
        #expect(try who("10:10").driver?.name == "王磊")
        #expect(try who("10:38").needsReview)
        #expect(try who("10:38").driver?.name == "王磊")
        #expect(try who("13:00").kind == .unattributed)
        #expect(try who("13:00").reasons.last == Message("attribution.lastMoved", ["staff": .text("王磊"), "movement": .number(1), "ended": .time(shop.at("10:30"))]))
        #expect(try who("13:00", parking: true).kind == .parked)
        #expect(try who("18:00").kind == .outsideCustody)
    }

    @Test("Database rules hold even against raw SQL: one open visit, one open movement per car and per driver, valid licence classes, an append-only audit")
    func schemaInvariants() throws {
        let shop = try Shop()
        _ = try shop.db.checkin(plate: shop.plate("京A12345"), at: shop.at("09:00"), orderNo: nil, context: shop.context)
        _ = try shop.db.checkin(plate: shop.plate("沪B88888"), at: shop.at("09:00"), orderNo: nil, context: shop.context)
        let t = Int(shop.at("10:00").timeIntervalSince1970)

        /// Runs raw SQL that must be refused by the one constraint named in `because`, and checks nothing changed.
        func refused(_ sql: String, because constraint: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let before = try shop.counts()
            do {
                try (shop.db as! AppDatabase).writer.write { db in try db.execute(sql: sql) }
                Issue.record("accepted: \(sql)", sourceLocation: sourceLocation)
            } catch let error as DatabaseError {
                #expect(error.resultCode == .SQLITE_CONSTRAINT, "\(error)", sourceLocation: sourceLocation)
                #expect(error.message?.contains(constraint) == true, "refused for another reason: \(error)", sourceLocation: sourceLocation)
            }
            #expect(try shop.counts() == before, sourceLocation: sourceLocation)
        }
        /// The same statement with the offending value put right is accepted: the refusal above was that constraint's.
        func accepted(_ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(throws: Never.self, sourceLocation: sourceLocation) { try (shop.db as! AppDatabase).writer.write { db in try db.execute(sql: sql) } }
        }

        // One open visit per car: a second open visit of 京A12345 (vehicle 1); a closed one is fine.
        try refused("INSERT INTO visit (vehicleId, checkinAt) VALUES (1, \(t))", because: "UNIQUE constraint failed: visit.vehicleId")
        try accepted("INSERT INTO visit (vehicleId, checkinAt, checkoutAt) VALUES (1, \(t - 90_000), \(t - 86_400))")

        // One open movement per car and one per driver (R1 in the schema).
        try accepted("INSERT INTO movement (visitId, vehicleId, staffId, startAt, purpose) VALUES (1, 1, 1, \(t), 'road-test')")
        try refused("INSERT INTO movement (visitId, vehicleId, staffId, startAt, purpose) VALUES (1, 1, 2, \(t), 'road-test')",
                    because: "UNIQUE constraint failed: movement.vehicleId")
        try refused("INSERT INTO movement (visitId, vehicleId, staffId, startAt, purpose) VALUES (2, 2, 1, \(t), 'road-test')",
                    because: "UNIQUE constraint failed: movement.staffId")
        try accepted("INSERT INTO movement (visitId, vehicleId, staffId, startAt, purpose) VALUES (2, 2, 2, \(t), 'road-test')")

        // Licence classes: 'Z9' is refused by the class check alone (a fresh, valid, unused ID number); 'C1' goes in.
        let staff = "INSERT INTO staff (name, idNumber, licenseClass, licenseFirstIssued, licenseValidUntil, createdAt) VALUES ('x', '%@', '%@', '2010-01-01', '2030-01-01', 0)"
        try refused(String(format: staff, "110101199003070134", "Z9"), because: "CHECK constraint failed: licenseClass")
        try accepted(String(format: staff, "110101199003070134", "C1"))

        // The audit is append-only.
        try refused("UPDATE audit SET operator = 'mallory'", because: "the audit is append-only")
        try refused("DELETE FROM audit", because: "the audit is append-only")
    }

    @Test("The audit never holds a whole ID number (R12)", arguments: Backend.allCases)
    func auditMasks(_ backend: Backend) throws {
        let shop = try Shop(backend)
        _ = try shop.db.deactivateStaff("王磊", context: shop.context)
        let text = try shop.db.auditEntries(since: nil).map { ($0.before ?? "") + ($0.after ?? "") }.joined()
        #expect(!text.contains("110105198803124111"))
        #expect(!text.contains("11010519491231002X"))
        #expect(text.contains("110105********4111"))
    }

    @Test("Staff resolve by number or unique name; ambiguous and unknown names are named", arguments: Backend.allCases)
    func resolveStaff(_ backend: Backend) throws {
        let shop = try Shop(backend)
        #expect(try shop.db.staff("1").name == "王磊")
        #expect(try shop.db.staff("#2").name == "李强")
        #expect(try shop.db.staff(" 李强 ").id == 2)
        #expect { try shop.db.staff("赵六") } throws: { ($0 as? DeskError)?.field == "staff" }
        #expect { try shop.db.staff("99") } throws: { ($0 as? DeskError)?.exitCode == 2 }
        _ = try shop.db.addStaff(NewStaff(name: "王磊", idNumber: try IDNumber("110101199003070134"), licenseClass: .C1,
                                          licenseFirstIssued: CivilDate(year: 2012, month: 1, day: 1)!, licenseValidUntil: CivilDate(year: 2032, month: 1, day: 1)!,
                                          phone: nil), context: shop.context)
        #expect { try shop.db.staff("王磊") } throws: {
            ($0 as? DeskError) == .invalid(field: "staff", reason: Message("input.staff.ambiguous", ["name": .text("王磊"), "numbers": .names(["#1", "#3"])]))
        }
        #expect { try shop.db.addStaff(NewStaff(name: "x", idNumber: try IDNumber("110105198803124111"), licenseClass: .C1,
                                                 licenseFirstIssued: CivilDate(year: 2012, month: 1, day: 1)!, licenseValidUntil: CivilDate(year: 2032, month: 1, day: 1)!,
                                                 phone: nil), context: shop.context) } throws: { ($0 as? DeskError)?.exitCode == 1 }
    }
}
