import Foundation

/// Repeated timings of one piece of work: the median and the spread are what the tables report.
struct Timing: Codable {
    var runs: [Double]

    var median: Double {
        let sorted = runs.sorted()
        return sorted.isEmpty ? 0 : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
    var min: Double { runs.min() ?? 0 }
    var max: Double { runs.max() ?? 0 }

    static func measure(times: Int, _ body: () throws -> Void) rethrows -> Timing {
        var runs: [Double] = []
        for _ in 0..<times {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            runs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Timing(runs: runs)
    }
}

/// One line of the results: our figure, the yardstick's, their ratio, and whether the target holds.
struct Row: Codable {
    var name: String
    var ours: Timing
    var yardstickName: String
    var yardstick: Timing?
    var target: String
    var ratio: Double?
    var met: Bool?
    var note: String
}

/// Runs a command and waits; returns its exit status.
@discardableResult
func run(_ path: String, _ arguments: [String], stdin: FileHandle? = nil) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    if let stdin { process.standardInput = stdin }
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

func seconds(_ value: Double) -> String {
    value >= 1 ? String(format: "%.2f s", value) : value >= 0.001 ? String(format: "%.1f ms", value * 1000) : String(format: "%.0f µs", value * 1e6)
}
