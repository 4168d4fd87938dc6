@testable import DriverDeskApp
import DriverDeskStore
import Foundation
import StoreHarness
import Testing

/// One use case, one transaction: the settings are read inside the use case's own transaction, not in one before it.
@Suite("Use cases: one transaction each")
struct TransactionCountTests {
    /// A fresh shop in memory, and its use cases at 20:00 on 2026-11-20.
    static func shop() throws -> (AppDatabase, Desk) {
        let database = try AppDatabase.inMemory()
        let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
        return (database, Shop(database: database).desk(now: try time.parse("2026-11-20 20:00", field: "now", now: Date()), operator: "test"))
    }

    @Test("check-in, move start, end and log, check-out: each one transaction, settings and all; a refusal too, and it writes nothing")
    func custody() throws {
        let (database, desk) = try TransactionCountTests.shop()
        _ = try desk.addStaff(name: "王磊", idNumber: "110105198803124111", licenseClass: "C1", licenseFirstIssued: "2009-05-20",
                              licenseValidUntil: "2031-05-20", phone: nil)
        _ = try desk.addVehicle(plate: "京A12345", owner: "张伟", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        func transactions(_ body: () throws -> Void) rethrows -> Int {
            let before = database.transactions.count
            try body()
            return database.transactions.count - before
        }
        #expect(try transactions { _ = try desk.checkin(plate: "京A12345", at: "2026-11-20 09:00", orderNo: nil) } == 1)
        #expect(try transactions { _ = try desk.startMovement(plate: "京A12345", staff: "王磊", purpose: "road-test", at: "2026-11-20 10:00") } == 1)
        #expect(try transactions { _ = try desk.endMovement(plate: "京A12345", at: "2026-11-20 10:30") } == 1)
        #expect(try transactions { _ = try desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 11:00", to: "2026-11-20 11:10", purpose: nil) } == 1)
        let writes = database.changes.count
        #expect(transactions { #expect(throws: DeskError.self) { try desk.startMovement(plate: "京A12345", staff: "王磊", purpose: nil, at: "2026-11-20 10:15") } } == 1)
        #expect(database.changes.count == writes, "the refused start committed nothing")
        #expect(try transactions { _ = try desk.checkout(plate: "京A12345", at: "2026-11-20 17:00") } == 1)
    }

    @Test("every write use case of staff, cars, registrations, violations and corrections is one transaction")
    func everyWrite() throws {
        let (database, desk) = try TransactionCountTests.shop()
        func one(_ what: String, _ body: () throws -> Void) throws {
            let before = database.transactions.count
            try body()
            #expect(database.transactions.count - before == 1, "\(what): \(database.transactions.count - before) transactions")
        }
        try one("staff add") { _ = try desk.addStaff(name: "王磊", idNumber: "110105198803124111", licenseClass: "C1", licenseFirstIssued: "2009-05-20", licenseValidUntil: "2031-05-20", phone: nil) }
        try one("staff add") { _ = try desk.addStaff(name: "李强", idNumber: "11010519491231002X", licenseClass: "C1", licenseFirstIssued: "2012-08-03", licenseValidUntil: "2028-08-03", phone: nil) }
        try one("staff update") { _ = try desk.updateStaff("李强", name: nil, phone: "13911020002", licenseClass: nil, licenseFirstIssued: nil, licenseValidUntil: nil) }
        try one("vehicle add") { _ = try desk.addVehicle(plate: "京A12345", owner: "张伟", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil) }
        try one("vehicle update") { _ = try desk.updateVehicle(plate: "京A12345", owner: nil, ownerPhone: "13800138000", engineLast6: nil, usage: nil, size: nil) }
        _ = try desk.checkin(plate: "京A12345", at: "2026-11-20 09:00", orderNo: nil)
        let m = try desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 10:00", to: "2026-11-20 10:30", purpose: nil)
        var ref = ""
        try one("register invite") { ref = try desk.invite(plate: "京A12345", staff: "王磊", method: nil).view.registration.ref }
        try one("register confirm") { _ = try desk.confirmRegistration(ref: ref, at: nil) }
        var id = ""
        try one("violation add") { id = String(try desk.addViolation(plate: "京A12345", at: "2026-11-20 10:15", code: "1625", points: nil, fine: nil, location: nil, recordNo: nil).id) }
        try one("move edit") { _ = try desk.editMovement(String(m.id), staff: "李强", from: nil, to: nil, purpose: nil, reason: "登记错人") }
        try one("violation assign") { _ = try desk.assignViolation(id, staff: "王磊", reason: "照片") }
        try one("violation process") { _ = try desk.processViolation(id, window: true, at: nil) }
        try one("violation pay") { _ = try desk.payViolation(id, method: "cash", payer: nil, amount: nil, at: nil) }
        try one("violation unpay") { _ = try desk.unpayViolation(id, reason: "记错") }
        try one("register unconfirm") { _ = try desk.unconfirmRegistration(ref, reason: "没做") }
        try one("register remove") { _ = try desk.removeRegistration(ref: ref, at: nil) }
        try one("register unremove") { _ = try desk.unremoveRegistration(ref, reason: "点错") }
        let outside = try desk.addViolation(plate: "京A12345", at: "2026-11-20 07:00", code: "1625", points: nil, fine: nil, location: nil, recordNo: "X-1")
        try one("violation handback") { _ = try desk.handBackViolation(String(outside.id), reason: nil) }
        let started = try desk.startMovement(plate: "京A12345", staff: "王磊", purpose: "parking", at: "2026-11-20 19:00")
        try one("move void") { _ = try desk.voidMovement(String(started.id), reason: "扫错") }
        try one("staff deactivate") { _ = try desk.deactivateStaff("李强") }
    }
}
