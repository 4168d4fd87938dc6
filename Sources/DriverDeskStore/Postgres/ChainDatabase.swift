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

    /// The shop this connection's session reads for (`ChainDatabase.inShop`), once it is set.
    let sessionShop = Mutex<Int64?>(nil)

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

    // MARK: Migrations

    /// The names of the migrations applied, or nil when the database has none (it is empty).
    func appliedMigrations() throws -> Set<String>? {
        let exists = try query("SELECT to_regclass('public.driverdesk_migration') IS NOT NULL")
        guard try exists.first?.decode(Bool.self) == true else { return nil }
        return Set(try query("SELECT name FROM driverdesk_migration").map { try $0.decode(String.self) })
    }

    /// Makes or migrates the schema: each pending migration in one transaction of its own, under the advisory lock,
    /// so that desks opening a new database at the same moment apply each migration once. A schema with a migration
    /// this build does not know was made by a newer DriverDesk: refused whole, as on SQLite.
    public func migrate(_ migrations: [Migration], now: Date) throws {
        try lock.withLock {
            let known = migrations.map(\.name)
            while true {
                let done = try transaction { () throws -> Bool in
                    try query("SELECT pg_advisory_xact_lock($1)", [PostgresData(int64: ChainDatabase.migrationLock)])
                    let applied = try appliedMigrations() ?? []
                    guard applied.isSubset(of: Set(known)) else { throw AppDatabase.newerSchema(address.shown) }
                    guard let next = migrations.first(where: { !applied.contains($0.name) }) else { return true }
                    if applied.isEmpty {
                        try query("CREATE TABLE IF NOT EXISTS driverdesk_migration (name text PRIMARY KEY, applied_at bigint NOT NULL)")
                        try query("GRANT SELECT ON driverdesk_migration TO driverdesk_desk, driverdesk_chain")
                    }
                    let statements: [String]
                    do {
                        statements = try SQLScript.statements(next.sql)
                    } catch {
                        throw DeskError.storage(message: "the migration \(next.name) cannot be read: \(error)")
                    }
                    for statement in statements { try query(statement) }
                    try query("INSERT INTO driverdesk_migration (name, applied_at) VALUES ($1, $2)",
                              [PostgresData(string: next.name), PostgresData(int64: now.seconds)])
                    return false
                }
                if done { return }
            }
        }
    }

    /// Whether the schema is this build's: nothing to do (true), or something to migrate (false); a newer one is refused.
    public func isCurrent(_ migrations: [Migration]) throws -> Bool {
        try lock.withLock {
            let applied = try appliedMigrations() ?? []
            guard applied.isSubset(of: Set(migrations.map(\.name))) else { throw AppDatabase.newerSchema(address.shown) }
            return applied.count == migrations.count
        }
    }

    // MARK: Shops

    /// Adds a shop with its name and time zone as its first settings, audited in the new shop's own audit (the chain's
    /// owner only: a desk's role may not). A code that exists is left as it is and returned, with `created` false.
    @discardableResult
    public func addShop(code: String, name: String, timeZone: String, context: WriteContext) throws -> (shop: ChainShop, created: Bool) {
        try lock.withLock {
            try transaction {
                // A shop that exists is returned as it is, to any role (a desk may run `init` on its own shop).
                if let row = try query("SELECT id, name, time_zone FROM shop_by_code($1)", [PostgresData(string: code)]).first {
                    let (id, name, zone) = try row.decode((Int64, String, String).self)
                    return (ChainShop(id: id, code: code, name: name, timeZone: zone), false)
                }
                let inserted = try query("""
                    INSERT INTO shop (code, name, time_zone, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING
                    RETURNING id, code, name, time_zone
                    """, [PostgresData(string: code), PostgresData(string: name), PostgresData(string: timeZone), PostgresData(int64: context.now.seconds)])
                if let row = inserted.first {
                    let shop = try ChainDatabase.shop(row)
                    for (key, value) in [("shop.name", name), ("shop.timeZone", timeZone)] {
                        try query("INSERT INTO setting (shop_id, key, value) VALUES ($1, $2, $3)",
                                  [PostgresData(int64: shop.id), PostgresData(string: key), PostgresData(string: value)])
                    }
                    try query("INSERT INTO audit (shop_id, at, operator, action, subject, before, after) VALUES ($1, $2, $3, 'shop.add', $4, NULL, $5)",
                              [PostgresData(int64: shop.id), PostgresData(int64: context.now.seconds), PostgresData(string: context.operator),
                               PostgresData(string: "shop \(code)"), PostgresData(string: Audit.json(["code": code, "name": name, "timeZone": timeZone]))])
                    return (shop, true)
                }
                guard let row = try query("SELECT id, code, name, time_zone FROM shop WHERE code = $1", [PostgresData(string: code)]).first else {
                    throw DeskError.storage(message: "shop \(code) was neither added nor found")
                }
                return (try ChainDatabase.shop(row), false)
            }
        }
    }

    /// Every shop this connection may see, by code: all of them for the owner and the chain's manager.
    public func shops() throws -> [ChainShop] {
        try lock.withLock {
            try query("SELECT id, code, name, time_zone FROM shop ORDER BY code").map(ChainDatabase.shop)
        }
    }

    /// The shop with a code, whoever asks (a desk sees no shop row before it has said which shop it is).
    public func shop(code: String) throws -> ChainShop? {
        try lock.withLock {
            try query("SELECT id, name, time_zone FROM shop_by_code($1)", [PostgresData(string: code)]).first.map { row in
                let (id, name, zone) = try row.decode((Int64, String, String).self)
                return ChainShop(id: id, code: code, name: name, timeZone: zone)
            }
        }
    }

    /// Calls `handler` with the shop's id of every change notice (`driverdesk_change`, sent when a transaction that
    /// audited a change commits) for as long as this connection is open.
    public func onChange(_ handler: @Sendable @escaping (Int64?) -> Void) throws {
        connection.addListener(channel: "driverdesk_change") { _, notice in handler(Int64(notice.payload)) }
        try lock.withLock { _ = try query("LISTEN driverdesk_change") }
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

/// What the chain manager's view reads across every shop (the chain's role, or the owner's).
public struct ChainFacts: Sendable {
    public struct Shop: Sendable {
        public var code: String
        public var name: String
        public var timeZone: String
        public var activeStaff: Int
        public var vehicles: Int
        public var carsInShop: Int
        public var movements: Int
        public var violations: Int
        public var unpaid: Int
        public var unpaidFen: Int
        public var toReview: Int
        public var removalsDue: Int
    }

    public struct Driver: Sendable {
        public var personId: Int64
        public var name: String
        public var idNumber: String
        public var licenseFirstIssued: CivilDate
        public var shops: [String]
        public var movements: Int
        public var unpaid: Int
        /// Points of his processed violations, with when each was processed (the rule decides which count).
        public var points: [(points: Int, processedAt: Date)]
    }

    public var shops: [Shop]
    public var drivers: [Driver]
}

extension ChainDatabase {
    /// Every shop's figures for [from, to) and every driver of the chain, with his points processed since `pointsSince`.
    public func chainFacts(from: Date, to: Date, pointsSince: Date) throws -> ChainFacts {
        try lock.withLock {
            try transaction(readOnly: true) {
                let range = [PostgresData(int64: from.seconds), PostgresData(int64: to.seconds)]
                let shops = try query("""
                    SELECT s.code, s.name, s.time_zone,
                        (SELECT count(*) FROM staff x WHERE x.shop_id = s.id AND x.active) AS staff,
                        (SELECT count(*) FROM vehicle x WHERE x.shop_id = s.id) AS vehicles,
                        (SELECT count(*) FROM visit x WHERE x.shop_id = s.id AND x.checkout_at IS NULL) AS in_shop,
                        (SELECT count(*) FROM movement x WHERE x.shop_id = s.id AND x.start_at >= $1 AND x.start_at < $2) AS movements,
                        (SELECT count(*) FROM violation x WHERE x.shop_id = s.id AND x.occurred_at >= $1 AND x.occurred_at < $2 AND x.status <> 'void') AS violations,
                        (SELECT count(*) FROM violation x WHERE x.shop_id = s.id AND x.status IN ('open', 'processed')) AS unpaid,
                        (SELECT coalesce(sum(x.fine_fen), 0)::bigint FROM violation x WHERE x.shop_id = s.id AND x.status IN ('open', 'processed')) AS unpaid_fen,
                        (SELECT count(*) FROM violation x WHERE x.shop_id = s.id AND x.status = 'open' AND x.needs_review) AS to_review,
                        (SELECT count(*) FROM registration x WHERE x.shop_id = s.id AND x.status = 'removalDue') AS removals_due
                    FROM shop s ORDER BY s.code
                    """, range).map { row -> ChainFacts.Shop in
                        let r = row.makeRandomAccess()
                        func int(_ name: String) throws -> Int { Int(try r[name].decode(Int64.self)) }
                        return ChainFacts.Shop(code: try r["code"].decode(String.self), name: try r["name"].decode(String.self),
                                               timeZone: try r["time_zone"].decode(String.self), activeStaff: try int("staff"), vehicles: try int("vehicles"),
                                               carsInShop: try int("in_shop"), movements: try int("movements"), violations: try int("violations"),
                                               unpaid: try int("unpaid"), unpaidFen: try int("unpaid_fen"), toReview: try int("to_review"),
                                               removalsDue: try int("removals_due"))
                    }
                var drivers: [Int64: ChainFacts.Driver] = [:]
                var order: [Int64] = []
                for row in try query("""
                    SELECT p.id, p.name, p.id_number, p.license_first_issued::text AS first_issued,
                        array_to_string(array_agg(DISTINCT sh.code ORDER BY sh.code), ',') AS shops,
                        (SELECT count(*) FROM movement m WHERE m.person_id = p.id AND m.start_at >= $1 AND m.start_at < $2) AS movements,
                        (SELECT count(*) FROM violation v WHERE v.driver_person_id = p.id AND v.status IN ('open', 'processed')) AS unpaid
                    FROM person p JOIN staff st ON st.person_id = p.id JOIN shop sh ON sh.id = st.shop_id
                    GROUP BY p.id ORDER BY p.name, p.id
                    """, range) {
                    let r = row.makeRandomAccess()
                    let id = try r["id"].decode(Int64.self)
                    let first = try r["first_issued"].decode(String.self)
                    guard let issued = try? CivilDate(parsing: first, field: "date") else {
                        throw DeskError.storage(message: "the chain's database holds an unreadable date: \(first)")
                    }
                    drivers[id] = ChainFacts.Driver(personId: id, name: try r["name"].decode(String.self), idNumber: try r["id_number"].decode(String.self),
                                                    licenseFirstIssued: issued, shops: try r["shops"].decode(String.self).split(separator: ",").map(String.init),
                                                    movements: Int(try r["movements"].decode(Int64.self)), unpaid: Int(try r["unpaid"].decode(Int64.self)), points: [])
                    order.append(id)
                }
                for row in try query("""
                    SELECT driver_person_id, points, processed_at FROM violation
                    WHERE driver_person_id IS NOT NULL AND status IN ('processed', 'paid') AND points > 0 AND processed_at >= $1
                    """, [PostgresData(int64: pointsSince.seconds)]) {
                    let (person, points, at) = try row.decode((Int64, Int32, Int64).self)
                    drivers[person]?.points.append((Int(points), Date(timeIntervalSince1970: TimeInterval(at))))
                }
                return ChainFacts(shops: shops, drivers: order.compactMap { drivers[$0] })
            }
        }
    }
}

/// Runs a task's jobs on one NIO event loop: for the little async work a synchronous caller waits for (a `COPY`), so
/// that it never needs a thread of Swift's cooperative pool.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = self
        loop.execute { job.runSynchronously(on: executor.asUnownedTaskExecutor()) }
    }
}

