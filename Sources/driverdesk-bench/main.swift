import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `driverdesk-bench [--scale small|default] [--seed N] [--json FILE] [--keep DIR] [--only SECTIONS] [--chain-shops N]`: DriverDesk's speed against the tools that set the limit,
/// on a SQLite file and on a chain of shops on PostgreSQL (`postgres`).
enum DriverDeskBench {
    static func run(_ path: String, _ arguments: [String], stdin: FileHandle? = nil) throws {
        _ = try driverdesk_bench.run(path, arguments, stdin: stdin)
    }

    /// The folder holding Package.swift, templates/ and data/: above this binary, else the current directory.
    static func projectRoot() -> URL {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let home = ProcessInfo.processInfo.environment["DRIVERDESK_HOME"], !home.isEmpty { candidates.append(URL(fileURLWithPath: home)) }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var folder = executable.deletingLastPathComponent()
            for _ in 0..<6 {
                candidates.append(folder)
                folder = folder.deletingLastPathComponent()
            }
        }
        candidates.append(URL(fileURLWithPath: fm.currentDirectoryPath))
        return candidates.first { fm.fileExists(atPath: $0.appendingPathComponent("data/violation-codes.csv").path)
            && fm.fileExists(atPath: $0.appendingPathComponent("templates").path) } ?? URL(fileURLWithPath: fm.currentDirectoryPath)
    }
}

var scale = Scale.standard
var jsonPath: String?
var keepFolder: String?
var only: Set<String>?
let sections: Set<String> = ["import", "who", "cleanup", "invites", "web", "postgres"]
var arguments = Array(CommandLine.arguments.dropFirst())
func usage() -> Never {
    FileHandle.standardError.write(Data("usage: driverdesk-bench [--scale small|default] [--seed N] [--json FILE] [--keep DIR] [--only import,who,cleanup,invites,web,postgres] [--chain-shops N]\n".utf8))
    exit(2)
}
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--scale":
        guard let value = arguments.first else { usage() }
        arguments.removeFirst()
        switch value {
        case "small": scale = .small
        case "default": scale = .standard
        default: usage()
        }
    case "--seed":
        guard let value = arguments.first.flatMap({ UInt64($0) }) else { usage() }
        arguments.removeFirst()
        scale.seed = value
    case "--json":
        guard let value = arguments.first else { usage() }
        arguments.removeFirst()
        jsonPath = value
    case "--only":
        guard let value = arguments.first else { usage() }
        arguments.removeFirst()
        let chosen = Set(value.split(separator: ",").map(String.init))
        guard chosen.isSubset(of: sections) else { usage() }
        only = chosen
    case "--chain-shops":
        // The PostgreSQL chain's size: 500 (three years of a smaller chain, the default) or from 1,000 a month of a big
        // one (10 staff a shop; 5,000 shops hold 4.5 million movements).
        guard let value = arguments.first.flatMap({ Int($0) }), value >= 2 else { usage() }
        arguments.removeFirst()
        scale.shops = value
    case "--keep":
        guard let value = arguments.first else { usage() }
        arguments.removeFirst()
        keepFolder = value
    default:
        usage()
    }
}

