@testable import DriverDeskApp
import DriverDeskStore
@testable import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

/// Issue 29: the pages of a driver's phone. A key tag's link opened before logging in comes back after it; he starts
/// and ends his own movement; another's is refused naming who since when; every other page of the shop is closed to
/// him; his session lasts his shift; the desk's phone that opens a link goes to the car.
@Suite("Web: a driver's phone")
struct DriverPageTests {
    static let wangPassword = "Wang-phone-2026", liPassword = "Li-phone-2026x"

    func shop(_ backend: Backend = .sqlite) throws -> AccountShop {
        let shop = try AccountShop(backend: backend)
        _ = try shop.shop.desk.addUser(name: "wang", role: "driver", staff: "王磊", password: DriverPageTests.wangPassword)
        _ = try shop.shop.desk.addUser(name: "li", role: "driver", staff: "李强", password: DriverPageTests.liPassword)
        return shop
    }

    @Test("a key tag's link before the login: to the login page and back to the car after it; a driver's cookie lasts his shift, the desk's the browser's life",
          arguments: Backend.allCases)
    func linkThroughLogin(_ backend: Backend) async throws {
        let shop = try shop(backend)
        try await shop.shop.test { browser in
            let first = try await browser.get("/k/BJ-A12345")
            #expect(first.status == .seeOther && first.location == "/login?next=%2Fk%2FBJ%2DA12345")
            let login = try await browser.get(try #require(first.location))
            #expect(login.body.contains("name=\"next\" value=\"/k/BJ-A12345\""))
            let signedIn = try await browser.post("/login", ["name": "wang", "password": DriverPageTests.wangPassword, "next": "/k/BJ-A12345"])
            #expect(signedIn.status == .seeOther && signedIn.location == "/k/BJ-A12345")
            let cookie = try #require(signedIn.headers[.setCookie])
            #expect(cookie.contains("Max-Age=36000") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            // A next that leaves the key tags (or the site) is not followed.
            let other = Browser(client: browser.client)
            _ = try await other.get("/login")
            #expect(try await other.post("/login", ["name": "li", "password": DriverPageTests.liPassword, "next": "//evil.example/k/x"]).location == "/me")
            let desk = Browser(client: browser.client)
            _ = try await desk.get("/login")
            let deskIn = try await desk.post("/login", ["name": "anna", "password": AccountShop.deskPassword])
            #expect(deskIn.location == "/" && deskIn.headers[.setCookie]?.contains("Max-Age") == false)
        }
    }

    @Test("start with a purpose and end his own movement on the phone; the page offers one big button each time; his page shows it; the audit names him",
          arguments: Backend.allCases)
    func startAndEnd(_ backend: Backend) async throws {
        let shop = try shop(backend)
        let clock = MovableClock(shop.shop.now)
        try await shop.shop.test(clock: clock) { browser in
            try await browser.logIn("wang", DriverPageTests.wangPassword)
            let car = try await browser.get("/k/BJ-A12345")
            #expect(car.status == .ok && car.body.contains("京A12345") && car.body.contains("action=\"/k/BJ-A12345/start\""))
            #expect(car.body.contains("value=\"road-test\" checked") && car.body.contains("开始驾驶") && !car.body.contains("/k/BJ-A12345/end"))
            #expect(!car.body.contains("action=\"/scan\"") && !car.body.contains("href=\"/violations\""), "no desk navigation on his phone")
            let started = try await browser.post("/k/BJ-A12345/start", ["purpose": "delivery"])
            #expect(started.status == .seeOther && started.location == "/k/BJ-A12345")
            let driving = try await browser.get("/k/BJ-A12345")
            #expect(driving.body.contains("已开始驾驶 京A12345（送车）") && driving.body.contains("action=\"/k/BJ-A12345/end\"") && !driving.body.contains("/start\""))
            clock.advance(25 * 60)
            let ended = try await browser.post("/k/BJ-A12345/end", [:])
            #expect(ended.status == .seeOther && ended.location == "/me")
            let home = try await browser.get("/me")
            #expect(home.status == .ok && home.body.contains("已结束驾驶 京A12345") && home.body.contains("用时 25 分钟"))
            #expect(home.body.contains("送车") && home.body.contains("王磊"))
            // His violations with what each asks of him (the open one: a window, the processed one: pay by its date).
            #expect(home.body.contains("东三环") && home.body.contains("缴款"))
        }
        let movements = try shop.shop.desk.movements(plate: "京A12345", staff: nil, from: nil, to: nil)
        let mine = try #require(movements.first)
        #expect(mine.staff.name == "王磊" && mine.purpose == "delivery" && mine.minutes == 25)
        let audit = try shop.shop.desk.audit(since: nil).filter { $0.action.hasPrefix("movement.") }
        #expect(audit.suffix(2).map(\.action) == ["movement.start", "movement.end"] && audit.suffix(2).allSatisfy { $0.operator == "wang (王磊)" })
    }

    @Test("another's movement is refused naming who since when (409, nothing written); a car not in the shop 409; an unknown token 404", arguments: Backend.allCases)
    func refusals(_ backend: Backend) async throws {
        let shop = try shop(backend)
        try await shop.shop.test { browser in
            let li = Browser(client: browser.client)
            try await li.logIn("li", DriverPageTests.liPassword)
            #expect(try await li.post("/k/BJ-A12345/start", ["purpose": "parking"]).status == .seeOther)
            try await browser.logIn("wang", DriverPageTests.wangPassword)
            let before = try shop.fingerprint()
            let theirs = try await browser.get("/k/BJ-A12345")
            #expect(theirs.status == .conflict && theirs.body.contains("正由李强驾驶") && theirs.body.contains("12:00") && theirs.body.contains("只能结束你自己的挪车"))
            #expect(!theirs.body.contains("/k/BJ-A12345/end\"") && !theirs.body.contains("/k/BJ-A12345/start\""))
            #expect(try await browser.post("/k/BJ-A12345/end", [:]).status == .conflict)
            #expect(try await browser.post("/k/BJ-A12345/start", ["purpose": "road-test"]).status == .conflict)
            let away = try await browser.get("/k/SH-B88888")
            #expect(away.status == .conflict && away.body.contains("沪B88888 没有在店内登记到店"))
            #expect(try await browser.get("/k/BJ-ZZZ999").status == .notFound)
            #expect(try await browser.get("/k/nonsense").status == .notFound)
            #expect(try await browser.post("/k/SH-B88888/start", ["purpose": "joyride"]).status == .badRequest)
            #expect(try shop.fingerprint() == before)
        }
    }

    @Test("a driver reaches only his own pages: every other page sends him to his page, every other form is refused (403) and writes nothing", arguments: Backend.allCases)
    func confined(_ backend: Backend) async throws {
        let shop = try shop(backend)
        try await shop.shop.test { browser in
            try await browser.logIn("wang", DriverPageTests.wangPassword)
            for route in shop.routes where !["/logout", "/login", "/lang", "/me"].contains(route.pattern) && !route.pattern.hasPrefix("/k/") {
                let before = try shop.fingerprint()
                let page = try await browser.send(route)
                if route.method == .get {
                    #expect(page.status == .seeOther && page.location == "/me", "driver: \(route) answered \(page.status) \(page.location ?? "")")
                } else {
                    #expect(page.status == .forbidden, "driver: \(route) answered \(page.status)")
                }
                #expect(try shop.fingerprint() == before, "driver: \(route) wrote something")
            }
            #expect(try await browser.get("/me").status == .ok)
        }
    }

    @Test("a driver's session has no idle limit and ends with his shift; the desk's phone that opens a link goes to the car's page", arguments: Backend.allCases)
    func sessionAndDesk(_ backend: Backend) async throws {
        let shop = try shop(backend)
        let clock = MovableClock(shop.shop.now)
        try await shop.shop.test(clock: clock) { browser in
            try await browser.logIn("wang", DriverPageTests.wangPassword)
            clock.advance(3 * 3600)
            #expect(try await browser.get("/me").status == .ok, "three hours in his pocket")
            clock.advance(7 * 3600)
            #expect(try await browser.get("/me").location == "/login?ended=shift")
            let desk = Browser(client: browser.client)
            try await desk.logIn("anna", AccountShop.deskPassword)
            let opened = try await desk.get("/k/BJ-A12345")
            #expect(opened.status == .seeOther && opened.location == "/scan?q=BJ%2DA12345")
            let scanned = try await desk.get(try #require(opened.location))
            #expect(scanned.location == "/vehicles/%E4%BA%ACA12345")
            #expect(try await desk.get("/me").location == "/")
        }
    }

    @Test("the manager adds a driver's account on the accounts page: the role offered, his staff member required (400 naming it, nothing written)")
    func managerAddsDriver() async throws {
        let shop = try shop()
        try await shop.shop.test { browser in
            try await browser.logIn("boss", AccountShop.managerPassword)
            let page = try await browser.get("/users")
            #expect(page.body.contains("<option value=\"driver\"") && page.body.contains("司机"))
            let before = try shop.fingerprint()
            let refused = try await browser.post("/users", ["name": "zhou", "role": "driver", "staff": "", "password": "Zhou-phone-2026", "password2": "Zhou-phone-2026"])
            #expect(refused.status == .badRequest && refused.body.contains("司机账户要绑定一名员工"))
            #expect(try shop.fingerprint() == before)
            let added = try await browser.post("/users", ["name": "zhou", "role": "driver", "staff": "2", "password": "Zhou-phone-2026", "password2": "Zhou-phone-2026"])
            #expect(added.status == .seeOther)
        }
        #expect(try shop.shop.desk.users().first { $0.name == "zhou" }.map { $0.role == "driver" && $0.staff?.name == "李强" } == true)
    }
}
