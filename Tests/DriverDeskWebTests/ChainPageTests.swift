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
            let page = String(buffer: zh.body)
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
}
