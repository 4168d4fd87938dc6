import Foundation
import Testing

/// Issue 7, hostile input and security on the web front desk: `driverdesk serve` on a random loopback port,
/// driven by curl with a session cookie and the page's CSRF token.
@Suite("Reliability: the web front desk under hostile input", .serialized)
struct WebTests {
    /// Markup that must never reach a page unescaped.
    static let markup = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>"]

    static func rawMarkup(in body: String) -> [String] { markup.filter { body.contains($0) } }

    static let hostile = Hostile.injections + ["京A\u{0}12345", "\u{0}", "a\u{0}b", "<svg onload=alert(1)>", "\r\n\r\nSet-Cookie: x=1"]

    /// The forms and the fields whose hostile values each must refuse, with the good values of the other fields.
    static let forms: [(path: String, good: [String: String], fields: [String])] = [
        ("/vehicles", ["plate": "京C54321", "owner": "某人", "ownerPhone": "13800138000", "engineLast6": "A1B2C3", "usage": "private", "size": "small"],
         ["plate", "ownerPhone", "engineLast6", "usage", "size"]),
        ("/staff", ["name": "赵六", "idNumber": "110101199003070134", "licenseClass": "C1", "licenseFirstIssued": "2010-01-01",
                    "licenseValidUntil": "2030-01-01", "phone": "13911020009"],
         ["idNumber", "licenseClass", "licenseFirstIssued", "licenseValidUntil", "phone"]),
        ("/violations", ["plate": "京A12345", "at": "2026-11-02 11:00", "code": "1625", "points": "6", "fine": "200", "location": "东三环", "recordNo": "W-1"],
         ["plate", "at", "code", "points", "fine"]),
        ("/moves/log", ["plate": "京A12345", "staff": "1", "from": "2026-11-03 10:00", "to": "2026-11-03 10:10", "purpose": "parking"],
         ["plate", "staff", "from", "to", "purpose"]),
        ("/invites", ["plate": "京A12345", "staff": "1", "method": "qr"], ["plate", "staff", "method"]),
        ("/vehicles/%E6%B2%AAB88888/checkin", ["order": "WO-9", "at": "2026-11-20 10:00"], ["at"]),
        ("/users", ["name": "eve", "role": "desk", "staff": "", "password": "Eve-front-2026", "password2": "Eve-front-2026"],
         ["name", "role", "staff", "password", "password2"]),
        ("/settings", ["key": "shop.phone", "value": "010-12345678"], ["key"]),
    ]

