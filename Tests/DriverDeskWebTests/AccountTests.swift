@testable import DriverDeskApp
import DriverDeskStore
@testable import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

/// A shop with a desk account (anna, linked to 王磊) and a manager (boss), a car driven, two violations (one open,
/// one processed) and an invite: every route has something real to act on.
struct AccountShop {
    let shop: WebHarness
    let ref: String
    static let deskPassword = "Anna-front-2026", managerPassword = "Boss-office-2026"

    init(backend: Backend = .sqlite) throws {
        shop = try WebHarness(backend: backend)
        let desk = shop.desk
        _ = try desk.setSetting(key: "rules.noSameDayProcessing", value: "false")
        _ = try desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 09:30", to: "2026-11-20 10:30", purpose: "road-test")
        _ = try desk.addViolation(plate: "京A12345", at: "2026-11-20 10:00", code: "1625", points: nil, fine: nil, location: "东三环", recordNo: nil)
        let second = try desk.addViolation(plate: "京A12345", at: "2026-11-20 10:15", code: "1625", points: nil, fine: nil, location: "东三环", recordNo: nil)
        _ = try desk.processViolation(String(second.id), window: true, at: nil)
        ref = try desk.invite(plate: "沪B88888", staff: "李强", method: nil).view.registration.ref
        _ = try desk.addUser(name: "anna", role: "desk", staff: "王磊", password: AccountShop.deskPassword)
        _ = try desk.addUser(name: "boss", role: "manager", staff: nil, password: AccountShop.managerPassword)
    }

