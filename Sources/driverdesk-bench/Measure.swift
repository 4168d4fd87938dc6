import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Repeated timings of one piece of work: the median and the spread are what the tables report.
///
/// `runs` hold one figure per repetition, in the row's unit (seconds, requests per second or megabytes).
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

    /// The nearest-rank percentile of a sample (`p` from 0 to 100).
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
    }
}

/// One line of the results: our figure, the yardstick's, their ratio, and whether the target holds.
struct Row: Codable {
    var name: String
    var ours: Timing
    var yardstickName: String
    var yardstick: Timing?
    var target: String
    /// What `ratio` divides: e.g. "ours ÷ sqlite3" (lower is better) or "qrencode ÷ ours" (higher is better).
    var ratio: Double?
    var met: Bool?
    var note: String
    /// `s` (seconds), `req/s` or `MB`.
    var unit: String = "s"
    var ratioMeaning: String = ""

    func format(_ value: Double) -> String {
        switch unit {
        case "req/s": return value >= 100 ? String(format: "%.0f req/s", value) : String(format: "%.1f req/s", value)
        case "MB": return String(format: "%.1f MB", value)
        default: return seconds(value)
        }
    }
}

/// What the benchmark ran on, for the JSON file and the README.
struct Machine: Codable {
    var cores: Int
    var cpu: String
    var memoryGB: Double
    var os: String
    var kernel: String

