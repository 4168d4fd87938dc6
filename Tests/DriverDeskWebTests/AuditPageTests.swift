import DriverDeskApp
import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

/// The audit page a manager reads (issue 26): actions and changes in words, local times, filters as choices, 50
/// entries a page, and the same entries as a CSV for Excel.
@Suite("Web: the audit in words")
struct AuditPageTests {
    /// A morning at the desk: 王磊 takes 京A12345 on a road test, a camera catches it, the manager lets same-day
    /// processing through, hands the violation to 李强 (registered on the car), processes it at the window and 李强
    /// pays; the payment makes his registration due for removal (R8).
    static func story(_ backend: Backend = .sqlite) throws -> WebHarness {
        let shop = try WebHarness(backend: backend)
        let desk = shop.desk
        _ = try desk.startMovement(plate: "京A12345", staff: "王磊", purpose: "road-test", at: "2026-11-20 09:30")
        _ = try desk.endMovement(plate: "京A12345", at: "2026-11-20 10:30")
        let ref = try desk.invite(plate: "京A12345", staff: "李强", method: nil).view.registration.ref
        _ = try desk.confirmRegistration(ref: ref, at: nil)
        _ = try desk.setSetting(key: "rules.noSameDayProcessing", value: "false")
        let violation = try desk.addViolation(plate: "京A12345", at: "2026-11-20 10:00", code: "1625", points: nil, fine: nil, location: "东三环", recordNo: nil)
        _ = try desk.assignViolation(String(violation.id), staff: "李强", reason: "他开的")
        _ = try desk.processViolation(String(violation.id), window: true, at: nil)
        _ = try desk.payViolation(String(violation.id), method: "wechat", payer: "driver", amount: nil, at: nil)
        return shop
    }

    /// What a person sees of a page's content: the text inside `<main>`, without tags, entities read, spaces collapsed.
    static func visibleText(_ html: String) -> String { text(html, from: "<main>", to: "</main>") }

