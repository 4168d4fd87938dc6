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

/// A chain's PostgreSQL database (`--db postgres://…?shop=CODE`): one connection, made and migrated on first use.
///
/// The use cases are synchronous (as GRDB's transactions are); this type waits for postgres-nio's answers on the
/// calling thread, which is never one of NIO's event loops: a command's main thread, or the web server's thread pool.
/// Every statement is sent with its values bound (the extended protocol), never spliced into the SQL. One connection
/// serves one caller at a time: each public method holds the lock for its whole transaction.
public final class ChainDatabase: Sendable {
    let lock = NSLock()
    public let address: DatabaseAddress.Postgres
    let connection: PostgresConnection
    static let logger = Logger(label: "driverdesk.postgres")
    /// The key of the advisory lock every migration takes: one migrator at a time per database.
    public static let migrationLock: Int64 = 20_261_202

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

    init(address: DatabaseAddress.Postgres, connection: PostgresConnection) {
        self.address = address
        self.connection = connection
    }

    /// Connects as the address's user: over the unix socket in its folder, or over TCP, encrypted when the server
    /// offers it (as libpq's `sslmode=prefer`).
    public static func connect(_ address: DatabaseAddress.Postgres) throws -> ChainDatabase {
        let configuration: PostgresConnection.Configuration
        if address.isSocket {
            configuration = .init(unixSocketPath: "\(address.host)/.s.PGSQL.\(address.port)", username: address.user, password: address.password,
                                  database: address.database)
        } else {
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
            configuration = .init(host: address.host, port: address.port, username: address.user, password: address.password,
                                  database: address.database, tls: tls)
        }
        do {
            let connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1,
                                                            logger: logger).wait()
            return ChainDatabase(address: address, connection: connection)
        } catch {
            throw DeskError.storage(message: "cannot connect to \(address.shown): \(ChainDatabase.describe(error))")
        }
    }

    /// The generation of this connection's prepared statements' names (`PreparedSQL`).
    private let preparedGeneration = Atomic<Int>(0)

    /// Whether `close` has run.
    private let closed = Atomic<Bool>(false)

    /// Closes the connection; the database cannot be used afterwards.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? connection.close().wait()
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
        do {
            if prepare, let statement = PreparedSQL.statement(sql, binds, generation: preparedGeneration.load(ordering: .relaxed)) {
                let connection = self.connection
                do {
                    return try onConnectionLoop {
                        try await PreparedSQL.$current.withValue(statement) {
                            var rows: [PostgresRow] = []
                            for try await row in try await connection.execute(PreparedSQL(binds: binds), logger: ChainDatabase.logger) { rows.append(row) }
                            return rows
                        }
                    }
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
            return try connection.query(sql, binds).wait().rows
        } catch {
            if let state = ChainDatabase.sqlState(of: error), ChainRetry.states.contains(state) {
                throw ChainRetry(state: state, message: ChainDatabase.describe(error))
            }
            throw DeskError.storage(message: ChainDatabase.describe(error))
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(readOnly: Bool = false, _ body: () throws -> T) throws -> T {
        try query(readOnly ? "BEGIN READ ONLY" : "BEGIN")
        do {
            let result = try body()
            try query("COMMIT")
            return result
        } catch {
            _ = try? query("ROLLBACK")
            throw error
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
    /// of that shop commits) for as long as this connection is open.
    public func onChange(channel: String, _ handler: @Sendable @escaping () -> Void) throws {
        connection.addListener(channel: channel) { _, _ in handler() }
        let quoted = "\"" + channel.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try lock.withLock { _ = try query("LISTEN \(quoted)") }
    }

    /// The name of the change notices' channel of this login's shop (a secret its row holds), or nil.
    public func ownNoticeChannel() throws -> String? {
        try lock.withLock { try query("SELECT notice_channel FROM shop WHERE id = current_shop()").first?.decode(String.self) }
    }

    /// Runs postgres-nio's asynchronous `body` to its end and waits for it on this thread.
    private func onConnectionLoop<T: Sendable>(_ body: @Sendable @escaping () async throws -> T) throws -> T {
        try startOnConnectionLoop(body).wait()
    }

    /// Starts postgres-nio's asynchronous `body`, for this thread to wait for later. The task runs on the connection's
    /// own event loop, not on Swift's cooperative pool, whose few threads may all be waiting on a database, as this
    /// thread will wait for the task.
    private func startOnConnectionLoop<T: Sendable>(_ body: @Sendable @escaping () async throws -> T) -> PendingWork<T> {
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
    func startCopy(into table: String, columns: [String], data: Data) -> PendingCopy {
        let connection = self.connection
        return PendingCopy(work: startOnConnectionLoop {
            try await connection.copyFrom(table: table, columns: columns, logger: ChainDatabase.logger) { writer in
                var offset = 0
                while offset < data.count {
                    let end = min(data.count, offset + 1 << 20)
                    try await writer.write(ByteBuffer(bytes: data[offset..<end]))
                    offset = end
                }
            }
        })
    }

    /// Whether this connection works as a front desk: a member of driverdesk_desk, and of neither the owner's role nor
    /// the chain manager's (whose policies read every shop, so that the shop's commands would see them all).
    public func isDesk() throws -> Bool {
        try lock.withLock {
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