let started = Date()
let loadAtStart = Machine.loadAverage()
let root = DriverDeskBench.projectRoot()
setenv("DRIVERDESK_HOME", root.path, 1)
let binFolder = Bundle.main.executableURL!.resolvingSymlinksInPath().deletingLastPathComponent()
let driverdesk = binFolder.appendingPathComponent("driverdesk").path
guard FileManager.default.isExecutableFile(atPath: driverdesk) else {
    FileHandle.standardError.write(Data("driverdesk-bench: \(driverdesk) is missing; build it first: swift build -c release --product driverdesk\n".utf8))
    exit(3)
}
let sqlite3 = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) }
guard let sqlite3, FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
    FileHandle.standardError.write(Data("driverdesk-bench: needs sqlite3 and wrk (apt-get install -y sqlite3 wrk)\n".utf8))
    exit(3)
}
let folder = keepFolder.map { URL(fileURLWithPath: $0) }
    ?? FileManager.default.temporaryDirectory.appendingPathComponent("driverdesk-bench-\(ProcessInfo.processInfo.processIdentifier)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { if keepFolder == nil { try? FileManager.default.removeItem(at: folder) } }
let tools = Tools(root: root, driverdesk: driverdesk, sqlite3: sqlite3, scratch: folder,
                  environment: ["DRIVERDESK_HOME": root.path, "DRIVERDESK_OPERATOR": "bench"])

@MainActor func wanted(_ section: String) -> Bool { only?.contains(section) ?? true }

// The chain.
let chain = Chain(scale: scale, folder: folder)
var databaseBytes = 0
var csvBytes = 0
if !(only ?? sections).subtracting(["invites", "postgres"]).isEmpty {
    report("generating the chain (scale \(scale.name), seed \(scale.seed)) in \(folder.path)")
    let (_, generateTime) = try timed { try chain.generate() }
    let (_, csvTime) = try timed { try chain.writeCameraFile(root: root) }
    databaseBytes = (try? FileManager.default.attributesOfItem(atPath: chain.databasePath)[.size] as? Int) ?? 0
    csvBytes = (try? FileManager.default.attributesOfItem(atPath: chain.csvPath)[.size] as? Int) ?? 0
    report(String(format: "chain written in %.1f s (%.0f MB), camera file in %.1f s (%.1f MB)", generateTime, Double(databaseBytes) / 1e6, csvTime, Double(csvBytes) / 1e6))
}

var rows: [Row] = []
var importedPath: String?
if wanted("import") || wanted("cleanup") || wanted("web") {
    // Cleanup and the second dashboard run on the chain as the import leaves it.
    let (importRows, imported) = try ChainBench.importRows(chain: chain, tools: tools, runs: wanted("import") ? scale.importRuns : 1)
    importedPath = imported
    if wanted("import") { rows += importRows }
    if wanted("cleanup") {
        report("cleanup")
        rows += try ChainBench.cleanupRows(source: imported, tools: tools, runs: scale.cleanupRuns,
                                           description: "the whole chain with its \(scale.records.grouped) imported violations")
    }
}
if wanted("who") {
    rows += try ChainBench.whoRows(chain: chain, tools: tools, scale: scale)
}
if wanted("invites") {
    report("invites")
    let inviteFolder = folder.appendingPathComponent("invites")
    try FileManager.default.createDirectory(at: inviteFolder, withIntermediateDirectories: true)
    rows += try InviteBench.run(count: scale.invites, times: scale.inviteRuns, folder: inviteFolder)
    try? FileManager.default.removeItem(at: inviteFolder)
}
if wanted("web") {
    rows += try await WebBench.run(target: WebBench.fileTarget(chain.databasePath, tools: tools, label: "the SQLite file"), afterImport: importedPath,
                                   tools: tools, scale: scale)
}
if wanted("postgres") {
    rows += try await PostgresBench.run(scale: scale, tools: tools, root: root)
}

// The table.
let machine = Machine.current()
let chainFacts = chain.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.grouped)" }.joined(separator: ", ")
print("DriverDesk benchmark, scale \(scale.name) (seed \(scale.seed)), \(String(format: "%.0f", Date().timeIntervalSince(started))) s in all")
print("Machine: \(machine.cores) cores, \(machine.cpu), \(machine.memoryGB) GB, \(machine.os), Linux \(machine.kernel); load average \(loadAtStart) at the start, \(Machine.loadAverage()) at the end")
if !chain.counts.isEmpty { print("Chain: \(chainFacts); database \(String(format: "%.0f", Double(databaseBytes) / 1e6)) MB, camera file \(String(format: "%.1f", Double(csvBytes) / 1e6)) MB (GB18030)") }
print("")
print("| measurement | ours: median (min–max) | yardstick | yardstick median | ratio | target | |")
print("|---|---|---|---|---|---|---|")
for row in rows {
    let ours = row.ours.runs.count > 1 ? "\(row.format(row.ours.median)) (\(row.format(row.ours.min))–\(row.format(row.ours.max)))" : row.format(row.ours.median)
    let yard = row.yardstick.map { row.format($0.median) } ?? "-"
    let ratio = row.ratio.map { String(format: $0 < 0.1 ? "%.3f" : "%.2f", $0) + " (\(row.ratioMeaning.isEmpty ? "yardstick ÷ ours" : row.ratioMeaning))" } ?? "-"
    let verdict = row.met.map { $0 ? "met" : "**MISSED**" } ?? ""
    print("| \(row.name) | \(ours) | \(row.yardstickName) | \(yard) | \(ratio) | \(row.target) | \(verdict) |")
}
print("")
print("Notes:")
for row in rows where !row.note.isEmpty { print("- \(row.name): \(row.note)") }
let missed = rows.filter { $0.met == false }
print("")
print(missed.isEmpty ? "Every target met." : "Missed: " + missed.map(\.name).joined(separator: "; "))

struct Results: Codable {
    var scale: Scale
    var machine: Machine
    var chain: [String: Int]
    var databaseBytes: Int
    var csvBytes: Int
    var seconds: Double
    var loadAverage: [String]
    var rows: [Row]
}
if let jsonPath {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let results = Results(scale: scale, machine: machine, chain: chain.counts, databaseBytes: databaseBytes, csvBytes: csvBytes,
                          seconds: Date().timeIntervalSince(started), loadAverage: [loadAtStart, Machine.loadAverage()], rows: rows)
    try encoder.encode(results).write(to: URL(fileURLWithPath: jsonPath))
}
