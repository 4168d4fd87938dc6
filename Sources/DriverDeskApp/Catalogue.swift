import DriverDeskCore
import DriverDeskCameraFile
import Foundation
import Synchronization

/// The languages DriverDesk speaks: 简体中文 first.
public enum Language: String, Sendable, CaseIterable {
    case zhHans = "zh-Hans"
    case en

    /// The language by its own name, as the language switch and the settings show it.
    public var ownName: String {
        switch self {
        case .zhHans: "简体中文"
        case .en: "English"
        }
    }

    /// `--lang`, `$DRIVERDESK_LANG` or `ui.language`, checked; nil for nothing given.
    public static func parse(_ raw: String?, field: String) throws -> Language? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        switch raw.lowercased() {
        case "zh-hans", "zh", "zh-cn", "zh_cn", "cn": return .zhHans
        case "en", "en-us", "en-gb", "en_us", "en_gb": return .en
        default:
            throw DeskError.invalid(field: field, reason: Message("input.language", ["raw": .text(raw)]))
        }
    }
}

/// One language's words for what the core decides: its `messages` (a reason, refusal or warning by code, with
/// `{name}` placeholders) and its `terms` (the vocabulary's enumerations: statuses, channels, purposes, …), read from
/// `templates/i18n/<language>.json`. The command line and the web render through the same catalogue.
public struct Catalogue: Sendable {
    public let language: Language
    let messages: [String: String]
    let terms: [String: [String: String]]
    /// The command line's hint of what to type next, by message code (`cliHints`): the web shows buttons instead.
    let cliHints: [String: String]
    /// The labels of the command line's text output (`labels`): 驾驶人, Driver, …
    let labels: [String: String]
    /// What this language calls an input that an error names (`fields`): `plate` is 车牌; unnamed inputs show as they are.
    let fields: [String: String]
    /// The whole catalogue as read, sections within sections: the web's pages read their words from it (`{{t.nav.dashboard}}`).
    public let sections: Sections

    /// A catalogue's sections, read once and never changed.
    public final class Sections: @unchecked Sendable {
        public let tree: [String: Any]
        init(_ tree: [String: Any]) { self.tree = tree }
    }

    init(language: Language, messages: [String: String], terms: [String: [String: String]], cliHints: [String: String] = [:], labels: [String: String] = [:],
         fields: [String: String] = [:], sections: [String: Any] = [:]) {
        self.sections = Sections(sections)
        self.language = language
        self.messages = messages
        self.terms = terms
        self.cliHints = cliHints
        self.labels = labels
        self.fields = fields
    }

    private static let loaded = Mutex<[Language: Catalogue]>([:])
    /// For messages that name no time.
    static let noTime = ShopTime(zone: TimeZone(identifier: "UTC")!)

    /// No words at all: every message shows as its code, every term as its value.
    public static let empty = Catalogue(language: .en, messages: [:], terms: [:])

    /// The shipped catalogue of a language, read once per process.
    public static func shipped(_ language: Language) throws -> Catalogue {
        if let catalogue = loaded.withLock({ $0[language] }) { return catalogue }
        let catalogue = try read(language, folder: try Resources.folder("templates/i18n"))
        loaded.withLock { $0[language] = catalogue }
        return catalogue
    }

