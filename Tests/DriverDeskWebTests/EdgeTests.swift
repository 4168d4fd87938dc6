@testable import DriverDeskApp
@testable import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

/// What a request may be before any page reads it (issue 27): a path as its target, a host named, no control
/// characters in its path, a body no larger than its page needs, form fields in UTF-8.
@Suite("Web: the edges of a request")
struct EdgeTests {
    /// A request line and headers as bytes, with `Host: 127.0.0.1` unless `host` is nil.
    static func request(_ line: String, host: String? = "127.0.0.1", _ headers: [String] = [], body: String = "") -> String {
        ([line] + (host.map { ["Host: \($0)"] } ?? []) + headers).joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    @Test("on a live server: a whole address as the target, no Host, a control character in the path (also %00–%1F, %7F): 400 before any route, with the headers",
          arguments: Backend.allCases)
    func targetsHostsPaths(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        let app = try buildApplication(shop: shop.shop.workshop, settings: shop.shop.settings())
        try await app.test(.live) { client in
            let port = try #require(client.port)
            func answer(_ text: String) async throws -> RawHTTP.Answer { try await RawHTTP.exchange(port: port, text) }
            // What a browser sends is served.
            let login = try await answer(EdgeTests.request("GET /login HTTP/1.1"))
            #expect(login.status == 200 && login.body.contains("账户名"), "\(login)")
            let css = try await answer(EdgeTests.request("GET /static/desk.css HTTP/1.1"))
            #expect(css.status == 200 && css.header("Content-Type")?.hasPrefix("text/css") == true, "\(css)")
            // A mark of the server's own, sent by the client, means nothing.
            #expect(try await answer(EdgeTests.request("GET /login HTTP/1.1", ["DriverDesk-Request-Target: not-a-path"])).status == 200)

            var refused: [(String, RawHTTP.Answer)] = []
            // A target that is no URL at all never gets past HTTP/1's parser (400, and the connection closed).
            #expect(try await answer(EdgeTests.request("GET login HTTP/1.1")).status == 400)
            for target in ["http://evil.example/login", "http://127.0.0.1/login", "HTTP://LOCALHOST/", "http://localhost:8080", "*"] {
                let page = try await answer(EdgeTests.request("GET \(target) HTTP/1.1"))
                #expect(page.status == 400 && page.body.contains("路径") && page.body.contains("not a whole address"), "GET \(target): \(page)")
                refused.append(("GET \(target)", page))
            }
            let before = try shop.fingerprint()
            let post = try await answer(EdgeTests.request("POST http://127.0.0.1/vehicles HTTP/1.1", ["Content-Type: application/x-www-form-urlencoded", "Content-Length: 9"],
                                                          body: "plate=x&a"))
            #expect(post.status == 400, "\(post)")
            #expect(try shop.fingerprint() == before)
            refused.append(("POST to an address", post))
            for (name, text) in [("HTTP/1.1 without Host", EdgeTests.request("GET /login HTTP/1.1", host: nil)),
                                 ("HTTP/1.0 without Host", EdgeTests.request("GET /login HTTP/1.0", host: nil)),
                                 ("an empty Host", EdgeTests.request("GET /login HTTP/1.1", host: ""))] {
                let page = try await answer(text)
                #expect(page.status == 400 && page.body.contains("主机名") && page.body.contains("no Host header"), "\(name): \(page)")
                refused.append((name, page))
            }
            for path in ["/static/desk.css%00.html", "/static/desk.css%00", "/vehicles/%E4%BA%ACA12345%0A", "/login%0d", "/static/desk.css%1F", "/vehicles%7f", "/%7F"] {
                let page = try await answer(EdgeTests.request("GET \(path) HTTP/1.1"))
                #expect(page.status == 400 && page.body.contains("控制字符"), "GET \(path): \(page)")
                #expect(page.header("Content-Type")?.hasPrefix("text/plain") == true, "GET \(path) is served as \(page.header("Content-Type") ?? "?")")
                refused.append(("GET \(path)", page))
            }
            for (name, page) in refused {
                #expect(page.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true && page.header("X-Content-Type-Options") == "nosniff",
                        "\(name): \(page.head)")
            }
        }
    }

