import Foundation

/// `driverdesk-bench [--scale small|default] [--json FILE]`: DriverDesk's speed against the tools that set the limit.
enum DriverDeskBench {
    static func run(_ path: String, _ arguments: [String], stdin: FileHandle? = nil) throws {
        _ = try driverdesk_bench.run(path, arguments, stdin: stdin)
    }
}

var scale = "default"
var jsonPath: String?
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--scale": scale = arguments.isEmpty ? scale : arguments.removeFirst()
    case "--json": jsonPath = arguments.isEmpty ? nil : arguments.removeFirst()
    default:
        FileHandle.standardError.write(Data("usage: driverdesk-bench [--scale small|default] [--json FILE]\n".utf8))
        exit(2)
    }
}
let small = scale == "small"
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("driverdesk-bench-\(ProcessInfo.processInfo.processIdentifier)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }

var rows: [Row] = []
rows += try InviteBench.run(count: small ? 100 : 1000, times: small ? 2 : 5, folder: folder)

print("DriverDesk benchmark (scale \(scale), \(ProcessInfo.processInfo.activeProcessorCount) cores)")
print("")
for row in rows {
    let ratio = row.ratio.map { String(format: "%.1f×", $0) } ?? "-"
    let yard = row.yardstick.map { seconds($0.median) } ?? "-"
    let verdict = row.met.map { $0 ? "met" : "MISSED" } ?? ""
    print("\(row.name): \(seconds(row.ours.median)) (\(seconds(row.ours.min))–\(seconds(row.ours.max))) | \(row.yardstickName): \(yard) | ratio \(ratio) | target \(row.target) \(verdict)")
    if !row.note.isEmpty { print("  \(row.note)") }
}
if let jsonPath {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(rows).write(to: URL(fileURLWithPath: jsonPath))
}
