import DriverDeskCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// How hard the reliability tests push: small enough for `make test`, large for `make soak` (RELIABILITY_SOAK=1).
/// Every figure can also be set on its own from the environment.
enum Scale {
    static let environment = ProcessInfo.processInfo.environment
    static let soak = environment["RELIABILITY_SOAK"] == "1"

    static func value(_ key: String, test: Int, soak soakValue: Int) -> Int {
        if let text = environment[key], let value = Int(text) { return value }
        return soak ? soakValue : test
    }

    /// Movements each of the four command-line workers records (issue: 500).
    static var movesPerWorker: Int { value("RELIABILITY_MOVES", test: 60, soak: 500) }
    /// Pages the web load fetches while the workers write.
    static var webRequests: Int { value("RELIABILITY_WEB_REQUESTS", test: 300, soak: 3_000) }
    /// Rows of the import that is killed (issue: 100,000).
    static var importRows: Int { value("RELIABILITY_IMPORT_ROWS", test: 5_000, soak: 100_000) }
    /// kill -9 trials of the import (issue: at least 20).
    static var importTrials: Int { value("RELIABILITY_IMPORT_TRIALS", test: 20, soak: 30) }
    /// kill -9 trials of single writes in a burst.
    static var burstKills: Int { value("RELIABILITY_BURST_KILLS", test: 60, soak: 400) }
    /// Size of the oversized CSV in MB (issue: 100 MB).
    static var bigCSVMegabytes: Int { value("RELIABILITY_BIG_CSV_MB", test: 12, soak: 100) }
    /// Random inputs per parser in the deterministic hammer.
    static var hammerInputs: Int { value("RELIABILITY_HAMMER", test: 40_000, soak: 1_000_000) }
}

/// One finished process: its exit status (or the signal that ended it) and what it printed.
struct Outcome: CustomStringConvertible {
    var status: Int32
    var signaled: Bool
    var stdout: String
    var stderr: String
    var seconds: Double

