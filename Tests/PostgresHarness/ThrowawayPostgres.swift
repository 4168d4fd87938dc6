import Foundation
#if canImport(Glibc)
import Glibc
#endif


/// A throwaway PostgreSQL 15 (scripts/pg-throwaway.sh) with the chain's roles and schema (data/postgres), for the tests
/// of the database's own guarantees: row-level security between shops, the exclusion constraints of R1, the roles.
/// It fails when the server cannot start; it never skips.
public final class ThrowawayPostgres: @unchecked Sendable {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let psqlPath = "/usr/lib/postgresql/15/bin/psql"
    public let folder: String
    public let database = "chain"
    /// The port it also listens on at 127.0.0.1 (by password), and that names its socket; nil: the socket only, 5432.
    public let port: Int?

    public struct Result {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// The rows of a `psql -At` answer, one line each.
        public var rows: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Starts a server with the chain's roles and an empty database `chain` owned by driverdesk_owner; with `migrated`,
    /// the chain's schema applied through psql as the owner (the schema tests), else left for DriverDesk to make.
    /// With `tcp`, it also listens on 127.0.0.1 at a free port, where every role logs in by password. With `durable`,
    /// it keeps PostgreSQL's fsync and synchronous commit (the benchmark); the tests turn them off.
    public init(migrated: Bool = true, tcp: Bool = false, durable: Bool = false) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("driverdesk-pg-\(UUID().uuidString.prefix(8))").path
        port = tcp ? try ThrowawayPostgres.freePort() : nil
        let started = try ThrowawayPostgres.run(ThrowawayPostgres.root.appendingPathComponent("scripts/pg-throwaway.sh").path, ["start", folder] + (port.map { [String($0)] } ?? []),
                                                environment: durable ? ["PG_THROWAWAY_DURABLE": "1"] : [:])
        guard started.status == 0 else { throw Failure(description: "PostgreSQL did not start (exit \(started.status)): \(started.stderr)") }
        // As a chain's superuser sets one up: the database, then roles.sql in it (the roles, the database given to the
        // owner, the functions that make the shops' roles).
        try must(sql("CREATE DATABASE \(database)", as: "postgres", database: "postgres"))
        try installRoles(database: database)
        if migrated {
            // As `driverdesk init` does: each migration in one transaction, under the chain's advisory lock.
            let folder = ThrowawayPostgres.root.appendingPathComponent("data/postgres")
            let migrations = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.first?.isNumber == true && $0.hasSuffix(".sql") }.sorted()
            for migration in migrations {
                try must(sql("SELECT pg_advisory_xact_lock(20261202);\n\\i \(folder.path)/\(migration)", as: "driverdesk_owner", singleTransaction: true))
            }
        }
    }

    /// Runs roles.sql as the superuser in `database` (the chain's roles, and the functions its owner makes the shops'
    /// roles with), as a chain's superuser does once per chain database.
    public func installRoles(database: String) throws {
        try must(sql("\\i \(ThrowawayPostgres.root.path)/data/postgres/roles.sql", as: "postgres", database: database))
    }

    /// The database role of shop `code` of a chain database: what its desks log in as (`<database>.<code>`, made by
    /// `shop add`). The one place the tests name it.
    public func shopRole(_ code: String, database: String? = nil) -> String {
        "\(database ?? self.database).\(code)"
    }

    /// The address a desk of shop `code` connects to: as the shop's own role, `?shop=CODE`.
    public func shopAddress(_ code: String, database: String? = nil) -> String {
        address(as: shopRole(code, database: database), shop: code, database: database)
    }

    /// The address DriverDesk connects to, as `role`, for `shop` (a code, or `*`).
    public func address(as role: String, shop: String, database: String? = nil) -> String {
        "postgres://\(role)@/\(database ?? self.database)?host=\(folder)\(port.map { "&port=\($0)" } ?? "")&shop=\(shop)"
    }

    /// The address over TCP (a server started with `tcp`), with the password in it when given.
    public func tcpAddress(as role: String, password: String? = nil, shop: String) -> String {
        "postgres://\(role)\(password.map { ":\($0)" } ?? "")@127.0.0.1:\(port ?? 5432)/\(database)?shop=\(shop)"
    }

    /// A port nothing listens on now: bound to 0, the kernel's choice, and closed.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Restarts the server as an administrator does (`pg_ctl restart -m fast`: every connection is ended).
    public func restart() throws { try control("restart") }

    /// Stops the server (`-m fast`), keeping its data for `resume`.
    public func halt() throws { try control("halt") }

    /// Starts a halted server again.
    public func resume() throws { try control("resume") }

    private func control(_ action: String) throws {
        let done = try ThrowawayPostgres.run(ThrowawayPostgres.root.appendingPathComponent("scripts/pg-throwaway.sh").path, [action, folder])
        guard done.status == 0 else { throw Failure(description: "pg-throwaway.sh \(action) failed (exit \(done.status)): \(done.stderr)") }
    }

    /// Freezes the server and every process of it (SIGSTOP): its connections stay open and nothing answers, as when a
    /// database machine hangs or the network to it is cut. `thaw` lets it go on.
    public func freeze() throws { try signalAll(SIGSTOP) }

    public func thaw() throws { try signalAll(SIGCONT) }

    /// Sends `signal` to the postmaster and its children (found in /proc by their parent), without any tool.
    private func signalAll(_ signal: Int32) throws {
        let pidFile = (try? String(contentsOfFile: folder + "/data/postmaster.pid", encoding: .utf8)) ?? ""
        guard let postmaster = pidFile.split(separator: "\n").first.flatMap({ Int32($0) }) else { throw Failure(description: "no postmaster.pid in \(folder)") }
        var pids = [postmaster]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // pid (comm) state ppid …: the parent is the second field after the command's closing bracket.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == postmaster { pids.append(pid) }
        }
        for pid in pids where kill(pid, signal) != 0 && errno != ESRCH {
            throw Failure(description: "kill(\(pid), \(signal)): errno \(errno)")
        }
    }

    /// Ends every backend of `role` as `pg_terminate_backend` does (a failover's or an administrator's kill), and says
    /// how many there were.
    @discardableResult
    public func terminateBackends(of role: String) throws -> Int {
        let rows = try self.rows("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '\(role)'", as: "postgres")
        return Int(rows.first ?? "") ?? -1
    }

    /// Stops the server and deletes its folder.
    deinit {
        _ = try? ThrowawayPostgres.run(ThrowawayPostgres.root.appendingPathComponent("scripts/pg-throwaway.sh").path, ["stop", folder])
    }

    /// Runs SQL through psql as `role` (over the socket, trusted), stopping at the first error. A shop's desk is its
    /// role (`shopRole`).
    public func sql(_ text: String, as role: String, database: String? = nil, singleTransaction: Bool = false) throws -> Result {
        let script = text
        var arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", folder, "-p", String(port ?? 5432), "-U", role, "-d", database ?? self.database]
        if singleTransaction { arguments.append("-1") }
        return try ThrowawayPostgres.run(ThrowawayPostgres.psqlPath, arguments, stdin: script)
    }

    /// The rows of a query that must succeed.
    public func rows(_ text: String, as role: String, database: String? = nil) throws -> [String] {
        try must(sql(text, as: role, database: database)).rows
    }

    @discardableResult
    public func must(_ result: Result) throws -> Result {
        guard result.status == 0 else { throw Failure(description: "psql exit \(result.status): \(result.stderr)") }
        return result
    }

    /// Starts psql without waiting, for writers that overlap in time.
    public func start(_ text: String, as role: String, database: String? = nil) throws -> (Process, URL, URL) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ThrowawayPostgres.psqlPath)
        process.arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", folder, "-p", String(port ?? 5432), "-U", role, "-d", database ?? self.database, "-c",
                             "BEGIN; \(text) COMMIT;"]
        let out = URL(fileURLWithPath: folder + "/" + UUID().uuidString + ".out"), err = URL(fileURLWithPath: folder + "/" + UUID().uuidString + ".err")  // removed with the server
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        return (process, out, err)
    }

    /// Starts psql on a script without waiting, each statement in a transaction of its own (a LISTEN takes effect at
    /// once, and psql prints the notices it received after each statement).
    public func startScript(_ text: String, as role: String, database: String? = nil) throws -> (Process, URL, URL) {
        let script = URL(fileURLWithPath: folder + "/" + UUID().uuidString + ".sql")
        try Data(text.utf8).write(to: script)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ThrowawayPostgres.psqlPath)
        process.arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", folder, "-p", String(port ?? 5432), "-U", role, "-d", database ?? self.database,
                             "-f", script.path]
        let out = URL(fileURLWithPath: folder + "/" + UUID().uuidString + ".out"), err = URL(fileURLWithPath: folder + "/" + UUID().uuidString + ".err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        return (process, out, err)
    }

    /// Runs a program to its end. Its input and outputs are files, not pipes: the server that the start script leaves
    /// running must hold nothing of ours open (a pipe it inherited would never reach its end).
    public static func run(_ path: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("driverdesk-run-\(UUID().uuidString)").path
        let files = (input: base + ".in", output: base + ".out", errors: base + ".err")
        defer { for file in [files.input, files.output, files.errors] { try? FileManager.default.removeItem(atPath: file) } }
        _ = FileManager.default.createFile(atPath: files.input, contents: Data((stdin ?? "").utf8))
        _ = FileManager.default.createFile(atPath: files.output, contents: nil)
        _ = FileManager.default.createFile(atPath: files.errors, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardInput = FileHandle(forReadingAtPath: files.input)
        process.standardOutput = FileHandle(forWritingAtPath: files.output)
        process.standardError = FileHandle(forWritingAtPath: files.errors)
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOfFile: files.output, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: files.errors, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, stdout: output, stderr: errors)
    }
}