    /// What a change would leave behind: the rows of every table (every change appends an audit entry).
    func fingerprint() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in ["staff", "vehicle", "visit", "movement", "registration", "violation", "audit", "setting", "account"] {
            counts[table] = try shop.count(table)
        }
        return counts
    }

    /// One request of the route table: the route's pattern, a concrete request, and whether only a manager may.
    struct Route: CustomStringConvertible {
        var method: HTTPRequest.Method
        var pattern: String
        var uri: String
        var form: [String: String] = [:]
        var managerOnly = false
        /// A driver's own (his phone's): the desk and the manager get 403 and nothing is written.
        var driverOnly = false
        var description: String { "\(method) \(uri)" }
    }

    /// Every route of the front desk with a request that would change something if it were let through. The
    /// manager's destructive ones come last, so that the routes before them find what they act on.
    var routes: [Route] {
        let plate = "%E4%BA%ACA12345"
        return [
            Route(method: .get, pattern: "/", uri: "/"),
            Route(method: .get, pattern: "/moves", uri: "/moves"),
            Route(method: .get, pattern: "/vehicles", uri: "/vehicles"),
            Route(method: .get, pattern: "/vehicles/{plate}", uri: "/vehicles/\(plate)"),
            Route(method: .get, pattern: "/vehicles/{plate}/tag", uri: "/vehicles/\(plate)/tag?paper=80mm"),
            Route(method: .get, pattern: "/visits/{id}/report", uri: "/visits/1/report"),
            Route(method: .get, pattern: "/visits/{id}/report/print", uri: "/visits/1/report/print?paper=80mm"),
            Route(method: .get, pattern: "/staff", uri: "/staff"),
            Route(method: .get, pattern: "/staff/{id}", uri: "/staff/1"),
            Route(method: .get, pattern: "/invites", uri: "/invites"),
            Route(method: .get, pattern: "/invites/{ref}", uri: "/invites/\(ref)"),
            Route(method: .get, pattern: "/invites/{ref}/print", uri: "/invites/\(ref)/print?paper=a5"),
            Route(method: .get, pattern: "/invites/{ref}/qr.png", uri: "/invites/\(ref)/qr.png"),
            Route(method: .get, pattern: "/violations", uri: "/violations"),
            Route(method: .get, pattern: "/violations/{id}", uri: "/violations/1"),
            Route(method: .get, pattern: "/scan", uri: "/scan?q=%E4%BA%ACA12345"),
            Route(method: .get, pattern: "/login", uri: "/login"),
            Route(method: .get, pattern: "/payments", uri: "/payments", managerOnly: true),
            Route(method: .get, pattern: "/cleanup", uri: "/cleanup", managerOnly: true),
            Route(method: .get, pattern: "/report", uri: "/report", managerOnly: true),
            Route(method: .get, pattern: "/audit", uri: "/audit", managerOnly: true),
            Route(method: .get, pattern: "/audit.csv", uri: "/audit.csv", managerOnly: true),
            Route(method: .get, pattern: "/settings", uri: "/settings", managerOnly: true),
            Route(method: .get, pattern: "/users", uri: "/users", managerOnly: true),
            Route(method: .post, pattern: "/lang", uri: "/lang", form: ["lang": "zh-Hans", "back": "/"]),
            Route(method: .post, pattern: "/vehicles", uri: "/vehicles", form: ["plate": "京C11111", "owner": "刘洋"]),
            Route(method: .post, pattern: "/vehicles/{plate}/checkin", uri: "/vehicles/%E6%B2%AAB88888/checkin", form: ["at": "2026-11-20 11:00"]),
            Route(method: .post, pattern: "/vehicles/{plate}/checkout", uri: "/vehicles/%E6%B2%AAB88888/checkout", form: ["at": "2026-11-20 11:30"]),
            Route(method: .get, pattern: "/vehicles/{plate}/plan", uri: "/vehicles/\(plate)/plan"),
            Route(method: .post, pattern: "/vehicles/{plate}/plan/invite", uri: "/vehicles/\(plate)/plan/invite", form: ["staff": "2", "paper": "80mm"]),
            Route(method: .post, pattern: "/moves/toggle", uri: "/moves/toggle", form: ["plate": "京A12345", "staff": "2", "purpose": "parking"]),
            Route(method: .post, pattern: "/moves/log", uri: "/moves/log",
                  form: ["plate": "京A12345", "staff": "2", "from": "2026-11-20 11:00", "to": "2026-11-20 11:10", "purpose": "parking"]),
            Route(method: .post, pattern: "/invites", uri: "/invites", form: ["plate": "京A12345", "staff": "1", "method": "qr"]),
            Route(method: .post, pattern: "/invites/confirm", uri: "/invites/confirm", form: ["scan": ref]),
            Route(method: .post, pattern: "/invites/{ref}/confirm", uri: "/invites/\(ref)/confirm"),
            Route(method: .post, pattern: "/invites/{ref}/remove", uri: "/invites/\(ref)/remove"),
            Route(method: .post, pattern: "/violations", uri: "/violations",
                  form: ["plate": "京A12345", "at": "2026-11-20 10:20", "code": "1625", "location": "东三环"]),
            Route(method: .post, pattern: "/violations/import", uri: "/violations/import"),
            Route(method: .post, pattern: "/violations/{id}/assign", uri: "/violations/1/assign", form: ["staff": "2", "reason": "他开的"], managerOnly: true),
            Route(method: .post, pattern: "/violations/{id}/process", uri: "/violations/1/process", form: ["channel": "window"], managerOnly: true),
            Route(method: .post, pattern: "/violations/{id}/pay", uri: "/violations/2/pay", form: ["method": "cash", "payer": "shop"], managerOnly: true),
            Route(method: .post, pattern: "/settings", uri: "/settings", form: ["key": "shop.phone", "value": "010-12345678"], managerOnly: true),
            Route(method: .post, pattern: "/staff", uri: "/staff",
                  form: ["name": "赵六", "idNumber": "110101199003071234", "licenseClass": "C1", "licenseFirstIssued": "2012-01-01",
                         "licenseValidUntil": "2030-01-01"], managerOnly: true),
            Route(method: .post, pattern: "/users", uri: "/users",
                  form: ["name": "carl", "role": "manager", "password": "Carl-office-2026", "password2": "Carl-office-2026"], managerOnly: true),
            Route(method: .post, pattern: "/users/{name}/password", uri: "/users/anna/password",
                  form: ["password": "Anna-new-2026!", "password2": "Anna-new-2026!"], managerOnly: true),
            Route(method: .post, pattern: "/cleanup", uri: "/cleanup", managerOnly: true),
            Route(method: .post, pattern: "/staff/{id}/deactivate", uri: "/staff/2/deactivate", managerOnly: true),
            Route(method: .post, pattern: "/users/{name}/disable", uri: "/users/carl/disable", managerOnly: true),
            Route(method: .get, pattern: "/moves/{id}", uri: "/moves/1"),
            Route(method: .post, pattern: "/moves/{id}/edit", uri: "/moves/1/edit", form: ["purpose": "parking", "reason": "用途登记错了"]),
            Route(method: .post, pattern: "/vehicles/{plate}/update", uri: "/vehicles/%E4%BA%ACA12345/update", form: ["ownerPhone": "13911020009"]),
            Route(method: .post, pattern: "/staff/{id}/update", uri: "/staff/1/update", form: ["licenseValidUntil": "2036-05-20"], managerOnly: true),
            Route(method: .post, pattern: "/visits/{id}/edit", uri: "/visits/1/edit", form: ["odometerIn": "12345", "reason": "进店里程漏填"], managerOnly: true),
            Route(method: .post, pattern: "/vehicles/{plate}/reopen", uri: "/vehicles/%E6%B2%AAB88888/reopen", form: ["reason": "车还没走"], managerOnly: true),
            Route(method: .post, pattern: "/violations/{id}/confirm", uri: "/violations/1/confirm", managerOnly: true),
            Route(method: .post, pattern: "/violations/{id}/unpay", uri: "/violations/2/unpay", form: ["reason": "付错了"], managerOnly: true),
            Route(method: .post, pattern: "/violations/{id}/handback", uri: "/violations/1/handback", managerOnly: true),
            Route(method: .post, pattern: "/invites/{ref}/unconfirm", uri: "/invites/\(ref)/unconfirm", form: ["reason": "车主没做"], managerOnly: true),
            Route(method: .post, pattern: "/invites/{ref}/unremove", uri: "/invites/\(ref)/unremove", form: ["reason": "点错了"], managerOnly: true),
            Route(method: .post, pattern: "/moves/void", uri: "/moves/void", form: ["id": "1", "reason": "登记错了"]),
            Route(method: .get, pattern: "/k/{token}", uri: "/k/BJ-A12345"),
            Route(method: .get, pattern: "/me", uri: "/me"),
            Route(method: .post, pattern: "/k/{token}/start", uri: "/k/BJ-A12345/start", form: ["purpose": "road-test"], driverOnly: true),
            Route(method: .post, pattern: "/k/{token}/end", uri: "/k/BJ-A12345/end", driverOnly: true),
            Route(method: .post, pattern: "/logout", uri: "/logout"),
            Route(method: .post, pattern: "/login", uri: "/login", form: ["name": "boss", "password": AccountShop.managerPassword]),
        ]
    }
}

