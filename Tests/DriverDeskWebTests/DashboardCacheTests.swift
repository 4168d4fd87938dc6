@testable import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import DriverDeskApp
import StoreHarness
import Synchronization
import Testing

/// The dashboard is rendered once and shared while nothing changes; these say it never shows a stale or foreign page.
@Suite("Web: the shared dashboard")
struct DashboardCacheTests {
    static func tokens(in body: String) -> Set<String> {
        var found = Set<String>()
        var rest = Substring(body)
        while let range = rest.range(of: "name=\"csrf\" value=\"") {
            rest = rest[range.upperBound...]
            found.insert(String(rest.prefix { $0 != "\"" }))
        }
        return found
    }

    @Test("two browsers share the page but each gets only its own CSRF token, and it works for its POSTs")
    func ownToken() async throws {
        let shop = try WebHarness()
        let app = try buildApplication(shop: shop.workshop, settings: shop.settings())
        try await app.test(.router) { client in
            let first = Browser(client: client), second = Browser(client: client)
            let a = try await first.get("/"), b = try await second.get("/")
            let tokensA = DashboardCacheTests.tokens(in: a.body), tokensB = DashboardCacheTests.tokens(in: b.body)
            #expect(tokensA.count == 1 && tokensB.count == 1 && tokensA != tokensB, "\(tokensA) \(tokensB)")
            #expect(!a.body.contains("csrfSlot"), "the placeholder leaked into the page")
            #expect(a.body.replacingOccurrences(of: tokensA.first!, with: "") == b.body.replacingOccurrences(of: tokensB.first!, with: ""))
            // The token on the shared page is the session's: the language switch works for both.
            #expect(try await first.post("/lang", ["lang": "en", "back": "/"]).status == .seeOther)
            #expect(try await second.post("/lang", ["lang": "zh-Hans", "back": "/"]).status == .seeOther)
            let english = try await first.get("/"), chinese = try await second.get("/")
            #expect(english.body.contains("lang=\"en\""), "the first browser chose English")
            #expect(chinese.body.contains("lang=\"zh-Hans\""))
        }
    }

    @Test("a change made in the server shows on the next dashboard at once")
    func localChange() async throws {
        let shop = try WebHarness()
        try await shop.test { browser in
            #expect(!(try await browser.get("/").body.contains("沪B88888")))
            _ = try await browser.get("/vehicles/%E6%B2%AAB88888")
            let checkin = try await browser.post("/vehicles/%E6%B2%AAB88888/checkin", ["order": "WO-77", "at": "2026-11-20 11:00"])
            #expect(checkin.status == .seeOther, "\(checkin.status) \(checkin.body.prefix(300))")
            let page = try await browser.get("/")
            #expect(page.body.contains("沪B88888") && page.body.contains("WO-77"))
        }
    }

    @Test("a change made by another process on the same file shows on the next dashboard at once")
    func otherProcessChange() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("driverdesk-web-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("shop.sqlite").path
        let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
        let now = try time.parse("2026-11-20 12:00", field: "now", now: Date())
        let server = try Shop.open(path: path, connections: .pool)
        let setup = server.desk(now: now, operator: "setup")
        _ = try setup.initialise(shopName: "测试汽修", timeZone: nil)
        _ = try setup.addVehicle(plate: "沪B88888", owner: "上海某某贸易有限公司", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        let app = try buildApplication(shop: server, settings: ServerSettings(host: "127.0.0.1", port: 0, clock: { now }))
        try await app.test(.router) { client in
            let browser = Browser(client: client)
            #expect(!(try await browser.get("/").body.contains("WO-88")))
            // What `driverdesk visit checkin` does from a terminal: its own connection, its own Shop.
            let command = try Shop.open(path: path, connections: .single)
            _ = try command.desk(now: now, operator: "cli").checkin(plate: "沪B88888", at: "2026-11-20 11:30", orderNo: "WO-88")
            #expect(try await browser.get("/").body.contains("WO-88"), "the dashboard did not see the other connection's check-in")
            // And a setting changed from the command line (the shop's name) is read again.
            _ = try command.desk(now: now, operator: "cli").setSetting(key: "shop.name", value: "新名字汽修")
            #expect(try await browser.get("/").body.contains("新名字汽修"))
        }
    }
}

extension DashboardCacheTests {
    @Test("on a chain, a change made by another process reaches the server by LISTEN/NOTIFY; nothing else moves the version")
    func chainChangeNotice() async throws {
        let shop = try WebHarness(backend: .postgres)
        let watch = shop.workshop.changeWatch()
        #expect(watch.counters != nil, "the server could not listen for change notices")
        let app = try buildApplication(shop: shop.workshop, settings: shop.settings())
        try await app.test(.router) { client in
            let browser = Browser(client: client)
            #expect(!(try await browser.get("/").body.contains("WO-88")))
            let quiet = watch.version()
            _ = try await browser.get("/vehicles")
            #expect(watch.version() == quiet, "reading moved the version")
            // What `driverdesk visit checkin` does from a terminal: its own connections, its own Shop.
            let command = Shop(database: try shop.test.reopened())
            _ = try command.desk(now: shop.now, operator: "cli").checkin(plate: "沪B88888", at: "2026-11-20 11:30", orderNo: "WO-88")
            var waited = 0.0
            while watch.version() == quiet && waited < 5 {
                try await Task.sleep(nanoseconds: 20_000_000)
                waited += 0.02
            }
            #expect(watch.version() != quiet, "no change notice within 5 s")
            #expect(try await browser.get("/").body.contains("WO-88"), "the dashboard did not see the other process's check-in")
            try command.close()
        }
    }