    /// The 1, 5 and 15 minute load averages: anything else busy on the machine shows here.
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func current() -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let cpu = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let kb = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { Double($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let os = release.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { String($0.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? "unknown"
        let kernel = ((try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return Machine(cores: ProcessInfo.processInfo.activeProcessorCount, cpu: cpu, memoryGB: (kb / 1024 / 1024 * 10).rounded() / 10, os: os, kernel: kernel)
    }
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

/// A finished child process: how long it took from spawn to exit, and (when asked) its peak memory.
struct Finished {
    var status: Int32
    var seconds: Double
    /// GNU time's %M (the child's own maximum resident set), in MB; 0 when not measured.
    var peakMB: Double
    var stdout: String
    var stderr: String
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
}

/// Starts a program with posix_spawn; stdout and stderr go to files (or /dev/null).
func spawn(_ path: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, stdout: String? = nil,
           stderr: String? = nil) throws -> pid_t {
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in argv { free(pointer) }
        for pointer in envp { free(pointer) }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var pid: pid_t = 0
    let result = posix_spawn(&pid, path, &actions, nil, argv, envp)
    guard result == 0 else { throw BenchFailure(description: "cannot start \(path): \(String(cString: strerror(result)))") }
    return pid
}

/// Waits for a child; returns its exit status.
///
/// Not its ru_maxrss: glibc's posix_spawn starts the child with vfork semantics, and Linux folds the high-water mark of the
/// memory the child shared with this (large) process into the child's ru_maxrss at exec. GNU time, a small process that
/// forks, gives the child's own figure; `runMeasured(memory: true)` uses it.
@discardableResult
func reap(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

/// Runs a program to its end, timed from spawn to exit. With `memory`, it runs under `/usr/bin/time -f %M`
/// (about a millisecond more), for its peak resident memory.
func runMeasured(_ path: String, _ arguments: [String], environment: [String: String] = [:], stdinText: String? = nil, scratch: URL,
                 capture: Bool = false, memory: Bool = false) throws -> Finished {
    let out = scratch.appendingPathComponent("child-\(UInt32.random(in: 0...UInt32.max)).out").path
    let err = out + ".err"
    let peakFile = out + ".rss"
    let input = out + ".in"
    defer {
        unlink(out)
        unlink(err)
        unlink(peakFile)
        unlink(input)
    }
    if let stdinText { try Data(stdinText.utf8).write(to: URL(fileURLWithPath: input)) }
    let (program, list) = memory ? ("/usr/bin/time", ["-f", "%M", "-o", peakFile, path] + arguments) : (path, arguments)
    let start = DispatchTime.now().uptimeNanoseconds
    let pid = try spawn(program, list, environment: environment, stdin: stdinText == nil ? nil : input, stdout: capture ? out : nil, stderr: err)
    let status = reap(pid)
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let stdoutText = capture ? ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "") : ""
    let stderrText = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
    var peak = 0.0
    if memory {
        let text = (try? String(contentsOfFile: peakFile, encoding: .utf8)) ?? ""
        // The last line is %M; a line before it says when the child was killed by a signal.
        peak = (text.split(separator: "\n").last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? 0) / 1024
    }
    return Finished(status: status, seconds: elapsed, peakMB: peak, stdout: stdoutText, stderr: stderrText)
}

/// Runs a program that must succeed; throws with its stderr otherwise.
@discardableResult
func runChecked(_ path: String, _ arguments: [String], environment: [String: String] = [:], stdinText: String? = nil, scratch: URL,
                capture: Bool = false, memory: Bool = false) throws -> Finished {
    let finished = try runMeasured(path, arguments, environment: environment, stdinText: stdinText, scratch: scratch, capture: capture, memory: memory)
    guard finished.status == 0 else {
        throw BenchFailure(description: "\((path as NSString).lastPathComponent) \(arguments.prefix(3).joined(separator: " ")) exited with \(finished.status): \(finished.stderr.suffix(2000))")
    }
    return finished
}

/// A memory figure of a running process from /proc/PID/status, in MB (VmRSS now, VmHWM the peak).
func procStatusMB(_ pid: pid_t, _ field: String) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if parts.count >= 2, let kb = Double(parts[1]) { return kb / 1024 }
    }
    return nil
}

/// Copies a database file (and its WAL, if a writer left one) to a fresh place, so that every run starts alike.
func copyDatabase(_ source: String, to destination: String) throws {
    let fm = FileManager.default
    for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: destination + suffix) }
    try fm.copyItem(atPath: source, toPath: destination)
    if fm.fileExists(atPath: source + "-wal") { try fm.copyItem(atPath: source + "-wal", toPath: destination + "-wal") }
}

func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

func seconds(_ value: Double) -> String {
    value >= 1 ? String(format: "%.2f s", value) : value >= 0.001 ? String(format: "%.1f ms", value * 1000) : String(format: "%.0f µs", value * 1e6)
}

/// Progress on stderr, so that stdout stays the table.
func report(_ message: String) {
    FileHandle.standardError.write(Data("[bench] \(message)\n".utf8))
}

/// Wall-clock time of a block, in seconds.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = try body()
    return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// Latencies of many questions asked again and again: per run its p50 and p99, the slowest answer of all, and how
/// often each kind of answer came in the first run.
struct QuestionRuns {
    var p50: [Double] = []
    var p99: [Double] = []
    var worst = 0.0
    var kinds: [String: Int] = [:]

    /// The first run's kinds of answer, as "3557 movement, 3983 outsideCustody".
    var mix: String { kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") }

    /// Asks every question `runs` times, timing each answer; `ask` returns the kind of its answer (nil: not counted).
    static func measure<Question>(_ questions: [Question], runs: Int, label: String?, _ ask: (Question) throws -> String?) rethrows -> QuestionRuns {
        var result = QuestionRuns()
        for run in 0..<runs {
            if let label { report("\(label), run \(run + 1) of \(runs)") }
            var latencies: [Double] = []
            latencies.reserveCapacity(questions.count)
            for question in questions {
                let (kind, elapsed) = try timed { try ask(question) }
                latencies.append(elapsed)
                if run == 0, let kind { result.kinds[kind, default: 0] += 1 }
            }
            result.p50.append(Timing.percentile(latencies, 50))
            result.p99.append(Timing.percentile(latencies, 99))
            result.worst = Swift.max(result.worst, latencies.max() ?? 0)
        }
        return result
    }
}