extension Browser {
    /// Logs in on the login page; the answer of the POST.
    @discardableResult
    func logIn(_ name: String, _ password: String) async throws -> Page {
        _ = try await get("/login")
        let page = try await post("/login", ["name": name, "password": password])
        // The new session's CSRF token is on the page the login leads to.
        if page.status == .seeOther, let next = page.location { _ = try await get(next) }
        return page
    }

    func send(_ route: AccountShop.Route) async throws -> Page {
        if route.method == .get { return try await get(route.uri) }
        if route.pattern == "/login" {
            _ = try await get("/login")
            return try await post(route.uri, route.form)
        }
        if route.pattern == "/violations/import" {
            return try await upload(route.uri, file: Data("号牌号码,违法时间,违法代码\n京A12345,2026-11-20 10:25,1625\n".utf8), name: "c.csv", fields: [:])
        }
        // A form's token is the one its page carries.
        _ = try await get("/")
        return try await post(route.uri, route.form)
    }
}

@Suite("Web: accounts, roles and sessions")
struct AccountTests {
    @Test("the route table names every route the front desk serves")
    func everyRoute() throws {
        let shop = try AccountShop()
        let app = WebApp(shop: shop.shop.workshop, pages: try Pages(templates: try Templates.shipped()), settings: shop.shop.settings())
        let served = Set(buildRouter(app, staticFolder: "/nonexistent").routes.map { "\($0.method) \($0.path)" })
        let table = Set(shop.routes.map { "\($0.method) \($0.pattern)" })
        #expect(served == table, "served but not in the table: \(served.subtracting(table).sorted()); in the table but not served: \(table.subtracting(served).sorted())")
    }