    /// Exit 0, 1 or 2 (or 3): a process that ended on a signal crashed.
    var crashed: Bool { signaled }

    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
    func object() throws -> [String: Any] { try #require(try json() as? [String: Any]) }
    func array() throws -> [[String: Any]] { try #require(try json() as? [[String: Any]]) }

    var description: String {
        "\(signaled ? "signal" : "exit") \(status) in \(String(format: "%.2f", seconds)) s; stderr: \(stderr.prefix(400))"
    }
}

/// Starts processes with their output in files (no pipe can fill up and block them) and waits with a deadline.
enum Processes {
    /// The environment every child gets: no DriverDesk variables from the caller, no crash reporter that could
    /// hang on a crashing child (a crash still shows as a signal), and the default database folder inside `folder`.
    static func environment(folder: URL, extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("DRIVERDESK_") { env.removeValue(forKey: key) }
        env["XDG_DATA_HOME"] = folder.appendingPathComponent("xdg").path
        env["DRIVERDESK_OPERATOR"] = "reliability"
        env["SWIFT_BACKTRACE"] = "enable=no"
        for (key, value) in extra { env[key] = value }
        return env
    }

    /// Starts `executable` with stdout and stderr going to files in `folder`.
    static func start(_ executable: String, _ arguments: [String], environment: [String: String], folder: URL,
                      stdin: URL? = nil) throws -> (process: Process, out: URL, err: URL) {
        let id = UUID().uuidString
        let out = folder.appendingPathComponent(".out-\(id)"), err = folder.appendingPathComponent(".err-\(id)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    /// Waits for a started process (killing it after `timeout` seconds) and collects its output.
    static func finish(_ started: (process: Process, out: URL, err: URL), since: Date, timeout: TimeInterval) -> Outcome {
        let process = started.process
        let pid = process.processIdentifier
        let deadline = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        process.waitUntilExit()
        deadline.cancel()
        let stdout = (try? Data(contentsOf: started.out)) ?? Data()
        let stderr = (try? Data(contentsOf: started.err)) ?? Data()
        try? FileManager.default.removeItem(at: started.out)
        try? FileManager.default.removeItem(at: started.err)
        return Outcome(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                       stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self),
                       seconds: Date().timeIntervalSince(since))
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String], folder: URL,
                    stdin: URL? = nil, timeout: TimeInterval = 120) throws -> Outcome {
        let since = Date()
        return finish(try start(executable, arguments, environment: environment, folder: folder, stdin: stdin), since: since, timeout: timeout)
    }
}

/// What a database file holds, two ways: its raw bytes and its content as SQL text (`sqlite3 .dump`).
struct Snapshot: Equatable {
    var raw: Data
    var dump: String

    /// The SHA-256 of the raw file, from `sha256sum`.
    var sha256: String
}

/// A workshop database in a temporary folder and the built `driverdesk` binary to run on it.
struct Shop {
    let folder: URL
    let db: String
    var now = "2026-11-20 20:00"

    init(_ name: String = "shop") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("driverdesk-reliability-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        db = folder.appendingPathComponent("\(name).sqlite").path
    }

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["DRIVERDESK_BIN"] { return path }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("driverdesk")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        return root.appendingPathComponent(".build/debug/driverdesk").path
    }

    /// The package folder.
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func requireBinary() throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw HarnessError.missingBinary(binary)
        }
    }

    var environment: [String: String] { Processes.environment(folder: folder, extra: ["DRIVERDESK_DB": db]) }

    /// `driverdesk ARGS --db DB --now NOW`.
    @discardableResult
    func run(_ arguments: [String], db: String? = nil, now: String? = nil, timeout: TimeInterval = 120, defaults: Bool = true, stdin: String? = nil) throws -> Outcome {
        try Shop.requireBinary()
        let full = defaults ? arguments + ["--db", db ?? self.db, "--now", now ?? self.now] : arguments
        var input: URL?
        if let stdin {
            input = file("stdin-\(UUID().uuidString).txt")
            try Data(stdin.utf8).write(to: input!)
        }
        defer { if let input { try? FileManager.default.removeItem(at: input) } }
        return try Processes.run(Shop.binary, full, environment: environment, folder: folder, stdin: input, timeout: timeout)
    }

    /// Runs and requires exit 0.
    @discardableResult
    func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Outcome {
        let outcome = try run(arguments)
        #expect(outcome.status == 0 && !outcome.signaled, "driverdesk \(arguments.joined(separator: " ")): \(outcome)", sourceLocation: sourceLocation)
        return outcome
    }

    /// `sqlite3 DB SQL`, one row a line, columns separated by `|`.
    func sql(_ query: String, db: String? = nil) throws -> String {
        let outcome = try Processes.run("/usr/bin/sqlite3", ["-batch", db ?? self.db, query], environment: environment, folder: folder)
        if outcome.status != 0 { throw HarnessError.sqlite(query, outcome.stderr) }
        return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func int(_ query: String, db: String? = nil) throws -> Int {
        let text = try sql(query, db: db)
        guard let value = Int(text) else { throw HarnessError.sqlite(query, "not a number: \(text)") }
        return value
    }

    func count(_ table: String, db: String? = nil) throws -> Int { try int("SELECT count(*) FROM \(table)", db: db) }

    func integrity(db: String? = nil) throws -> String { try sql("PRAGMA integrity_check", db: db) }

    /// The database's content as SQL text. Throws unless sqlite3 succeeded and printed a schema: two failed dumps
    /// would otherwise compare equal ("" == "") and "nothing written" would hold for any change.
    func dump(db: String? = nil) throws -> String {
        let outcome = try Processes.run("/usr/bin/sqlite3", ["-bail", db ?? self.db, ".dump"], environment: environment, folder: folder)
        guard outcome.status == 0, !outcome.signaled, outcome.stderr.isEmpty, outcome.stdout.contains("CREATE TABLE") else {
            throw HarnessError.sqlite(".dump", "exit \(outcome.status), stderr: \(outcome.stderr), \(outcome.stdout.utf8.count) bytes out")
        }
        return outcome.stdout
    }

    func snapshot(db: String? = nil) throws -> Snapshot {
        let path = db ?? self.db
        let raw = try Data(contentsOf: URL(fileURLWithPath: path))
        let hashed = try Processes.run("/usr/bin/sha256sum", [path], environment: environment, folder: folder)
        let sha = String(hashed.stdout.prefix(64))
        guard hashed.status == 0, sha.count == 64, sha.allSatisfy(\.isHexDigit) else {
            throw HarnessError.sqlite("sha256sum \(path)", "exit \(hashed.status): \(hashed.stderr)")
        }
        return Snapshot(raw: raw, dump: try dump(db: path), sha256: sha)
    }

    func file(_ name: String) -> URL { folder.appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// 王磊 and 李强, 京A12345 (checked in on 1 November, driven by 王磊 on the 2nd) and 沪B88888, a violation, an invite.
    static func small() throws -> Shop {
        let shop = try Shop()
        try shop.ok("init", "--shop-name", "测试汽修")
        try shop.ok("staff", "add", "--name", "王磊", "--id-number", "110105198803124111", "--license-class", "C1",
                    "--license-first-issued", "2009-05-20", "--license-valid-until", "2031-05-20", "--phone", "13911020001")
        try shop.ok("staff", "add", "--name", "李强", "--id-number", "11010519491231002X", "--license-class", "C1",
                    "--license-first-issued", "2012-08-03", "--license-valid-until", "2028-08-03")
        try shop.ok("vehicle", "add", "--plate", "京A12345", "--owner", "张伟", "--owner-phone", "13800138000", "--engine-last6", "A1B2C3")
        try shop.ok("vehicle", "add", "--plate", "沪B88888", "--owner", "上海某某贸易有限公司")
        try shop.ok("visit", "checkin", "--plate", "京A12345", "--at", "2026-11-01 08:00", "--order", "WO-1")
        try shop.ok("move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-02 10:00", "--to", "2026-11-02 10:30")
        try shop.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:12", "--code", "1625", "--record-no", "R-1")
        try shop.ok("register", "invite", "--plate", "京A12345", "--staff", "李强")
        return shop
    }

    /// The reference of the first invite.
    func firstRef() throws -> String { try sql("SELECT ref FROM registration ORDER BY id LIMIT 1") }
}

enum HarnessError: Error, CustomStringConvertible {
    case missingBinary(String)
    case sqlite(String, String)
    case server(String)

    var description: String {
        switch self {
        case .missingBinary(let path): "the driverdesk binary is not at \(path); run `swift build --product driverdesk` first"
        case .sqlite(let query, let error): "sqlite3 \(query): \(error)"
        case .server(let message): "driverdesk serve: \(message)"
        }
    }
}

/// A seeded generator, so that a failing run can be repeated (the seed is printed by the tests that use it).
typealias SeededGenerator = SplitMix64

/// The seed of a test's random choices (when to kill, which movements to plan): `RELIABILITY_SEED` repeats a run,
/// else the clock picks one. Every failure message of a test that uses it names it (`"\(seed): …"`), so a failure
/// that depends on the draw can be run again as it was.
struct TrialSeed: CustomStringConvertible {
    let value: UInt64

    init() {
        value = UInt64(Scale.environment["RELIABILITY_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970 * 1000)
    }

    var generator: SeededGenerator { SeededGenerator(seed: value) }

    var description: String { "seed \(value) (RELIABILITY_SEED=\(value) repeats it)" }
}

/// Time in a test, for the figures the report gives.
struct Stopwatch {
    let start = Date()
    var seconds: Double { Date().timeIntervalSince(start) }
}

/// Prints a figure line that `swift test` shows (the report's numbers come from these).
func figure(_ text: String) {
    print("[reliability] \(text)")
}

/// Whether an error names what `name` says, in the English form the tests write (`plate:`, `line 3: plate:`) or the
/// Chinese form the command prints by default (`车牌（plate）：`, `第 3 行，车牌（plate）：`, or `plate：` for an input
/// without a Chinese name, such as a setting's key).
func mentions(_ stderr: String, _ name: String) -> Bool {
    if stderr.contains(name) { return true }
    guard name.hasSuffix(":") else { return false }
    var key = String(name.dropLast())
    var place = ""
    if key.hasPrefix("line "), let colon = key.firstIndex(of: ":") {
        place = "第 \(key[key.index(key.startIndex, offsetBy: 5)..<colon]) 行，"
        key = String(key[key.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
    }
    guard place.isEmpty || stderr.contains(place) else { return false }
    return stderr.contains("\(place)\(key)：") || stderr.range(of: "\(place)[^：（\\n]*（\(key)）：", options: .regularExpression) != nil
}
