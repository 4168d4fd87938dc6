import Foundation
import PostgresHarness
import Synchronization
import Testing

/// The database a test runs the command line on: a SQLite file of its own, or a shop of its own in the test process's
/// throwaway PostgreSQL chain, reached as the shop's own role (the shop and its role made by the chain's owner, as a chain sets up).
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// The temporary folders of this test process, deleted when it exits (a `CLI` is a value, copied freely: no one copy
/// may delete them early). Before this, every `make test` left about 400 folders in /tmp.
let temporaryFolders: Mutex<[URL]> = {
    atexit {
        for folder in temporaryFolders.withLock({ $0 }) { try? FileManager.default.removeItem(at: folder) }
    }
    return Mutex([])
}()

/// Runs the built `driverdesk` binary against a temporary database, as a user or a script would.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// stdout as bytes, for files in other encodings than UTF-8.
        var stdoutBytes = Data()

        /// stdout parsed as one JSON document.
        func json() throws -> Any {
            try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        }
        func object() throws -> [String: Any] { try #require(try json() as? [String: Any]) }
        func array() throws -> [[String: Any]] { try #require(try json() as? [[String: Any]]) }
    }

    let folder: URL
    var db: String
    let backend: Backend
    /// The shop's code on a chain, and the chain's database.
    var shopCode: String?
    var chainDatabase: String?
    var now = "2026-11-20 20:00"
    var environment: [String: String] = [:]

    init(_ backend: Backend = .sqlite) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("driverdesk-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        temporaryFolders.withLock { [folder] in $0.append(folder) }
        self.backend = backend
        switch backend {
        case .sqlite:
            db = folder.appendingPathComponent("shop.sqlite").path
            shopCode = nil
        case .postgres:
            let chain = try SharedChain.server()
            let database = try SharedChain.newDatabase()
            let code = SharedChain.newCode().uppercased()
            // The chain's owner adds the shop (and makes the chain's schema); the desk then works in it.
            let added = try ThrowawayPostgres.run(CLI.binary.path, ["shop", "add", code, "--name", "测试汽修", "--db",
                                                                    chain.address(as: "driverdesk_owner", shop: "*", database: database),
                                                                    "--now", "2026-11-01 08:00", "--operator", "setup"])
            guard added.status == 0 else { throw CLIError.setupFailed("shop add \(code): \(added.stderr)") }
            db = chain.shopAddress(code, database: database)
            shopCode = code
            chainDatabase = database
        }
    }

    /// Another shop of the same chain (PostgreSQL), added by the chain's owner: the same folder and clock.
    func anotherShop(name: String = "另一家店") throws -> CLI {
        guard let chainDatabase else { throw CLIError.setupFailed("a SQLite file has one shop") }
        let chain = try SharedChain.server()
        let code = SharedChain.newCode().uppercased()
        let added = try ThrowawayPostgres.run(CLI.binary.path, ["shop", "add", code, "--name", name, "--db",
                                                                chain.address(as: "driverdesk_owner", shop: "*", database: chainDatabase),
                                                                "--now", "2026-11-01 08:00", "--operator", "setup"])
        guard added.status == 0 else { throw CLIError.setupFailed("shop add \(code): \(added.stderr)") }
        var other = self
        other.db = chain.shopAddress(code, database: chainDatabase)
        other.shopCode = code
        return other
    }

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["DRIVERDESK_BIN"] { return URL(fileURLWithPath: path) }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("driverdesk")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/driverdesk")
    }

    /// `driverdesk ARGS --db DB --now NOW` unless the arguments say otherwise.
    @discardableResult
    /// With `unprivileged`, as the user nobody (65534) when the tests run as root (as CI does), through setpriv, so
    /// that file permissions apply; a normal user is unprivileged already.
    func run(_ arguments: [String], withDefaults: Bool = true, stdin: String? = nil, unprivileged: Bool = false) throws -> Result {
        let process = Process()
        process.executableURL = CLI.binary
        guard FileManager.default.isExecutableFile(atPath: CLI.binary.path) else {
            throw CLIError.missingBinary(CLI.binary.path)
        }
        process.arguments = withDefaults ? arguments + ["--db", db, "--now", now] : arguments
        var unprivilegedHome: String?
        if unprivileged && geteuid() == 0 {
            // nobody may not reach the checkout (a clone under /root, say): run a copy of the binary, with its
            // templates and data, from this test's own folder.
            let copy = try CLI.unprivilegedCopy()
            unprivilegedHome = copy.home
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", copy.binary] + (process.arguments ?? [])
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        }
        var env = ProcessInfo.processInfo.environment
        env["DRIVERDESK_OPERATOR"] = "e2e"
        env.removeValue(forKey: "DRIVERDESK_DB")
        env.removeValue(forKey: "DRIVERDESK_NOW")
        for (key, value) in environment { env[key] = value }
        if let unprivilegedHome { env["DRIVERDESK_HOME"] = unprivilegedHome }
        process.environment = env
        // Standard input is the text given, else nothing (never the terminal the tests run in).
        var input: URL?
        if let stdin {
            input = folder.appendingPathComponent("stdin-\(UUID().uuidString)")
            try Data(stdin.utf8).write(to: input!)
            process.standardInput = try FileHandle(forReadingFrom: input!)
        }
        defer { if let input { try? FileManager.default.removeItem(at: input) } }
        let (outData, errData) = try Captured.run(process)
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
                      stdoutBytes: outData)
    }

    /// Runs and requires exit 0.
    @discardableResult
    func ok(_ arguments: String...) throws -> Result { try ok(arguments) }

    /// Runs and requires exit 0.
    @discardableResult
    func ok(_ arguments: [String]) throws -> Result {
        let result = try run(arguments)
        #expect(result.status == 0, "driverdesk \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        return result
    }

    /// A copy of the binary, `templates/` and `data/` in a folder every user may read, made once per test run.
    static func unprivilegedCopy() throws -> (binary: String, home: String) {
        let fm = FileManager.default
        let folder = fm.temporaryDirectory.appendingPathComponent("driverdesk-e2e-shared-\(getpid())")
        let binary = folder.appendingPathComponent("driverdesk")
        if !fm.isExecutableFile(atPath: binary.path) {
            let staging = fm.temporaryDirectory.appendingPathComponent("driverdesk-e2e-staging-\(UUID().uuidString)")
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            try fm.copyItem(at: CLI.binary, to: staging.appendingPathComponent("driverdesk"))
            for name in ["templates", "data"] { try fm.copyItem(at: root.appendingPathComponent(name), to: staging.appendingPathComponent(name)) }
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: staging.path)
            // Another test may have made it meanwhile: the first copy stays.
            if (try? fm.moveItem(at: staging, to: folder)) == nil { try? fm.removeItem(at: staging) } else { temporaryFolders.withLock { $0.append(folder) } }
        }
        return (binary.path, folder.path)
    }

    /// The database's whole content as SQL text, to prove a refused command wrote nothing. Throws unless sqlite3
    /// succeeded and printed the schema: two failed dumps would compare equal ("" == "") whatever was written.
    func dump() throws -> String {
        if let shopCode { return try SharedChain.server().shopDigest(code: shopCode, database: chainDatabase) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["-bail", db, ".dump"]
        let (data, errorData) = try Captured.run(process)
        let text = String(decoding: data, as: UTF8.self), errors = String(decoding: errorData, as: UTF8.self)
        guard process.terminationReason == .exit, process.terminationStatus == 0, errors.isEmpty, text.contains("CREATE TABLE") else {
            throw CLIError.dumpFailed("sqlite3 \(db) .dump: exit \(process.terminationStatus), \(errors), \(data.count) bytes out")
        }
        return text
    }

    /// Runs a command that must fail with `status`, checks that it printed nothing on stdout and that the database is
    /// unchanged, and returns its stderr.
    func refused(_ status: Int32, _ arguments: [String]) throws -> String {
        let before = try dump()
        let result = try run(arguments)
        #expect(result.status == status, "driverdesk \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try dump() == before, "driverdesk \(arguments.joined(separator: " ")) changed the database")
        return result.stderr
    }

    func refused(_ status: Int32, _ arguments: String...) throws -> String { try refused(status, arguments) }

    /// A small shop: 王磊 and 李强, 京A12345 and 沪B88888, both checked in at 09:00 on the 20th.
    static func shop(_ backend: Backend = .sqlite) throws -> CLI {
        let cli = try bare(backend)
        try cli.ok("visit", "checkin", "--plate", "京A12345", "--at", "2026-11-20 09:00", "--order", "WO-1")
        try cli.ok("visit", "checkin", "--plate", "沪B88888", "--at", "2026-11-20 09:00")
        return cli
    }

    /// The same shop with no visits yet.
    static func bare(_ backend: Backend = .sqlite) throws -> CLI {
        let cli = try CLI(backend)
        try cli.ok("init", "--shop-name", "测试汽修")
        try cli.ok("staff", "add", "--name", "王磊", "--id-number", "110105198803124111", "--license-class", "C1",
                   "--license-first-issued", "2009-05-20", "--license-valid-until", "2031-05-20", "--phone", "13911020001")
        try cli.ok("staff", "add", "--name", "李强", "--id-number", "11010519491231002X", "--license-class", "C1",
                   "--license-first-issued", "2012-08-03", "--license-valid-until", "2028-08-03")
        try cli.ok("vehicle", "add", "--plate", "京A12345", "--owner", "张伟", "--owner-phone", "13800138000", "--engine-last6", "a1b2c3")
        try cli.ok("vehicle", "add", "--plate", "沪B88888", "--owner", "上海某某贸易有限公司")
        return cli
    }
}

enum CLIError: Error, CustomStringConvertible {
    case missingBinary(String)
    case dumpFailed(String)
    case setupFailed(String)
    var description: String {
        switch self {
        case .missingBinary(let path): "the driverdesk binary is not at \(path); run `swift build --product driverdesk` (make test does) first"
        case .dumpFailed(let message), .setupFailed(let message): message
        }
    }
}

/// Bytes read on another thread.
final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// A child process run to its end with both outputs read: stderr on another thread, since a child filling one pipe
/// while we wait on the other would hang.
enum Captured {
    static func run(_ process: Process) throws -> (stdout: Data, stderr: Data) {
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // Nothing, unless the caller gave a standard input (never the terminal the tests run in).
        if process.standardInput == nil { process.standardInput = FileHandle.nullDevice }
        try process.run()
        let errBox = DataBox()
        let done = DispatchSemaphore(value: 0)
        let errHandle = err.fileHandleForReading
        DispatchQueue.global().async {
            errBox.data = errHandle.readDataToEndOfFile()
            done.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return (outData, errBox.data)
    }
}