    /// The text of the audit's table alone (the filter's choices name every action as well).
    static func tableText(_ html: String) -> String { text(html, from: #"<table class="audit">"#, to: "</table>") }

    static func text(_ html: String, from: String, to: String) -> String {
        var text = html
        if let start = text.range(of: from), let end = text.range(of: to, range: start.upperBound..<text.endIndex) {
            text = String(text[start.upperBound..<end.lowerBound])
        } else {
            return ""
        }
        // Words inside a line (a label, a link, bold) run on; other elements stand apart.
        text = text.replacingOccurrences(of: #"</?(span|strong|a)\b[^>]*>"#, with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: #"<[^>]*>"#, with: " ", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
    }

    /// Codes, field names, UTC times and JSON that a manager should never have to read.
    static func codeLike(_ text: String) -> [String] {
        let patterns = [#"\b[A-Za-z]+\.[A-Za-z]+\b"#, #"\b[a-z]+[A-Z][A-Za-z]*\b"#, #"\d{2}:\d{2}(:\d{2})?Z"#, #"\d{4}-\d{2}-\d{2}T\d{2}"#, #"[{}]"#, #"\bOK\b"#]
        return patterns.flatMap { pattern in
            let expression = try! NSRegularExpression(pattern: pattern)
            return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) }
        }
    }

    @Test("each kind of entry in words: a movement, a setting, a registration's status, an assignment, a payment; values rendered, no code, no UTC", arguments: Backend.allCases)
    func entriesInWords(_ backend: Backend) async throws {
        let shop = try AuditPageTests.story(backend)
        try await shop.test { browser in
            let page = try await browser.get("/audit")
            #expect(page.status == .ok)
            let text = AuditPageTests.tableText(page.body)
            for words in [
                // A movement's start: its subject, driver, purpose and local time.
                "开始移车", "移车 #1 京A12345 王磊", "员工：王磊", "用途：路试", "开始：2026-11-20 09:30",
                "结束移车", "结束：— → 2026-11-20 10:30",
                // A setting: which one in words, its value as yes or no.
                "修改设置", "设置：备案当天不能处理", "值：开 → 关",
                // A registration's status.
                "发出备案邀请", "确认已备案", "状态：已邀请 → 已备案", "备案生效：— → 2026-11-20 12:00",
                // A violation recorded, with the sentence that decided who drove.
                "登记违法", "违法 #1 京A12345 1625", "罚款：200.00 元", "驾驶人：王磊", "认定方式：移车记录",
                "理由：2026-11-20 10:00，王磊正在驾驶京A12345",
                // Assigned by hand: the driver by name, the attribution and the reason in words.
                "指定驾驶人", "驾驶人：王磊 → 李强", "认定方式：移车记录 → 手动指定", "指定原因：— → 他开的",
                // Processed, paid: the state, the channel, money in yuan, who paid and how.
                "处理违法", "状态：待处理 → 已处理待缴款", "处理渠道：— → 交警窗口",
                "缴纳罚款", "状态：已处理待缴款 → 已缴款", "缴款金额：— → 200.00 元", "支付方式：— → 微信", "付款方：— → 驾驶人",
                "缴款时间：— → 2026-11-20 12:00",
                // The payment made 李强's registration due for removal (R8).
                "罚款缴清，应解除备案", "状态：已备案 → 待解除备案",
            ] {
                #expect(text.contains(words), "the audit page lacks \(words)")
            }
            let everything = AuditPageTests.visibleText(page.body)
            #expect(AuditPageTests.codeLike(everything).isEmpty, "code-like tokens on the audit page: \(AuditPageTests.codeLike(everything))")
            // Each subject links to its page.
            for link in ["href=\"/moves/1\"", "href=\"/violations/1\"", "href=\"/settings#rules-noSameDayProcessing\"", "href=\"/vehicles/%E4%BA%ACA12345\"", "href=\"/staff/1\""] {
                #expect(page.body.contains(link), "no link \(link)")
            }
            #expect(page.body.contains(#"href="/invites/INV-"#))
            #expect(page.body.contains("<button class=\"primary\">筛选</button>") && !page.body.contains(">OK<"))
            #expect(page.body.contains(#"<input type="date" name="since""#) && page.body.contains(#"<input type="date" name="until""#))

            // The same in English.
            _ = try await browser.post("/lang", ["lang": "en", "back": "/audit"])
            let englishPage = try await browser.get("/audit").body
            let english = AuditPageTests.tableText(englishPage)
            for words in ["Movement started", "Fine paid", "Amount paid: — → 200.00 yuan", "Driver: 王磊 → 李强", "Status: processed → paid",
                          "Setting changed", "Value: on → off"] {
                #expect(english.contains(words), "the English audit page lacks \(words)")
            }
            #expect(englishPage.contains("<button class=\"primary\">Filter</button>"))
            let everythingInEnglish = AuditPageTests.visibleText(englishPage)
            #expect(AuditPageTests.codeLike(everythingInEnglish).isEmpty, "code-like tokens on the English audit page: \(AuditPageTests.codeLike(everythingInEnglish))")
        }
    }

    @Test("50 entries a page, newest first: 51 entries are two pages, with previous and next; a bad page number is refused by name")
    func paging() async throws {
        let shop = try WebHarness()
        let desk = shop.desk
        var count = try desk.audit(since: nil).count
        while count < 51 {
            _ = try desk.addVehicle(plate: "京B" + String(format: "%05d", count), owner: "车主\(count)", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
            count += 1
        }
        @Sendable func rows(_ html: String) -> [String] {
            let expression = try! NSRegularExpression(pattern: #"<tr><td class="muted">(\d+)</td>"#)
            return expression.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { String(html[Range($0.range(at: 1), in: html)!]) }
        }
        try await shop.test { browser in
            let first = try await browser.get("/audit")
            #expect(rows(first.body) == (2...51).reversed().map(String.init))
            #expect(AuditPageTests.visibleText(first.body).contains("第 1 页，共 2 页，51 条"))
            #expect(first.body.contains(#"href="/audit?page=2""#) && !first.body.contains(#"rel="prev""#))
            let second = try await browser.get("/audit?page=2")
            #expect(rows(second.body) == ["1"])
            #expect(AuditPageTests.visibleText(second.body).contains("第 2 页，共 2 页，51 条"))
            #expect(second.body.contains(#"href="/audit?page=1""#) && !second.body.contains(#"rel="next""#))
            // Past the last page: the last page.
            #expect(rows(try await browser.get("/audit?page=9").body) == ["1"])
            // Paging keeps the filters.
            let filtered = try await browser.get("/audit?since=2026-11-20&page=1")
            #expect(filtered.body.contains(#"href="/audit?since=2026-11-20&amp;page=2""#))
            let bad = try await browser.get("/audit?page=zwei")
            #expect(bad.status == .badRequest && bad.body.contains("页码") && bad.body.contains("zwei"))
        }
    }

    @Test("the filters are choices: the people of the audit, the actions in words by area, a range of days")
    func filters() async throws {
        let shop = try WebHarness()
        let earlier = try shop.time.parse("2026-11-18 15:00", field: "now", now: Date())
        _ = try shop.workshop.desk(now: earlier, operator: "小李").addVehicle(plate: "京C11111", owner: "刘洋", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        _ = try shop.desk.startMovement(plate: "京A12345", staff: "李强", purpose: "parking", at: "2026-11-20 11:00")
        try await shop.test { browser in
            let all = try await browser.get("/audit")
            // Everyone who appears in the audit, to choose from; the actions grouped by area, in words.
            #expect(all.body.contains(#"<option value="小李">小李</option>"#) && all.body.contains(#"<option value="setup">setup</option>"#))
            #expect(all.body.contains(#"<optgroup label="车辆"><option value="vehicle">全部车辆操作</option><option value="vehicle.add">添加车辆</option>"#))
            #expect(all.body.contains(#"<option value="movement.start">开始移车</option>"#))

            let person = try await browser.get("/audit?person=%E5%B0%8F%E6%9D%8E")
            #expect(person.body.contains(#"<option value="小李" selected>"#))
            let personText = AuditPageTests.visibleText(person.body)
            #expect(personText.contains("车辆 京C11111") && personText.contains("第 1 页，共 1 页，1 条") && !person.body.contains("<strong>开始移车</strong>"))

            let action = try await browser.get("/audit?action=movement.start")
            #expect(action.body.contains(#"<option value="movement.start" selected>"#))
            let actionText = AuditPageTests.visibleText(action.body)
            #expect(action.body.contains("<strong>开始移车</strong>") && actionText.contains("用途：停车") && !action.body.contains("<strong>添加车辆</strong>"))

            let days = try await browser.get("/audit?since=2026-11-18&until=2026-11-18")
            #expect(days.body.contains(#"value="2026-11-18""#))
            let dayText = AuditPageTests.visibleText(days.body)
            #expect(dayText.contains("车辆 京C11111") && dayText.contains("1 条") && dayText.contains("2026-11-18 15:00"))
            #expect(AuditPageTests.visibleText(try await browser.get("/audit?since=2026-11-19").body).contains("没有符合条件的记录") == false)
            #expect(AuditPageTests.visibleText(try await browser.get("/audit?since=2026-11-21").body).contains("没有符合条件的记录"))
            let backwards = try await browser.get("/audit?since=2026-11-20&until=2026-11-19")
            #expect(backwards.status == .badRequest && backwards.body.contains("截止日期"))
        }
    }

    @Test("the export: the filtered entries as CSV for Excel, UTF-8 with a BOM, the header and the values in the language")
    func export() async throws {
        let shop = try AuditPageTests.story()
        try await shop.test { browser in
            let page = try await browser.get("/audit?action=violation")
            #expect(page.body.contains(#"href="/audit.csv?action=violation""#))
            let csv = try await browser.get("/audit.csv?action=violation")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition] == "attachment; filename=\"audit-2026-11-20.csv\"")
            #expect(Array(csv.body.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let lines = String(csv.body.dropFirst()).components(separatedBy: "\r\n")
            #expect(lines.first == "编号,时间,操作人,操作,对象,变更")
            // Newest first, the four violation entries only, in words.
            #expect(lines.count == 6 && lines.last == "")
            #expect(lines[1].contains(",缴纳罚款,") && lines[1].contains("缴款金额：— → 200.00 元") && lines[1].contains("2026-11-20 12:00"))
            #expect(lines[4].contains(",登记违法,违法 #1 京A12345 1625,"))
            #expect(!lines.contains { $0.contains("registration") || $0.contains("罚款缴清") })
            #expect(AuditPageTests.codeLike(lines.joined(separator: "\n")).isEmpty, "\(AuditPageTests.codeLike(lines.joined(separator: "\n")))")

            _ = try await browser.post("/lang", ["lang": "en", "back": "/audit"])
            let english = try await browser.get("/audit.csv")
            #expect(String(english.body.dropFirst()).hasPrefix("No.,Time,Operator,Action,Subject,Change\r\n"))
            #expect(english.body.contains("Fine paid"))
        }
    }
}