    @Test("every route as a desk user: allowed, or 403 with nothing written; as a manager: allowed", arguments: Backend.allCases)
    func roles(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        try await shop.shop.test { browser in
            #expect(try await browser.logIn("anna", AccountShop.deskPassword).status == .seeOther)
            for route in shop.routes where route.pattern != "/logout" && route.pattern != "/login" {
                let before = try shop.fingerprint()
                let page = try await browser.send(route)
                if route.managerOnly || route.driverOnly {
                    #expect(page.status == .forbidden, "desk: \(route) answered \(page.status)")
                    #expect(try shop.fingerprint() == before, "desk: \(route) wrote something")
                    #expect(page.body.contains("anna") && page.body.contains("前台"), "the 403 page says who and which role")
                } else {
                    #expect(page.status != .forbidden && page.location != "/login", "desk: \(route) answered \(page.status)")
                }
            }
        }
        try await shop.shop.test { browser in
            #expect(try await browser.logIn("boss", AccountShop.managerPassword).status == .seeOther)
            for route in shop.routes {
                let before = try shop.fingerprint()
                let page = try await browser.send(route)
                if route.driverOnly {
                    #expect(try page.status == .forbidden && shop.fingerprint() == before, "manager: \(route) answered \(page.status)")
                    continue
                }
                #expect(page.status != .forbidden && page.location != "/login" || route.pattern == "/logout", "manager: \(route) answered \(page.status)")
            }
        }
    }

    @Test("the audit names the person and his staff member; logins, failures and logouts are audited; the audit page filters")
    func auditNamesThePerson() async throws {
        let shop = try AccountShop()
        try await shop.shop.test { browser in
            _ = try await browser.logIn("anna", "not-her-password")
            try await browser.logIn("anna", AccountShop.deskPassword)
            _ = try await browser.get("/vehicles")
            #expect(try await browser.post("/vehicles", ["plate": "京C11111", "owner": "刘洋"]).status == .seeOther)
            try await browser.post("/logout", [:])
        }
        let entries = try shop.shop.desk.audit(since: nil)
        let added = try #require(entries.last { $0.action == "vehicle.add" })
        #expect(added.operator == "anna (王磊)")
        #expect(entries.map(\.action).suffix(4) == ["login.failed", "login", "vehicle.add", "logout"])
        #expect(try shop.shop.desk.audit(since: nil, person: "anna").map(\.action) == ["login", "vehicle.add", "logout"])
        #expect(try shop.shop.desk.audit(since: nil, action: "login").map(\.action) == ["login.failed", "login"])
        #expect(try shop.shop.desk.audit(since: "2026-11-21").isEmpty)
        #expect(try shop.shop.desk.audit(since: "2026-11-20", until: "2026-11-20").count == entries.count)
        #expect(try shop.shop.desk.audit(since: "2026-11-19", until: "2026-11-19").isEmpty)
        try await shop.shop.test { browser in
            try await browser.logIn("boss", AccountShop.managerPassword)
            let page = try await browser.get("/audit?person=anna&action=vehicle")
            #expect(page.status == .ok && page.body.contains("<td>anna (王磊)</td>") && page.body.contains("<strong>添加车辆</strong>"))
            #expect(!page.body.contains("<strong>登录失败</strong>") && !page.body.contains("<strong>登录</strong>"))
        }
    }

    @Test("login: a new session id, no other page before it, the same answer for an unknown name and a wrong password", arguments: Backend.allCases)
    func login(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        try await shop.shop.test { browser in
            #expect(try await browser.get("/").location == "/login")
            // The login page's language switch works before the login.
            _ = try await browser.get("/login")
            #expect(try await browser.post("/lang", ["lang": "en", "back": "/login"]).location == "/login")
            #expect(try await browser.get("/login").body.contains("Account name"))
            #expect(try await browser.post("/lang", ["lang": "zh-Hans", "back": "/login"]).location == "/login")
            let fixed = browser.cookie
            let unknown = try await browser.logIn("nobody", "whatever-it-is")
            let wrong = try await browser.logIn("anna", "whatever-it-is")
            #expect(unknown.status == .unauthorized && wrong.status == .unauthorized)
            #expect(unknown.body.replacingOccurrences(of: "nobody", with: "NAME") == wrong.body.replacingOccurrences(of: "anna", with: "NAME"))
            let ok = try await browser.logIn("anna", AccountShop.deskPassword)
            #expect(ok.status == .seeOther && browser.cookie != fixed)
            // The session someone fixed before the login was not logged in by it.
            let fixer = Browser(client: browser.client)
            fixer.cookie = fixed
            #expect(try await fixer.get("/").location == "/login")
            #expect(try await browser.get("/").status == .ok)
        }
        // An unknown name costs the same hash as a wrong password: nothing to learn from the time it takes.
        let unknown = PasswordHash.Tally(), wrong = PasswordHash.Tally(), disabled = PasswordHash.Tally()
        let workshop = shop.shop.workshop, now = shop.shop.now
        let byUnknown = try PasswordHash.$tally.withValue(unknown) { try workshop.logIn(name: "nobody", password: "x", address: "test", now: now) }
        let byWrong = try PasswordHash.$tally.withValue(wrong) { try workshop.logIn(name: "anna", password: "x", address: "test", now: now) }
        _ = try shop.shop.desk.disableUser(name: "boss")
        let byDisabled = try PasswordHash.$tally.withValue(disabled) {
            try workshop.logIn(name: "boss", password: AccountShop.managerPassword, address: "test", now: now)
        }
        #expect(byUnknown == nil && byWrong == nil && byDisabled == nil)
        #expect(unknown.count == 1 && wrong.count == 1 && disabled.count == 1, "\(unknown.count) \(wrong.count) \(disabled.count)")
        // The audit keeps no unknown name (it may be a password typed in the wrong field) and no password.
        let audit = try shop.shop.desk.audit(since: nil)
        #expect(!audit.contains { $0.subject.contains("nobody") })
        #expect(!"\(audit)".contains("whatever-it-is") && !"\(audit)".contains("$y$"))
    }

