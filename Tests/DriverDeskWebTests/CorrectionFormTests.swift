import DriverDeskApp
import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

@Suite("Web: the movements page remembers each form's choice; corrections where the record is shown")
struct CorrectionFormTests {
    @Test("the start form and the 补录 form keep their own driver and purpose after a success, a refusal and a scan that found nothing",
          arguments: Backend.allCases)
    func choices(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            let fresh = try await browser.get("/moves")
            #expect(fresh.body.contains("<option value=\"\" selected>— 请选择驾驶人 —</option>"), "nobody is preselected")
            // No choice yet: a scan that would start is refused and writes nothing; the field is named.
            let unchosen = try await browser.post("/moves/toggle", ["plate": "京A12345", "staff": "", "purpose": "road-test", "action": "toggle"])
            #expect(unchosen.status == .badRequest && unchosen.body.contains("data-field=\"staff\"") && unchosen.body.contains("请先选择由谁驾驶"))
            #expect(try shop.desk.movements(plate: nil, staff: nil, from: nil, to: nil).isEmpty)
            // 李强 chosen, a car not in the shop: refused, and 李强 with 交车 stay chosen.
            let refused = try await browser.post("/moves/toggle", ["plate": "沪B88888", "staff": "2", "purpose": "delivery", "action": "toggle", "at": "2026-11-20 11:00"])
            #expect(refused.status == .badRequest)
            #expect(refused.body.contains("<option value=\"2\" selected>李强</option>") && refused.body.contains("<option value=\"delivery\" selected>"))
            // A scan that found nothing keeps them too.
            let nothing = try await browser.post("/moves/toggle", ["plate": "XX-NOTHING", "staff": "2", "purpose": "delivery", "action": "toggle"])
            #expect(nothing.status == .notFound && nothing.body.contains("<option value=\"2\" selected>李强</option>"))
            // 王磊 starts: after the redirect the page still has him, and shows him large with an undo.
            let start = try await browser.post("/moves/toggle", ["plate": "京A12345", "staff": "1", "purpose": "road-test", "action": "toggle", "at": "2026-11-20 11:30"])
            #expect(start.status == .seeOther)
            let after = try await browser.get("/moves")
            #expect(after.body.contains("<option value=\"1\" selected>王磊</option>"), "the start's choice survives its redirect")
            #expect(after.body.contains("<p class=\"big driver\">▶ 王磊</p>") && after.body.contains("action=\"/moves/void\""))
            // A scan that ends needs no choice, and leaves the choice as it is.
            let end = try await browser.post("/moves/toggle", ["plate": "京A12345", "action": "toggle", "at": "2026-11-20 11:45"])
            #expect(end.status == .seeOther)
            // The 补录 form: a bad time keeps its own plate, times, driver and purpose; the start form keeps 王磊.
            let bad = try await browser.post("/moves/log", ["plate": "京A12345", "staff": "2", "from": "2026-11-20 10:00", "to": "2026-11-20 09:50", "purpose": "parking"])
            #expect(bad.status == .badRequest)
            let log = String(bad.body[bad.body.range(of: "id=\"log\"")!.lowerBound...])
            let start1 = String(bad.body[..<bad.body.range(of: "id=\"log\"")!.lowerBound])
            #expect(log.contains("<option value=\"2\" selected>李强</option>") && log.contains("<option value=\"parking\" selected>") && log.contains("value=\"2026-11-20 09:50\""))
            #expect(log.contains("结束时间必须晚于开始时间"))
            #expect(start1.contains("<option value=\"1\" selected>王磊</option>"), "the 补录 form's choice does not jump into the start form")
            let fixed = try await browser.post("/moves/log", ["plate": "京A12345", "staff": "2", "from": "2026-11-20 10:00", "to": "2026-11-20 10:20", "purpose": "parking"])
            #expect(fixed.status == .seeOther)
            #expect(try shop.desk.movements(plate: nil, staff: "李强", from: nil, to: nil).map(\.startAt) == ["2026-11-20T10:00:00+08:00"])
        }
    }

    @Test("corrections on the record's page: a movement edited, a violation confirmed, paid, unpaid, handed back; staff renewed", arguments: Backend.allCases)
    func corrections(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        let desk = shop.desk
        let m = try desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 10:00", to: "2026-11-20 10:30", purpose: "road-test")
        let covered = try desk.addViolation(plate: "京A12345", at: "2026-11-20 10:15", code: "1625", points: nil, fine: nil, location: nil, recordNo: "A-1")
        let near = try desk.addViolation(plate: "京A12345", at: "2026-11-20 10:36", code: "1625", points: nil, fine: nil, location: nil, recordNo: "A-2")
        let outside = try desk.addViolation(plate: "沪B88888", at: "2026-11-20 07:00", code: "1625", points: nil, fine: nil, location: "东三环", recordNo: "A-3")
        try await shop.test { browser in
            // The movement's page: another driver, with a reason; the violation follows him.
            let page = try await browser.get("/moves/\(m.id)")
            #expect(page.status == .ok && page.body.contains("action=\"/moves/\(m.id)/edit\""))
            let noReason = try await browser.post("/moves/\(m.id)/edit", ["staff": "2", "from": "2026-11-20 10:00", "to": "2026-11-20 10:30", "purpose": "road-test", "reason": ""])
            #expect(noReason.status == .badRequest && noReason.body.contains("请写明更正的原因"))
            let edited = try await browser.post("/moves/\(m.id)/edit", ["staff": "2", "from": "2026-11-20 10:00", "to": "2026-11-20 10:30", "purpose": "road-test", "reason": "登记错人"])
            #expect(edited.status == .seeOther)
            #expect(try shop.desk.showViolation(String(covered.id)).driver?.name == "李强")
            // Needs review: no process button, but a confirm; confirmed, it can be processed and paid.
            let review = try await browser.get("/violations/\(near.id)")
            #expect(review.body.contains("action=\"/violations/\(near.id)/confirm\"") && !review.body.contains("action=\"/violations/\(near.id)/process\""))
            #expect(try await browser.post("/violations/\(near.id)/process", ["channel": "window"]).status == .conflict)
            #expect(try await browser.post("/violations/\(near.id)/confirm", [:]).status == .seeOther)
            #expect(try await browser.post("/violations/\(near.id)/process", ["channel": "window"]).status == .seeOther)
            let short = try await browser.post("/violations/\(near.id)/pay", ["method": "cash", "payer": "shop", "amount": "180"])
            #expect(short.status == .conflict && short.body.contains("12123 只收全额罚款"))
            #expect(try await browser.post("/violations/\(near.id)/pay", ["method": "cash", "payer": "shop", "amount": "205"]).status == .seeOther)
            let paid = try await browser.get("/violations/\(near.id)")
            #expect(paid.body.contains("滞纳金差额") && paid.body.contains("action=\"/violations/\(near.id)/unpay\""))
            #expect(try await browser.get("/payments").body.contains("5 元"))
            #expect(try await browser.post("/violations/\(near.id)/unpay", ["reason": ""]).status == .badRequest)
            #expect(try await browser.post("/violations/\(near.id)/unpay", ["reason": "付错了"]).status == .seeOther)
            #expect(try shop.desk.showViolation(String(near.id)).status == "processed")
            // Outside custody: handed back, with the text for the owner; no window button was offered.
            let owners = try await browser.get("/violations/\(outside.id)")
            #expect(owners.body.contains("action=\"/violations/\(outside.id)/handback\"") && !owners.body.contains("action=\"/violations/\(outside.id)/process\""))
            #expect(try await browser.post("/violations/\(outside.id)/handback", ["reason": "车主自己开的"]).status == .seeOther)
            let handed = try await browser.get("/violations/\(outside.id)")
            #expect(handed.body.contains("已退回车主") && handed.body.contains("沪B88888") && handed.body.contains("请您在交管12123中自行处理"))
            // A renewed licence on the staff member's page; a bad phone re-shows the form naming the field.
            let badPhone = try await browser.post("/staff/2/update", ["name": "李强", "phone": "1381234567", "licenseClass": "C1", "licenseFirstIssued": "2012-08-03", "licenseValidUntil": "2028-08-03"])
            #expect(badPhone.status == .badRequest && badPhone.body.contains("有 10 位数字") && badPhone.body.contains("value=\"1381234567\""))
            #expect(try await browser.post("/staff/2/update", ["name": "李强", "phone": "", "licenseClass": "C1", "licenseFirstIssued": "2012-08-03", "licenseValidUntil": "2038-08-03"]).status == .seeOther)
            #expect(try shop.desk.showStaff("李强").staff.licenseValidUntil == "2038-08-03")
        }
    }
}