    /// Reads `folder/<language>.json`.
    public static func read(_ language: Language, folder: URL) throws -> Catalogue {
        let url = folder.appendingPathComponent("\(language.rawValue).json")
        guard let data = try? Data(contentsOf: url), let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw DeskError.storage(message: "cannot read the language catalogue \(url.path)")
        }
        let messages = json["messages"] as? [String: String] ?? [:]
        let terms = (json["terms"] as? [String: Any] ?? [:]).compactMapValues { $0 as? [String: String] }
        return Catalogue(language: language, messages: messages, terms: terms, cliHints: json["cliHints"] as? [String: String] ?? [:],
                         labels: json["labels"] as? [String: String] ?? [:], fields: json["fields"] as? [String: String] ?? [:], sections: json)
    }

    /// Every message code of the catalogue with its text (for the catalogue's own test).
    public var messageTexts: [String: String] { messages }
    /// Every term of the catalogue: kind → value → text.
    public var termTexts: [String: [String: String]] { terms }
    /// Every command-line hint, by the code of the message it follows.
    public var cliHintTexts: [String: String] { cliHints }
    /// Every label of the text output.
    public var labelTexts: [String: String] { labels }
    /// Every name of an input.
    public var fieldTexts: [String: String] { fields }

    /// Fills a text's `{name}` placeholders: the one placeholder style of every text of the catalogues.
    public static func fill(_ text: String, _ values: [String: String]) -> String {
        values.reduce(text) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    /// A label of the command line's text output; the key itself when unknown.
    public func label(_ key: String) -> String { labels[key] ?? key }

    /// "驾驶人：王磊 (#1)" or "Driver:       王磊 (#1)": a labelled line of the text output, as each language lines them up.
    public func line(_ key: String, _ value: String) -> String {
        let name = label(key)
        if language == .zhHans { return "\(name)：\(value)" }
        return (name + ":").padding(toLength: max(14, name.count + 2), withPad: " ", startingAt: 0) + value
    }

    /// The command line's hint after a message, with the message's facts filled in; nil where there is none.
    public func hint(_ message: Message, time: ShopTime) -> String? {
        guard let template = cliHints[message.code] else { return nil }
        return render(Message("hint", message.arguments), template: template, time: time)
    }

    // MARK: Rendering

    /// A message as a sentence of this language. An unknown code shows as the code itself, never as nothing.
    public func render(_ message: Message, time: ShopTime) -> String {
        if message.code == "verbatim", case .text(let text)? = message.arguments["text"] { return text }
        guard let template = messages[message.code] else { return message.code }
        return render(message, template: template, time: time)
    }

    func render(_ message: Message, template: String, time: ShopTime) -> String {
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            result += message.arguments[name].map { format($0, named: name, time: time) } ?? "{\(name)}"
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    public func render(_ messages: [Message], time: ShopTime) -> [String] { messages.map { render($0, time: time) } }

    /// A message whose facts are all already text (a front end's own line: times it formatted itself).
    public func render(_ message: Message) -> String { render(message, time: Catalogue.noTime) }

    /// A value of the vocabulary (`term("violationStatus", "open")` is 待处理 or open); the value itself when unknown.
    public func term(_ kind: String, _ value: String) -> String { terms[kind]?[value] ?? value }

    /// Money as this language writes it: 200 元, 200 yuan.
    public func money(fen: Int) -> String {
        language == .zhHans ? "\(Money.yuan(fen)) 元" : "\(Money.yuan(fen)) yuan"
    }

    /// Money in yuan (a view's `Decimal`) as this language writes it.
    public func money(yuan: Decimal) -> String { language == .zhHans ? "\(yuan) 元" : "\(yuan) yuan" }

    /// A staff member's registration slots: "已备案 2/3 辆，今年 4/5 次，今天不能再备案" or "2 of 3 active, 4 of 5 this year, none more today".
    public func slots(_ slots: SlotSummary) -> String {
        let time = Catalogue.noTime
        var parts = [render(Message("slots.summary", ["active": .number(slots.active), "activeLimit": .number(slots.activeLimit), "thisYear": .number(slots.thisYear), "yearLimit": .number(slots.yearLimit)]), time: time)]
        if slots.pending > 0 { parts.append(render(Message("slots.pending", ["pending": .number(slots.pending)]), time: time)) }
        if slots.today >= slots.dayLimit { parts.append(render(Message("slots.noneToday"), time: time)) }
        return parts.joined(separator: language == .zhHans ? "，" : ", ")
    }

    /// A message's `{setting}` names a setting by its key (`online.maxFineYuan`, as stored in reasons kept for
    /// years): a person reads its label, which the settings page shows above its key.
    func format(_ argument: Message.Argument, named name: String, time: ShopTime) -> String {
        if name == "setting", case .text(let key) = argument, let label = terms["setting"]?[key] {
            return language == .zhHans ? "“\(label)”" : "setting “\(label)”"
        }
        return format(argument, time: time)
    }

    func format(_ argument: Message.Argument, time: ShopTime) -> String {
        let zh = language == .zhHans
        switch argument {
        case .text(let text): return text
        case .number(let number): return String(number)
        case .time(let date): return time.format(date)
        case .day(let day): return day.description
        case .fen(let fen): return money(fen: fen)
        case .minutes(let minutes): return zh ? "\(minutes) 分钟" : "\(minutes) minute\(minutes == 1 ? "" : "s")"
        case .days(let days): return zh ? "\(days) 天" : "\(days) day\(days == 1 ? "" : "s")"
        case .names(let names): return names.joined(separator: zh ? "、" : ", ")
        case .term(let kind, let value): return term(kind, value)
        }
    }
}

extension Catalogue {
    /// How an error names its input: by this language's name for it (a page, whose form marks the field), or with
    /// the input's own name as well (the command line: 车牌（plate）, so the flag is plain).
    public enum Naming: Sendable { case label, labelAndKey }

    /// An error as this language says it, one line: the input it is about (and the line of a file), then the reason;
    /// a refusal's reasons with the rule. ID numbers are masked (R12) and what a person typed is not echoed at length.
    public func describe(_ error: DeskError, time: ShopTime, naming: Naming = .labelAndKey) -> String {
        let text: String
        switch error {
        case .invalid(let field, let reason, let line):
            text = lead(field: field, line: line, naming: naming) + render(reason, time: time)
        case .notFound(let field, let reason):
            text = lead(field: field, line: nil, naming: naming) + render(reason, time: time)
        case .refusedWith(let rule, let reasons):
            // The command line names the rule for a look-up in docs/rulebook.md; a page says the reasons only.
            text = render(reasons, time: time).joined(separator: " ") + (naming == .labelAndKey ? " (\(rule))" : "")
        case .forbidden(let reasons):
            text = render(reasons, time: time).joined(separator: " ") + (naming == .labelAndKey ? " (role)" : "")
        case .storage:
            return error.localizedDescription
        case .unavailable(let outage):
            text = render(Catalogue.message(of: outage), time: time)
        }
        let masked = IDNumber.maskAll(in: text)
        return masked.count > 600 ? String(masked.prefix(600)) + "…" : masked
    }

    /// What an outage of the database says: nothing was saved (and to try again), or that it is not known.
    static func message(of outage: DeskError.Outage) -> Message {
        switch outage {
        case .unreachable: Message("error.unavailable.unreachable")
        case .locked: Message("error.unavailable.locked")
        case .outcomeUnknown: Message("error.unavailable.outcomeUnknown")
        }
    }

    /// `第 3 行，车牌（plate）：` or `line 3: plate: `.
    func lead(field: String, line: Int?, naming: Naming) -> String {
        let zh = language == .zhHans
        let name: String
        if let label = fields[field] ?? terms["setting"]?[field] {
            name = naming == .labelAndKey ? (zh ? "\(label)（\(field)）" : "\(label) (\(field))") : label
        } else {
            name = field
        }
        let place = line.map { render(Message("file.line", ["line": .number($0)])) + (zh ? "，" : ": ") } ?? ""
        return place + name + (zh ? "：" : ": ")
    }

    /// The hint of what to type next after an error, on the command line: the hints of its reasons, joined.
    public func hints(_ error: DeskError, time: ShopTime) -> [String] {
        switch error {
        case .invalid(_, let reason, _), .notFound(_, let reason): [hint(reason, time: time)].compactMap { $0 }
        case .refusedWith(_, let reasons), .forbidden(let reasons): reasons.compactMap { hint($0, time: time) }
        case .storage, .unavailable: []
        }
    }

    /// A violation file that was refused, line by line: how many lines, each error, and how many more.
    public func describe(_ errors: ViolationFileErrors, time: ShopTime, naming: Naming = .labelAndKey) -> String {
        describe(lines: errors.lines, errors: errors.errors, more: errors.more, time: time, naming: naming)
    }

    /// Lines of a file that name what the shop does not have (unknown plates); nothing was imported.
    public func describe(_ errors: ImportErrors, time: ShopTime, naming: Naming = .labelAndKey) -> String {
        describe(lines: errors.errors.count + errors.more, errors: errors.errors, more: errors.more, time: time, naming: naming)
    }

    func describe(lines: Int, errors: [DeskError], more: Int, time: ShopTime, naming: Naming) -> String {
        var text = [render(Message("file.refused", ["lines": .number(lines)]))]
        text += errors.map { "  " + describe($0, time: time, naming: naming) }
        if more > 0 { text.append("  " + render(Message("file.more", ["count": .number(more)]))) }
        return text.joined(separator: "\n")
    }
}