    @Test("sessions end after a shift and after 30 idle minutes off this PC", arguments: Backend.allCases)
    func expiry(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        let clock = MovableClock(shop.shop.now)
        try await shop.shop.test(clock: clock) { browser in
            try await browser.logIn("anna", AccountShop.deskPassword)
            clock.advance(29 * 60)
            #expect(try await browser.get("/").status == .ok)
            clock.advance(29 * 60)
            #expect(try await browser.get("/").status == .ok, "each request starts the idle spell again")
            clock.advance(30 * 60)
            #expect(try await browser.get("/").location == "/login?ended=idle")
            #expect(try await browser.get("/login?ended=idle").body.contains("太久没有操作"))
            try await browser.logIn("anna", AccountShop.deskPassword)
            for _ in 0..<20 {
                clock.advance(29 * 60)
                #expect(try await browser.get("/moves").status == .ok)
            }
            clock.advance(21 * 60)
            #expect(try await browser.get("/").location == "/login?ended=shift", "10 hours after the login")
        }
    }

    @Test("logout, a new password and disabling end the sessions; the disabled cannot log in", arguments: Backend.allCases)
    func endings(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        try await shop.shop.test { browser in
            let other = Browser(client: browser.client)
            try await browser.logIn("anna", AccountShop.deskPassword)
            try await other.logIn("anna", AccountShop.deskPassword)
            try await browser.post("/logout", [:])
            #expect(try await browser.get("/").location == "/login")
            #expect(try await other.get("/").status == .ok, "a logout ends its own session only")
            _ = try shop.shop.desk.setPassword(name: "anna", password: "Anna-second-2026")
            #expect(try await other.get("/").location == "/login?ended=account")
            #expect(try await other.logIn("anna", AccountShop.deskPassword).status == .unauthorized)
            #expect(try await other.logIn("anna", "Anna-second-2026").status == .seeOther)
            _ = try shop.shop.desk.disableUser(name: "anna")
            #expect(try await other.get("/").location == "/login?ended=account")
            #expect(try await other.logIn("anna", "Anna-second-2026").status == .unauthorized)
        }
    }

    @Test("five failures in 15 minutes lock the account (any name) and the address, with the time it lifts", arguments: Backend.allCases)
    func lockout(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        let clock = MovableClock(shop.shop.now)
        try await shop.shop.test(clock: clock) { browser in
            for attempt in 1...4 {
                #expect(try await browser.logIn("anna", "wrong-\(attempt)-password").status == .unauthorized)
                clock.advance(60)
            }
            let fifth = try await browser.logIn("anna", "wrong-5-password")
            #expect(fifth.status == .tooManyRequests && fifth.body.contains("2026-11-20 12:15"), "locked until the first failure leaves the window")
            #expect(try await browser.logIn("anna", AccountShop.deskPassword).status == .tooManyRequests, "the right password waits too")
            clock.advance(10 * 60)
            #expect(try await browser.logIn("anna", AccountShop.deskPassword).status == .tooManyRequests, "12:14: still locked")
            clock.advance(60)
            #expect(try await browser.logIn("anna", AccountShop.deskPassword).status == .seeOther)
        }
    }

