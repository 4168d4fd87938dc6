import Foundation
import Testing

/// Issue 7, security: ID numbers never shown whole outside `staff show` (R12); invite references resist guessing.
@Suite("Reliability: ID numbers stay masked; invite lookups are rate-limited", .serialized)
struct SecurityTests {
    static let whole = ["110105198803124111", "11010519491231002X"]

    static func leaks(_ text: String) -> [String] {
        whole.filter { text.contains($0) || text.contains($0.lowercased()) }
    }

    @Test("no command but `staff show` prints a whole ID number, on stdout or stderr, done or refused; nor does the audit or any page")
    func idNumbersMasked() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        let ref = try shop.firstRef()
        try shop.ok("register", "confirm", ref)
        try shop.ok("violation", "assign", "1", "--staff", "李强", "--reason", "监控照片")
        try shop.ok("violation", "process", "1", "--window", "--at", "2026-11-05 10:00")
        // Each command with the exit status it must end with: one that failed and printed nothing would show no leak.
        let refusedBy: [[String]: Int32] = [
            ["staff", "add", "--name", "王磊二", "--id-number", "110105198803124111", "--license-class", "C1", "--license-first-issued", "2010-01-01", "--license-valid-until", "2030-01-01"]: 1,
            ["staff", "add", "--name", "王磊三", "--id-number", "110105198803124111", "--license-class", "C9", "--license-first-issued", "2010-01-01", "--license-valid-until", "2030-01-01"]: 2,
            ["staff", "add", "--name", "王磊四", "--id-number", "11010519880312411X", "--license-class", "C1", "--license-first-issued", "2010-01-01", "--license-valid-until", "2030-01-01"]: 2,
            ["staff", "add", "--name", "王磊五", "--id-number", "110105198803124111", "--license-class", "C1", "--license-first-issued", "2010-13-01", "--license-valid-until", "2030-01-01"]: 2,
            ["staff", "add", "--name", "李强", "--id-number", "11010519491231002x", "--license-class", "C1", "--license-first-issued", "2012-08-03", "--license-valid-until", "2028-08-03"]: 1,
        ]
        let commands: [[String]] = [
            ["status"], ["status", "--json"], ["staff", "list"], ["staff", "list", "--json"], ["vehicle", "list"], ["vehicle", "list", "--json"],
            ["vehicle", "show", "京A12345"], ["vehicle", "show", "京A12345", "--json"], ["move", "list"], ["move", "list", "--json"],
            ["who", "--plate", "京A12345", "--at", "2026-11-02 10:12"], ["who", "--plate", "京A12345", "--at", "2026-11-02 10:12", "--json"],
            ["register", "list"], ["register", "list", "--json"], ["register", "print", ref, "--out", shop.file("slip.html").path],
            ["register", "print", ref, "--out", shop.file("card.svg").path], ["register", "print", ref, "--out", shop.file("qr.png").path],
            ["register", "invite", "--plate", "沪B88888", "--staff", "李强", "--method", "window", "--json", "--out", shop.file("slip2.html").path],
            ["violation", "list"], ["violation", "list", "--json"], ["violation", "show", "1"], ["violation", "show", "1", "--json"],
            ["violation", "pay", "1", "--method", "wechat", "--payer", "driver", "--json"],
            ["cleanup"], ["cleanup", "--json"], ["cleanup", "--dry-run"], ["report"], ["report", "--json"],
            ["report", "--csv", "--by", "staff"], ["report", "--csv", "--by", "vehicle"], ["report", "--csv", "--by", "month"],
            ["audit"], ["audit", "--json"], ["config", "show"], ["config", "show", "--json"],
            // Refusals and errors that concern the ID numbers.
            ["staff", "add", "--name", "王磊二", "--id-number", "110105198803124111", "--license-class", "C1", "--license-first-issued", "2010-01-01", "--license-valid-until", "2030-01-01"],
            ["staff", "add", "--name", "王磊三", "--id-number", "110105198803124111", "--license-class", "C9", "--license-first-issued", "2010-01-01", "--license-valid-until", "2030-01-01"],
            ["staff", "add", "--name", "王磊四", "--id-number", "11010519880312411X", "--license-class", "C1", "--license-first-issued", "2010-01-01", "--license-valid-until", "2030-01-01"],
            ["staff", "add", "--name", "王磊五", "--id-number", "110105198803124111", "--license-class", "C1", "--license-first-issued", "2010-13-01", "--license-valid-until", "2030-01-01"],
            ["staff", "add", "--name", "李强", "--id-number", "11010519491231002x", "--license-class", "C1", "--license-first-issued", "2012-08-03", "--license-valid-until", "2028-08-03"],
            ["staff", "deactivate", "李强", "--json"], ["staff", "list", "--json"],
            ["backup", shop.file("backup.sqlite").path, "--json"],
        ]
        var printed = 0, statuses: [Int32: Int] = [:]
        for arguments in commands {
            let outcome = try shop.run(arguments)
            #expect(!outcome.signaled)
            statuses[outcome.status, default: 0] += 1
            let expected = refusedBy[arguments] ?? 0
            #expect(outcome.status == expected, "driverdesk \(arguments.joined(separator: " ")) exited \(outcome.status), not \(expected): \(outcome.stderr)")
            // Something to look at: a done command prints its result, a refused one its error.
            #expect(!(expected == 0 ? outcome.stdout : outcome.stderr).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                    "driverdesk \(arguments.joined(separator: " ")) printed nothing")
            printed += outcome.stdout.utf8.count + outcome.stderr.utf8.count
            #expect(SecurityTests.leaks(outcome.stdout + outcome.stderr).isEmpty, "driverdesk \(arguments.joined(separator: " ")) shows \(SecurityTests.leaks(outcome.stdout + outcome.stderr))")
        }
        for file in ["slip.html", "card.svg", "slip2.html"] {
            let text = try String(contentsOf: shop.file(file), encoding: .utf8)
            #expect(SecurityTests.leaks(text).isEmpty, "\(file) shows a whole ID number (invite.showIdNumber is off)")
        }
        // The audit, read with sqlite3 itself, and every other table but staff.
        let audit = try shop.sql("SELECT * FROM audit")
        #expect(!audit.isEmpty)
        #expect(SecurityTests.leaks(audit).isEmpty, "the audit holds \(SecurityTests.leaks(audit))")
        let dump = try shop.dump().split(separator: "\n").filter { !$0.hasPrefix("INSERT INTO staff ") }.joined(separator: "\n")
        #expect(SecurityTests.leaks(dump).isEmpty, "a table besides staff holds a whole ID number")
        // staff show: the one place.
        #expect(try shop.ok("staff", "show", "王磊").stdout.contains("110105198803124111"))
        #expect(try shop.ok("staff", "show", "1", "--json").object()["idNumber"] as? String == "110105198803124111")