/// Work on a connection's event loop that a thread waits for: its result is set once, before `done` is signalled.
final class PendingWork<T: Sendable>: @unchecked Sendable {
    fileprivate var result: Result<T, any Error>?
    fileprivate let done = DispatchSemaphore(value: 0)
    private var finished = false

    /// Waits for the work (once; later calls return at once) and gives its result.
    func wait() throws -> T {
        if !finished {
            done.wait()
            finished = true
        }
        return try result!.get()
    }
}

/// A `COPY` under way (`ChainDatabase.startCopy`).
struct PendingCopy {
    fileprivate let work: PendingWork<Void>

    /// Waits for the server to have taken every row.
    func finish() throws {
        do {
            try work.wait()
        } catch {
            throw DeskError.storage(message: ChainDatabase.describe(error))
        }
    }
}

/// A statement of the shop's SQL, prepared on each connection the first time it runs there (postgres-nio's prepared
/// statements, which it prepares and runs by name; they describe their rows as binary, as the server sends them).
///
/// postgres-nio names a prepared statement by its type, with SQL and types fixed per type; DriverDesk's statements are
/// made at run time (a filter's clauses, a page's LIMIT). So this one type stands for all of them: the statement of the
/// current call is a task-local value, which postgres-nio reads when the call starts, and each distinct text (with the
/// types of its values) has a name of its own. At most `limit` of them; past it a statement runs unprepared.
struct PreparedSQL: PostgresPreparedStatement {
    struct Statement: Sendable {
        var name: String
        var sql: String
        var types: [PostgresDataType]
    }

    @TaskLocal static var current = Statement(name: "", sql: "", types: [])
    private static let names = Mutex<[String: String]>([:])
    static let limit = 512

    /// The statement of `sql` with values of these types, named on first use (and by the connection's generation);
    /// nil past the limit.
    static func statement(_ sql: String, _ binds: [PostgresData], generation: Int) -> Statement? {
        let types = binds.map(\.type)
        let key = types.map { String($0.rawValue) }.joined(separator: ",") + ";" + sql
        let name = names.withLock { names -> String? in
            if let name = names[key] { return name }
            guard names.count < limit else { return nil }
            let name = "driverdesk_\(names.count + 1)"
            names[key] = name
            return name
        }
        return name.map { Statement(name: "\($0)_\(generation)", sql: sql, types: types) }
    }

    static var name: String { current.name }
    static var sql: String { current.sql }
    static var bindingDataTypes: [PostgresDataType] { current.types }

    let binds: [PostgresData]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds { bindings.append(bind) }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
