import Foundation
import Testing

/// Issue 29: drivers' phones end to end. The built binary makes a driver's account and prints key tags whose QR is
/// the shop's link; `serve` speaks HTTPS with a certificate; a phone-sized Chromium opens the link decoded from the
/// printed PNG, logs in, starts and ends its own movement, is refused another's, and sees its page; the desk's USB
/// scanner types the same link into the scan field and lands on the car.
@Suite("End to end: drivers' phones")
struct DriverPhoneTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// A self-signed certificate for localhost and 127.0.0.1 (valid until 2125) and its key: test-only, made with
    /// `openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1`.
    static let certificate = fixtures.appendingPathComponent("test-tls.crt").path, key = fixtures.appendingPathComponent("test-tls.key").path
    /// A key of no certificate here (`openssl genrsa 2048`).
    static let otherKey = fixtures.appendingPathComponent("other-tls.key").path

    @Test("user add --role driver needs --staff (exit 2, nothing written); web.publicURL refuses what is not an address; a key tag's PNG holds the link, read back by zbarimg",
          arguments: Backend.allCases)
    func accountAndTag(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        let stderr = try cli.refused(2, "user", "add", "wang", "--role", "driver", "--password-stdin")
        #expect(stderr.contains("staff") && stderr.contains("司机账户要绑定一名员工"))
        let added = try cli.run(["user", "add", "wang", "--role", "driver", "--staff", "王磊", "--password-stdin", "--json"], stdin: "Wang-phone-2026\n")
        #expect(added.status == 0, "\(added.stderr)")
        let account = try added.object()
        #expect(account["role"] as? String == "driver" && (account["staff"] as? [String: Any])?["name"] as? String == "王磊")
        #expect(try cli.ok("user", "list").stdout.contains("司机"))
        #expect(try cli.refused(2, "config", "set", "web.publicURL", "ftp://desk").contains("web.publicURL"))
        try cli.ok("config", "set", "web.publicURL", "https://192.168.1.20:8443/")
        #expect(try cli.ok("config", "show", "--json").array().first { $0["key"] as? String == "web.publicURL" }?["value"] as? String == "https://192.168.1.20:8443")
        let png = cli.folder.appendingPathComponent("tag.png").path
        try cli.ok("vehicle", "tag", "--plate", "京A12345", "--out", png)
        #expect(try zbarText(png) == "https://192.168.1.20:8443/k/BJ-A12345")
        // Without the setting the tag holds its token and plate, as before.
        try cli.ok("config", "set", "web.publicURL", "")
        try cli.ok("vehicle", "tag", "--plate", "京A12345", "--out", png)
        #expect(try zbarText(png) == "BJ-A12345 京A12345")
    }

    @Test("serve --tls-cert --tls-key answers HTTPS with a Secure cookie; one file without the other, a file that is not PEM, a key of another certificate: exit 2 naming it; --behind-proxy before any account: exit 1")
    func https() throws {
        let cli = try CLI.shop()
        #expect(try cli.refused(2, "serve", "--port", "1", "--tls-cert", DriverPhoneTests.certificate).contains("tls-key"))
        #expect(try cli.refused(2, "serve", "--port", "1", "--tls-key", DriverPhoneTests.key).contains("tls-cert"))
        let notPEM = cli.folder.appendingPathComponent("not.pem").path
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: notPEM))
        #expect(try cli.refused(2, "serve", "--port", "1", "--tls-cert", notPEM, "--tls-key", DriverPhoneTests.key).contains("not.pem"))
        #expect(try cli.refused(2, "serve", "--port", "1", "--tls-cert", DriverPhoneTests.certificate, "--tls-key", notPEM).contains("not.pem"))
        #expect(try cli.refused(2, "serve", "--port", "1", "--tls-cert", DriverPhoneTests.certificate, "--tls-key", DriverPhoneTests.otherKey).contains("other-tls.key"))
        // Behind a proxy every request looks local: refused before the shop has an account.
        #expect(try cli.refused(1, "serve", "--port", "1", "--behind-proxy").contains("--behind-proxy"))
        let server = try BrowserTests.Server(cli, now: cli.now, arguments: ["--tls-cert", DriverPhoneTests.certificate, "--tls-key", DriverPhoneTests.key])
        defer { server.stop() }
        #expect(server.url.hasPrefix("https://"))
        let headers = try toolOutput("/usr/bin/curl", ["-sS", "--cacert", DriverPhoneTests.certificate, "-o", "/dev/null", "-D", "-", server.url + "login"])
        #expect(headers.hasPrefix("HTTP/1.1 200"), "\(headers)")
        let cookie = try #require(headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie: dd_session=") })
        #expect(cookie.contains("Secure") && cookie.contains("HttpOnly"))
        // Plain HTTP on the HTTPS port is not answered as a page.
        #expect(try tool("/usr/bin/curl", ["-s", "-o", "/dev/null", "--max-time", "5", "http://127.0.0.1:\(server.port)/login"]) != 0)
    }

    @Test("a phone at 390×844: the key tag's link read from the PNG, the login, start and end of his own movement, another's refused, his page; the desk's scanner types the link and opens the car")
    func phone() throws {
        var cli = try CLI.shop()
        cli.now = "2026-11-20 14:00"
        for (name, password, role, staff) in [("wang", "Wang-phone-2026", "driver", "王磊"), ("li", "Li-phone-2026x", "driver", "李强"), ("anna", "Anna-front-2026", "desk", "")] {
            var arguments = ["user", "add", name, "--role", role, "--password-stdin"]
            if !staff.isEmpty { arguments += ["--staff", staff] }
            #expect(try cli.run(arguments, stdin: password + "\n").status == 0)
        }
        var server = try BrowserTests.Server(cli, now: cli.now)
        defer { server.stop() }
        try cli.ok("config", "set", "web.publicURL", String(server.url.dropLast()))
        // 李强 drives 沪B88888 since 13:30 (the desk recorded it).
        try cli.ok("move", "start", "--plate", "沪B88888", "--staff", "李强", "--purpose", "parking", "--at", "2026-11-20 13:30")
        var links: [String: String] = [:]
        for plate in ["京A12345", "沪B88888"] {
            let png = cli.folder.appendingPathComponent("tag-\(plate).png").path
            try cli.ok("vehicle", "tag", "--plate", plate, "--out", png)
            links[plate] = try zbarText(png)
        }
        let mine = try #require(links["京A12345"]), theirs = try #require(links["沪B88888"])
        #expect(mine == server.url + "k/BJ-A12345")

        let folder = SlipPrintTests.artifacts.appendingPathComponent("driver")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let browser = try WebDriver(width: 390, height: 844, phone: true)
        defer { browser.quit() }
        func path() throws -> String { String(try browser.currentURL().dropFirst(server.url.count - 1)) }
        func layout(_ name: String) throws {
            try browser.screenshot().write(to: folder.appendingPathComponent("\(name)-390.png"))
            let problems = try browser.execute(BrowserLayoutTests.check, ["zh-Hans", ["wang", "DriverDesk"]]) as? [String] ?? ["the check returned nothing"]
            #expect(problems.isEmpty, "\(name): \(problems)")
        }
        func logIn(_ name: String, _ password: String) throws {
            try browser.find("input[name=name]").type(name)
            try browser.find("input[name=password]").type(password)
            try browser.find("form button.primary").click()
        }

        // The camera opens the link: the login first, then the car.
        try browser.open(mine)
        try browser.wait(for: "the login page") { try path().hasPrefix("/login") }
        try logIn("wang", "Wang-phone-2026")
        try browser.wait(for: "the car after the login") { try path() == "/k/BJ-A12345" }
        #expect(try browser.find(".phone-plate").text() == "京A12345")
        try layout("car-start")
        let start = try browser.find("button.phone-button")
        #expect(try start.text() == "开始驾驶" && start.rect().width >= 300, "one big button")
        try browser.find("input[value=road-test]").click()
        let written = try BrowserTests().written(cli) { try start.click(); try browser.wait(for: "the end button") { try !browser.findAll("button.phone-end").isEmpty } }
        #expect(written.audit == ["wang (王磊) movement.start 2026-11-20T14:00:00+08:00"], "\(written)")
        #expect(try browser.find("p.flash").text().contains("已开始驾驶 京A12345（路试）"))
        try layout("car-end")

        // Another's car: refused, naming who since when; no button.
        try browser.open(theirs)
        #expect(try browser.find(".phone-refusal").text().contains("正由李强驾驶，2026-11-20 13:30 起"))
        #expect(try browser.findAll("button.phone-button").isEmpty)
        try layout("car-refused")

        // Half an hour later (the server's clock is fixed: it starts again at 14:30 on the same address; sessions live in
        // its memory, so he logs in again, and the link brings him back to the car).
        server.stop()
        cli.now = "2026-11-20 14:30"
        server = try BrowserTests.Server(cli, now: cli.now, port: server.port)
        try browser.open(mine)
        try browser.wait(for: "the login page again") { try path().hasPrefix("/login") }
        try logIn("wang", "Wang-phone-2026")
        try browser.wait(for: "the car again") { try path() == "/k/BJ-A12345" }
        try browser.find("button.phone-end").click()
        try browser.wait(for: "his page") { try path() == "/me" }
        #expect(try browser.find("p.flash").text().contains("已结束驾驶 京A12345，14:30"))
        #expect(try browser.find("main").text().contains("用时 30 分钟"))
        let rows = try browser.findAll("table.stack tbody tr").map { try $0.text() }
        #expect(rows.count == 1 && rows[0].contains("京A12345") && rows[0].contains("路试") && rows[0].contains("30"), "\(rows)")
        try layout("home")
        // Nothing else of the shop: the vehicles' list sends him back to his page.
        try browser.open(server.url + "vehicles")
        try browser.wait(for: "his page instead of the vehicles") { try path() == "/me" }
        let moved = try cli.ok("move", "list", "--plate", "京A12345", "--json").array()
        #expect(moved.count == 1 && (moved[0]["staff"] as? [String: Any])?["name"] as? String == "王磊" && moved[0]["minutes"] as? Int == 30)

        // The desk's keyboard-mode scanner types the same link into the scan field: the car's page.
        try browser.find("header form[action='/logout'] button").click()
        try browser.wait(for: "logged out") { try path().hasPrefix("/login") }
        try logIn("anna", "Anna-front-2026")
        try browser.wait(for: "the dashboard") { try path() == "/" }
        try browser.find("form.scan input").type(scannerKeys(mine))
        try browser.wait(for: "the car's page from the link") { try browser.currentURL().removingPercentEncoding == server.url + "vehicles/京A12345" }

        // The same pages at a desk's 1280 px (a driver may open them on a PC too): nothing wider than the window, nothing
        // out of its card, no English word on the Chinese page.
        let wide = try WebDriver(width: 1280, height: 900)
        defer { wide.quit() }
        try wide.open(server.url + "login")
        try wide.find("input[name=name]").type("wang")
        try wide.find("input[name=password]").type("Wang-phone-2026")
        try wide.find("form button.primary").click()
        try wide.wait(for: "his page at 1280 px") { try wide.currentURL() == server.url + "me" }
        for (name, path) in [("home", "me"), ("car-start", "k/BJ-A12345"), ("car-refused", "k/SH-B88888")] {
            try wide.open(server.url + path)
            _ = try wide.find("main h1")
            try wide.screenshot().write(to: folder.appendingPathComponent("\(name)-1280.png"))
            let problems = try wide.execute(BrowserLayoutTests.check, ["zh-Hans", ["wang", "DriverDesk"]]) as? [String] ?? ["the check returned nothing"]
            #expect(problems.isEmpty, "\(name) at 1280 px: \(problems)")
        }
    }
}