    @Test("on a live server: a body over its page's limit gets 413 from Content-Length alone (none of it sent), or once a body without a length grows past it",
          arguments: Backend.allCases)
    func bodyLimits(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        let app = try buildApplication(shop: shop.shop.workshop, settings: shop.shop.settings())
        let form = "Content-Type: application/x-www-form-urlencoded"
        try await app.test(.live) { client in
            let port = try #require(client.port)
            func answer(_ text: String) async throws -> RawHTTP.Answer { try await RawHTTP.exchange(port: port, text) }
            // A 60 MB login before any session: the header says enough, and the answer comes without a byte of the body.
            let login = try await answer(EdgeTests.request("POST /login HTTP/1.1", [form, "Content-Length: 62914560"]))
            #expect(login.status == 413 && login.body.contains("16 KB") && !login.body.contains("账户名"), "\(login)")
            let vehicles = try await answer(EdgeTests.request("POST /vehicles HTTP/1.1", [form, "Content-Length: \(1_048_577)"]))
            #expect(vehicles.status == 413 && vehicles.body.contains("1 MB"), "\(vehicles)")
            let upload = try await answer(EdgeTests.request("POST /violations/import HTTP/1.1", ["Content-Type: multipart/form-data; boundary=x", "Content-Length: \(20 * 1_048_576 + 1)"]))
            #expect(upload.status == 413 && upload.body.contains("20 MB") && upload.body.contains("driverdesk violation import"), "\(upload)")
            // At the limit the body is read (and then found to carry no CSRF token).
            let atLimit = try await answer(EdgeTests.request("POST /login HTTP/1.1", [form, "Content-Length: 16384"], body: String(repeating: "a", count: 16_384)))
            #expect(atLimit.status == 403, "\(atLimit)")
            // Without a length: read up to the limit and answered then, while the body still has not ended.
            func chunked(_ path: String, bytes: Int) -> String {
                EdgeTests.request("POST \(path) HTTP/1.1", [form, "Transfer-Encoding: chunked"]) + String(bytes, radix: 16) + "\r\n" + String(repeating: "a", count: bytes) + "\r\n"
            }
            let endless = try await answer(chunked("/login", bytes: 16_385))
            #expect(endless.status == 413 && endless.body.contains("16 KB"), "\(endless)")
            let endlessForm = try await answer(chunked("/vehicles", bytes: 1_048_577))
            #expect(endlessForm.status == 413 && endlessForm.body.contains("1 MB"), "\(endlessForm)")
            let ended = try await answer(chunked("/login", bytes: 100) + "0\r\n\r\n")
            #expect(ended.status == 403, "a small body without a length is read to its end: \(ended)")
        }
    }

    @Test("through the router: the limit of each page from Content-Length, one byte over refused and the limit itself read", arguments: Backend.allCases)
    func limitsByPage(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        try await shop.shop.test { browser in
            for (path, limit, type) in [("/login", 16_384, "application/x-www-form-urlencoded"), ("/vehicles", 1_048_576, "application/x-www-form-urlencoded"),
                                        ("/users/anna/password", 1_048_576, "application/x-www-form-urlencoded"),
                                        ("/violations/import", 20 * 1_048_576, "multipart/form-data; boundary=x")] {
                browser.extraHeaders[.contentLength] = String(limit + 1)
                let over = try await browser.send(path, method: .post, body: nil, contentType: type)
                #expect(over.status == .contentTooLarge, "\(path) at \(limit + 1) bytes: \(over.status)")
                browser.extraHeaders[.contentLength] = String(limit)
                let at = try await browser.send(path, method: .post, body: nil, contentType: type)
                #expect(at.status == .forbidden, "\(path) at \(limit) bytes: \(at.status), not the CSRF check")
            }
            browser.extraHeaders = [:]
        }
        #expect(RequestLimits.frontDesk.body(for: "/login/") == 16_384 && RequestLimits.frontDesk.body(for: "/violations/import/") == 20 * 1_048_576)
        #expect(RequestLimits.chainPage.body(for: "/violations/import") == 1_048_576 && RequestLimits.frontDesk.body(for: "/") == 1_048_576)
    }