    @Test("every form refuses hostile values: a 4xx page, the markup escaped, the database unchanged")
    func hostileForms() throws {
        let clock = Stopwatch()
        let shop = try Shop.small()
        defer { shop.remove() }
        let server = try Server(shop)
        defer { server.stop() }
        let browser = CurlBrowser(server)
        try browser.get("/")
        #expect(browser.csrf != nil, "no CSRF token on the dashboard")
        let file = try shop.snapshot()
        var before = file.dump
        var tried = 0, statuses: [Int: Int] = [:]
        // `make test` tries every third (form, field, value), each field keeping some; `make soak` every one.
        let stride = Scale.value("RELIABILITY_WEB_STRIDE", test: 3, soak: 1)
        var index = 0
        for form in WebTests.forms {
            for field in form.fields {
                for value in WebTests.hostile {
                    index += 1
                    guard index % stride == 0 else { continue }
                    var fields = form.good
                    fields[field] = value
                    let page = try browser.post(form.path, fields)
                    tried += 1
                    statuses[page.status, default: 0] += 1
                    let shown = value.count > 40 ? "\(value.prefix(12))…(\(value.count))" : value.debugDescription
                    #expect((400..<500).contains(page.status), "POST \(form.path) \(field)=\(shown): HTTP \(page.status) \(page.location ?? "")")
                    #expect(WebTests.rawMarkup(in: page.body).isEmpty, "POST \(form.path) \(field)=\(shown) renders markup: \(WebTests.rawMarkup(in: page.body))")
                    if field.hasPrefix("password"), value.count >= 4 {
                        #expect(!page.body.contains(value) && !page.body.contains(value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")), "POST \(form.path) \(field)=\(shown): the password is on the page")
                    }
                    let after = try shop.dump()
                    #expect(after == before, "POST \(form.path) \(field)=\(shown) changed the database")
                    before = after
                }
            }
        }
        // Broken uploads: the same checks as `violation import`.
        for (path, _) in try HostileFileTests.files(in: shop) where FileManager.default.fileExists(atPath: path) && !path.hasPrefix("/dev/") {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            let page = try browser.upload("/violations/import", file: URL(fileURLWithPath: path))
            tried += 1
            statuses[page.status, default: 0] += 1
            #expect((400..<500).contains(page.status), "upload \(URL(fileURLWithPath: path).lastPathComponent): HTTP \(page.status)")
            #expect(WebTests.rawMarkup(in: page.body).isEmpty, "upload \(path) renders markup")
            #expect(try shop.dump() == before, "upload \(path) changed the database")
        }
        #expect(server.isRunning)
        let end = try shop.snapshot()
        #expect(end.raw == file.raw, "the database file changed under the hostile posts")
        figure("hostile/web: \(tried) hostile form posts and uploads, HTTP \(statuses.sorted { $0.key < $1.key }), database byte for byte unchanged, no markup rendered; \(String(format: "%.1f", clock.seconds)) s")
    }

    @Test("HTML stored in names, owners, orders, places and reasons is escaped on every page, slip and tag")
    func storedMarkupIsEscaped() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        // The command line takes these: they are valid names and texts, and must show as text.
        try shop.ok("staff", "add", "--name", "<script>alert(1)</script>", "--id-number", "110101199003070134", "--license-class", "C1",
                    "--license-first-issued", "2010-01-01", "--license-valid-until", "2030-01-01")
        try shop.ok("vehicle", "add", "--plate", "京D11111", "--owner", "<img src=x onerror=alert(1)>")
        try shop.ok("visit", "checkin", "--plate", "京D11111", "--at", "2026-11-10 08:00", "--order", "<svg onload=alert(1)>")
        try shop.ok("move", "log", "--plate", "京D11111", "--staff", "3", "--from", "2026-11-10 09:00", "--to", "2026-11-10 09:30")
        try shop.ok("violation", "add", "--plate", "京D11111", "--at", "2026-11-10 09:10", "--code", "1625", "--location", "<script>alert(1)</script>",
                    "--record-no", "<img src=x onerror=alert(1)>")
        try shop.ok("violation", "assign", "1", "--staff", "3", "--reason", "<script>alert(1)</script>")
        try shop.ok("violation", "process", "2", "--window", "--at", "2026-11-11 10:00")
        try shop.ok("register", "invite", "--plate", "京D11111", "--staff", "3", "--method", "window")
        try shop.ok("--operator", "<script>alert(1)</script>", "config", "set", "shop.name", "<svg onload=alert(1)>")
        let ref = try shop.sql("SELECT ref FROM registration WHERE staffId = 3")