        // The web pages.
        let server = try Server(shop)
        defer { server.stop() }
        let browser = CurlBrowser(server)
        for path in ["/", "/staff", "/staff/1", "/staff/2", "/vehicles", "/vehicles/" + CurlBrowser.pathEncode("京A12345"), "/moves", "/invites",
                     "/invites/\(ref)", "/invites/\(ref)/print?paper=a5", "/invites/\(ref)/print?paper=80mm", "/violations", "/violations/1",
                     "/payments", "/cleanup", "/report", "/audit"] {
            let page = try browser.get(path)
            #expect(page.status == 200, "GET \(path): \(page.status)")
            #expect(SecurityTests.leaks(page.body).isEmpty, "GET \(path) shows \(SecurityTests.leaks(page.body))")
        }
        let refused = try browser.post("/staff", ["name": "王磊二", "idNumber": "110105198803124112", "licenseClass": "C1",
                                                 "licenseFirstIssued": "2010-01-01", "licenseValidUntil": "2030-01-01"])
        #expect(refused.status == 400)
        figure("security/id: \(commands.count) commands (exit statuses \(statuses.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: ", ")); \(printed) bytes of output), the audit, every table, 17 pages: no whole ID number outside `staff show`")
    }

    @Test("an ID number typed in the wrong field is not echoed whole in the error")
    func idNumberInWrongField() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        for arguments in [["move", "start", "--plate", "京A12345", "--staff", "110105198803124111"], ["staff", "show", "110105198803124111"],
                          ["vehicle", "show", "110105198803124111"], ["register", "confirm", "110105198803124111"]] {
            let outcome = try shop.run(arguments)
            #expect(outcome.status == 2)
            #expect(SecurityTests.leaks(outcome.stderr).isEmpty, "driverdesk \(arguments.joined(separator: " ")): \(outcome.stderr)")
        }
    }

    @Test("20 unknown invite references from one session, then 429, even for a real one; the server keeps serving")
    func inviteLookupsLimited() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        let ref = try shop.firstRef()
        let server = try Server(shop)
        defer { server.stop() }
        let browser = CurlBrowser(server)
        try browser.get("/")
        #expect(try browser.get("/invites/\(ref)").status == 200)
        var generator = SeededGenerator(seed: 42)
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        func guess() -> String {
            let chars = (0..<8).map { _ in alphabet.randomElement(using: &generator)! }
            return "INV-\(String(chars[0..<4]))-\(String(chars[4..<8]))"
        }
        var statuses: [Int] = []
        for _ in 0..<20 { statuses.append(try browser.get("/invites/\(guess())").status) }
        #expect(statuses.allSatisfy { $0 == 404 }, "\(statuses)")
        #expect(try browser.get("/invites/\(guess())").status == 429)
        #expect(try browser.get("/invites/\(ref)").status == 429, "a real reference after 20 misses")
        try browser.get("/invites")  // a page with the scan form and its token (error pages carry none, see WebTests)
        let scan = try browser.post("/invites/confirm", ["scan": ref])
        #expect(scan.status == 429, "confirming by scan after 20 misses: HTTP \(scan.status) \(scan.location ?? "") \(scan.body.prefix(300))")
        // Another browser is not affected.
        let other = CurlBrowser(server)
        #expect(try other.get("/invites/\(ref)").status == 200)
        figure("security/invites: 20 unknown references → 404, the 21st → 429 (and the real one too) for that session only; 40 random bits per reference")
    }

    @Test("a client that drops its session cookie is rate-limited too")
    func cookielessGuessing() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        let server = try Server(shop)
        defer { server.stop() }
        let browser = CurlBrowser(server)
        browser.sendsCookies = false
        var statuses: [Int] = []
        for index in 0..<40 { statuses.append(try browser.get("/invites/INV-2222-\(String(format: "%04d", index))").status) }
        #expect(statuses.contains(429), "40 unknown references without a cookie: \(Set(statuses))")
    }
}