    @Test("through the router: %00 and other control characters in a path get 400, also for static files; a path without them is served", arguments: Backend.allCases)
    func controlCharactersInPaths(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            let nul = try await browser.get("/static/desk.css%00.html")
            #expect(nul.status == .badRequest && nul.headers[.contentType]?.hasPrefix("text/html") == false, "\(nul.status) \(nul.headers[.contentType] ?? "")")
            for path in ["/vehicles/%0a", "/vehicles%09", "/scan%7F?q=1", "/%1b"] {
                #expect(try await browser.get(path).status == .badRequest, "\(path)")
            }
            // In the query a control character is a form's business (a search box), not the path's.
            #expect(try await browser.get("/vehicles?q=%0A").status == .ok)
            #expect(try await browser.get("/static/desk.css").status == .ok)
            #expect(try await browser.get("/vehicles/%E4%BA%ACA12345").status == .ok, "percent-encoded Chinese is no control character")
        }
        #expect(RequestLimits.hasControlCharacter("/a%00b") && RequestLimits.hasControlCharacter("/a%7f") && RequestLimits.hasControlCharacter("/a\u{1}"))
        #expect(!RequestLimits.hasControlCharacter("/a%20b") && !RequestLimits.hasControlCharacter("/a%2") && !RequestLimits.hasControlCharacter("/%E4%BA%AC")
                && !RequestLimits.hasControlCharacter("/a%g0"))
    }

    @Test("a form field that is not UTF-8 (url-encoded, raw, multipart, or its name) is refused with 400 naming the field, in both languages, and nothing is written",
          arguments: Backend.allCases)
    func notUTF8(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        try await shop.shop.test { browser in
            try await browser.logIn("boss", AccountShop.managerPassword)
            func post(_ path: String, _ body: [UInt8]) async throws -> Browser.Page {
                _ = try await browser.get("/vehicles")
                let token = Array("&csrf=\(browser.csrf ?? "")".utf8)
                return try await browser.send(path, method: .post, body: ByteBuffer(bytes: body + token), contentType: "application/x-www-form-urlencoded")
            }
            let before = try shop.fingerprint()
            let encoded = try await post("/vehicles", Array("plate=%E4%BA%ACC11111&owner=%FF%FE".utf8))
            #expect(encoded.status == .badRequest && encoded.body.contains("车主：") && encoded.body.contains("UTF-8"), "\(encoded.status) \(encoded.body.prefix(2_000))")
            let raw = try await post("/vehicles", Array("plate=%E4%BA%ACC11111&owner=".utf8) + [0xC3, 0x28])
            #expect(raw.status == .badRequest && raw.body.contains("车主：") && raw.body.contains("UTF-8"), "\(raw.status)")
            let name = try await post("/vehicles", Array("plate=%E4%BA%ACC11111&owner=%E5%88%98&%FFx=1".utf8))
            #expect(name.status == .badRequest && name.body.contains("UTF-8"), "\(name.status)")
            #expect(try shop.fingerprint() == before, "a refused form wrote something")
            // The same in English, where the field goes by its key.
            _ = try await browser.get("/vehicles")
            #expect(try await browser.post("/lang", ["lang": "en", "back": "/"]).status == .seeOther)
            let english = try await post("/vehicles", Array("plate=%E4%BA%ACC11111&owner=%FF%FE".utf8))
            #expect(english.status == .badRequest && english.body.contains("owner: not valid UTF-8 text"), "\(english.body.prefix(2_000))")
            // A multipart text field: refused; the file's own bytes are the camera file's business (GB18030 is fine).
            _ = try await browser.get("/violations")
            let boundary = "----driverdesk-edge"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(browser.csrf ?? "")\r\n".utf8)
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"dryRun\"\r\n\r\n".utf8) + Data([0xFF, 0xFE]) + Data("\r\n".utf8))
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\n".utf8))
            body.append(Data("号牌号码,违法时间,违法代码\n京A12345,2026-11-20 10:25,1625\n".utf8))
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            let multipart = try await browser.send("/violations/import", method: .post, body: ByteBuffer(bytes: body), contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(multipart.status == .badRequest && multipart.body.contains("UTF-8"), "\(multipart.status) \(multipart.body.prefix(1_000))")
            #expect(try shop.fingerprint() == before, "a refused upload wrote something")
            _ = try await browser.get("/violations")
            let gb18030 = String.Encoding(rawValue: 0x8000_0632)
            let file = try #require("号牌号码,违法时间,违法代码\n京A12345,2026-11-20 10:25,1625\n".data(using: gb18030))
            let dry = try await browser.upload("/violations/import", file: file, name: "c.csv", fields: ["dryRun": "1"])
            #expect(dry.status == .ok, "a GB18030 file is read as before: \(dry.status)")
            // And UTF-8 goes in.
            _ = try await browser.get("/vehicles")
            #expect(try await browser.post("/vehicles", ["plate": "京C11111", "owner": "刘洋"]).status == .seeOther)
        }
    }

    @Test("HostNames: loopback names, address literals, the served host and web.hostNames; never a name that only looks like them (DNS rebinding)")
    func hostNames() {
        let names = HostNames(served: "127.0.0.1", configured: ["desk.example.cn"])
        for allowed in ["localhost", "LOCALHOST", "localhost:8080", "localhost.", "localhost.:8080", "front.localhost", "front.localhost:8080",
                        "127.0.0.1", "127.0.0.1:8080", "127.0.0.1.", "192.168.1.20:8080", "[::1]", "[::1]:8080", "::1", "[::ffff:127.0.0.1]",
                        "[::ffff:127.0.0.1]:8080", "desk.example.cn", "DESK.example.cn.:443"] {
            #expect(names.allows(allowed), "\(allowed) is refused")
        }
        for refused in ["localhost.evil.example", "localhost.evil.example.", "evil.example", "evil.example.", "evil.example:8080", "127.0.0.1.nip.io",
                        "127.0.0.1.nip.io:8080", "localhost:evil", "localhost@evil.example", "evillocalhost", "localhostevil", "desk.example.cn.evil.example",
                        "example.cn", "", ":8080", "[]", "0x7f.0.0.1", "2130706433.nip.io", "[::1].evil.example"] {
            #expect(!names.allows(refused), "\(refused) is allowed")
        }
        #expect(HostNames(served: "0.0.0.0", configured: []).allows("0.0.0.0:8080"))
        #expect(!HostNames(served: "127.0.0.1", configured: []).allows("desk.example.cn"))
    }

    @Test("isLoopback: by the client's address (127.x, ::1, ::ffff:127.x) and by the address served on")
    func loopback() {
        for address in ["127.0.0.1", "127.1.2.3", "127.255.255.254", "::1", "::ffff:127.0.0.1", "::ffff:127.9.9.9"] {
            #expect(WebApp.isLoopback(address), "\(address)")
        }
        for address in ["10.0.0.1", "128.0.0.1", "12.7.0.0", "1.127.0.0", "::2", "::", "0.0.0.0", "::ffff:10.0.0.1", "::ffff:128.0.0.1", "fe80::1", "", "unknown"] {
            #expect(!WebApp.isLoopback(address), "\(address)")
        }
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"] { #expect(ServerSettings(host: host).isLoopback, "\(host)") }
        for host in ["0.0.0.0", "::", "192.168.1.20", "desk.example.cn", "128.0.0.1"] { #expect(!ServerSettings(host: host).isLoopback, "\(host)") }
    }
}
