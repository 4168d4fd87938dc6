import DriverDeskApp
import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The scanner field and the movements page with what real scanners type: key tag tokens, plates that lost their
/// Chinese characters (one car, several, none), and scans that match nothing.
@Suite("Web: the scanner field and the movements page read key tags, partial plates and unknown scans")
struct ScanRouteTests {
    /// The harness's shop (京A12345 in the shop, 沪B88888) with two cars that differ only in the province.
    static func shop() throws -> WebHarness {
        let shop = try WebHarness()
        _ = try shop.desk.addVehicle(plate: "京HDG3897", owner: "赵敏", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        _ = try shop.desk.addVehicle(plate: "沪HDG3897", owner: "钱进", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        _ = try shop.desk.checkin(plate: "京HDG3897", at: "2026-11-20 09:00", orderNo: nil)
        return shop
    }

    func expectRedirect(_ browser: Browser, _ uri: String, to expected: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let page = try await browser.get(uri)
        #expect(page.location == expected, "\(uri): \(page.status)", sourceLocation: sourceLocation)
    }

    static func q(_ text: String) -> String { "/scan?q=" + Browser.encode(text) }
    static let jingA = "/vehicles/%E4%BA%ACA12345"

    @Test("a key tag's token (as the scanner types it, either case, the plate's Chinese dropped) opens the car; with then=move, its movements")
    func token() async throws {
        let shop = try ScanRouteTests.shop()
        try await shop.test { browser in
            try await expectRedirect(browser, ScanRouteTests.q("BJ-A12345 A12345"), to: ScanRouteTests.jingA)
            try await expectRedirect(browser, ScanRouteTests.q("bj-a12345"), to: ScanRouteTests.jingA)
            // Enter in the empty field goes back to the dashboard.
            try await expectRedirect(browser, "/scan?q=", to: "/")
            try await expectRedirect(browser, "/scan?q=+", to: "/")
            // As the browser's form sends it: the space as "+".
            try await expectRedirect(browser, "/scan?q=BJ-A12345+A12345", to: ScanRouteTests.jingA)
            try await expectRedirect(browser, ScanRouteTests.q("BJ-A12345 京A12345"), to: ScanRouteTests.jingA)
            try await expectRedirect(browser, ScanRouteTests.q("SH-HDG3897") + "&then=move", to: "/moves?plate=%E6%B2%AAHDG3897")
            // Old key tags and slips keep working: the bare plate, the ref with the old three-line payload.
            try await expectRedirect(browser, ScanRouteTests.q("京A12345"), to: ScanRouteTests.jingA)
            let ref = try shop.desk.invite(plate: "京A12345", staff: "李强", method: nil).view.registration.ref
            try await expectRedirect(browser, ScanRouteTests.q("\(ref)\n测试汽修：请车主…\n测试汽修: please register"), to: "/invites/\(ref)")
            try await expectRedirect(browser, ScanRouteTests.q(try shop.desk.inviteDocument(ref: ref).payload), to: "/invites/\(ref)")
        }
    }

    @Test("a plate without its province: one car opens it, the mojibake of a wrong character set too")
    func provincelessOne() async throws {
        let shop = try ScanRouteTests.shop()
        try await shop.test { browser in
            try await expectRedirect(browser, ScanRouteTests.q("A12345"), to: ScanRouteTests.jingA)
            try await expectRedirect(browser, ScanRouteTests.q("a 12345"), to: ScanRouteTests.jingA)
            // zbar's GBK guess for the UTF-8 of 京A12345: garbage that swallowed the A.
            try await expectRedirect(browser, ScanRouteTests.q("鈭括12345"), to: ScanRouteTests.jingA)
            try await expectRedirect(browser, ScanRouteTests.q("B88888") + "&then=move", to: "/moves?plate=%E6%B2%AAB88888")
        }
    }

    @Test("a plate without its province that several cars have: the page lists them, each a link; nothing is written",
          arguments: ["HDG3897", "鈭斫DG3897"])
    func provincelessSeveral(_ typed: String) async throws {
        let shop = try ScanRouteTests.shop()
        try await shop.test { browser in
            let audit = try shop.count("audit")
            let page = try await browser.get(ScanRouteTests.q(typed))
            #expect(page.status == .ok && page.location == nil)
            #expect(page.body.contains("有几辆车符合“\(typed)”"), "\(page.body)")
            #expect(page.body.contains("href=\"/vehicles/%E4%BA%ACHDG3897\"") && page.body.contains("href=\"/vehicles/%E6%B2%AAHDG3897\""))
            let moves = try await browser.get(ScanRouteTests.q(typed) + "&then=move")
            #expect(moves.body.contains("href=\"/moves?plate=%E4%BA%ACHDG3897\"") && moves.body.contains("href=\"/moves?plate=%E6%B2%AAHDG3897\""))
            #expect(try shop.count("audit") == audit)
        }
    }

    @Test("a scan that matches nothing says so on the page and names what was read, escaped, in the page's language",
          arguments: ["Z99999", "SH-A99999 沪A99999", "<b>hello</b> & \"world\"", "1234"])
    func unknown(_ typed: String) async throws {
        let shop = try ScanRouteTests.shop()
        try await shop.test { browser in
            let page = try await browser.get(ScanRouteTests.q(typed))
            #expect(page.status == .notFound && page.location == nil)
            let escaped = typed.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            #expect(page.body.contains("没有找到“\(escaped)”"), "\(page.body)")
            #expect(!page.body.contains("<b>hello"))
            _ = try await browser.post("/lang", ["lang": "en", "back": "/"])
            let english = try await browser.get(ScanRouteTests.q(typed))
            #expect(english.body.contains("Nothing found for “\(escaped)”"))
        }
    }

    @Test("the movements page: a token starts and ends the car's movement; a partial plate of several cars lists them and an unknown scan says what was read, writing nothing")
    func movements() async throws {
        let shop = try ScanRouteTests.shop()
        try await shop.test { browser in
            _ = try await browser.get("/moves")
            let start = try await browser.post("/moves/toggle", ["plate": "BJ-HDG3897 HDG3897", "staff": "1", "purpose": "road-test", "action": "toggle", "at": "2026-11-20 11:00"])
            #expect(start.status == .seeOther)
            #expect(try shop.desk.status().driving.map(\.plate) == ["京HDG3897"])
            let before = (try shop.count("movement"), try shop.count("audit"))
            for typed in ["HDG3897", "鈭斫DG3897"] {
                _ = try await browser.get("/moves")
                let several = try await browser.post("/moves/toggle", ["plate": typed, "staff": "2", "action": "toggle"])
                #expect(several.status == .ok)
                #expect(several.body.contains("有几辆车符合“\(typed)”") && several.body.contains("href=\"/moves?plate=%E6%B2%AAHDG3897\""))
            }
            for typed in ["Z99999", "INV-7K3Q-9XZP", "INV-7K3Q-9XZP 测试汽修：请车主… / please register"] {
                _ = try await browser.get("/moves")
                let unknown = try await browser.post("/moves/toggle", ["plate": typed, "staff": "2", "action": "toggle"])
                #expect(unknown.status == .notFound)
                #expect(unknown.body.contains("没有找到“\(typed)”对应的车辆"), "\(unknown.body)")
            }
            #expect((try shop.count("movement"), try shop.count("audit")) == before)
            _ = try await browser.get("/moves")
            let end = try await browser.post("/moves/toggle", ["plate": "bj-hdg3897", "action": "toggle", "at": "2026-11-20 11:30"])
            #expect(end.status == .seeOther)
            #expect(try shop.desk.status().driving.isEmpty)
            _ = try await browser.get("/moves")
            // The one car whose letters these are.
            let one = try await browser.post("/moves/toggle", ["plate": "A12345", "staff": "2", "action": "start"])
            #expect(one.status == .seeOther)
            #expect(try shop.desk.status().driving.map(\.plate) == ["京A12345"])
        }
    }
}
