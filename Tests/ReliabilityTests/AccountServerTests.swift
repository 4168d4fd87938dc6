import Foundation
import Testing

/// Issue 15 on a real `driverdesk serve`, driven by curl: the demo's manager and his password, and the host check.
@Suite("Reliability: accounts on a real server", .serialized)
struct AccountServerTests {
    @Test("demo --manager prints a password once (not in --json, the audit or the file), and it logs in; a foreign Host gets 421 from the real server")
    func demoManager() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let made = try shop.run(["demo", "--manager", "店长"])
        #expect(made.status == 0, "\(made)")
        // The line after the summary (whose database path may hold a UUID): "店长的账户：店长，密码 xxxx-xxxx-xxxx-xxxx（…）".
        let match = made.stdout.firstMatch(of: /密码 ([A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4})/)
        let password = String(try #require(match, "no password in: \(made.stdout)").1)
        #expect(made.stdout.contains("店长") && made.stdout.components(separatedBy: password).count == 2, "printed once")
        let audit = try shop.run(["audit", "--json"])
        #expect(audit.status == 0 && audit.stdout.contains("account.add") && !audit.stdout.contains(password))
        #expect(try Data(contentsOf: URL(fileURLWithPath: shop.db)).range(of: Data(password.utf8)) == nil, "the password is not in the file")
        let users = try shop.run(["user", "list", "--json"])
        #expect(users.status == 0 && users.stdout.contains("\"manager\"") && !users.stdout.contains("$y$"))

        let server = try Server(shop)
        defer { _ = server.stop() }
        let browser = CurlBrowser(server)
        #expect(try browser.get("/").status == 303, "a login first, now that the shop has an account")
        try browser.get("/login")
        #expect(try browser.post("/login", ["name": "店长", "password": "not-the-password"]).status == 401)
        #expect(try browser.post("/login", ["name": "店长", "password": password]).status == 303)
        #expect(try browser.get("/settings").status == 200)
        for (host, status) in [("evil.example", "421"), ("127.0.0.1", "200"), ("localhost:8080", "200")] {
            let answer = try Processes.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: \(host)", server.base + "/login"],
                                           environment: shop.environment, folder: shop.folder)
            #expect(answer.status == 0 && answer.stdout == status, "Host: \(host): curl exit \(answer.status), HTTP \(answer.stdout)")
        }
    }
}
