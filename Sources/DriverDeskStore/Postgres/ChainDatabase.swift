import DriverDeskCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// A shop of the chain, as the `shop` table holds it.
public struct ChainShop: Equatable, Sendable {
    public var id: Int64
    public var code: String
    public var name: String
    public var timeZone: String

    public init(id: Int64, code: String, name: String, timeZone: String) {
        self.id = id
        self.code = code
        self.name = name
        self.timeZone = timeZone
    }
}

/// A chain's PostgreSQL database (`--db postgres://…?shop=CODE`): one connection, made and migrated on first use, and
/// made again when it is lost.
///
/// The use cases are synchronous (as GRDB's transactions are); this type waits for postgres-nio's answers on the
/// calling thread, which is never one of NIO's event loops: a command's main thread, or the web server's thread pool.
/// Every statement is sent with its values bound (the extended protocol), never spliced into the SQL. One connection
/// serves one caller at a time: each public method holds the lock for its whole transaction.
///
/// **A lost connection** (the server restarted, failed over, or ended the backend) is dropped, and the next statement
/// connects again, trying until the caller's deadline (`DatabaseDeadline`; without one, for `reconnectLimit`). A wait
/// for an answer ends when the connection closes or the deadline passes (`ConnectionLost`); `inShop` then decides
/// whether the work may run again (nothing was committed) or what became of it (its commit was under way).
public final class ChainDatabase: Sendable {
    let lock = NSLock()
    public let address: DatabaseAddress.Postgres
    private let configuration: PostgresConnection.Configuration
    /// The connection in use; nil after it was lost, until the next statement makes another.
    private let current: Mutex<PostgresConnection?>
    static let logger = Logger(label: "driverdesk.postgres")
    /// The key of the advisory lock every migration takes: one migrator at a time per database.
    public static let migrationLock: Int64 = 20_261_202
    /// How long a caller without a deadline (a command) tries to connect again after losing its connection.
    static let reconnectLimit: Duration = .seconds(10)
    /// How long a caller with a deadline (a request) tries to connect again, at most.
    static let reconnectPatience: Duration = .seconds(3)
    /// When connecting again to an address last failed, by address (every connection of a web server to its shop).
    static let failures = Mutex<[String: ContinuousClock.Instant]>([:])
    /// Connections made again after one was lost, by every database of this process (the tests read it).
    public static let reconnections = Atomic<Int>(0)

    /// One migration: its name (the file's, without `.sql`) and its statements.
    public struct Migration: Sendable {
        public var name: String
        public var sql: String

        public init(name: String, sql: String) {
            self.name = name
            self.sql = sql
        }

        /// The migrations shipped in a folder (`data/postgres`): `NNNN-name.sql`, in the order of their numbers.
        public static func shipped(in folder: URL) throws -> [Migration] {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            } catch {
                throw DeskError.storage(message: "cannot read the PostgreSQL migrations in \(folder.path): \(error.localizedDescription)")
            }
            return try names.filter { $0.range(of: #"^[0-9]{4}-[a-z0-9-]+\.sql$"#, options: .regularExpression) != nil }.sorted().map { file in
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                return Migration(name: String(file.dropLast(4)), sql: text)
            }
        }
    }

    init(address: DatabaseAddress.Postgres, configuration: PostgresConnection.Configuration, connection: PostgresConnection) {
        self.address = address
        self.configuration = configuration
        current = Mutex(connection)
    }

    /// Connects as the address's user: over the unix socket in its folder, or over TCP, encrypted when the server
    /// offers it (as libpq's `sslmode=prefer`).
    public static func connect(_ address: DatabaseAddress.Postgres) throws -> ChainDatabase {
        let configuration = try ChainDatabase.configuration(address)
        do {
            return ChainDatabase(address: address, configuration: configuration, connection: try open(configuration, within: .seconds(10)))
        } catch {
            throw DeskError.storage(message: "cannot connect to \(address.shown): \(ChainDatabase.describe(error))")
        }
    }