    @Test("the lock is per account, known or not, and per address")
    func lockKeys() async {
        let throttle = LoginThrottle()
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        for second in 0..<5 { await throttle.failed(LoginThrottle.keys(name: "Ghost", address: "10.0.0.1"), at: start.addingTimeInterval(Double(second))) }
        let now = start.addingTimeInterval(10)
        #expect(await throttle.lockedUntil(LoginThrottle.keys(name: "ghost", address: "10.0.0.2"), now: now) == start.addingTimeInterval(900))
        #expect(await throttle.lockedUntil(LoginThrottle.keys(name: "anna", address: "10.0.0.1"), now: now) == start.addingTimeInterval(900))
        #expect(await throttle.lockedUntil(LoginThrottle.keys(name: "anna", address: "10.0.0.2"), now: now) == nil)
        await throttle.succeeded(name: "ghost")
        #expect(await throttle.lockedUntil(LoginThrottle.keys(name: "ghost", address: "10.0.0.2"), now: now) == nil)
    }

    @Test("a login that works forgets its own account's failures only: another account's success, from this address or another, unlocks nothing",
          arguments: Backend.allCases)
    func lockoutOutlivesOthersSuccess(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        // Every `try` is inside an #expect: the closure says that it throws.
        try await shop.shop.test { (browser: Browser) async throws in
            let attacker = Browser(client: browser.client, address: "10.0.0.1")
            let boss = Browser(client: browser.client, address: "10.0.0.2")
            let elsewhere = Browser(client: browser.client, address: "10.0.0.3")
            // Four wrong passwords for anna from one address; the manager logs in from another; the fifth locks anna.
            for attempt in 1...4 { #expect(try await attacker.logIn("anna", "wrong-\(attempt)-password").status == .unauthorized) }
            #expect(try await boss.logIn("boss", AccountShop.managerPassword).status == .seeOther)
            #expect(try await elsewhere.logIn("anna", "wrong-5-password").status == .tooManyRequests, "boss's login reset anna's failures")
            #expect(try await elsewhere.logIn("anna", AccountShop.deskPassword).status == .tooManyRequests, "anna is locked from every address")
            // Four failures from one address under four names; a good login from that address; the fifth locks the address.
            let guesser = Browser(client: browser.client, address: "10.0.0.4")
            for attempt in 1...4 { #expect(try await guesser.logIn("name\(attempt)", "wrong-password-\(attempt)").status == .unauthorized) }
            #expect(try await guesser.logIn("boss", AccountShop.managerPassword).status == .seeOther)
            #expect(try await guesser.logIn("name5", "wrong-password-5").status == .tooManyRequests, "a login that worked reset the address's failures")
            #expect(try await guesser.logIn("boss", AccountShop.managerPassword).status == .tooManyRequests, "the address is locked for every name")
            // Addresses are told apart: neither lock reaches boss from his own address.
            let again = Browser(client: browser.client, address: "10.0.0.2")
            #expect(try await again.logIn("boss", AccountShop.managerPassword).status == .seeOther)
        }
    }

    @Test("logged in, in a shop with accounts: a POST without the session's CSRF token is refused (403) and writes nothing", arguments: Backend.allCases)
    func csrfWhileLoggedIn(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        try await shop.shop.test { browser in
            let other = Browser(client: browser.client)
            try await other.logIn("anna", AccountShop.deskPassword)
            try await browser.logIn("boss", AccountShop.managerPassword)
            let before = try shop.fingerprint()
            for route in shop.routes where route.method == .post && route.pattern != "/login" && route.pattern != "/violations/import" {
                _ = try await browser.get("/")
                for (name, token, withToken) in [("no token", nil, false), ("a forged token", "forged", true), ("an empty token", "", true),
                                                 ("another session's token", other.csrf, true)] as [(String, String?, Bool)] {
                    let page = try await browser.post(route.uri, route.form, csrf: token, withToken: withToken)
                    #expect(page.status == .forbidden, "\(route) with \(name): \(page.status)")
                }
                #expect(try shop.fingerprint() == before, "\(route) wrote something without its token")
            }
            let upload = try await browser.send("/violations/import", method: .post, body: ByteBuffer(string: "csrf=forged"), contentType: "application/x-www-form-urlencoded")
            #expect(upload.status == .forbidden)
            // The session is still logged in, and its own token works.
            _ = try await browser.get("/vehicles")
            #expect(try await browser.post("/vehicles", ["plate": "京C11111", "owner": "刘洋"]).status == .seeOther)
        }
    }

    @Test("before the first account the loopback desk is open and says changes are audited as the front desk", arguments: Backend.allCases)
    func openDesk(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            let home = try await browser.get("/")
            #expect(home.status == .ok && home.body.contains("本店还没有账户"))
            _ = try await browser.get("/vehicles")
            #expect(try await browser.post("/vehicles", ["plate": "京C11111", "owner": "刘洋"]).status == .seeOther)
            #expect(try shop.desk.audit(since: nil).last?.operator == "web")
        }
        _ = try shop.desk.addUser(name: "boss", role: "manager", staff: nil, password: AccountShop.managerPassword)
        try await shop.test { browser in
            let page = try await browser.get("/")
            #expect(page.location == "/login")
        }
    }
}

@Suite("Web: host names and headers")
struct HostTests {
    @Test("a foreign Host gets 421 on every route and nothing is written, logged in or not; every answer carries the headers", arguments: Backend.allCases)
    func foreignHost(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        try await shop.shop.test { browser in
            try await browser.logIn("boss", AccountShop.managerPassword)
            let token = browser.csrf
            let stranger = Browser(client: browser.client)
            for visitor in [browser, stranger] {
                visitor.extraHeaders[HTTPFields.Element.Name("Host")!] = "evil.example"
                for route in shop.routes {
                    let before = try shop.fingerprint()
                    let page = route.method == .get ? try await visitor.get(route.uri) : try await visitor.post(route.uri, route.form, csrf: token)
                    #expect(page.status == .misdirectedRequest, "\(route) answered \(page.status)")
                    #expect(try shop.fingerprint() == before, "\(route) wrote something")
                    #expect(!page.body.contains("测试汽修"))
                }
                visitor.extraHeaders = [:]
            }
            for name in ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "192.168.1.20:8080", "LOCALHOST"] {
                browser.extraHeaders[HTTPFields.Element.Name("Host")!] = name
                #expect(try await browser.get("/").status == .ok, "\(name)")
            }
            browser.extraHeaders[HTTPFields.Element.Name("Host")!] = "desk.example.cn"
            #expect(try await browser.get("/").status == .misdirectedRequest)
            _ = try shop.shop.desk.setSetting(key: "web.hostNames", value: "desk.example.cn, front.example.cn")
            #expect(try await browser.get("/").status == .ok, "a name of web.hostNames is served")
            browser.extraHeaders = [:]
        }
    }