        let server = try Server(shop)
        defer { server.stop() }
        let browser = CurlBrowser(server)
        let paths = ["/", "/vehicles", "/vehicles/" + CurlBrowser.pathEncode("京D11111"), "/vehicles/" + CurlBrowser.pathEncode("京A12345"),
                     "/vehicles/" + CurlBrowser.pathEncode("京D11111") + "/tag", "/staff", "/staff/3", "/moves", "/invites", "/invites/\(ref)",
                     "/invites/\(ref)/print?paper=a5", "/invites/\(ref)/print?paper=80mm", "/violations", "/violations/1", "/violations/2",
                     "/payments", "/cleanup", "/report", "/audit", "/login",
                     "/scan?q=" + CurlBrowser.encode("<script>alert(1)</script>"), "/",
                     "/vehicles/" + CurlBrowser.pathEncode("<script>alert(1)</script>"), "/staff/" + CurlBrowser.pathEncode("<script>alert(1)</script>"),
                     "/violations/" + CurlBrowser.pathEncode("<img src=x onerror=alert(1)>"), "/violations?plate=" + CurlBrowser.encode("<script>alert(1)</script>"),
                     "/invites?plate=" + CurlBrowser.encode("<script>alert(1)</script>"), "/audit?since=" + CurlBrowser.encode("<script>alert(1)</script>"),
                     "/report?from=" + CurlBrowser.encode("<script>alert(1)</script>")]
        var pages = 0
        for path in paths {
            let page = try browser.get(path)
            pages += 1
            #expect(page.status != 500, "GET \(path): HTTP 500")
            #expect(WebTests.rawMarkup(in: page.body).isEmpty, "GET \(path) renders \(WebTests.rawMarkup(in: page.body))")
        }
        // The escaped text is there: the page shows the name, as text.
        #expect(try browser.get("/staff").body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        // The files the command line writes: the slip, the card, the key tag.
        for (arguments, file) in [(["register", "print", ref, "--out"], "slip.html"), (["register", "print", ref, "--out"], "card.svg"),
                                  (["vehicle", "tag", "--plate", "京D11111", "--out"], "tag.html"), (["vehicle", "tag", "--plate", "京D11111", "--out"], "tag.svg")] {
            let out = shop.file(file)
            let written = try shop.run(arguments + [out.path])
            #expect(written.status == 0, "\(arguments): \(written)")
            let text = try String(contentsOf: out, encoding: .utf8)
            #expect(WebTests.rawMarkup(in: text).isEmpty, "\(file) holds \(WebTests.rawMarkup(in: text))")
        }
        figure("hostile/web: \(pages) pages and 4 printed files with stored <script>, <img onerror> and <svg onload>: all escaped")
    }

    @Test("the language switch does not redirect off the site; a POST without the CSRF token writes nothing")
    func redirectsAndCSRF() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        let server = try Server(shop)
        defer { server.stop() }
        let browser = CurlBrowser(server)
        try browser.get("/")
        // A browser reads /\host as //host, another site, as it does //host itself.
        for back in ["//evil.example/", "https://evil.example/", "javascript:alert(1)", "\\\\evil.example", "/%2F%2Fevil.example", " //evil.example",
                     "/\\evil.example", "/\\/evil.example", "/\t/evil.example"] {
            let page = try browser.post("/lang", ["lang": "en", "back": back])
            let location = page.location ?? ""
            #expect(location.hasPrefix("/") && !location.hasPrefix("//") && !location.hasPrefix("/\\") && !location.contains("\t"),
                    "back=\(back.debugDescription) redirects to \(location.debugDescription)")
        }
        let before = try shop.dump()
        try browser.get("/vehicles")
        let forged = try browser.post("/vehicles", ["plate": "京C54321", "owner": "x"], withToken: false)
        #expect(forged.status == 403)
        let wrong = try browser.post("/vehicles", ["plate": "京C54321", "owner": "x", "csrf": "x"], withToken: false)
        #expect(wrong.status == 403)
        #expect(try shop.dump() == before)
    }

    @Test("an error page's forms carry the session's CSRF token")
    func errorPageToken() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        let server = try Server(shop)
        defer { server.stop() }
        let browser = CurlBrowser(server)
        try browser.get("/")
        let missing = try browser.get("/violations/999")
        #expect(missing.status == 404)
        #expect(!missing.body.contains("name=\"csrf\" value=\"\""), "the 404 page's forms have an empty token")
        #expect(try browser.post("/lang", ["lang": "en", "back": "/"]).status == 303)
    }
}
