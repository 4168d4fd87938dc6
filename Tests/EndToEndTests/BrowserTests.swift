import Foundation
import Testing

/// A real browser against a running `driverdesk serve`: what the front desk sees and does, saved as test artefacts.
@Suite("End to end: the front desk in headless Chromium")
struct BrowserTests {
    /// `driverdesk serve` on a free loopback port, its clock fixed at `now`; `stop()` ends it.
    final class Server {
        let url: String
        let port: Int
        private let process = Process()

        /// `port`: the one a stopped server used (a phone's link names it), else a free one.
        init(_ cli: CLI, now: String, port: Int? = nil, arguments extra: [String] = []) throws {
            let port = try port ?? freeLoopbackPort()
            self.port = port
            url = (extra.contains("--tls-cert") ? "https" : "http") + "://127.0.0.1:\(port)/"
            let log = cli.folder.appendingPathComponent("serve-\(port).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = CLI.binary
            process.arguments = ["serve", "--db", cli.db, "--port", String(port), "--now", now] + extra
            var environment = ProcessInfo.processInfo.environment
            for key in ["DRIVERDESK_DB", "DRIVERDESK_NOW", "DRIVERDESK_OPERATOR"] { environment.removeValue(forKey: key) }
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
            for _ in 0..<100 {
                guard process.isRunning else {
                    throw ToolFailure(description: "driverdesk serve exited \(process.terminationStatus): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
                }
                if try tool("/usr/bin/env", ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"]) == 0 { return }
                Thread.sleep(forTimeInterval: 0.1)
            }
            stop()
            throw ToolFailure(description: "driverdesk serve did not listen on port \(port) within 10 s")
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    /// What one step wrote to the database.
    struct Written: Equatable, CustomStringConvertible {
        /// The new audit entries, each as "OPERATOR ACTION AT".
        var audit: [String]
        /// The tables whose rows the database's dump shows added, changed or removed.
        var tables: [String]
        var description: String { "audit \(audit), tables \(tables)" }
    }

    /// Runs a step and returns what it wrote: the audit entries it added (through `driverdesk audit --json`) and, from
    /// the dumps before and after, the tables it touched; anything written outside the audited tables shows there too.
    func written(_ cli: CLI, by step: () throws -> Void) throws -> Written {
        let entries = { try cli.ok("audit", "--json").array() }
        let before = try cli.dump(), known = Set(try entries().compactMap { $0["id"] as? Int })
        try step()
        let after = try cli.dump()
        let audit = try entries().filter { !known.contains($0["id"] as? Int ?? 0) }
            .map { "\($0["operator"] as? String ?? "?") \($0["action"] as? String ?? "?") \($0["at"] as? String ?? "?")" }
        let old = before.split(separator: "\n"), new = after.split(separator: "\n")
        let changed = Set(new).symmetricDifference(Set(old)).map { line -> String in
            // `INSERT INTO movement VALUES(…)` is a row of movement; any other line (a schema change) is shown whole. On a
            // chain, a line is one table's digest (`movement 3 <md5>`): its first word names the table.
            if cli.backend == .postgres { return String(line.prefix { $0 != " " }) }
            guard line.hasPrefix("INSERT INTO ") else { return String(line) }
            return String(line.dropFirst(12).prefix { $0 != " " && $0 != "(" }).replacingOccurrences(of: "\"", with: "")
        }
        return Written(audit: audit, tables: Set(changed).sorted())
    }

    @Test("the front desk at work: scan a plate, start and end a movement, record a camera violation; the command line sees exactly that",
          arguments: Backend.allCases)
    func frontDesk(_ backend: Backend) throws {
        var cli = try CLI.shop(backend)
        let browser = try WebDriver()
        defer { browser.quit() }
        // The server's clock: 14:00 for scanning and starting, 14:30 for ending and the camera's 14:10 violation. Every
        // time recorded is at or before the server's --now, and the command line reads at the same time.
        cli.now = "2026-11-20 14:00"
        var server = try Server(cli, now: cli.now)
        defer { server.stop() }
        /// Whether the browser shows this page of the server running now (the URL as it reads, percent-decoded).
        func at(_ path: String) throws -> Bool { try browser.currentURL().removingPercentEncoding == server.url + path }

        // (a) The scanner types the key tag's plate into the dashboard's field and presses Enter: the car's page opens.
        let scanned = try written(cli) {
            try browser.open(server.url)
            try browser.find("form.scan input").type("京A12345" + WebDriver.enter)
            try browser.wait(for: "the car's page") { try at("vehicles/京A12345") }
            let card = try browser.find("main .card h2").text()
            #expect(card.hasPrefix("京A12345") && card.contains("在店"), "the car's heading: \(card)")
            #expect(try browser.find("main .card p").text().contains("张伟"))
        }
        #expect(scanned == Written(audit: [], tables: []))

        // (b) From the car's page to the movements page; 李强 is chosen and starts driving.
        let started = try written(cli) {
            try browser.find("main a.button[href^='/moves?plate=']").click()
            try browser.wait(for: "the movements page") { try at("moves?plate=京A12345") }
            let form = "form[action='/moves/toggle'].card"
            #expect(try browser.execute("return document.querySelector(arguments[0]).plate.value", [form]) as? String == "京A12345")
            let staff = try browser.findAll("\(form) select[name=staff] option")
            try #require(try staff.first { try $0.text() == "李强" }).click()
            try browser.find("\(form) button[value=start]").click()
            // The driver shown large, with what he drives, in the shop's language.
            let driver = try browser.find("section.started p.driver").text(), what = try browser.find("section.started p.muted").text()
            #expect(driver == "▶ 李强" && what.contains("京A12345") && what.contains("路试"), "after starting: \(driver) \(what)")
        }
        #expect(started == Written(audit: ["web movement.start 2026-11-20T14:00:00+08:00"], tables: ["audit", "movement"]))
        let moves = try cli.ok("move", "list", "--json").array()
        #expect(moves.count == 1)
        let movement = try #require(moves.first)
        #expect(movement["plate"] as? String == "京A12345")
        #expect((movement["staff"] as? [String: Any])?["name"] as? String == "李强")
        #expect(movement["purpose"] as? String == "road-test")
        #expect(movement["startAt"] as? String == "2026-11-20T14:00:00+08:00")
        #expect(movement["inProgress"] as? Bool == true)

        // (c) Half an hour later the movements page shows 李强 driving; the front desk ends it there.
        server.stop()
        cli.now = "2026-11-20 14:30"
        server = try Server(cli, now: cli.now)
        let ended = try written(cli) {
            try browser.open(server.url + "moves")
            let driving = "section.card form[action='/moves/toggle']"
            let row = try browser.find("\(driving) span").text()
            #expect(row.hasPrefix("京A12345 · 李强 · 路试"), "driving now: \(row)")
            try browser.find("\(driving) button[value=end]").click()
            let flash = try browser.find("p.flash").text()
            #expect(flash == "■ 京A12345 · 李强 · 30 分钟", "the message after ending: \(flash)")
        }
        #expect(ended == Written(audit: ["web movement.end 2026-11-20T14:30:00+08:00"], tables: ["audit", "movement"]))
        let afterEnd = try cli.ok("move", "list", "--json").array()
        #expect(afterEnd.count == 1)
        let done = try #require(afterEnd.first)
        #expect(done["id"] as? Int == movement["id"] as? Int)
        #expect(done["startAt"] as? String == "2026-11-20T14:00:00+08:00")
        #expect(done["endAt"] as? String == "2026-11-20T14:30:00+08:00")
        #expect(done["minutes"] as? Int == 30)
        #expect(done["inProgress"] as? Bool == false)

        // (d) A camera caught the car at 14:10: scanned again, the car's page leads to the violation form; once saved,
        // the violation's page says 李强 drove, by his movement.
        let recorded = try written(cli) {
            try browser.find("form.scan input").type("京A12345" + WebDriver.enter)
            try browser.wait(for: "the car's page") { try at("vehicles/京A12345") }
            try browser.find("main a.button[href^='/violations?plate=']").click()
            let form = "form[action='/violations']"
            try browser.wait(for: "the violations page") { try at("violations?plate=京A12345") }
            #expect(try browser.execute("return document.querySelector(arguments[0]).plate.value", [form]) as? String == "京A12345")
            try browser.find("\(form) input[name=at]").type("2026-11-20 14:10")
            try browser.find("\(form) input[name=code]").type("1117")
            try browser.find("\(form) input[name=location]").type("东三环北路")
            try browser.find("\(form) button.primary").click()
            try browser.wait(for: "the violation's page") { try at("violations/1") }
            #expect(try browser.find("main p.big").text() == "李强")
            let attribution = try browser.find("main section.card p strong").text()
            #expect(attribution == "移车记录", "the attribution shown, in the shop's language: \(attribution)")
            let reasons = try browser.find("main ul.reasons").text()
            #expect(reasons.contains("李强") && reasons.contains("2026-11-20 14:10"), "the reasons shown: \(reasons)")
        }
        #expect(recorded == Written(audit: ["web violation.add 2026-11-20T14:30:00+08:00"], tables: ["audit", "violation"]))
        let violations = try cli.ok("violation", "list", "--json").array()
        #expect(violations.count == 1)
        let violation = try #require(violations.first)
        #expect(violation["id"] as? Int == 1)
        #expect(violation["plate"] as? String == "京A12345")
        #expect(violation["occurredAt"] as? String == "2026-11-20T14:10:00+08:00")
        #expect(violation["code"] as? String == "1117")
        #expect(violation["location"] as? String == "东三环北路")
        #expect((violation["driver"] as? [String: Any])?["name"] as? String == "李强")
        #expect(violation["attribution"] as? String == "movement")
        #expect(violation["needsReview"] as? Bool == false)
    }

    @Test("a desk user logs in, records a movement, and the audit names her; the settings page answers her 403; the manager's audit page shows her",
          arguments: Backend.allCases)
    func accounts(_ backend: Backend) throws {
        var cli = try CLI.shop(backend)
        cli.now = "2026-11-20 14:00"
        for (name, role, staff, password) in [("anna", "desk", "王磊", "Anna-front-2026"), ("boss", "manager", nil, "Boss-office-2026")] {
            let added = try cli.run(["user", "add", name, "--role", role, "--password-stdin"] + (staff.map { ["--staff", $0] } ?? []), stdin: password + "\n")
            #expect(added.status == 0, "\(added.stderr)")
        }
        let server = try Server(cli, now: cli.now)
        defer { server.stop() }
        let browser = try WebDriver()
        defer { browser.quit() }
        func at(_ path: String) throws -> Bool { try browser.currentURL().removingPercentEncoding == server.url + path }
        func logIn(_ name: String, _ password: String) throws {
            try browser.open(server.url)
            try browser.wait(for: "the login page") { try at("login") }
            try browser.find("form[action='/login'] input[name=name]").type(name)
            try browser.find("form[action='/login'] input[name=password]").type(password + WebDriver.enter)
            try browser.wait(for: "the dashboard") { try at("") }
        }

        try logIn("anna", "Anna-front-2026")
        #expect(try browser.find("header .person").text() == "anna (王磊)（前台）")
        #expect(try browser.findAll("header nav a[href='/settings']").isEmpty, "the settings are not offered to the desk")
        // She starts 李强's movement of 京A12345 from the movements page.
        try browser.open(server.url + "moves?plate=" + "京A12345".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!)
        let form = "form[action='/moves/toggle'].card"
        let staff = try browser.findAll("\(form) select[name=staff] option")
        try #require(try staff.first { try $0.text() == "李强" }).click()
        try browser.find("\(form) button[value=start]").click()
        #expect(try browser.find("section.started p.driver").text() == "▶ 李强")
        let audit = try cli.ok("audit", "--json").array()
        let start = try #require(audit.last { $0["action"] as? String == "movement.start" })
        #expect(start["operator"] as? String == "anna (王磊)")
        #expect(audit.contains { $0["action"] as? String == "login" && $0["operator"] as? String == "anna (王磊)" })
        // The settings page by its address: 403, saying who and which role, and nothing written.
        let before = try cli.dump()
        try browser.open(server.url + "settings")
        #expect(try browser.find("main p.big").text() == "403")
        #expect(try browser.find("main .card.error").text().contains("anna（前台）不能做这件事：请店长来做"))
        #expect(try cli.dump() == before)
        try browser.find("header form[action='/logout'] button").click()
        try browser.wait(for: "the login page") { try at("login") }

        try logIn("boss", "Boss-office-2026")
        try browser.open(server.url + "audit?person=anna")
        let rows = try browser.findAll("main table tbody tr").map { try $0.text() }
        #expect(rows.contains { $0.contains("anna (王磊)") && $0.contains("开始移车") }, "\(rows)")
        #expect(rows.allSatisfy { $0.contains("anna") }, "only anna's entries: \(rows)")
        try browser.open(server.url + "settings")
        #expect(try browser.findAll("main form.setting").count > 20)
    }

    @Test("the dashboard in a 1280×1000 window: a screenshot of the viewport, not blank, its Chinese heading shown in a CJK font; the invite print view's QR decodes from its screenshot")
    func screenshots() throws {
        let chromium = try SlipPrintTests().chromium()
        let cli = try CLI.shop()
        try cli.ok("move", "start", "--plate", "京A12345", "--staff", "王磊", "--at", "2026-11-20 10:00")
        let invite = try cli.ok("register", "invite", "--plate", "沪B88888", "--staff", "李强", "--json").object()
        let ref = try #require(invite["ref"] as? String)
        let payload = try #require(invite["payload"] as? String)
        let server = try Server(cli, now: cli.now)
        defer { server.stop() }
        let browser = try WebDriver(width: 1280, height: 1000)
        defer { browser.quit() }

        let folder = SlipPrintTests.artifacts
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let dashboard = folder.appendingPathComponent("browser-dashboard.png")
        try browser.open(server.url)
        try browser.screenshot().write(to: dashboard)

        // The screenshot is the viewport (headless Chromium keeps 143 px of the 1000 for its invisible window frame),
        // and a page that drew nothing has one colour: this one has text, tables and tags.
        let info = try toolOutput("/usr/bin/convert", [dashboard.path, "-format", "%w %h %k", "info:"]).split(separator: " ").compactMap { Int($0) }
        try #require(info.count == 3, "convert -format '%w %h %k': \(info)")
        let viewport = try browser.execute("return [innerWidth * devicePixelRatio, innerHeight * devicePixelRatio]") as? [Int]
        #expect(info[0] == 1280, "the screenshot is \(info[0]) px wide, the window 1280")
        #expect([info[0], info[1]] == viewport, "screenshot \(info[0])×\(info[1]), viewport \(viewport ?? [])")
        #expect(info[2] >= 100, "the dashboard's screenshot has \(info[2]) colours")

        // The heading 在店车辆 is on screen, and its font draws Chinese: four different glyphs, none of them the box a
        // font without the character draws (U+E000, private use), each a full em wide.
        let headings = try browser.findAll("main section.card h2")
        let heading = try #require(try headings.first { try $0.property("textContent") as? String == "在店车辆" })
        #expect(try heading.isDisplayed())
        let rect = try heading.rect()
        #expect(rect.width > 0 && rect.height > 0, "the heading's rect: \(rect)")
        let glyphs = try browser.execute("""
            const family = getComputedStyle(arguments[0]).fontFamily;
            const canvas = document.createElement('canvas');
            canvas.width = 100; canvas.height = 100;
            const g = canvas.getContext('2d', { willReadFrequently: true });
            g.font = '64px ' + family;
            const draw = (text) => { g.clearRect(0, 0, 100, 100); g.fillText(text, 10, 80); return g.getImageData(0, 0, 100, 100).data.join(); };
            const shapes = Array.from(arguments[1]).map(draw);
            const box = draw('\\uE000');
            return { family: family, distinct: new Set(shapes).size, boxes: shapes.filter(s => s === box).length,
                     em: g.measureText(arguments[1]).width / 64 };
            """, [[WebDriver.elementKey: heading.id], "在店车辆"]) as? [String: Any] ?? [:]
        #expect(glyphs["distinct"] as? Int == 4, "the heading's font draws the same shape for four characters: \(glyphs)")
        #expect(glyphs["boxes"] as? Int == 0, "the heading's font draws missing-glyph boxes: \(glyphs)")
        #expect(abs((glyphs["em"] as? Double ?? 0) - 4) < 0.05, "four CJK glyphs are four em wide: \(glyphs)")

        // What the browser shows as text: the dashboard's Chinese headings and the car being driven.
        let page = try browser.source()
        #expect(page.contains("在店车辆") && page.contains("京A12345") && page.contains("王磊"))

        let slip = folder.appendingPathComponent("browser-invite-print.png").path
        #expect(try tool(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=900,1400",
                                    "--screenshot=\(slip)", "\(server.url)invites/\(ref)/print?paper=a5"]) == 0)
        #expect(try zbar(slip) == payload)
    }
}
