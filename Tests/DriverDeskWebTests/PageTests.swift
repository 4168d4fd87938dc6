import DriverDeskApp
import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

@Suite("Web: every page, the session, CSRF, passwords, static files")
struct PageTests {
    @Test("every page renders, in Chinese by default; the cookie is HttpOnly and SameSite", arguments: Backend.allCases)
    func pages(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        let ref = try shop.desk.invite(plate: "京A12345", staff: "王磊", method: nil).view.registration.ref
        _ = try shop.desk.addViolation(plate: "京A12345", at: "2026-11-20 10:00", code: "1625", points: nil, fine: nil, location: "东三环", recordNo: nil)
        try await shop.test { browser in
            let home = try await browser.get("/")
            #expect(home.status == .ok)
            #expect(home.body.contains("测试汽修") && home.body.contains("前台总览"))
            let cookie = try #require(home.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            for uri in ["/moves", "/vehicles", "/vehicles/%E4%BA%ACA12345", "/staff", "/staff/1", "/invites", "/invites/\(ref)",
                        "/invites/\(ref)/print?paper=a5", "/invites/\(ref)/print?paper=80mm", "/violations", "/violations/1", "/payments",
                        "/cleanup", "/report", "/audit", "/vehicles/%E4%BA%ACA12345/tag?paper=80mm", "/static/desk.css"] {
                let page = try await browser.get(uri)
                #expect(page.status == .ok, "\(uri) answered \(page.status)")
            }
            #expect(try await browser.get("/invites/\(ref)/qr.png").headers[.contentType] == "image/png")
            #expect(try await browser.get("/violations/999").status == .notFound)
            #expect(try await browser.get("/vehicles/%E4%BA%ACZ99999").status == .notFound)
        }
    }

    @Test("a POST without a valid CSRF token is refused and writes nothing", arguments: Backend.allCases)
    func csrf(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            _ = try await browser.get("/vehicles")
            let before = try shop.count("vehicle")
            let none = try await browser.post("/vehicles", ["plate": "京C11111", "owner": "x"], withToken: false)
            #expect(none.status == .forbidden)
            let wrong = try await browser.post("/vehicles", ["plate": "京C11111", "owner": "x"], csrf: "forged")
            #expect(wrong.status == .forbidden)
            #expect(try shop.count("vehicle") == before)
            let stranger = Browser(client: browser.client)
            #expect(try await stranger.post("/vehicles", ["plate": "京C11111", "owner": "x"], csrf: browser.csrf).status == .forbidden)
            let ok = try await browser.post("/vehicles", ["plate": "京c 11111", "owner": "x"])
            #expect(ok.status == .seeOther)
            #expect(try shop.count("vehicle") == before + 1)
        }
    }

    @Test("bad form input re-renders the form with the field named, keeps what was typed, writes nothing", arguments: Backend.allCases)
    func badInput(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            _ = try await browser.get("/staff")
            let before = try shop.count("staff")
            let page = try await browser.post("/staff", ["name": "赵六", "idNumber": "110105198803124112", "licenseClass": "C1",
                                                          "licenseFirstIssued": "2010-01-01", "licenseValidUntil": "2030-01-01"])
            #expect(page.status == .badRequest)
            #expect(page.body.contains("data-field=\"id-number\""))
            #expect(page.body.contains("身份证号：校验位不对：输入的是 2，按前 17 位应为 1"))
            #expect(page.body.contains("value=\"赵六\""))
            #expect(try shop.count("staff") == before)

            _ = try await browser.get("/vehicles")
            let plate = try await browser.post("/vehicles", ["plate": "京A1234I", "owner": "x"])
            #expect(plate.status == .badRequest)
            #expect(plate.body.contains("data-field=\"plate\""))
        }
    }

    @Test("HTML typed into any field is shown as text, never as markup", arguments: Backend.allCases)
    func escaping(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        _ = try shop.desk.addVehicle(plate: "京D12345", owner: "<script>alert(1)</script>&\"'", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        try await shop.test { browser in
            for uri in ["/vehicles", "/vehicles/%E4%BA%ACD12345"] {
                let page = try await browser.get(uri)
                #expect(!page.body.contains("<script>alert(1)</script>"))
                #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            }
            let search = try await browser.get("/scan?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
            // An unknown scan is answered on its own page, which names what was read as text.
            #expect(search.status == .notFound)
            #expect(!search.body.contains("<img src=x") && search.body.contains("&lt;img src=x onerror=alert(1)&gt;"))
        }
    }

    @Test("off 127.0.0.1 the server refuses to start before the shop has an account; with one, every page needs a login")
    func accountFirst() async throws {
        let shop = try WebHarness()
        #expect(throws: DeskError.self) { try buildApplication(shop: shop.workshop, settings: shop.settings(host: "0.0.0.0")) }
        _ = try shop.desk.addUser(name: "boss", role: "manager", staff: nil, password: "Boss-office-2026")
        _ = try buildApplication(shop: shop.workshop, settings: shop.settings(host: "0.0.0.0"))
        try await shop.test { browser in
            let locked = try await browser.get("/")
            #expect(locked.status == .seeOther && locked.location == "/login")
            _ = try await browser.get("/login")
            #expect(try await browser.post("/login", ["name": "boss", "password": "wrong-password"]).status == .unauthorized)
            let before = browser.cookie
            let ok = try await browser.post("/login", ["name": "boss", "password": "Boss-office-2026"])
            #expect(ok.status == .seeOther)
            #expect(browser.cookie != before, "login starts a new session")
            #expect(try await browser.get("/").status == .ok)
            #expect(try await browser.get("/static/desk.css").status == .ok)
        }
    }

    @Test("static files cannot escape their folder")
    func staticFolder() async throws {
        let shop = try WebHarness()
        try await shop.test { browser in
            for uri in ["/static/../../Package.swift", "/static/%2e%2e/%2e%2e/Package.swift", "/static/..%2f..%2fPackage.swift", "/static/../i18n/en.json"] {
                let page = try await browser.get(uri)
                #expect(page.status != .ok, "\(uri) answered \(page.status)")
                #expect(!page.body.contains("swift-tools-version"))
            }
        }
    }

    @Test("the language switch shows English, from a catalogue")
    func language() async throws {
        let shop = try WebHarness()
        try await shop.test { browser in
            _ = try await browser.get("/")
            let switched = try await browser.post("/lang", ["lang": "en", "back": "/vehicles"])
            #expect(switched.location == "/vehicles")
            let page = try await browser.get("/vehicles")
            #expect(page.body.contains("Add a customer car"))
            #expect(page.body.contains("lang=\"en\""))
        }
    }

    @Test("guessing invite references: after 20 unknown ones a session gets 429")
    func throttle() async throws {
        let shop = try WebHarness()
        let ref = try shop.desk.invite(plate: "京A12345", staff: "王磊", method: nil).view.registration.ref
        try await shop.test { browser in
            _ = try await browser.get("/")
            for index in 0..<20 {
                #expect(try await browser.get("/invites/INV-0000-\(String(format: "%04d", index))").status == .notFound)
            }
            let blocked = try await browser.get("/invites/INV-0000-0099")
            #expect(blocked.status == .tooManyRequests && blocked.body.contains("这个浏览器查询了太多不存在的邀请编号，请 10 分钟后再试"), "\(blocked.body.prefix(300))")
            #expect(try await browser.get("/invites/\(ref)").status == .tooManyRequests)
            _ = try await browser.get("/invites")
            #expect(try await browser.post("/invites/confirm", ["scan": "INV-0000-0100"]).status == .tooManyRequests)
            let other = Browser(client: browser.client)
            #expect(try await other.get("/invites/\(ref)").status == .ok)
        }
    }
}
