import DriverDeskApp
import DriverDeskWeb
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// What one wrk run reported.
struct WrkResult {
    var requestsPerSecond: Double
    var p50: Double
    var p99: Double
    var requests: Int
    var non2xx: Int
    var socketErrors: String
}

/// The front desk's dashboard under wrk, against a minimal Hummingbird route served by this same build.
///
/// On the main actor: waiting for wrk blocks the main thread, not one of the (two, on two cores) threads of the
/// concurrency pool that the servers' handlers run on.
@MainActor
enum WebBench {
    /// The shop whose dashboard is measured: how to open it in this process, and the `--db` of its `driverdesk serve`.
    struct Target {
        var label: String
        var database: String
        var open: () throws -> Shop
        var rssLimitMB: Double
        /// The least share of the minimal route's requests per second the dashboard must serve (a chain's: issue 28).
        var share: Double = 0.25
        /// After the measurements (a copied file is removed).
        var done: () -> Void = {}
    }

    /// The minimal route's figures, measured once per benchmark run and shared by every dashboard's rows.
    static var minimal: [WrkResult]?

    /// The yardstick: one GET route returning a short string, served by this same build.
    static func minimalRoute(scale: Scale) async throws -> [WrkResult] {
        if let minimal { return minimal }
        var results: [WrkResult] = []
        let port = try freePort()
        let router = Router()
        router.get("/") { _, _ in "DriverDesk\n" }
        var logger = Logger(label: "bench.minimal")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "bench"), logger: logger)
        let server = Server(app)
        try waitForServer(port: port)
        _ = try wrk(port: port, seconds: max(1, scale.wrkSeconds / 5))
        for run in 0..<scale.wrkRuns {
            report("wrk minimal route, run \(run + 1) of \(scale.wrkRuns)")
            results.append(try wrk(port: port, seconds: scale.wrkSeconds))
        }
        await server.stop()
        minimal = results
        return results
    }

    /// A SQLite file's dashboard: a copy of it, so that the runs leave the file as it was.
    static func fileTarget(_ databasePath: String, tools: Tools, label: String) throws -> Target {
        let copy = tools.path("dashboard.sqlite")
        try copyDatabase(databasePath, to: copy)
        return Target(label: label, database: copy, open: { try Shop.open(path: copy, connections: .pool) }, rssLimitMB: 64,
                      done: { removeDatabase(copy) })
    }

    static func run(target: Target, afterImport: String?, tools: Tools, scale: Scale) async throws -> [Row] {
        let now = Date(timeIntervalSince1970: TimeInterval(Chain.now))
        let wrkSeconds = scale.wrkSeconds
        let warmup = max(1, wrkSeconds / 5)
        let label = target.label
        let minimal = try await minimalRoute(scale: scale)
        defer { target.done() }

        // The dashboard in this process, a fresh server (and so fresh sessions) per run.
        let shop = try target.open()
        var fresh: [WrkResult] = []
        var browser: [WrkResult] = []
        var pageBytes = 0
        for run in 0..<scale.wrkRuns {
            let port = try freePort()
            let app = try buildApplication(shop: shop, settings: ServerSettings(host: "127.0.0.1", port: port, clock: { now }, operatorName: "bench"))
            let server = Server(app)
            try waitForServer(port: port)
            guard let page = httpGet(port: port, path: "/"), page.status == 200 else {
                await server.stop()
                throw BenchFailure(description: "the dashboard did not answer 200 on GET /")
            }
            pageBytes = page.body.count
            // A browser keeps its session cookie: the realistic load.
            let cookie = page.headers.compactMap { line -> String? in
                guard line.lowercased().hasPrefix("set-cookie:") else { return nil }
                return line.dropFirst("set-cookie:".count).split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
            }.first
            let headers = cookie.map { ["Cookie: \($0)"] } ?? []
            _ = try wrk(port: port, seconds: warmup, headers: headers)
            report("wrk dashboard with a session cookie, run \(run + 1) of \(scale.wrkRuns)")
            browser.append(try wrk(port: port, seconds: wrkSeconds, headers: headers))
            await server.stop()

            // Plain wrk sends no cookie: every request starts a new session.
            let port2 = try freePort()
            let app2 = try buildApplication(shop: shop, settings: ServerSettings(host: "127.0.0.1", port: port2, clock: { now }, operatorName: "bench"))
            let server2 = Server(app2)
            try waitForServer(port: port2)
            report("wrk dashboard without cookies, run \(run + 1) of \(scale.wrkRuns)")
            fresh.append(try wrk(port: port2, seconds: wrkSeconds))
            await server2.stop()
        }
        try shop.close()

        // The real server as its own process, for its memory after the load.
        let port = try freePort()
        let serverLog = tools.path("serve.log")
        let pid = try spawn(tools.driverdesk, ["serve", "--db", target.database, "--port", "\(port)", "--now", Chain.nowText],
                            environment: tools.environment, stdout: serverLog, stderr: serverLog)
        var served: WrkResult?
        var idle = 0.0
        var after = 0.0
        var high = 0.0
        do {
            defer { stopServer(pid) }
            try waitForServer(port: port)
            _ = httpGet(port: port, path: "/")
            idle = procStatusMB(pid, "VmRSS") ?? 0
            report("wrk driverdesk serve process (no cookies)")
            served = try wrk(port: port, seconds: wrkSeconds)
            after = procStatusMB(pid, "VmRSS") ?? 0
            high = procStatusMB(pid, "VmHWM") ?? 0
        }

        func t(_ list: [WrkResult], _ key: KeyPath<WrkResult, Double>) -> Timing { Timing(runs: list.map { $0[keyPath: key] }) }
        let minRPS = t(minimal, \.requestsPerSecond)
        let minP99 = t(minimal, \.p99)
        var rows: [Row] = []
        for (name, list) in [("with a session cookie (a browser)", browser), ("without cookies (plain wrk: a new session per request)", fresh)] {
            let rps = t(list, \.requestsPerSecond)
            let p99 = t(list, \.p99)
            let ratio = rps.median / minRPS.median
            let errors = Set(list.map(\.socketErrors)).joined(separator: "; ")
            rows.append(Row(name: "dashboard GET / \(name) on \(label): throughput", ours: rps, yardstickName: "minimal Hummingbird route, same build",
                            yardstick: minRPS, target: String(format: "≥ %.0f%% of minimal", target.share * 100), ratio: ratio,
                            met: ratio >= target.share,
                            note: "wrk -t2 -c32 -d\(wrkSeconds)s --latency, in the bench process; page \(pageBytes.grouped) bytes; \(list.map(\.requests).map(\.grouped).joined(separator: "/")) requests"
                                + (errors.isEmpty ? "" : "; socket errors: \(errors)") + (list.contains { $0.non2xx > 0 } ? "; non-2xx: \(list.map(\.non2xx))" : ""),
                            unit: "req/s", ratioMeaning: "ours ÷ minimal"))
            rows.append(Row(name: "dashboard \(name) on \(label): p99 latency", ours: p99, yardstickName: "minimal route p99", yardstick: minP99, target: "< 20 ms",
                            ratio: p99.median / minP99.median, met: p99.median < 0.020,
                            note: "p50 \(seconds(t(list, \.p50).median)) (minimal \(seconds(t(minimal, \.p50).median)))", ratioMeaning: "ours ÷ minimal"))
        }
        rows.append(Row(name: "driverdesk serve RSS after the load on \(label)", ours: Timing(runs: [after]), yardstickName: "-", yardstick: nil,
                        target: String(format: "< %.0f MB", target.rssLimitMB), ratio: nil, met: after < target.rssLimitMB,
                        note: "separate process, /proc VmRSS; idle after one page \(String(format: "%.1f", idle)) MB, peak (VmHWM) \(String(format: "%.1f", high)) MB; "
                            + "that run: \(String(format: "%.0f", served?.requestsPerSecond ?? 0)) req/s, p99 \(seconds(served?.p99 ?? 0)) (wrk without cookies)",
                        unit: "MB"))
        if let afterImport { rows += try dashboardAfterImport(afterImport, tools: tools, requests: 3) }
        return rows
    }

    /// Stops a `driverdesk serve` this benchmark started, and waits for it.
    static func stopServer(_ pid: pid_t) {
        kill(pid, SIGTERM)
        _ = reap(pid)
    }

    /// The dashboard of the chain once the camera records are in: one request at a time from a `driverdesk serve` process.
    static func dashboardAfterImport(_ source: String, tools: Tools, requests: Int) throws -> [Row] {
        let copy = tools.path("dashboard-imported.sqlite")
        try copyDatabase(source, to: copy)
        defer { removeDatabase(copy) }
        let port = try freePort()
        let pid = try spawn(tools.driverdesk, ["serve", "--db", copy, "--port", "\(port)", "--now", Chain.nowText], environment: tools.environment,
                            stdout: tools.path("serve-imported.log"), stderr: tools.path("serve-imported.log"))
        var times: [Double] = []
        var bytes = 0
        var after = 0.0
        var high = 0.0
        do {
            defer { stopServer(pid) }
            try waitForServer(port: port)
            for index in 0..<requests {
                report("dashboard after the import, request \(index + 1) of \(requests)")
                let (page, elapsed) = timed { httpGet(port: port, path: "/") }
                guard let page, page.status == 200 else { throw BenchFailure(description: "the dashboard after the import did not answer 200") }
                times.append(elapsed)
                bytes = page.body.utf8.count
            }
            after = procStatusMB(pid, "VmRSS") ?? 0
            high = procStatusMB(pid, "VmHWM") ?? 0
        }
        let latency = Timing(runs: times)
        return [
            Row(name: "dashboard GET / on the SQLite file after the import (driverdesk serve, one request at a time)", ours: latency, yardstickName: "-",
                yardstick: nil, target: "< 20 ms", ratio: nil, met: latency.median < 0.020,
                note: "no concurrency: each request alone; page \(bytes.grouped) bytes"),
            Row(name: "driverdesk serve RSS after \(requests) dashboards of the imported SQLite file", ours: Timing(runs: [after]), yardstickName: "-",
                yardstick: nil, target: "< 64 MB", ratio: nil, met: after < 64, note: "peak (VmHWM) \(String(format: "%.1f", high)) MB", unit: "MB"),
        ]
    }

    /// A server running in this process until `stop()`, shut down gracefully.
    final class Server: Sendable {
        let group: ServiceGroup
        let task: Task<Void, any Error>

        init(_ service: some Service) {
            var logger = Logger(label: "bench.server")
            logger.logLevel = .critical
            let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [], logger: logger))
            self.group = group
            task = Task.detached { try await group.run() }
        }

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = await task.result
        }
    }

    // MARK: - wrk

    static func wrk(port: Int, seconds: Int, headers: [String] = []) throws -> WrkResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t2", "-c32", "-d\(seconds)s", "--latency", "--timeout", "30s"] + headers.flatMap { ["-H", $0] } + ["http://127.0.0.1:\(port)/"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw BenchFailure(description: "wrk failed: \(text)") }
        return try parseWrk(text)
    }

    static func parseWrk(_ text: String) throws -> WrkResult {
        var result = WrkResult(requestsPerSecond: 0, p50: 0, p99: 0, requests: 0, non2xx: 0, socketErrors: "")
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if line.hasPrefix("Requests/sec:"), parts.count >= 2 { result.requestsPerSecond = Double(parts[1]) ?? 0 }
            if line.hasPrefix("50%"), parts.count >= 2 { result.p50 = duration(parts[1]) }
            if line.hasPrefix("99%"), parts.count >= 2 { result.p99 = duration(parts[1]) }
            if line.contains("requests in"), let first = parts.first { result.requests = Int(first) ?? 0 }
            if line.hasPrefix("Non-2xx or 3xx responses:"), let last = parts.last { result.non2xx = Int(last) ?? 0 }
            if line.hasPrefix("Socket errors:") { result.socketErrors = String(line.dropFirst("Socket errors: ".count)) }
        }
        guard result.requestsPerSecond > 0 || result.requests == 0 else { throw BenchFailure(description: "cannot read wrk's output: \(text)") }
        return result
    }

    /// `12.34ms`, `456.00us`, `1.20s`, `1.00m` in seconds.
    static func duration(_ text: String) -> Double {
        for (suffix, factor) in [("us", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0), ("h", 3600.0)] where text.hasSuffix(suffix) {
            return (Double(text.dropLast(suffix.count)) ?? 0) * factor
        }
        return Double(text) ?? 0
    }

    // MARK: - Sockets

    /// A loopback port nobody listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchFailure(description: "socket() failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw BenchFailure(description: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    static func waitForServer(port: Int, timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if httpGet(port: port, path: "/static/does-not-exist") != nil { return }
            usleep(50_000)
        }
        throw BenchFailure(description: "no server answered on 127.0.0.1:\(port) within \(Int(timeout)) s")
    }

    /// One GET over a fresh connection: status, header lines and body.
    static func httpGet(port: Int, path: String, cookie: String? = nil) -> (status: Int, headers: [String], body: String)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n" + (cookie.map { "Cookie: \($0)\r\n" } ?? "") + "\r\n"
        let sent = request.withCString { send(fd, $0, strlen($0), 0) }
        guard sent > 0 else { return nil }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.hasPrefix("HTTP/") else { return nil }
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, Array(head.dropFirst()), String(text[split.upperBound...]))
    }
}
