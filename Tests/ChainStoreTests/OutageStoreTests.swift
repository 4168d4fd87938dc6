import DriverDeskCore
@testable import DriverDeskStore
import Foundation
import PostgresHarness
import Synchronization
import Testing

/// Issue 28: a shop's store when its PostgreSQL restarts, stops, or ends its backends. A read is tried once more on a
/// new connection; a write is run again only when nothing of it was committed, and a write whose COMMIT's answer was
/// lost is asked after (`pg_xact_status`), never repeated blindly. Each test has a server of its own (it stops it).
@Suite("Chain store when the database goes away", .serialized)
struct OutageStoreTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    var context: WriteContext { WriteContext(operator: "店长", now: now) }

    /// A server with shop BJ01 and a store on it as the shop's role.
    func shop() throws -> (ThrowawayPostgres, ChainShopStore) {
        let pg = try ThrowawayPostgres(migrated: false)
        let owner = try ChainDatabase.connect(try address(pg.address(as: "driverdesk_owner", shop: "*")))
        try owner.migrate(try ChainDatabase.Migration.shipped(in: ThrowawayPostgres.root.appendingPathComponent("data/postgres")), now: now)
        try owner.addShop(code: "BJ01", name: "测试汽修", timeZone: "Asia/Shanghai", context: context)
        owner.close()
        let desk = try ChainDatabase.connect(try address(pg.shopAddress("BJ01")))
        guard let shop = try desk.shop(code: "BJ01") else { throw ThrowawayPostgres.Failure(description: "no shop") }
        return (pg, ChainShopStore(database: desk, shop: shop))
    }

    func address(_ text: String) throws -> DatabaseAddress.Postgres {
        guard case .postgres(let address) = try DatabaseAddress(parsing: text, field: "db", environment: [:]) else {
            throw ThrowawayPostgres.Failure(description: "not a chain's address")
        }
        return address
    }

    /// One write: a setting and its audit entry, numbered.
    func write(_ store: ChainShopStore, _ n: Int) throws -> Int {
        try store.writing { tx in
            try tx.putSetting("shop.phone", "\(n)")
            try tx.audit(context, action: "config.set", subject: "shop.phone", before: nil, after: "\(n)")
            return n
        }
    }

    func audits(_ pg: ThrowawayPostgres, _ n: Int) throws -> Int {
        Int(try pg.rows("SELECT count(*) FROM audit WHERE action = 'config.set' AND after = '\(n)'", as: "postgres").first ?? "") ?? -1
    }

    @Test("after pg_terminate_backend and after a restart, a read and a write succeed on a new connection, and the write is recorded once")
    func terminatedAndRestarted() async throws {
        let (pg, store) = try shop()
        defer { store.close() }
        #expect(try store.reading { try $0.setting("shop.phone") } == nil)
        let before = ChainDatabase.reconnections.load(ordering: .relaxed)
        #expect(try pg.terminateBackends(of: pg.shopRole("BJ01")) == 1)
        #expect(try store.reading { try $0.setting("shop.phone") } == nil)
        #expect(try write(store, 1) == 1)
        try await onOwnThread { try pg.restart() }
        #expect(try write(store, 2) == 2)
        #expect(try store.reading { try $0.setting("shop.phone") } == "2")
        #expect(try audits(pg, 1) == 1 && audits(pg, 2) == 1)
        #expect(ChainDatabase.reconnections.load(ordering: .relaxed) - before >= 2)
    }

    @Test("the backend ended just before the COMMIT: nothing was committed, so the write runs again once and is recorded once")
    func lostBeforeCommit() async throws {
        let (pg, store) = try shop()
        defer { store.close() }
        let calls = Atomic<Int>(0)
        let role = pg.shopRole("BJ01")
        store.database.commitHook.withLock {
            $0 = { moment in
                if moment == .beforeCommit, calls.add(1, ordering: .relaxed).newValue == 1 { _ = try? pg.terminateBackends(of: role) }
                return false
            }
        }
        #expect(try write(store, 7) == 7)
        #expect(calls.load(ordering: .relaxed) == 2)
        #expect(try audits(pg, 7) == 1)
    }

    @Test("the COMMIT's answer lost after the server committed: the server is asked, the result stands, and the write is not run again")
    func lostAfterCommit() async throws {
        let (pg, store) = try shop()
        defer { store.close() }
        let calls = Atomic<Int>(0)
        store.database.commitHook.withLock {
            $0 = { moment in moment == .afterCommit && calls.add(1, ordering: .relaxed).newValue == 1 }
        }
        #expect(try write(store, 8) == 8)
        #expect(calls.load(ordering: .relaxed) == 1)
        #expect(try audits(pg, 8) == 1)
    }

    @Test("the COMMIT's answer lost and the server gone before it can be asked: 'may not have been recorded', and it was recorded once")
    func outcomeUnknown() async throws {
        let (pg, store) = try shop()
        defer { store.close() }
        store.database.commitHook.withLock {
            $0 = { moment in
                guard moment == .afterCommit else { return false }
                try? pg.halt()
                return true
            }
        }
        let (error, took) = try await onOwnThread { [self] in
            let started = ContinuousClock.now
            do {
                _ = try DatabaseDeadline.$current.withValue(ContinuousClock.now + .seconds(2)) { try write(store, 9) }
                return (DeskError?.none, ContinuousClock.now - started)
            } catch let error as DeskError {
                return (error, ContinuousClock.now - started)
            }
        }
        #expect(error == .unavailable(.outcomeUnknown))
        #expect(took < .seconds(4))
        try await onOwnThread { try pg.resume() }
        #expect(try audits(pg, 9) == 1)
    }

    @Test("with the server stopped, a read and a write fail within the deadline as unavailable (nothing written), and work once it is back")
    func stopped() async throws {
        let (pg, store) = try shop()
        defer { store.close() }
        try await onOwnThread { try pg.halt() }
        for attempt in 0..<2 {
            let (errors, took) = try await onOwnThread { [self] in
                let started = ContinuousClock.now
                var errors: [DeskError?] = []
                do {
                    _ = try DatabaseDeadline.$current.withValue(ContinuousClock.now + .seconds(2)) { try store.reading { try $0.settings() } }
                    errors.append(nil)
                } catch let error as DeskError { errors.append(error) }
                do {
                    _ = try DatabaseDeadline.$current.withValue(ContinuousClock.now + .seconds(2)) { try write(store, 10 + attempt) }
                    errors.append(nil)
                } catch let error as DeskError { errors.append(error) }
                return (errors, ContinuousClock.now - started)
            }
            #expect(errors == [.unavailable(.unreachable), .unavailable(.unreachable)])
            #expect(took < .seconds(5))
        }
        #expect(store.changes.isLost)
        try await onOwnThread { try pg.resume() }
        #expect(try write(store, 20) == 20)
        #expect(!store.changes.isLost)
        #expect(try audits(pg, 10) == 0 && audits(pg, 11) == 0 && audits(pg, 20) == 1)
    }

    @Test("the change notices: lost while the server is stopped (not found again meanwhile), heard again once it is back (the count moves)")
    func noticesResume() async throws {
        let (pg, store) = try shop()
        defer { store.close() }
        guard let counters = store.watchChanges(), counters.count == 2 else { Issue.record("no notices"); return }
        let notices = counters[1]
        #expect(!notices.isLost)
        // The server stopped: the listening connection is gone, and its notices stay lost while it cannot listen again.
        let before = notices.count
        try await onOwnThread { try pg.halt() }
        var waited = 0
        while !notices.isLost && waited < 500 { try await Task.sleep(for: .milliseconds(20)); waited += 1 }
        #expect(notices.isLost)
        try await Task.sleep(for: .seconds(2))
        #expect(notices.isLost, "found again while the server was stopped")
        // Back: it listens again (tried at most every 5 s), and the count moves so that every cache is made afresh.
        try await onOwnThread { try pg.resume() }
        waited = 0
        while notices.isLost && waited < 500 { try await Task.sleep(for: .milliseconds(20)); waited += 1 }
        #expect(!notices.isLost)
        #expect(notices.count > before)
        // Heard again: another connection's change moves the count.
        let other = try ChainDatabase.connect(try address(pg.shopAddress("BJ01")))
        defer { other.close() }
        let shop = store.shop
        let heard = notices.count
        try ChainShopStore(database: other, shop: shop).writing { tx in
            try tx.audit(context, action: "config.set", subject: "shop.phone", before: nil, after: "30")
        }
        waited = 0
        while notices.count == heard && waited < 250 { try await Task.sleep(for: .milliseconds(20)); waited += 1 }
        #expect(notices.count > heard)
    }
}
