@testable import DriverDeskApp
import DriverDeskStore
import Foundation
import StoreHarness
import Testing

/// One use case, one transaction: the settings are read inside the use case's own transaction, not in one before it.
@Suite("Use cases: one transaction each")
struct TransactionCountTests {
    @Test("check-in, move start, end and log, check-out: each one transaction, settings and all; a refusal too, and it writes nothing")
    func custody() throws {
        let database = try AppDatabase.inMemory()
        let shop = Shop(database: database)
        let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
        let desk = shop.desk(now: try time.parse("2026-11-20 20:00", field: "now", now: Date()), operator: "test")
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
}
