import DriverDeskApp
import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

@Suite("Web: the front desk's forms call the same use cases as the command line")
struct FormTests {
    @Test("movements: scanning a key tag starts, scanning again ends; refusals are shown", arguments: Backend.allCases)
    func movements(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            _ = try await browser.get("/moves")
            let start = try await browser.post("/moves/toggle", ["plate": "京A12345", "staff": "1", "purpose": "road-test", "action": "toggle", "at": "2026-11-20 11:30"])
            #expect(start.status == .seeOther)
            #expect(try shop.desk.status().driving.first?.driver?.name == "王磊")
            _ = try await browser.get("/moves")
            let busy = try await browser.post("/moves/toggle", ["plate": "京A12345", "staff": "2", "action": "start"])
            #expect(busy.status == .badRequest)
            // In the page's language, and with no command-line syntax (the page has its own buttons).
            #expect(busy.body.contains("京A12345 正由王磊驾驶"))
            #expect(!busy.body.contains("driverdesk move"))
            let end = try await browser.post("/moves/toggle", ["plate": "京A·12345", "action": "toggle"])
            #expect(end.status == .seeOther)
            #expect(try shop.desk.status().driving.isEmpty)
            let outside = try await browser.post("/moves/toggle", ["plate": "沪B88888", "staff": "1", "action": "start"])
            #expect(outside.status == .badRequest)
            #expect(outside.body.contains("沪B88888 在 2026-11-20 12:00 没有到店登记"))
            #expect(!outside.body.contains("driverdesk visit"))
            _ = try await browser.get("/moves")
            let logged = try await browser.post("/moves/log", ["plate": "京A12345", "staff": "2", "from": "2026-11-20 09:30", "to": "2026-11-20 09:40", "purpose": "parking"])
            #expect(logged.status == .seeOther)
        }
    }

    @Test("vehicles: check in and out from the car's page; the scanner field finds plates and invites", arguments: Backend.allCases)
    func vehiclesAndScanner(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            _ = try await browser.get("/vehicles/%E6%B2%AAB88888")
            let checkin = try await browser.post("/vehicles/%E6%B2%AAB88888/checkin", ["order": "WO-9"])
            #expect(checkin.status == .seeOther)
            #expect(try shop.desk.status().carsInShop.contains { $0.plate == "沪B88888" && $0.orderNo == "WO-9" })
            let scanPlate = try await browser.get("/scan?q=%E6%B2%AAb%2088888")
            #expect(scanPlate.location == "/vehicles/%E6%B2%AAB88888")
            let ref = try shop.desk.invite(plate: "京A12345", staff: "李强", method: nil).view.registration.ref
            let payload = try shop.desk.inviteDocument(ref: ref).payload
            let scanInvite = try await browser.get("/scan?q=\(Browser.encode(payload))")
            #expect(scanInvite.location == "/invites/\(ref)")
        }
    }

    @Test("invites: create, confirm by scanning the slip's whole QR text, remove", arguments: Backend.allCases)
    func invites(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            _ = try await browser.get("/invites")
            let created = try await browser.post("/invites", ["plate": "京A12345", "staff": "1", "method": "qr"])
            #expect(created.status == .seeOther)
            let ref = try #require(created.location?.replacingOccurrences(of: "/invites/", with: ""))
            let slip = try await browser.get("/invites/\(ref)/print?paper=a5")
            #expect(slip.body.contains(ref) && slip.body.contains("<svg"))
            _ = try await browser.get("/invites")
            let payload = try shop.desk.inviteDocument(ref: ref).payload
            let confirmed = try await browser.post("/invites/confirm", ["scan": payload])
            #expect(confirmed.status == .seeOther)
            #expect(try shop.desk.registrationList(status: "active").map(\.ref) == [ref])
            _ = try await browser.get("/invites")
            let again = try await browser.post("/invites/confirm", ["scan": ref])
            #expect(again.status == .conflict)
            #expect(again.body.contains("已于 2026-11-20") && again.body.contains("确认"))
            _ = try await browser.get("/invites/\(ref)")
            #expect(try await browser.post("/invites/\(ref)/remove", [:]).status == .seeOther)
            #expect(try shop.desk.registrationList(status: "removed").count == 1)
            _ = try await browser.get("/invites")
            let limit = try await browser.post("/invites", ["plate": "沪B88888", "staff": "1", "method": "sms"])
            #expect(limit.status == .conflict)
            #expect(limit.body.contains("发动机号后 6 位") && !limit.body.contains("driverdesk vehicle update"))
        }
    }

    @Test("violations: entry shows the driver, attribution, channel and reasons at once; assign, process, pay", arguments: Backend.allCases)
    func violations(_ backend: Backend) async throws {
        let shop = try WebHarness(now: "2026-11-22 10:00", backend: backend)
        _ = try shop.desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 10:00", to: "2026-11-20 10:30", purpose: "road-test")
        try await shop.test { browser in
            _ = try await browser.get("/violations")
            let added = try await browser.post("/violations", ["plate": "京A12345", "at": "2026-11-20 10:12", "code": "1117", "location": "东三环北路"])
            #expect(added.status == .seeOther)
            let page = try await browser.get(added.location!)
            #expect(page.body.contains("王磊"))
            // In the shop's language (简体中文): the attribution, the channel and the reasons.
            #expect(page.body.contains("移车记录"))
            #expect(page.body.contains("交警窗口"))
            #expect(page.body.contains("王磊在京A12345 上没有有效备案"))
            _ = try await browser.get("/violations")
            let bad = try await browser.post("/violations", ["plate": "京A12345", "at": "2026-11-20 10:12", "code": "99"])
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("data-field=\"code\""))
            #expect(try shop.count("violation") == 1)

            _ = try await browser.get("/violations/1")
            #expect(try await browser.post("/violations/1/process", ["channel": "online"]).status == .conflict)
            _ = try await browser.get("/violations/1")
            #expect(try await browser.post("/violations/1/assign", ["staff": "2", "reason": "照片"]).status == .seeOther)
            _ = try await browser.get("/violations/1")
            #expect(try await browser.post("/violations/1/process", ["channel": "window"]).status == .seeOther)
            _ = try await browser.get("/violations/1")
            #expect(try await browser.post("/violations/1/pay", ["method": "wechat", "payer": "driver", "amount": "200"]).status == .seeOther)
            #expect(try shop.desk.showViolation("1").status == "paid")
            #expect(try await browser.get("/payments").body.contains("微信"), "the payment method in the shop's language")
        }
    }

    @Test("CSV upload: the same checks as the command; a bad file imports nothing and names the lines", arguments: Backend.allCases)
    func upload(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            _ = try await browser.get("/violations")
            let good = Data("车牌号,违法时间,违法代码\n京A12345,2026-11-20 10:05,1117\n沪B88888,2026-11-19 10:05,1625\n".utf8)
            // A dry run says nothing was imported and whom each line would go to.
            _ = try shop.desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 10:00", to: "2026-11-20 10:30", purpose: "road-test")
            let checked = try await browser.upload("/violations/import", file: good, name: "ok.csv", fields: ["dryRun": "1"])
            #expect(checked.status == .ok)
            #expect(checked.body.contains("已检查 2 条，没有导入：导入时将新增 2 条") && !checked.body.contains("导入完成"), "\(checked.body)")
            #expect(checked.body.contains("<td>2</td><td>京A12345</td><td>2026-11-20 10:05</td><td>1117</td><td>王磊</td>"), "the preview names the driver")
            #expect(try shop.count("violation") == 0)
            _ = try await browser.get("/violations")
            let imported = try await browser.upload("/violations/import", file: good, name: "ok.csv", fields: [:])
            #expect(imported.status == .ok)
            #expect(imported.body.contains("导入完成：新增 2 条"))
            #expect(try shop.count("violation") == 2)
            _ = try await browser.get("/violations")
            let bad = Data("车牌号,违法时间,违法代码\n京A1234I,2026-11-20 10:05,1117\n京A12345,tomorrow,1117\n".utf8)
            let refused = try await browser.upload("/violations/import", file: bad, name: "bad.csv", fields: [:])
            #expect(refused.status == .badRequest)
            #expect(refused.body.contains("第 2 行，车牌：") && refused.body.contains("第 3 行，违法时间："), "\(refused.body)")
            #expect(try shop.count("violation") == 2)
        }
    }

    @Test("cleanup: the page shows what would happen, the button does it", arguments: Backend.allCases)
    func cleanup(_ backend: Backend) async throws {
        let shop = try WebHarness(now: "2026-12-20 10:00", backend: backend)
        let earlier = shop.workshop.desk(now: try shop.time.parse("2026-11-21 10:00", field: "now", now: Date()), operator: "setup")
        _ = try earlier.invite(plate: "沪B88888", staff: "王磊", method: nil)
        try await shop.test { browser in
            let preview = try await browser.get("/cleanup")
            #expect(preview.body.contains("inviteExpired"))
            #expect(try shop.desk.registrationList(status: "invited").count == 1)
            let run = try await browser.post("/cleanup", [:])
            #expect(run.status == .ok)
            #expect(try shop.desk.registrationList(status: "expired").count == 1)
        }
    }
}
