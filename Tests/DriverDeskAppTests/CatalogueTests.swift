import DriverDeskApp
import DriverDeskCore
import Foundation
import Testing

/// The two language catalogues against the code: every message the core and the store make exists in both languages
/// with the placeholders the code fills in, no entry is unused, and every value of the vocabulary has its words.
@Suite("Language catalogues: zh-Hans and en")
struct CatalogueTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = root.appendingPathComponent("templates/i18n")

    /// Every `Message("code", ["name": …, …])` in Sources, with the argument names it gives.
    static func messagesInCode() throws -> [String: Set<String>] {
        let call = try NSRegularExpression(pattern: #"Message\("([A-Za-z0-9.]+)"(?:, \[([^\]]*(?:\[[^\]]*\][^\]]*)*)\])?\)"#)
        let name = try NSRegularExpression(pattern: #""([A-Za-z]+)": "#)
        var found: [String: Set<String>] = [:]
        let walker = FileManager.default.enumerator(at: root.appendingPathComponent("Sources"), includingPropertiesForKeys: nil)!
        for case let url as URL in walker where url.pathExtension == "swift" {
            // Code only: a comment may show the form of a call.
            let text = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
            for match in call.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let code = String(text[Range(match.range(at: 1), in: text)!])
                let arguments = Range(match.range(at: 2), in: text).map { String(text[$0]) } ?? ""
                let names = Set(name.matches(in: arguments, range: NSRange(arguments.startIndex..., in: arguments)).map {
                    String(arguments[Range($0.range(at: 1), in: arguments)!])
                })
                found[code, default: names].formUnion(names)
            }
        }
        // Made by the catalogue itself, not by a rule.
        found.removeValue(forKey: "verbatim")
        found.removeValue(forKey: "hint")
        return found
    }

    static func placeholders(_ text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: #"\{([A-Za-z]+)\}"#)
        return Set(pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range(at: 1), in: text)!]) })
    }

    @Test("the scan of the sources finds the messages (a scan that found nothing would pass everything below)")
    func scanFindsMessages() throws {
        let code = try CatalogueTests.messagesInCode()
        #expect(code.count >= 30, "\(code.keys.sorted())")
        #expect(code["attribution.driving"] == ["staff", "plate", "at", "movement", "purpose", "from", "to"])
        #expect(code["channel.cycleFull"] == ["staff", "taken", "points", "total", "max", "setting"])
    }

    @Test("every message of the code is in both catalogues with exactly its placeholders (its command-line hint may use the rest); no entry is unused", arguments: Language.allCases)
    func messages(_ language: Language) throws {
        let code = try CatalogueTests.messagesInCode()
        let catalogue = try Catalogue.read(language, folder: CatalogueTests.folder)
        for (key, names) in code.sorted(by: { $0.key < $1.key }) {
            guard let text = catalogue.messageTexts[key] else {
                Issue.record("\(language.rawValue) has no message \(key)")
                continue
            }
            let used = CatalogueTests.placeholders(text), hinted = catalogue.cliHintTexts[key].map(CatalogueTests.placeholders) ?? []
            #expect(used.isSubset(of: names) && used.union(hinted) == names,
                    "\(language.rawValue) \(key): \(text) has {\(used.sorted())} (and its hint {\(hinted.sorted())}), the code gives \(names.sorted())")
        }
        let unused = Set(catalogue.messageTexts.keys).subtracting(code.keys)
        #expect(unused.isEmpty, "\(language.rawValue) has messages no code makes: \(unused.sorted())")
        for (key, hint) in catalogue.cliHintTexts {
            #expect(CatalogueTests.placeholders(hint).isSubset(of: code[key] ?? []), "\(language.rawValue) hint \(key) names what its message does not give: \(hint)")
        }
    }

    @Test("both catalogues name every value of the vocabulary, and nothing else")
    func terms() throws {
        let vocabulary: [String: [String]] = [
            "purpose": MovementPurpose.allCases.map(\.rawValue), "channel": Channel.allCases.map(\.rawValue),
            "channelDone": Channel.allCases.map(\.rawValue), "attribution": Attribution.Kind.allCases.map(\.rawValue),
            "violationStatus": ViolationStatus.allCases.map(\.rawValue), "registrationStatus": RegistrationStatus.allCases.map(\.rawValue),
            "method": RegistrationMethod.allCases.map(\.rawValue), "payMethod": PaymentMethod.allCases.map(\.rawValue),
            "payer": Payer.allCases.map(\.rawValue), "nextAction": NextAction.allCases.map(\.rawValue), "edge": ["started", "ended"],
            "csv": Array(Set(ReportCSV.columns.values.flatMap { $0 })), "chainReport": ChainReportView.columns,
            "cleanupKind": ["inviteExpired", "removalDue", "removalReminder", "visitStale", "feeDueSoon", "feeOverdue"],
            "usage": VehicleUsage.allCases.map(\.rawValue), "size": VehicleSize.allCases.map(\.rawValue),
            "plateKind": Plate.Kind.allCases.map(\.rawValue), "role": Role.allCases.map(\.rawValue), "addressPart": ["scheme", "query", "database", "user", "password", "host", "port"],
            "setting": Config.settings.map(\.key), "settingGroup": Setting.Group.allCases.map(\.rawValue), "unit": Setting.Unit.allCases.map(\.rawValue),
            "auditAction": AuditActions.all, "auditArea": AuditActions.areas.map(\.area), "auditField": AuditFields.labelled, "auditColumn": AuditCSV.columns,
        ]
        for language in Language.allCases {
            let terms = try Catalogue.read(language, folder: CatalogueTests.folder).termTexts
            #expect(Set(terms.keys) == Set(vocabulary.keys), "\(language.rawValue): \(terms.keys.sorted())")
            for (kind, values) in vocabulary {
                #expect(Set(terms[kind]?.keys.map { $0 } ?? []) == Set(values), "\(language.rawValue) \(kind): \(terms[kind] ?? [:])")
                #expect(terms[kind]?.values.allSatisfy { !$0.isEmpty } == true)
            }
        }
    }

    @Test("every action the code writes to the audit is one the audit knows, in an area, with words in both catalogues")
    func auditActions() throws {
        // `action: "…"`, `record("…"`, `recordLogin("…"`; the two-way choice `action: x ? "a" : "b"`; an INSERT's literal.
        let patterns = try [#"(?:action: |record\(|recordLogin\(|recordChainLogin\()"([a-z]+(?:\.[a-zA-Z]+)?)""#,
                            #"action: [^"\n]*\? "([a-z]+\.[a-zA-Z]+)" : "([a-z]+\.[a-zA-Z]+)""#,
                            #"INSERT INTO audit [^\n]*'([a-z]+\.[a-zA-Z]+)'"#].map { try NSRegularExpression(pattern: $0) }
        var found = Set<String>()
        let walker = FileManager.default.enumerator(at: CatalogueTests.root.appendingPathComponent("Sources"), includingPropertiesForKeys: nil)!
        for case let url as URL in walker where url.pathExtension == "swift" && !url.path.contains("driverdesk-bench") {
            let text = try String(contentsOf: url, encoding: .utf8)
            for pattern in patterns {
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    for group in 1..<match.numberOfRanges { if let range = Range(match.range(at: group), in: text) { found.insert(String(text[range])) } }
                }
            }
        }
        // Cleanup writes `cleanup.<status>` for the two states it moves registrations to (R9).
        found.formUnion(["cleanup.expired", "cleanup.removalDue"])
        #expect(found.count >= 35, "\(found.sorted())")
        let areas = Set(AuditActions.areas.map(\.area))
        let unknown = found.filter { !AuditActions.all.contains($0) && !areas.contains($0) }
        #expect(unknown.isEmpty, "actions the audit has no words for: \(unknown.sorted())")
        for action in ["login", "logout", "backup", "restore", "shop.add", "registration.cancel", "registration.remove", "account.passwd"] {
            #expect(found.contains(action), "the scan missed \(action)")
        }
        #expect(Set(AuditActions.all).count == AuditActions.all.count)
    }

    @Test("the wording, once per kind of fact: times, money, minutes and days, names, terms, the slots")
    func wording() throws {
        let zh = try Catalogue.read(.zhHans, folder: CatalogueTests.folder), en = try Catalogue.read(.en, folder: CatalogueTests.folder)
        let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
        let at = try time.parse("2026-11-20 10:15", field: "at", now: Date())
        let driving = Message("attribution.driving", ["staff": .text("王磊"), "plate": .text("京A12345"), "at": .time(at), "movement": .number(3),
                                                       "purpose": .term("purpose", "road-test"), "from": .time(at), "to": .time(at)])
        #expect(zh.render(driving, time: time) == "2026-11-20 10:15，王磊正在驾驶京A12345（移车 #3，路试，2026-11-20 10:15 至 2026-11-20 10:15）。")
        #expect(en.render(driving, time: time) == "王磊 was driving 京A12345 at 2026-11-20 10:15 (movement #3, road test, 2026-11-20 10:15 to 2026-11-20 10:15).")
        let fine = Message("channel.fineOverLimit", ["fine": .fen(50_050), "limit": .fen(20_000), "setting": .text("online.maxFineYuan")])
        #expect(zh.render(fine, time: time) == "罚款 500.5 元 超过网上简易程序的上限 200 元（设置“网上处理罚款上限”）。")
        #expect(en.render(fine, time: time) == "The fine of 500.5 yuan is over the 200 yuan of the simplified online procedure (setting “Largest fine handled online”).")
        #expect(en.render(Message("attribution.withinSlack", ["slack": .minutes(1), "setting": .text("attribution.slackMinutes")]), time: time).contains("the 1 minute allowed"))
        #expect(en.render(Message("channel.registrationTooLate", ["staff": .text("李强"), "ref": .text("INV-1"), "activated": .day(CivilDate(year: 2026, month: 11, day: 30)!),
                                                                  "days": .days(1), "occurred": .day(CivilDate(year: 2026, month: 11, day: 20)!), "setting": .text("rules.lateRegistrationDays")]), time: time)
                .contains("more than 1 day after"))
        #expect(zh.render(Message("attribution.alsoWithinSlack", ["names": .names(["王磊", "李强"])]), time: time) == "误差范围内还有：王磊、李强。")
        #expect(en.render(Message("attribution.alsoWithinSlack", ["names": .names(["王磊", "李强"])]), time: time) == "Also within that margin: 王磊, 李强.")
        let slots = SlotSummary(active: 2, activeLimit: 3, pending: 1, thisYear: 4, yearLimit: 5, today: 1, dayLimit: 1)
        #expect(zh.slots(slots) == "同时备案 2/3 辆，今年已备案 4/5 次，待确认邀请 1 个，今天不能再备案")
        #expect(en.slots(slots) == "2 of 3 active, 4 of 5 this year, invites pending: 1, none more today")
        // An unknown code shows as itself, never as nothing; an older DriverDesk's sentence as it was.
        #expect(zh.render(Message("no.such.code"), time: time) == "no.such.code")
        #expect(zh.render(.verbatim("王磊 was driving."), time: time) == "王磊 was driving.")
    }

    /// Words a Chinese sentence keeps as they are: the names of programs and formats, and what a person types
    /// literally (a value of a setting, an example of a reference or a time zone).
    static let keptInChinese: Set<String> = ["CSV", "UTF", "BOM", "GBK", "NUL", "Unicode", "Excel", "WPS", "xlsx", "xls", "html", "svg", "png",
                                             "DriverDesk", "INV", "XZP", "utf", "true", "false", "Asia", "Shanghai", "Hans", "English", "KiB", "Ctrl", "SQLite", "PostgreSQL", "http", "https", "HTTPS", "PEM"]

    @Test("a setting's value reads the same on the settings page and in the audit: 开/关, its unit, purposes and languages in words")
    func settingValues() throws {
        let zh = try Catalogue.read(.zhHans, folder: CatalogueTests.folder), en = try Catalogue.read(.en, folder: CatalogueTests.folder)
        let setting = { (key: String) in try Config.setting(key) }
        #expect(zh.settingValue("true", of: try setting("rules.noSameDayProcessing")) == "开")
        #expect(en.settingValue("false", of: try setting("rules.noSameDayProcessing")) == "off")
        #expect(zh.settingValue("10", of: try setting("attribution.slackMinutes")) == "10 分钟")
        #expect(zh.settingValue("3", of: try setting("fees.lateFeePercentPerDay")) == "3%")
        #expect(zh.settingValue("road-test,pickup", of: try setting("rules.licenceCheckPurposes")) == "路试、接车")
        #expect(zh.settingValue("", of: try setting("rules.licenceCheckPurposes")) == "（空）")
        #expect(en.settingValue("zh-Hans", of: try setting("ui.language")) == "简体中文")
        #expect(zh.settingValue("", of: try setting("fine.1625")) == "参考罚款")
    }

    @Test("zh-Hans messages are Chinese: no English word outside the placeholders, the names of settings and a few names of programs and formats")
    func chineseIsChinese() throws {
        let zh = try Catalogue.read(.zhHans, folder: CatalogueTests.folder)
        let english = try NSRegularExpression(pattern: #"[A-Za-z]{3,}"#)
        for (key, text) in zh.messageTexts.sorted(by: { $0.key < $1.key }) {
            // Placeholders, and what is typed on the command line (driverdesk config set, --lang) as it is typed.
            let stripped = text.replacingOccurrences(of: #"\{[A-Za-z]+\}|driverdesk( [a-z]+)*|--[a-z0-9-]+|postgres://|[?&][a-z]+=[^\s，。（）]*"#, with: "", options: .regularExpression)
            let words = english.matches(in: stripped, range: NSRange(stripped.startIndex..., in: stripped)).map { String(stripped[Range($0.range, in: stripped)!]) }
                .filter { !CatalogueTests.keptInChinese.contains($0) }
            #expect(words.isEmpty, "zh-Hans \(key) has English: \(words) in \(text)")
        }
        for (kind, values) in zh.termTexts {
            for (value, text) in values where text.range(of: #"[A-Za-z]{3,}"#, options: .regularExpression) != nil {
                Issue.record("zh-Hans term \(kind).\(value) is English: \(text)")
            }
        }
    }
    @Test("every label the command line prints is in both catalogues, and no label is unused")
    func labels() throws {
        // label("key"), line("key", …), heading("key", n), and a ternary between labels: label(x ? "a" : "b"), label(x ? "a" : (y ? "b" : "c")).
        let use = try NSRegularExpression(pattern: #"(?:label|line|heading)\("([A-Za-z]+)""#)
        let choice = try NSRegularExpression(pattern: #"label\([^"\n]*\? "([A-Za-z]+)" : \(?(?:[^"\n]*\? )?"([A-Za-z]+)"(?: : "([A-Za-z]+)")?"#)
        var used = Set<String>()
        let walker = FileManager.default.enumerator(at: CatalogueTests.root.appendingPathComponent("Sources"), includingPropertiesForKeys: nil)!
        for case let url as URL in walker where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in use.matches(in: text, range: NSRange(text.startIndex..., in: text)) { used.insert(String(text[Range(match.range(at: 1), in: text)!])) }
            for match in choice.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                for group in 1...3 { if let range = Range(match.range(at: group), in: text) { used.insert(String(text[range])) } }
            }
        }
        #expect(used.count >= 10, "\(used.sorted())")
        for language in Language.allCases {
            let labels = try Catalogue.read(language, folder: CatalogueTests.folder).labelTexts
            #expect(Set(labels.keys) == used, "\(language.rawValue): missing \(used.subtracting(labels.keys).sorted()), unused \(Set(labels.keys).subtracting(used).sorted())")
        }
    }

    @Test("one placeholder style: every text of both catalogues names its placeholders ({read}, never {0}), and the two languages name the same ones")
    func placeholderStyle() throws {
        let positional = try NSRegularExpression(pattern: #"\{[0-9]+\}"#)
        let named = try NSRegularExpression(pattern: #"\{([A-Za-z]+)\}"#)
        func texts(_ node: Any, _ path: String) -> [(String, String)] {
            if let text = node as? String { return [(path, text)] }
            guard let dictionary = node as? [String: Any] else { return [] }
            return dictionary.flatMap { texts($0.value, path.isEmpty ? $0.key : path + "." + $0.key) }
        }
        var names: [String: [String: Set<String>]] = [:]
        for language in Language.allCases {
            let tree = try Catalogue.read(language, folder: CatalogueTests.folder).sections.tree
            for (path, text) in texts(tree, "") {
                #expect(positional.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text)) == 0, "\(language.rawValue) \(path): \(text)")
                names[path, default: [:]][language.rawValue] = Set(named.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
                    String(text[Range($0.range(at: 1), in: text)!])
                })
            }
        }
        for (path, byLanguage) in names where byLanguage.count == 2 && !path.hasPrefix("cliHints") {
            #expect(byLanguage["zh-Hans"] == byLanguage["en"], "\(path): \(byLanguage)")
        }
        #expect(Catalogue.fill("已撤销移车 {movement}（{plate}）", ["movement": "#3", "plate": "京A12345"]) == "已撤销移车 #3（京A12345）")
    }
}
