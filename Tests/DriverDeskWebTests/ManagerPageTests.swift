import DriverDeskApp
import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

/// Issue 26: the manager's pages in the manager's words.
@Suite("Web: the settings by their labels")
struct SettingsPageTests {
    @Test("the settings page shows each setting by its label under its section, with the input its kind needs and the key small", arguments: Backend.allCases)
    func labels(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            let page = try await browser.get("/settings").body
            for section in ["本店", "移车与驾驶人", "备案", "网上处理", "罚款与滞纳金", "清理", "网页前台"] {
                #expect(page.contains("<h2>\(section)</h2>"), "section \(section)")
            }
            #expect(page.contains("<strong>抓拍时钟误差</strong>"))
            #expect(page.contains(#"type="number" inputmode="numeric" min="0" max="120" value="10""#))
            #expect(page.contains("默认：10 分钟"))
            #expect(page.contains(#"<code class="key" title="#) && page.contains(">attribution.slackMinutes</code>"))
            #expect(page.contains(#"<option value="true" selected>开</option>"#), "a switch reads 开/关")
            #expect(page.contains(#"name="option.road-test" checked"#) && page.contains("路试"))
            #expect(page.contains(#"<option value="Asia/Shanghai" selected>"#))
            #expect(!page.contains("（R2）") && page.contains("规则 R2"), "the rule is apart from the sentence")
            #expect(!page.contains("<select name=\"key\">"), "no dropdown of keys")
        }
    }

    @Test("a refusal is shown beside its setting and writes nothing; a list of options and a fine by code save", arguments: Backend.allCases)
    func save(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            _ = try await browser.get("/settings")
            let bad = try await browser.post("/settings", ["key": "attribution.slackMinutes", "value": "500"])
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains(#"data-field="attribution.slackMinutes">抓拍时钟误差：“500”不是 0 到 120 之间的整数"#), "\(bad.body)")
            #expect(bad.body.contains(#"max="120" value="500""#), "what was typed stays")
            #expect(try shop.workshop.config().int(.attributionSlackMinutes) == 10)

            let purposes = try await browser.post("/settings", ["key": "rules.licenceCheckPurposes", "choices": "1", "option.road-test": "on", "option.pickup": "on"])
            #expect(purposes.status == .seeOther)
            #expect(try shop.workshop.config().string(.rulesLicenceCheckPurposes) == "road-test,pickup")
            let none = try await browser.post("/settings", ["key": "rules.licenceCheckPurposes", "choices": "1"])
            #expect(none.status == .seeOther)
            #expect(try shop.workshop.config().string(.rulesLicenceCheckPurposes) == "")
            let after = try await browser.get("/settings")
            #expect(after.body.contains("已保存“检查驾驶证的移车用途”：（空）"))

            let badCode = try await browser.post("/settings", ["fine": "1", "code": "16x", "province": "", "value": "150"])
            #expect(badCode.status == .badRequest)
            #expect(badCode.body.contains(#"data-field="code">违法代码：“16x”不是违法代码"#))
            let fine = try await browser.post("/settings", ["fine": "1", "code": "1625", "province": "京", "value": "150"])
            #expect(fine.status == .seeOther)
            #expect(try shop.workshop.config().value("fine.京.1625") == "150")
            #expect(try await browser.get("/settings").body.contains("<strong>违法代码 1625 的罚款（京牌）</strong>"))
        }
    }
}
