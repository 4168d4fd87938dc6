@testable import DriverDeskApp
import DriverDeskStore
import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

/// `serve` on a chain's `?shop=*`: the chain manager's page (issue 14).
@Suite("Web: the chain manager's page")
struct ChainPageTests {
    /// The chain of a test's shop, opened on `?shop=*` as its owner and as the chain manager's role.
    static func ownerAndReader(of store: TestStore, now: Date) throws -> (owner: Chain, reader: Chain) {
        let server = try SharedChain.server()
        func open(_ role: String) throws -> Chain {
            guard case .postgres(let address) = try DatabaseAddress(parsing: server.address(as: role, shop: "*", database: store.chainDatabase)) else {
                throw ThrowawayPostgres.Failure(description: "not a chain's address")
            }
            return try Chain.open(address, now: now, operator: "owner-test")
        }
        return (try open("driverdesk_owner"), try open("driverdesk_chain"))
    }

    @Test("every shop and the total, every driver with his points across shops, in Chinese and English; read only; this machine only")
    func chainPage() async throws {
        let a = try TestStore(.postgres)
        let b = try a.anotherShop()
        let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
        let now = try time.parse("2026-11-20 20:00", field: "now", now: Date())
        for (store, plate) in [(a.store, "京A12345"), (b.store, "沪C99999")] {
            let desk = Shop(database: store).desk(now: now, operator: "setup")
            _ = try desk.addStaff(name: "王磊", idNumber: "110105198803124111", licenseClass: "C1", licenseFirstIssued: "2009-05-20", licenseValidUntil: "2031-05-20", phone: nil)
            _ = try desk.addVehicle(plate: plate, owner: "车主", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
            _ = try desk.checkin(plate: plate, at: "2026-11-20 08:00", orderNo: nil)
        }
        let server = try SharedChain.server()
        guard case .postgres(let address) = try DatabaseAddress(parsing: server.address(as: "driverdesk_chain", shop: "*", database: a.chainDatabase)) else {
            Issue.record("not a chain's address")
            return
        }
        let chain = try Chain.open(address, now: now, operator: "chain-test")
        defer { chain.close() }
        let before = try server.shopDigest(code: a.shopCode!, database: a.chainDatabase) + server.shopDigest(code: b.shopCode!, database: b.chainDatabase)
        let app = try buildChainApplication(chain: chain, settings: ServerSettings(host: "127.0.0.1", port: 0, clock: { now }))
        try await app.test(.router) { client in
            let zh = try await client.execute(uri: "/", method: .get)
            // Each cell names its column for narrow screens (data-label); the figures are read without it.
            let page = String(buffer: zh.body).replacingOccurrences(of: #" data-label="[^"]*""#, with: "", options: .regularExpression)
            #expect(zh.status == .ok)
            #expect(page.contains("连锁") && page.contains(a.shopCode!) && page.contains(b.shopCode!) && page.contains("合计"), "\(page.prefix(400))")
            #expect(page.contains("王磊") && page.contains("110105********4111") && !page.contains("110105198803124111"))
            // The total row: two active staff, two cars in the shops.
            let total = try #require(page.range(of: "<tr class=\"total\">").map { String(page[$0.lowerBound...].prefix(400)) })
            #expect(total.contains("<td>2</td><td>2</td><td>2</td>"), "\(total)")
            let en = try await client.execute(uri: "/?lang=en&from=2026-11-01&to=2026-11-20", method: .get)
            let english = String(buffer: en.body)
            #expect(en.status == .ok && english.contains("lang=\"en\"") && english.contains("2026-11-01"), "\(english.prefix(300))")
            let backwards = try await client.execute(uri: "/?from=2026-11-20&to=2026-11-01", method: .get)
            #expect(backwards.status == .badRequest)
        }
        #expect(try server.shopDigest(code: a.shopCode!, database: a.chainDatabase) + server.shopDigest(code: b.shopCode!, database: b.chainDatabase) == before)
        #expect(throws: DeskError.self) { _ = try buildChainApplication(chain: chain, settings: ServerSettings(host: "0.0.0.0", port: 0, clock: { now })) }
    }

    @Test("issue 28: shops and drivers 50 a page, with links to the next and previous pages that keep the days, orders and language; the sort choices; a bad value refused naming it")
    func chainPaging() async throws {
        let a = try TestStore(.postgres)
        let server = try SharedChain.server()
        let database = try #require(a.chainDatabase)
        // 60 more shops, made by the superuser; the one with the most unpaid money is T042.
        try server.must(server.sql("""
            INSERT INTO shop (code, name, time_zone, created_at) SELECT 'T' || lpad(i::text, 3, '0'), '测试店' || i, 'Asia/Shanghai', 0 FROM generate_series(1, 60) i;
            INSERT INTO vehicle (shop_id, plate, owner_name, created_at) SELECT id, '京A' || lpad(id::text, 5, '0'), '车主', 0 FROM shop WHERE code = 'T042';
            INSERT INTO violation (shop_id, vehicle_id, occurred_at, code, points, fine_fen, status, attribution, needs_review, reasons, recorded_at)
                SELECT shop_id, id, 1795000000, '1625', 6, 20000, 'open', 'unattributed', true, '', 1795000000 FROM vehicle WHERE plate LIKE '京A%' AND shop_id = (SELECT id FROM shop WHERE code = 'T042');
            """, as: "postgres", database: database, singleTransaction: true))
        let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
        let now = try time.parse("2026-11-20 20:00", field: "now", now: Date())
        guard case .postgres(let address) = try DatabaseAddress(parsing: server.address(as: "driverdesk_chain", shop: "*", database: database)) else {
            Issue.record("not a chain's address")
            return
        }
        let chain = try Chain.open(address, now: now, operator: "chain-test")
        defer { chain.close() }
        let app = try buildChainApplication(chain: chain, settings: ServerSettings(host: "127.0.0.1", port: 0, clock: { now }))
        try await app.test(.router) { client in
            func get(_ uri: String) async throws -> String {
                String(buffer: try await client.execute(uri: uri, method: .get).body).replacingOccurrences(of: #" data-label="[^"]*""#, with: "", options: .regularExpression)
            }
            let first = try await get("/?from=2026-01-01")
            #expect(first.contains("第 1/2 页，共 61 家门店") && first.contains("<td>T050</td>") && !first.contains("<td>T051</td>"), "\(first.prefix(300))")
            let next = "/?lang=zh-Hans&amp;from=2026-01-01&amp;to=2026-11-20&amp;sort=code&amp;page=2&amp;driver-sort=name&amp;driver-page=1"
            #expect(first.contains("href=\"\(next)\" rel=\"next\"") && !first.contains("rel=\"prev\""), "\(first)")
            // The sort choices, in words, the chosen one selected.
            #expect(first.contains("<option value=\"code\" selected>按门店代码</option>") && first.contains("<option value=\"unpaid\">未缴罚款最多的在前</option>")
                    && first.contains("<option value=\"points\">本周期记分最多的在前</option>"), "\(first)")
            let second = try await get(next.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(second.contains("第 2/2 页，共 61 家门店") && second.contains("<td>T060</td>") && !second.contains("<td>T050</td>")
                    && second.contains("rel=\"prev\"") && second.contains("from=2026-01-01"), "\(second.prefix(300))")
            #expect(!second.contains("page=3"), "no link past the last page")
            // Sorted by unpaid money: T042 first; the links keep the order.
            let byMoney = try await get("/?sort=unpaid&lang=en")
            let rows = byMoney.components(separatedBy: "<tbody>")[1]
            #expect(rows.hasPrefix("<tr><td>T042</td>") && byMoney.contains("page 1 of 2, 61 shops") && byMoney.contains("sort=unpaid&amp;page=2")
                    && byMoney.contains("<option value=\"unpaid\" selected>most unpaid fines first</option>"), "\(byMoney.prefix(2000))")
            // A bad order or page: refused, naming it.
            let bad = try await client.execute(uri: "/?sort=money", method: .get)
            #expect(bad.status == .badRequest && String(buffer: bad.body).contains("排序"), "\(String(buffer: bad.body))")
            let badPage = try await client.execute(uri: "/?driver-page=0&lang=en", method: .get)
            #expect(badPage.status == .badRequest && String(buffer: badPage.body).contains("driver-page"), "\(String(buffer: badPage.body))")
        }
    }

    @Test("the chain's managers: accounts of the chain made by the owner, listed with every shop's; their login to the chain's page, its host check and headers; the chain's own log")
    func chainAccounts() async throws {
        let a = try TestStore(.postgres)
        let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
        let now = try time.parse("2026-11-20 20:00", field: "now", now: Date())
        let desk = Shop(database: a.store).desk(now: now, operator: "setup")
        _ = try desk.addUser(name: "anna", role: "desk", staff: nil, password: "Anna-front-2026")
        let (owner, reader) = try ChainPageTests.ownerAndReader(of: a, now: now)
        defer { owner.close(); reader.close() }
        // Before the chain has a manager's account its page stays on this machine, without a login.
        #expect(throws: DeskError.self) { _ = try buildChainApplication(chain: reader, settings: ServerSettings(host: "0.0.0.0", port: 0, clock: { now })) }
        #expect { try owner.addUser(name: "cm", role: "desk", staff: nil, password: "Chain-manager-2026") } throws: { ($0 as? DeskError)?.field == "role" }
        #expect { try owner.addUser(name: "cm", role: "chain", staff: "王磊", password: "Chain-manager-2026") } throws: { ($0 as? DeskError)?.field == "staff" }
        #expect { try reader.addUser(name: "cm", role: "chain", staff: nil, password: "Chain-manager-2026") } throws: { ($0 as? DeskError)?.field == "db" }
        #expect { try owner.addUser(name: "cm", role: "chain", staff: nil, password: "qwertyuiop") } throws: { ($0 as? DeskError)?.field == "password" }
        let cm = try owner.addUser(name: "cm", role: "chain", staff: nil, password: "Chain-manager-2026")
        #expect(cm.role == "chain" && cm.shop == nil)
        #expect { try owner.addUser(name: "CM", role: "chain", staff: nil, password: "Chain-manager-2027") } throws: { ($0 as? DeskError)?.field == "name" }
        let listed = try reader.users()
        #expect(listed.map { "\($0.shop ?? "-") \($0.name) \($0.role)" } == ["- cm chain", "\(a.shopCode!) anna desk"])
        #expect(try desk.users().map(\.name) == ["anna"], "a shop sees its own accounts only")

        let clock = MovableClock(now)
        let app = try buildChainApplication(chain: reader, settings: ServerSettings(host: "0.0.0.0", port: 0, clock: { clock.now }))
        try await app.test(.router) { client in
            let browser = Browser(client: client)
            #expect(try await browser.get("/").location == "/login")
            let login = try await browser.get("/login")
            #expect(login.status == .ok && login.body.contains("账户名"))
            #expect(try await browser.post("/login", ["name": "cm", "password": "wrong-password"]).status == .unauthorized)
            #expect(try await browser.post("/login", ["name": "anna", "password": "Anna-front-2026"]).status == .unauthorized, "a shop's account opens no chain page")
            let ok = try await browser.post("/login", ["name": "CM", "password": "Chain-manager-2026"])
            #expect(ok.status == .seeOther && ok.location == "/")
            let page = try await browser.get("/")
            #expect(page.status == .ok && page.body.contains("cm（连锁经理）") && page.body.contains(a.shopCode!))
            for answer in [page, login, ok] {
                #expect(answer.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true && answer.headers[.xContentTypeOptions] == "nosniff")
            }
            browser.extraHeaders[HTTPFields.Element.Name("Host")!] = "evil.example"
            #expect(try await browser.get("/").status == .misdirectedRequest)
            browser.extraHeaders = [:]
            clock.advance(31 * 60)
            #expect(try await browser.get("/").location == "/login?ended=idle")
            _ = try await browser.get("/login")
            #expect(try await browser.post("/login", ["name": "cm", "password": "Chain-manager-2026"]).status == .seeOther)
            _ = try owner.setPassword(name: "cm", password: "Chain-manager-2027")
            #expect(try await browser.get("/").location == "/login?ended=account")
            _ = try await browser.get("/login")
            #expect(try await browser.post("/login", ["name": "cm", "password": "Chain-manager-2027"]).status == .seeOther)
            _ = try await browser.get("/")
            #expect(try await browser.post("/logout", [:]).location == "/login")
            #expect(try await browser.get("/").location == "/login")
        }
        _ = try owner.disableUser(name: "cm")
        #expect { try owner.disableUser(name: "cm") } throws: { ($0 as? DeskError)?.exitCode == 1 }
        let log = try reader.chainAudit()
        #expect(log.map(\.action) == ["account.add", "login.failed", "login.failed", "login", "login", "account.passwd", "login", "logout", "account.disable"])
        #expect(log.filter { $0.action == "login.failed" }.map(\.subject) == ["account cm", "account (unknown name)"])
        #expect(!"\(log)".contains("Chain-manager") && !"\(log)".contains("$y$"))
    }

    @Test("the chain's page locks a name after five failed logins in 15 minutes, the right password too, until the first failure leaves the window")
    func chainLockout() async throws {
        let a = try TestStore(.postgres)
        let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
        let now = try time.parse("2026-11-20 20:00", field: "now", now: Date())
        let (owner, reader) = try ChainPageTests.ownerAndReader(of: a, now: now)
        defer { owner.close(); reader.close() }
        _ = try owner.addUser(name: "cm", role: "chain", staff: nil, password: "Chain-manager-2026")
        let clock = MovableClock(now)
        let app = try buildChainApplication(chain: reader, settings: ServerSettings(host: "0.0.0.0", port: 0, clock: { clock.now }))
        try await app.test(.router) { client in
            let browser = Browser(client: client)
            func logIn(_ password: String) async throws -> Browser.Page {
                _ = try await browser.get("/login")
                return try await browser.post("/login", ["name": "cm", "password": password])
            }
            for attempt in 1...4 {
                #expect(try await logIn("wrong-\(attempt)-password").status == .unauthorized)
                clock.advance(60)
            }
            let fifth = try await logIn("wrong-5-password")
            #expect(fifth.status == .tooManyRequests && fifth.body.contains("2026-11-20 20:15"), "\(fifth.status) \(fifth.body.prefix(500))")
            #expect(try await logIn("Chain-manager-2026").status == .tooManyRequests, "the right password waits too")
            #expect(try await browser.get("/").location == "/login")
            clock.advance(11 * 60)
            #expect(try await logIn("Chain-manager-2026").status == .seeOther, "20:15: the first failure has left the window")
            #expect(try await browser.get("/").status == .ok)
        }
    }
}
