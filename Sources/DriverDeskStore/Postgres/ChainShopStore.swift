import DriverDeskCore
import Foundation
import PostgresNIO
import Synchronization

/// One shop of a chain (`--db postgres://…?shop=CODE`): the shop's use cases on the chain's PostgreSQL database.
///
/// Its connections log in as the shop's own role (`<database>.<code>`), from which the database knows the shop: row-level
/// security shows them only that shop's rows and refuses any other's, whatever they send. A transaction that loses a race to another desk (a serialization
/// failure, a deadlock, or one of R1's exclusion constraints) runs again from the start, reading the facts afresh: the
/// core then refuses it with the rule's own reasons, as it would have had the two come one after the other.
public final class ChainShopStore: ShopStore {
    /// The connections: one for a command, several for the web server (each transaction takes a free one).
    public let databases: [ChainDatabase]
    public let shop: ChainShop
    private let free: Mutex<[Int]>
    private let available: DispatchSemaphore

    public convenience init(database: ChainDatabase, shop: ChainShop) {
        self.init(databases: [database], shop: shop)
    }

    public init(databases: [ChainDatabase], shop: ChainShop) {
        precondition(!databases.isEmpty)
        self.databases = databases
        self.shop = shop
        free = Mutex(Array(databases.indices))
        available = DispatchSemaphore(value: databases.count)
    }

    public var database: ChainDatabase { databases[0] }

    /// Transactions of this process that wrote, committed; lost (`ChangeCounter.isLost`) while the database cannot be
    /// reached, so that nothing read before is served as current.
    public let changes = ChangeCounter()
    /// The listening connection and its notices of this shop's changes; nil until `watchChanges` listens.
    private let listener = Mutex<(connection: ChainDatabase, notices: ChangeCounter, channel: String)?>(nil)
    /// Whether `close` has run (the listener then stops trying to listen again).
    private let closed = Atomic<Bool>(false)

    /// Listens for the change notices of this shop on a connection of its own, and returns the counts that move when
    /// this process or any other commits a change to it: this process's writes at once, the others' when their notice
    /// arrives (milliseconds after their commit). Nil when the listening connection cannot be made.
    ///
    /// When the listening connection is lost (the server restarted, or ended it), its count is lost until it listens
    /// again on a new one (tried every second, then every 5 s): a change made meanwhile would go unheard. Once it
    /// listens again the count moves, so that every cache is made afresh.
    public func watchChanges() -> [ChangeCounter]? {
        let notices = listener.withLock { current -> ChangeCounter? in
            if let current { return current.notices }
            guard let connection = try? ChainDatabase.connect(database.address) else { return nil }
            let notices = ChangeCounter()
            do {
                // The shop's own channel, whose name only its row holds: no other shop hears of its changes.
                guard let channel = try connection.ownNoticeChannel() else { throw DeskError.storage(message: "no shop for this login") }
                current = (connection, notices, channel)
                try listen(on: connection, channel: channel, notices: notices)
            } catch {
                current = nil
                connection.close()
                return nil
            }
            return notices
        }
        return notices.map { [changes, $0] }
    }

    /// LISTENs on the connection; when it closes, the notices are lost and `relisten` starts.
    private func listen(on connection: ChainDatabase, channel: String, notices: ChangeCounter) throws {
        try connection.listen(channel: channel, { notices.bump() }, lost: { [weak self] in
            notices.markLost()
            self?.relisten(after: .seconds(1))
        })
    }

    /// Tries to listen again after `pause`, and again (every 5 s at most) until it does or the store closes.
    private func relisten(after pause: Duration) {
        guard !closed.load(ordering: .acquiring) else { return }
        let (seconds, attoseconds) = pause.components
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))) { [weak self] in
            guard let self, !self.closed.load(ordering: .acquiring), let current = self.listener.withLock({ $0 }) else { return }
            do {
                try self.listen(on: current.connection, channel: current.channel, notices: current.notices)
                current.notices.markFound()
            } catch {
                self.relisten(after: min(pause * 2, .seconds(5)))
            }
        }
    }

    public var shownName: String { database.address.shown }

    public func writing<T>(_ body: (any ShopTransaction) throws -> T) throws -> T {
        let result = try withConnection { database in
            try database.inShop(shop.id, readOnly: false) { try body(ChainTransaction(database: database, shopId: shop.id)) }
        }
        changes.bump()
        return result
    }

    public func reading<T>(_ body: (any ShopTransaction) throws -> T) throws -> T {
        try withConnection { database in
            try database.inShop(shop.id, readOnly: true) { try body(ChainTransaction(database: database, shopId: shop.id)) }
        }
    }

    /// Runs `body` on a connection no other transaction holds, waiting for one when all are busy (until the caller's
    /// deadline). An outage marks the changes lost until a transaction succeeds again.
    private func withConnection<T>(_ body: (ChainDatabase) throws -> T) throws -> T {
        guard available.wait(timeout: DatabaseDeadline.dispatchTime(atMost: .seconds(86_400))) == .success else {
            throw DeskError.unavailable(.unreachable)
        }
        let index = free.withLock { $0.removeLast() }
        defer {
            free.withLock { $0.append(index) }
            available.signal()
        }
        do {
            let result = try body(databases[index])
            if changes.isLost { changes.markFound() }
            return result
        } catch let error as DeskError {
            if case .unavailable = error { changes.markLost() }
            throw error
        }
    }

    public var isChain: Bool { true }
    public func changeSource() -> ShopChanges { .counters(watchChanges()) }
    public func backup(to path: String, context: WriteContext) throws -> Int64 { throw Self.ownTools("pg_dump") }
    public func restore(from path: String, context: WriteContext) throws { throw Self.ownTools("pg_restore") }

    public func close() {
        closed.store(true, ordering: .releasing)
        for database in databases { database.close() }
        listener.withLock { $0?.connection.close() }
    }
}

/// The errors after which a transaction is run again: it lost a race, and reading the facts afresh decides it.
struct ChainRetry: Error {
    var state: String
    var message: String

    /// serialization_failure, deadlock_detected, exclusion_violation, unique_violation.
    static let states: Set<String> = ["40001", "40P01", "23P01", "23505"]
}

extension ChainDatabase {
    /// Runs `body` in one transaction of the connection's shop (its login's), again (up to 5 times) when it loses a race.
    ///
    /// A read runs without a transaction of its own, its statements each on their own snapshot as they would be in a
    /// READ COMMITTED transaction: a question such as "who drove" is then its own statements and nothing more (the
    /// BEGIN and the COMMIT were two of its eight round trips).
    func inShop<T>(_ shopId: Int64, readOnly: Bool, _ body: () throws -> T) throws -> T {
        try lock.withLock {
            var attempt = 0
            var reconnected = false
            while true {
                attempt += 1
                do {
                    if readOnly { return try body() }
                    return try transaction(readOnly: readOnly) { try body() }
                } catch let retry as ChainRetry {
                    if attempt >= 5 { throw DeskError.storage(message: IDNumber.maskAll(in: retry.message)) }
                    usleep(UInt32(1_000 * attempt + Int.random(in: 0..<2_000)))
                } catch is ConnectionLost {
                    // A read whose connection was lost: once more on a new one (a write's loss is `transaction`'s).
                    if reconnected || DatabaseDeadline.passed { throw DeskError.unavailable(.unreachable) }
                    reconnected = true
                }
            }
        }
    }
}