    @Test("issue 27: on a chain, another shop's changes reach no other shop's server: its notices go to a channel of its own")
    func otherShopsChangesUnheard() async throws {
        let shop = try WebHarness(backend: .postgres)
        let watch = shop.workshop.changeWatch()
        #expect(watch.counters != nil, "the server could not listen for change notices")
        let other = Shop(database: try shop.test.anotherShop().store)
        let quiet = watch.version()
        _ = try other.desk(now: shop.now, operator: "cli").setSetting(key: "shop.name", value: "另一家店")
        try await Task.sleep(nanoseconds: 500_000_000)
        #expect(watch.version() == quiet, "another shop's change moved this shop's version")
        // The control: this shop's own change from another process is heard.
        let command = Shop(database: try shop.test.reopened())
        _ = try command.desk(now: shop.now, operator: "cli").setSetting(key: "shop.name", value: "本店")
        var waited = 0.0
        while watch.version() == quiet && waited < 5 {
            try await Task.sleep(nanoseconds: 20_000_000)
            waited += 0.02
        }
        #expect(watch.version() != quiet, "no change notice of this shop within 5 s")
        try command.close()
        try other.close()
    }
}

@Suite("Web: sessions")
struct SessionTests {
    @Test("past the limit the oldest sessions go first, down to nine tenths; the newest and the ones in use stay")
    func oldestGoFirst() async throws {
        let sessions = Sessions(limit: 100)
        var made: [Session] = []
        for _ in 0..<100 { made.append(await sessions.session(for: nil)) }
        #expect(await sessions.count == 100)
        let newest = await sessions.session(for: nil)
        #expect(await sessions.count == 90)
        // The 11 oldest are gone (asking for them makes new sessions); the rest are kept as they were.
        for old in made.prefix(11) { #expect(await sessions.session(for: old.id).id != old.id) }
        for kept in made.suffix(10) { #expect(await sessions.session(for: kept.id).csrf == kept.csrf) }
        #expect(await sessions.session(for: newest.id).csrf == newest.csrf)
        // Tokens: 128 bits as 32 lower-case hexadecimal digits, never the same twice.
        let tokens = made.flatMap { [$0.id, $0.csrf] }
        #expect(Set(tokens).count == tokens.count)
        #expect(tokens.allSatisfy { $0.count == 32 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
    }
}

/// The cache behind the shared dashboard, on its own.
@Suite("Web: a cached page that grows old")
struct CachedValueTests {
    @Test("an old value is made again by one caller while the others get the old one; a change is never served stale")
    func oneRefresh() throws {
        // The cache's own clock, moved by the test: the value grows old when the test says so, not after a sleep.
        let start = ContinuousClock.now
        let elapsed = Mutex(Duration.zero)
        let cache = Cached<Int>(maxAge: .milliseconds(600), clock: { start.advanced(by: elapsed.withLock { $0 }) })
        let first = ChangeWatch.Version(store: nil, tick: 1)
        #expect(cache.value("page", at: first) { 1 } == 1)
        elapsed.withLock { $0 = .milliseconds(599) }
        #expect(cache.value("page", at: first) { 9 } == 1, "not yet old")
        elapsed.withLock { $0 = .milliseconds(700) }
        // Eight callers on eight threads find it old at once: one makes it, and holds on until the seven others have
        // come and gone with the old value (or 30 s have passed, and then the counts below say what went wrong).
        let made = Mutex(0)
        let results = Mutex<[Int]>([])
        let done = DispatchGroup()
        for _ in 0..<8 {
            done.enter()
            Thread.detachNewThread {
                let value = cache.value("page", at: first) {
                    made.withLock { $0 += 1 }
                    let deadline = Date().addingTimeInterval(30)
                    while results.withLock({ $0.count }) < 7 && Date() < deadline { usleep(1_000) }
                    return 2
                }
                results.withLock { $0.append(value) }
                done.leave()
            }
        }
        done.wait()
        #expect(made.withLock { $0 } == 1, "made \(made.withLock { $0 }) times")
        #expect(results.withLock { $0.sorted() } == [1, 1, 1, 1, 1, 1, 1, 2], "\(results.withLock { $0 })")
        // The fresh value is then everyone's: it counts its age from when it was asked for.
        #expect(cache.value("page", at: first) { 9 } == 2)
        elapsed.withLock { $0 = .milliseconds(1_299) }
        #expect(cache.value("page", at: first) { 9 } == 2)
        elapsed.withLock { $0 = .milliseconds(1_300) }
        #expect(cache.value("page", at: first) { 4 } == 4, "old again, with nobody else making it: this caller makes it")
        // Another version of the database: made at once, never the old value.
        #expect(cache.value("page", at: ChangeWatch.Version(store: nil, tick: 2)) { 3 } == 3)
    }
}

/// Issue 28: a chain's server hands a request to the threads that may wait on the database unless it is answered
/// from what is cached; these say when that is (`WebApp.answersFromCache`).
@Suite("Web: the dashboard answered from its cache")
struct CacheAnswerTests {
    static func request(_ method: HTTPRequest.Method, _ path: String) -> Request {
        Request(head: HTTPRequest(method: method, scheme: "http", authority: "127.0.0.1", path: path), body: RequestBody(buffer: ByteBuffer()))
    }

    @Test("only GET / while its page, the settings, the accounts and the host names are current; not once the database changed, nor once the page is a second old")
    func answersFromCache() async throws {
        let shop = try WebHarness()
        let templates = try Templates.shipped()
        let app = WebApp(shop: shop.workshop, pages: try Pages(templates: templates), settings: shop.settings())
        let router = buildRouter(app, staticFolder: templates.folder.appendingPathComponent("static").path)
        let dashboard = CacheAnswerTests.request(.get, "/")
        #expect(!app.answersFromCache(dashboard), "nothing is cached yet")
        try await Application(router: router).test(.router) { client in
            // Whether the page just drawn is current is asked at once; a loaded test run can hold this task past the
            // page's second before it asks, so it asks after up to five fresh pages.
            func drawnAndCurrent() async throws -> Bool {
                for _ in 0..<5 {
                    #expect(try await client.execute(uri: "/", method: .get).status == .ok)
                    if app.answersFromCache(dashboard) { return true }
                }
                return false
            }
            #expect(try await drawnAndCurrent())
            #expect(!app.answersFromCache(CacheAnswerTests.request(.get, "/moves")))
            #expect(!app.answersFromCache(CacheAnswerTests.request(.post, "/")))
            // A change to the database: the cached page is of another version.
            _ = try shop.desk.checkin(plate: "沪B88888", at: "2026-11-20 11:00", orderNo: "WO-9")
            #expect(!app.answersFromCache(dashboard))
            #expect(try await drawnAndCurrent())
            // The page is drawn again once a second (its times move): an older one is not current.
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(!app.answersFromCache(dashboard))
        }
    }

    @Test("a value is current only at its version and, with a maximum age, while younger than it; without a key, any key's")
    func isCurrent() throws {
        let shop = try WebHarness()
        let watch = shop.workshop.changeWatch()
        let now = Mutex(ContinuousClock.now)
        let cache = Cached<Int>(maxAge: .seconds(1), clock: { now.withLock { $0 } })
        let version = watch.version()
        #expect(!cache.isCurrent("a", at: version) && !cache.isCurrent(at: version))
        _ = cache.value("a", at: version) { 1 }
        #expect(cache.isCurrent("a", at: version) && cache.isCurrent(at: version) && !cache.isCurrent("b", at: version))
        _ = try shop.desk.checkin(plate: "沪B88888", at: "2026-11-20 11:00", orderNo: "WO-9")
        #expect(!cache.isCurrent("a", at: watch.version()))
        now.withLock { $0 += .milliseconds(1_001) }
        #expect(!cache.isCurrent("a", at: version) && !cache.isCurrent(at: version))
    }
}
