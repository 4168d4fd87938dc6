import DriverDeskApp
import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Every page of the front desk as a person reads it: in 简体中文 no English value of the vocabulary and no English
/// sentence; in English no Chinese but the names, plates, places and 12123's own terms that are shown on purpose.
@Suite("Web: every page in the person's language")
struct LanguageTests {
    /// A shop with something in every state: movements of every purpose, registrations invited, active and removed,
    /// violations open (window and online), processed and paid.
    static func busyShop() throws -> (WebHarness, ref: String) {
        let shop = try WebHarness(now: "2026-11-20 18:00")
        let desk = shop.desk
        _ = try desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 10:00", to: "2026-11-20 10:30", purpose: "road-test")
        _ = try desk.logMovement(plate: "京A12345", staff: "李强", from: "2026-11-20 10:30", to: "2026-11-20 10:40", purpose: "parking")
        _ = try desk.startMovement(plate: "京A12345", staff: "王磊", purpose: "delivery", at: "2026-11-20 17:00")
        let ref = try desk.invite(plate: "京A12345", staff: "李强", method: "qr").view.registration.ref
        _ = try desk.addViolation(plate: "京A12345", at: "2026-11-20 10:12", code: "1625", points: nil, fine: nil, location: "东三环北路", recordNo: "R-1")
        _ = try desk.addViolation(plate: "京A12345", at: "2026-11-20 10:35", code: "1039", points: nil, fine: nil, location: "朝阳路", recordNo: "R-2")
        _ = try desk.addViolation(plate: "京A12345", at: "2026-11-20 13:00", code: "1117", points: nil, fine: nil, location: "长安街", recordNo: "R-3")
        _ = try desk.processViolation("1", window: true, at: "2026-11-20 17:30")
        _ = try desk.addViolation(plate: "京A12345", at: "2026-11-20 10:05", code: "1352", points: nil, fine: nil, location: "二环", recordNo: "R-4")
        _ = try desk.processViolation("4", window: true, at: "2026-11-20 17:31")
        _ = try desk.payViolation("4", method: "wechat", payer: "driver", amount: nil, at: "2026-11-20 17:40")
        return (shop, ref)
    }

    static func pages(ref: String) -> [String] {
        ["/", "/moves", "/vehicles", "/vehicles/%E4%BA%ACA12345", "/staff", "/staff/1", "/staff/2", "/invites", "/invites/\(ref)",
         "/violations", "/violations/1", "/violations/2", "/violations/3", "/violations/4", "/payments", "/cleanup", "/report", "/settings", "/users"]
    }

    /// What a person reads on a page: the text between tags and the placeholders, titles and labels of its fields. The
    /// invite's text for the owner's phone (`pre.sms`) is bilingual on purpose, 简体中文 first, and is left out.
    static func visibleText(_ html: String) -> String {
        var text = html
        for pattern in [#"<script\b[^>]*>[\s\S]*?</script>"#, #"<style\b[^>]*>[\s\S]*?</style>"#, #"<svg\b[\s\S]*?</svg>"#,
                        #"<pre class="sms">[\s\S]*?</pre>"#, #"<select name="province">[\s\S]*?</select>"#,
                        // A setting's key, shown small for the command line (`driverdesk config set online.maxFineYuan 200`).
                        #"<code class="key"[^>]*>[^<]*</code>"#] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        var shown: [String] = []
        let attributes = try! NSRegularExpression(pattern: #"\b(?:placeholder|title|aria-label)="([^"]*)""#)
        for match in attributes.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            shown.append(String(text[Range(match.range(at: 1), in: text)!]))
        }
        text = text.replacingOccurrences(of: #"<[^>]*>"#, with: " ", options: .regularExpression)
        return (shown + [text]).joined(separator: " ").replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&quot;", with: "\"")
    }

    /// English a Chinese page must not show: the vocabulary's values and the words English sentences are made of.
    static let english = ["road-test", "road test", "delivery", "pickup", "movement", "outsideCustody", "unattributed", "window",
                          "online", "open", "processed", "paid", "invited", "active", "removalDue", "removed", "expired", "cancelled",
                          "wechat", "alipay", "bank-card", "review", "overdue", "was", "the", "has", "yuan", "and", "of", "is", "not"]

    @Test("in 简体中文 (the default), no page shows an English value of the vocabulary or an English sentence")
    func chinese() async throws {
        let (shop, ref) = try LanguageTests.busyShop()
        try await shop.test { browser in
            for uri in LanguageTests.pages(ref: ref) {
                let page = try await browser.get(uri)
                #expect(page.status == .ok, "\(uri): \(page.status)")
                let text = LanguageTests.visibleText(page.body)
                let words = Set(text.split(whereSeparator: { !$0.isLetter && $0 != "-" }).map { $0.lowercased() })
                let found = LanguageTests.english.filter { words.contains($0.lowercased()) || (($0.contains(" ") || $0.contains("-")) && text.lowercased().contains($0)) }
                #expect(found.isEmpty, "\(uri) shows English: \(found)")
            }
        }
    }

    @Test("in English, no page shows Chinese but names, plates, places, code descriptions and 12123's own terms")
    func english() async throws {
        let (shop, ref) = try LanguageTests.busyShop()
        // Shown in Chinese on purpose, in both languages: people's and the shop's names, plates, places, the code book's
        // descriptions (as the notices print them), and the terms of 交管12123 printed beside their English.
        let descriptions = try shop.desk.violationList(status: nil).compactMap(\.description)
        #expect(descriptions.count == 4)
        let allowed = descriptions.sorted { $0.count > $1.count } + ["测试汽修", "王磊", "李强", "张伟", "上海某某贸易有限公司", "京A12345", "沪B88888",
                       "东三环北路", "朝阳路", "长安街", "二环", "交管12123", "行驶证", "备案非本人机动车", "电子监控违法处理", "解除备案", "记分周期", "简体中文", "中文"]
        try await shop.test { browser in
            _ = try await browser.get("/")
            #expect(try await browser.post("/lang", ["lang": "en", "back": "/"]).status == .seeOther)
            for uri in LanguageTests.pages(ref: ref) {
                let page = try await browser.get(uri)
                #expect(page.status == .ok, "\(uri): \(page.status)")
                var text = LanguageTests.visibleText(page.body)
                for name in allowed { text = text.replacingOccurrences(of: name, with: " ") }
                let chinese = text.unicodeScalars.filter { (0x4E00...0x9FFF).contains($0.value) || (0xFF01...0xFF5E).contains($0.value) || "，。：；（）、".unicodeScalars.contains($0) }
                #expect(chinese.isEmpty, "\(uri) shows Chinese in English: \(String(String.UnicodeScalarView(chinese)).prefix(80)) in …\(LanguageTests.around(chinese.first, in: text))…")
            }
        }
    }

    /// A little of the text around the first offending character, to say where it is.
    static func around(_ scalar: Unicode.Scalar?, in text: String) -> String {
        guard let scalar, let index = text.unicodeScalars.firstIndex(of: scalar) else { return "" }
        let position = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: index)
        let scalars = Array(text.unicodeScalars)
        return String(String.UnicodeScalarView(scalars[max(0, position - 30)..<min(scalars.count, position + 30)]))
            .replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
    }
}
