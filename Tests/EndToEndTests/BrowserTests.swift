import Foundation
import Testing

/// A real browser against a running `driverdesk serve`: what the front desk sees, saved as test artefacts.
@Suite("End to end: the front desk in headless Chromium")
struct BrowserTests {
    func waitForServer(port: Int) throws {
        for _ in 0..<100 {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            probe.arguments = ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"]
            probe.standardError = FileHandle.nullDevice
            try probe.run()
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("the server did not start on port \(port)")
    }

    @Test("the dashboard and an invite print view render with Chinese text; the invite's QR decodes from the screenshot")
    func screenshots() throws {
        let browser = try SlipPrintTests().chromium()
        let cli = try CLI.shop()
        try cli.ok("move", "start", "--plate", "京A12345", "--staff", "王磊", "--at", "2026-11-20 10:00")
        let invite = try cli.ok("register", "invite", "--plate", "沪B88888", "--staff", "李强", "--json").object()
        let ref = try #require(invite["ref"] as? String)
        let payload = try #require(invite["payload"] as? String)
        let port = Int.random(in: 20_000...40_000)
        let server = Process()
        server.executableURL = CLI.binary
        server.arguments = ["serve", "--db", cli.db, "--port", String(port), "--now", cli.now]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        try waitForServer(port: port)

        let folder = SlipPrintTests.artifacts
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let dashboard = folder.appendingPathComponent("browser-dashboard.png").path
        let slip = folder.appendingPathComponent("browser-invite-print.png").path
        #expect(try tool(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,1000",
                                   "--screenshot=\(dashboard)", "http://127.0.0.1:\(port)/"]) == 0)
        #expect(try tool(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=900,1400",
                                   "--screenshot=\(slip)", "http://127.0.0.1:\(port)/invites/\(ref)/print?paper=a5"]) == 0)
        #expect(FileManager.default.fileExists(atPath: dashboard))
        #expect(try zbar(slip) == payload)

        // What the browser shows as text: the dashboard's Chinese headings and the car being driven.
        let dumped = Process()
        dumped.executableURL = URL(fileURLWithPath: browser)
        dumped.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "http://127.0.0.1:\(port)/"]
        let out = Pipe()
        dumped.standardOutput = out
        dumped.standardError = FileHandle.nullDevice
        try dumped.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        dumped.waitUntilExit()
        #expect(dom.contains("在店车辆") && dom.contains("京A12345") && dom.contains("王磊"))
    }
}
