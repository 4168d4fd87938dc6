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

    /// Transactions of this process that wrote, committed.
    public let changes = ChangeCounter()
    /// Change notices of this shop from any process (the web's caches); nil until `watchChanges` listens.
    private let listener = Mutex<(connection: ChainDatabase, notices: ChangeCounter)?>(nil)

    /// Listens for the change notices of this shop on a connection of its own, and returns the counts that move when
    /// this process or any other commits a change to it: this process's writes at once, the others' when their notice
    /// arrives (milliseconds after their commit). Nil when the listening connection cannot be made.
    public func watchChanges() -> [ChangeCounter]? {
        let notices = listener.withLock { current -> ChangeCounter? in
            if let current { return current.notices }
            guard let connection = try? ChainDatabase.connect(database.address) else { return nil }
            let notices = ChangeCounter()
            do {
                // The shop's own channel, whose name only its row holds: no other shop hears of its changes.
                guard let channel = try connection.ownNoticeChannel() else { throw DeskError.storage(message: "no shop for this login") }
                try connection.onChange(channel: channel) { notices.bump() }
            } catch {
                connection.close()
                return nil
            }
            current = (connection, notices)
            return notices
        }
        return notices.map { [changes, $0] }
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

    /// Runs `body` on a connection no other transaction holds, waiting for one when all are busy.
    private func withConnection<T>(_ body: (ChainDatabase) throws -> T) throws -> T {
        available.wait()
        let index = free.withLock { $0.removeLast() }
        defer {
            free.withLock { $0.append(index) }
            available.signal()
        }
        return try body(databases[index])
    }

    public var isChain: Bool { true }
    public func changeSource() -> ShopChanges { .counters(watchChanges()) }
    public func backup(to path: String, context: WriteContext) throws -> Int64 { throw Self.ownTools("pg_dump") }
    public func restore(from path: String, context: WriteContext) throws { throw Self.ownTools("pg_restore") }

    public func close() {
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
            while true {
                attempt += 1
                do {
                    if readOnly { return try body() }
                    return try transaction(readOnly: readOnly) { try body() }
                } catch let retry as ChainRetry {
                    if attempt >= 5 { throw DeskError.storage(message: IDNumber.maskAll(in: retry.message)) }
                    usleep(UInt32(1_000 * attempt + Int.random(in: 0..<2_000)))
                }
            }
        }
    }
}