    @Test("every page, file and refusal carries the CSP, nosniff and Referrer-Policy; pages hold no inline script", arguments: Backend.allCases)
    func headers(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        try await shop.shop.test { browser in
            try await browser.logIn("boss", AccountShop.managerPassword)
            var pages = try await shop.routes.filter { $0.method == .get }.asyncMap { try await browser.get($0.uri) }
            pages.append(try await browser.get("/static/desk.css"))
            pages.append(try await browser.get("/violations/999"))
            pages.append(try await browser.post("/vehicles", ["plate": "x"], csrf: "forged"))
            for page in pages {
                let csp = page.headers[.contentSecurityPolicy] ?? ""
                #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-eval"), "\(page.status): \(csp)")
                #expect(page.headers[.xContentTypeOptions] == "nosniff")
                #expect(page.headers[HTTPFields.Element.Name("Referrer-Policy")!] == "same-origin")
                if page.headers[.contentType]?.hasPrefix("text/html") == true {
                    #expect(!page.body.contains("<script>") && !page.body.contains("onclick=") && !page.body.contains("javascript:"))
                }
            }
        }
    }

    @Test("the session cookie is Secure behind HTTPS (X-Forwarded-Proto), and only then", arguments: Backend.allCases)
    func secureCookie(_ backend: Backend) async throws {
        let shop = try AccountShop(backend: backend)
        try await shop.shop.test { browser in
            let plain = try await browser.get("/login")
            #expect(plain.headers[.setCookie]?.contains("Secure") == false)
            let proxied = Browser(client: browser.client)
            proxied.extraHeaders[HTTPFields.Element.Name("X-Forwarded-Proto")!] = "https"
            let page = try await proxied.get("/login")
            #expect(page.headers[.setCookie]?.contains("Secure") == true)
            let login = try await proxied.post("/login", ["name": "boss", "password": AccountShop.managerPassword])
            #expect(login.headers[.setCookie]?.contains("Secure") == true)
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var values: [T] = []
        for element in self { values.append(try await transform(element)) }
        return values
    }
}