    static func configuration(_ address: DatabaseAddress.Postgres) throws -> PostgresConnection.Configuration {
        if address.isSocket {
            return .init(unixSocketPath: "\(address.host)/.s.PGSQL.\(address.port)", username: address.user, password: address.password,
                         database: address.database)
        }
        let tls: PostgresConnection.Configuration.TLS
        do {
            // As libpq's default (sslmode=prefer): encrypted when the server offers it, its certificate not checked
            // (Debian's server offers a self-signed one). Against a server that pretends, use the unix socket or a
            // network you trust.
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            tls = .prefer(try NIOSSLContext(configuration: configuration))
        } catch {
            throw DeskError.storage(message: "cannot prepare TLS for \(address.shown): \(error)")
        }
        return .init(host: address.host, port: address.port, username: address.user, password: address.password,
                     database: address.database, tls: tls)
    }

    /// One attempt to connect, given up after `limit`.
    private static func open(_ configuration: PostgresConnection.Configuration, within limit: Duration) throws -> PostgresConnection {
        var configuration = configuration
        let (seconds, attoseconds) = max(limit, .milliseconds(50)).components
        configuration.options.connectTimeout = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        let future = PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger)
        let work = PendingWork.of(future)
        // The connect timeout covers the socket; the login's answers are waited for here, as long again at most.
        guard work.done.wait(timeout: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)) + .seconds(1)) == .success else {
            future.whenSuccess { ChainDatabase.closeInBackground($0) }
            throw DeskError.unavailable(.unreachable)
        }
        return try work.result!.get()
    }

    /// The connection to use: the current one while it is open, else a new one, tried again and again (50 ms, then
    /// twice as long each time, at most a second apart) until the caller's deadline. A login the server refuses
    /// (a wrong password, a missing database) is not tried again.
    func live() throws -> PostgresConnection {
        if let connection = current.withLock({ $0 }), !connection.isClosed { return connection }
        // Inside a transaction, a new connection would run the rest of it on its own, outside the transaction.
        if inTransaction.load(ordering: .acquiring) { throw ConnectionLost(timedOut: false) }
        let start = ContinuousClock.now
        // A restart takes a second or two; a server down for longer is reported after a few seconds, not at the very
        // end of the caller's patience. While the server has just refused another connection of this address (less
        // than a second ago), one attempt: the desk hears of an outage at once, and of its end at the next request.
        let recentlyDown = ChainDatabase.failures.withLock { $0[address.shown].map { start - $0 < .seconds(1) } ?? false }
        let patience = recentlyDown ? Duration.zero : DatabaseDeadline.current == nil ? ChainDatabase.reconnectLimit : ChainDatabase.reconnectPatience
        let until = min(DatabaseDeadline.current ?? start + ChainDatabase.reconnectLimit, start + patience)
        var pause: Duration = .milliseconds(50)
        while true {
            do {
                let connection = try ChainDatabase.open(configuration, within: until - ContinuousClock.now)
                let old = current.withLock { current -> PostgresConnection? in
                    defer { current = connection }
                    return current
                }
                if let old { ChainDatabase.closeInBackground(old) }
                ChainDatabase.reconnections.add(1, ordering: .relaxed)
                ChainDatabase.failures.withLock { _ = $0.removeValue(forKey: address.shown) }
                return connection
            } catch {
                if let state = ChainDatabase.sqlState(of: error), state.hasPrefix("28") || state == "3D000" {
                    throw DeskError.storage(message: "cannot connect to \(address.shown): \(ChainDatabase.describe(error))")
                }
                if ContinuousClock.now + pause >= until {
                    ChainDatabase.failures.withLock { $0[address.shown] = ContinuousClock.now }
                    throw DeskError.unavailable(.unreachable)
                }
                Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds))
                pause = min(pause * 2, .seconds(1))
            }
        }
    }

    /// Closes a connection without waiting; it is kept until it has closed (postgres-nio insists that a connection be
    /// closed before it goes).
    static func closeInBackground(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// Drops the connection after it was lost or its answer did not come in time: closing it makes the server roll back
    /// whatever it had not committed. The next statement connects again.
    func dropConnection() {
        let old = current.withLock { current -> PostgresConnection? in
            defer { current = nil }
            return current
        }
        if let old { ChainDatabase.closeInBackground(old) }
    }

    /// The generation of this connection's prepared statements' names (`PreparedSQL`).
    private let preparedGeneration = Atomic<Int>(0)

    /// Whether a transaction is open on the current connection (`transaction`): a lost connection is not replaced
    /// under it.
    private let inTransaction = Atomic<Bool>(false)

    /// Whether `close` has run.
    private let closed = Atomic<Bool>(false)

    /// Closes the connection; the database cannot be used afterwards.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if let connection = current.withLock({ $0 }) { try? connection.close().wait() }
    }

    /// A command's database is closed when the last use of it ends (postgres-nio insists that a connection be closed
    /// before it goes).
    deinit { close() }

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ sql: String, _ binds: [PostgresData] = []) throws -> [PostgresRow] {
        do {
            return try rawQuery(sql, binds)
        } catch let retry as ChainRetry {
            throw DeskError.storage(message: retry.message)
        }
    }

    /// Runs one statement and returns its rows; a lost race (`ChainRetry.states`) throws `ChainRetry`, for the
    /// shop's transaction to run again.
    ///
    /// With `prepare`, the statement is prepared on this connection the first time (with the types of its values) and
    /// run by name afterwards: PostgreSQL then plans a shop's query, its row-level security included, once per
    /// connection instead of at every call. Planning was most of the time of a short query: 0.36–0.48 ms for a car's
    /// movements with their drivers, against 0.04 ms to run it.
    func rawQuery(_ sql: String, _ binds: [PostgresData] = [], prepare: Bool = false) throws -> [PostgresRow] {
        guard !closed.load(ordering: .acquiring) else { throw DeskError.storage(message: "the connection to \(address.shown) is closed") }
        let connection = try live()
        do {
            if prepare, let statement = PreparedSQL.statement(sql, binds, generation: preparedGeneration.load(ordering: .relaxed)) {
                do {
                    return try startOnConnectionLoop(connection) {
                        try await PreparedSQL.$current.withValue(statement) {
                            var rows: [PostgresRow] = []
                            for try await row in try await connection.execute(PreparedSQL(binds: binds), logger: ChainDatabase.logger) { rows.append(row) }
                            return rows
                        }
                    }.wait(on: connection)
                } catch let lost as ConnectionLost {
                    throw lost
                } catch {
                    // postgres-nio keeps a statement whose preparation failed (in a transaction that an error had
                    // aborted, say) failed for the life of the connection: after an error other than a lost race,
                    // this connection's statements take new names and are prepared again.
                    if !(ChainDatabase.sqlState(of: error).map(ChainRetry.states.contains) ?? false) {
                        preparedGeneration.add(1, ordering: .relaxed)
                    }
                    throw error
                }
            }
            return try PendingWork.of(connection.query(sql, binds)).wait(on: connection).rows
        } catch let lost as ConnectionLost {
            dropConnection()
            throw lost
        } catch {
            if let state = ChainDatabase.sqlState(of: error), ChainRetry.states.contains(state) {
                throw ChainRetry(state: state, message: ChainDatabase.describe(error))
            }
            // The server ended this backend (a restart, a failover, pg_terminate_backend: 57P01–57P03), or the
            // connection broke under the statement.
            if connection.isClosed || ChainDatabase.sqlState(of: error).map({ $0.hasPrefix("57P") }) == true {
                dropConnection()
                throw ConnectionLost(timedOut: false)
            }
            throw DeskError.storage(message: ChainDatabase.describe(error))
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    ///
    /// When the connection is lost before the COMMIT was sent, nothing was committed: the whole transaction runs once
    /// more on a new connection (its facts read afresh), within the caller's deadline. When it is lost while the COMMIT
    /// was under way, the server is asked on a new connection what became of the transaction (`pg_xact_status` of its
    /// id, taken before the COMMIT): committed, the result stands; rolled back, it runs once more; and when the server
    /// cannot be asked in time, `DeskError.unavailable(.outcomeUnknown)`: it is never run again blindly.
    func transaction<T>(readOnly: Bool = false, _ body: () throws -> T) throws -> T {
        var retried = false
        while true {
            do {
                return try transactionOnce(readOnly: readOnly, body)
            } catch is ConnectionLost {
                if retried || DatabaseDeadline.passed { throw DeskError.unavailable(.unreachable) }
                retried = true
            } catch CommitOutcome.aborted {
                if retried || DatabaseDeadline.passed { throw DeskError.unavailable(.unreachable) }
                retried = true
            }
        }
    }

    private enum CommitOutcome: Error { case aborted }

    /// The moments of a write transaction's end that the tests of a lost COMMIT step into.
    enum CommitMoment: Sendable { case beforeCommit, afterCommit }

    /// For those tests only: called on this connection's write transactions just before the COMMIT is sent (the hook
    /// may end the backend) and just after its answer came (`true`: the answer is taken as lost).
    let commitHook = Mutex<(@Sendable (CommitMoment) -> Bool)?>(nil)

    private func transactionOnce<T>(readOnly: Bool, _ body: () throws -> T) throws -> T {
        try query(readOnly ? "BEGIN READ ONLY" : "BEGIN")
        inTransaction.store(true, ordering: .releasing)
        defer { inTransaction.store(false, ordering: .releasing) }
        let result: T
        do {
            result = try body()
        } catch let lost as ConnectionLost {
            throw lost
        } catch {
            _ = try? query("ROLLBACK")
            throw error
        }
        if readOnly {
            try query("COMMIT")
            return result
        }
        // The transaction's id, to ask after it should the COMMIT's answer be lost.
        let xid = try query("SELECT pg_current_xact_id()::text").first?.decode(String.self)
        do {
            let hook = commitHook.withLock { $0 }
            hook?(.beforeCommit)
            try query("COMMIT")
            if hook?(.afterCommit) == true {
                dropConnection()
                throw ConnectionLost(timedOut: false)
            }
        } catch is ConnectionLost {
            inTransaction.store(false, ordering: .releasing)
            switch outcome(of: xid) {
            case "committed": return result
            case "aborted": throw CommitOutcome.aborted
            default: throw DeskError.unavailable(.outcomeUnknown)
            }
        }
        return result
    }

    /// What became of the transaction `xid` whose COMMIT's answer was lost: `committed`, `aborted`, or nil when the
    /// server cannot tell before the caller's deadline (it may still be committing: asked again a few times).
    private func outcome(of xid: String?) -> String? {
        guard let xid else { return nil }
        for _ in 0..<20 {
            guard !DatabaseDeadline.passed else { return nil }
            guard let status = try? rawQuery("SELECT pg_xact_status($1::xid8)", [PostgresData(string: xid)]).first?.decode(String?.self) else { return nil }
            if status != "in progress" { return status }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    /// Holds the connection's lock for `body` (statements outside a transaction of `transaction`'s): a connection lost
    /// under it is made again and `body` run once more; past that, or the deadline, `DeskError.unavailable`.
    func locked<T>(_ body: () throws -> T) throws -> T {
        try lock.withLock {
            var retried = false
            while true {
                do {
                    return try body()
                } catch is ConnectionLost {
                    if retried || DatabaseDeadline.passed { throw DeskError.unavailable(.unreachable) }
                    retried = true
                }
            }
        }
    }

    /// The SQLSTATE of a server error, whichever of postgres-nio's two error types carries it (its `query(_:_:)` with
    /// `PostgresData` binds reports `PostgresError`).
    static func sqlState(of error: any Error) -> String? {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] }
        if let error = error as? PostgresError, case .server(let answer) = error { return answer.fields[.sqlState] }
        return nil
    }

    /// What the server said, without the statement or its values that postgres-nio adds, nor the server's detail
    /// (`Key (id_number)=(…)`): a person's data stays out of errors and logs; a stray ID number is masked (R12).
    static func describe(_ error: any Error) -> String {
        let text: String
        if let error = error as? PSQLError {
            text = error.serverInfo?[.message] ?? "\(error.code)"
        } else if let error = error as? PostgresError, case .server(let answer) = error {
            text = answer.fields[.message] ?? "the server refused"
        } else if let error = error as? DeskError, case .storage(let message) = error {
            text = message
        } else {
            text = "\(error)"
        }
        return IDNumber.maskAll(in: text)
    }

    /// Calls `handler` at every change notice on `channel` (a shop's own, sent when a transaction that audited a change
    /// of that shop commits) for as long as this connection is open, and `lost` once when it closes (the listening
    /// stops with it: call again to listen on the next connection).
    public func listen(channel: String, _ handler: @Sendable @escaping () -> Void, lost: @Sendable @escaping () -> Void) throws {
        let quoted = "\"" + channel.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try locked {
            let connection = try live()
            connection.addListener(channel: channel) { _, _ in handler() }
            _ = try query("LISTEN \(quoted)")
            // The LISTEN went out on this very connection only if it is still the current one.
            guard current.withLock({ $0 === connection }) else { throw ConnectionLost(timedOut: false) }
            connection.closeFuture.whenComplete { _ in lost() }
        }
    }

    /// The name of the change notices' channel of this login's shop (a secret its row holds), or nil.
    public func ownNoticeChannel() throws -> String? {
        try locked { try query("SELECT notice_channel FROM shop WHERE id = current_shop()").first?.decode(String.self) }
    }

    /// Starts postgres-nio's asynchronous `body`, for this thread to wait for (`PendingWork.wait(on:)`). The task runs
    /// on the connection's own event loop, not on Swift's cooperative pool, whose few threads may all be waiting on a
    /// database, as this thread will wait for the task.
    private func startOnConnectionLoop<T: Sendable>(_ connection: PostgresConnection, _ body: @Sendable @escaping () async throws -> T) -> PendingWork<T> {
        let work = PendingWork<T>()
        Task(executorPreference: EventLoopTaskExecutor(loop: connection.eventLoop)) {
            do {
                work.result = .success(try await body())
            } catch {
                work.result = .failure(error)
            }
            work.done.signal()
        }
        return work
    }

    /// `COPY table (columns) FROM STDIN` with `data` (PostgreSQL's text format), on this connection, in the caller's
    /// transaction.
    func copy(into table: String, columns: [String], data: Data) throws {
        try startCopy(into: table, columns: columns, data: data).finish()
    }

    /// Starts `copy(into:columns:data:)` and returns at once: the caller goes on with its own work (making the next
    /// rows) while the server takes these, and waits with `finish()` before it sends anything else.
    func startCopy(into table: String, columns: [String], data: Data) throws -> PendingCopy {
        let connection = try live()
        return PendingCopy(work: startOnConnectionLoop(connection) {
            try await connection.copyFrom(table: table, columns: columns, logger: ChainDatabase.logger) { writer in
                var offset = 0
                while offset < data.count {
                    let end = min(data.count, offset + 1 << 20)
                    try await writer.write(ByteBuffer(bytes: data[offset..<end]))
                    offset = end
                }
            }
        }, connection: connection, database: self)
    }

    /// Whether this connection works as a front desk: a member of driverdesk_desk, and of neither the owner's role nor
    /// the chain manager's (whose policies read every shop, so that the shop's commands would see them all).
    public func isDesk() throws -> Bool {
        try locked {
            try query("""
                SELECT pg_has_role(current_user, 'driverdesk_desk', 'MEMBER') AND NOT pg_has_role(current_user, 'driverdesk_owner', 'MEMBER')
                   AND NOT pg_has_role(current_user, 'driverdesk_chain', 'MEMBER')
                """).first?.decode(Bool.self) ?? false
        }
    }

    static func shop(_ row: PostgresRow) throws -> ChainShop {
        let (id, code, name, zone) = try row.decode((Int64, String, String, String).self)
        return ChainShop(id: id, code: code, name: name, timeZone: zone)
    }
}
