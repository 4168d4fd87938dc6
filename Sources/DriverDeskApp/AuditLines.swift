import DriverDeskCore
import Foundation

/// Every action the audit records (R11), by area: the words of the audit page and the choices of its filter. The
/// catalogues name each action (`terms.auditAction`) and each area (`terms.auditArea`).
public enum AuditActions {
    /// The areas in the order the filter offers them, each with its actions.
    public static let areas: [(area: String, actions: [String])] = [
        ("movement", ["movement.start", "movement.end", "movement.log", "movement.edit", "movement.void"]),
        ("visit", ["visit.checkin", "visit.checkout", "visit.reopen", "visit.plan", "visit.edit"]),
        ("registration", ["registration.invite", "registration.confirm", "registration.unconfirm", "registration.removalDue",
                          "registration.removalUndone", "registration.remove", "registration.unremove", "registration.cancel"]),
        ("violation", ["violation.add", "violation.import", "violation.assign", "violation.confirm", "violation.reattribute",
                       "violation.process", "violation.pay", "violation.unpay", "violation.handback"]),
        ("cleanup", ["cleanup.expired", "cleanup.removalDue"]),
        ("vehicle", ["vehicle.add", "vehicle.update"]),
        ("staff", ["staff.add", "staff.update", "staff.deactivate"]),
        // On a chain: the chain's record of a person (name, licence) changed, written by the database itself in every shop
        // that has employed him (docs/chain.md).
        ("person", ["person.update"]),
        ("config", ["config.set"]),
        ("account", ["account.add", "account.passwd", "account.disable"]),
        ("login", ["login", "login.failed", "logout"]),
        // shop.password: a shop's database password set by the chain's owner (the chain's own log).
        ("data", ["backup", "restore", "shop.add", "shop.password"]),
    ]

    /// Every action, area by area.
    public static var all: [String] { areas.flatMap(\.actions) }

    /// Whether the area's name as a filter (`--action violation`) takes in exactly the area's actions: true where
    /// every action is `area.something`.
    public static func filtersByName(_ area: String) -> Bool {
        areas.first { $0.area == area }?.actions.allSatisfy { $0.hasPrefix(area + ".") } ?? false
    }

    /// The area an action belongs to; nil for an action this version does not know.
    public static func area(of action: String) -> String? {
        areas.first { $0.actions.contains(action) }?.area
    }
}

/// One audit entry as a manager reads it: the time in the shop's zone, the action and its subject in words (the
/// subject's page where it has one), and each changed value by its label, rendered.
public struct AuditLine: Sendable, Equatable {
    public var id: Int64
    /// `2026-11-20 10:15`, in the shop's time zone.
    public var at: String
    public var `operator`: String
    /// The stored code (`violation.pay`), for scripts and filters.
    public var action: String
    /// The action in words: 缴纳罚款, Fine paid.
    public var actionText: String
    public var subject: String
    /// The subject's page (`/violations/12`), or nil.
    public var link: String?
    public var changes: [AuditChange]

    /// The changes on one line: `状态：已处理待缴款 → 已缴款；缴款金额：— → 180.00 元`.
    public func changeText(_ words: Catalogue) -> String {
        changes.map { $0.text(words) }.joined(separator: words.language == .zhHans ? "；" : "; ")
    }
}

/// One field of an audit entry: its label and its value before and after, each rendered (nil: not there).
public struct AuditChange: Sendable, Equatable {
    public var label: String
    public var before: String?
    public var after: String?

    /// `缴款金额：— → 180.00 元`, or `车牌：京A12345` for a value that was not there before.
    public func text(_ words: Catalogue) -> String {
        let colon = words.language == .zhHans ? "：" : ": "
        guard let before else { return label + colon + (after ?? AuditWording.empty) }
        return label + colon + before + " → " + (after ?? AuditWording.empty)
    }
}

/// Renders stored audit entries in one language: actions and subjects in words, values by their field's kind (money in
/// yuan, instants in the shop's time zone, states and purposes in the catalogue's terms, stored reasons as sentences),
/// staff members and cars by name. The audit page and its CSV export both read entries through this, never raw JSON.
public struct AuditWording: Sendable {
    let words: Catalogue
    let time: ShopTime
    /// Staff members' names and cars' plates by id, for the ids the entries hold.
    let staffNames: [Int64: String]
    let plates: [Int64: String]

    /// How an empty value shows.
    static let empty = "—"

    public init(words: Catalogue, time: ShopTime, staffNames: [Int64: String] = [:], plates: [Int64: String] = [:]) {
        self.words = words
        self.time = time
        self.staffNames = staffNames
        self.plates = plates
    }

    /// An entry as a line of the audit.
    public func line(_ entry: AuditEntry) -> AuditLine {
        let subject = self.subject(entry)
        return AuditLine(id: entry.id ?? 0, at: time.format(entry.at), operator: entry.operator, action: entry.action,
                         actionText: actionText(entry.action), subject: subject.text, link: subject.link, changes: changes(entry))
    }

    /// The action in words; an action this version does not know, readably (`shop.move` is "shop move").
    public func actionText(_ action: String) -> String {
        if let text = words.termTexts["auditAction"]?[action] { return text }
        return AuditWording.readable(action)
    }

    // MARK: Subjects

    /// What the entry is about, in words, and its page. The stored subject names it as the use case wrote it
    /// (`violation #12 京A12345 1625`, `INV-P761-7X7B 京A12345 王磊`, `account anna`, a setting's key).
    func subject(_ entry: AuditEntry) -> (text: String, link: String?) {
        let raw = entry.subject
        let parts = raw.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        func number(_ text: String?) -> Int? { text.flatMap { $0.hasPrefix("#") ? Int($0.dropFirst()) : nil } }
        let area = AuditActions.area(of: entry.action) ?? String(entry.action.split(separator: ".").first ?? "")
        if let kind = parts.first, let id = number(parts.count > 1 ? parts[1] : nil) {
            let rest = parts.dropFirst(2)
            let detail = rest.joined(separator: " ")
            switch kind {
            case "staff":
                return (say(Message("audit.subject.staff", ["name": .text(detail)])), "/staff/\(id)")
            case "vehicle":
                return (say(Message("audit.subject.vehicle", ["plate": .text(detail)])), rest.first.map(AuditWording.vehiclePath))
            case "visit":
                return (say(Message("audit.subject.visit", ["plate": .text(detail), "id": .number(id)])), rest.first.map(AuditWording.vehiclePath))
            case "movement":
                return (say(Message("audit.subject.movement", ["id": .number(id), "detail": .text(detail)])), "/moves/\(id)")
            case "violation":
                return (say(Message("audit.subject.violation", ["id": .number(id), "detail": .text(detail)])), "/violations/\(id)")
            default:
                break
            }
        }
        switch area {
        case "registration", "cleanup":
            guard let ref = parts.first, ref.hasPrefix("INV-"), InviteRef.find(in: ref) == ref else { break }
            let detail = parts.dropFirst().joined(separator: " ")
            let text = detail.isEmpty ? say(Message("audit.subject.invite", ["ref": .text(ref)]))
                : say(Message("audit.subject.inviteOf", ["ref": .text(ref), "detail": .text(detail)]))
            return (text, "/invites/\(ref)")
        case "config":
            // A setting by its label, as the settings page names it (a shop's fine by its code); its place on that page.
            let label = raw.hasPrefix("fine.") ? Desk.fineLabel(raw, words: words) : words.termTexts["setting"]?[raw] ?? raw
            let anchor = Config.settings.contains { $0.key == raw } ? "#" + raw.replacingOccurrences(of: ".", with: "-") : ""
            return (say(Message("audit.subject.setting", ["setting": .text(label)])), "/settings" + anchor)
        case "account", "login":
            if raw == "account (unknown name)" { return (say(Message("audit.subject.unknownAccount")), nil) }
            if parts.first == "account", parts.count > 1 {
                return (say(Message("audit.subject.account", ["name": .text(parts.dropFirst().joined(separator: " "))])), nil)
            }
        case "data":
            if parts.first == "shop", parts.count > 1 { return (say(Message("audit.subject.shop", ["code": .text(parts[1])])), nil) }
            return (say(Message("audit.subject.file", ["file": .text(raw)])), nil)
        case "violation":
            // An import names its file.
            return (say(Message("audit.subject.file", ["file": .text(raw)])), nil)
        default:
            break
        }
        return (raw, nil)
    }

    /// The page of a car, its plate percent-encoded.
    static func vehiclePath(_ plate: String) -> String {
        "/vehicles/" + (plate.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? plate)
    }

    func say(_ message: Message) -> String { words.render(message, time: time) }

    // MARK: Changes

    /// Each field that changed (or, for a new record, each field it has), by its label, in the order of `AuditFields.order`.
    func changes(_ entry: AuditEntry) -> [AuditChange] {
        let before = JSONValue(parsing: entry.before), after = JSONValue(parsing: entry.after)
        let area = AuditActions.area(of: entry.action) ?? ""
        if entry.action == "config.set" { return settingChange(key: entry.subject, before: before, after: after) }
        switch (before, after) {
        case (.null, .null):
            return []
        case (.null, .object(let new)):
            return AuditFields.ordered(new.keys).compactMap { key in
                let value = new[key]!
                guard !AuditFields.quietWhenNew.contains(key), !AuditWording.isEmpty(value), value != .bool(false) else { return nil }
                return AuditChange(label: label(key, area: area), before: nil, after: render(value, field: key, area: area))
            }
        case (.object(let old), .object(let new)):
            return AuditFields.ordered(Set(old.keys).union(new.keys)).compactMap { key in
                let was = old[key] ?? .null, now = new[key] ?? .null
                guard was != now, key != "id" else { return nil }
                return AuditChange(label: label(key, area: area), before: render(was, field: key, area: area), after: render(now, field: key, area: area))
            }
        case (.object(let old), .null):
            return AuditFields.ordered(old.keys).compactMap { key in
                guard key != "id", !AuditWording.isEmpty(old[key]!) else { return nil }
                return AuditChange(label: label(key, area: area), before: render(old[key]!, field: key, area: area), after: nil)
            }
        default:
            let value = say(Message("audit.field.value"))
            return [AuditChange(label: value, before: before == .null ? nil : plain(before), after: plain(after))]
        }
    }

    /// A setting's new value, as the setting's kind reads (a yes or no, money, purposes in words).
    func settingChange(key: String, before: JSONValue, after: JSONValue) -> [AuditChange] {
        func value(_ json: JSONValue) -> String? {
            guard case .object(let fields) = json, let value = fields[key] else { return json == .null ? nil : plain(json) }
            guard case .string(let text) = value else { return plain(value) }
            return settingValue(text, key: key)
        }
        let was = value(before), now = value(after)
        guard was != now else { return [] }
        return [AuditChange(label: say(Message("audit.field.value")), before: was ?? AuditWording.empty, after: now)]
    }

    func settingValue(_ text: String, key: String) -> String {
        guard let setting = try? Config.setting(key) else { return text.isEmpty ? AuditWording.empty : text }
        return words.settingValue(text, of: setting, money: money)
    }

    /// A field's label in the language; an unknown field's name made readable (`towTruckFen` is "tow truck fen"). A
    /// shop's `code` and `name` (`shop.add`) are its own.
    func label(_ key: String, area: String = "") -> String {
        let key = area == "data" && (key == "code" || key == "name") ? (key == "code" ? "shopCode" : "shopName") : key
        return words.termTexts["auditField"]?[key] ?? AuditWording.readable(key)
    }

    /// A field's value as its kind reads.
    func render(_ value: JSONValue, field: String, area: String) -> String {
        if value == .null { return AuditWording.empty }
        switch AuditFields.kind(of: field, area: area) {
        case .fen:
            guard case .number(let fen) = value else { return plain(value) }
            return money(Int(fen))
        case .instant:
            guard case .string(let text) = value, let date = AuditWording.instant(text) else { return plain(value) }
            return time.format(date)
        case .term(let kind):
            // A list of terms (a visit's plan): each in words, joined the language's way.
            if case .array(let items) = value {
                let texts = items.map { item in if case .string(let text) = item { words.term(kind, text) } else { plain(item) } }
                return words.render(Message("setting.list", ["items": .names(texts)]))
            }
            guard case .string(let text) = value else { return plain(value) }
            return words.term(kind, text)
        case .yesNo:
            switch value {
            case .bool(let flag): return flag ? yes : no
            case .string("true"): return yes
            case .string("false"): return no
            default: return plain(value)
            }
        case .staff:
            switch value {
            case .number(let id): return staffNames[Int64(id)] ?? "#\(Int64(id))"
            case .string(let text) where text.isEmpty: return AuditWording.empty
            case .string(let text) where text.hasPrefix("#"): return Int64(text.dropFirst()).flatMap { staffNames[$0] } ?? text
            default: return plain(value)
            }
        case .vehicle:
            guard case .number(let id) = value else { return plain(value) }
            return plates[Int64(id)] ?? "#\(Int64(id))"
        case .record:
            guard case .number(let id) = value else { return plain(value) }
            return id == 0 ? AuditWording.empty : "#\(Int64(id))"
        case .reasons:
            guard case .string(let text) = value else { return plain(value) }
            let messages = Message.decodeList(text)
            return messages.isEmpty ? text : words.render(messages, time: time).joined(separator: " ")
        case .text:
            return plain(value)
        }
    }

    /// Any value readably, without JSON's braces and quotes: `a：1，b：2` for an object, a list joined.
    func plain(_ value: JSONValue) -> String {
        let zh = words.language == .zhHans
        switch value {
        case .null: return AuditWording.empty
        case .bool(let flag): return flag ? yes : no
        case .number(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text): return text.isEmpty ? AuditWording.empty : text
        case .array(let items): return items.map(plain).joined(separator: zh ? "、" : ", ")
        case .object(let fields):
            return fields.keys.sorted().map { label($0) + (zh ? "：" : ": ") + plain(fields[$0]!) }.joined(separator: zh ? "，" : ", ")
        }
    }

    var yes: String { say(Message("audit.value.yes")) }
    var no: String { say(Message("audit.value.no")) }

    /// Money to the fen: 180.00 元, 180.00 yuan.
    func money(_ fen: Int) -> String {
        let sign = fen < 0 ? "-" : "", value = abs(fen)
        let amount = "\(sign)\(value / 100).\(value % 100 < 10 ? "0" : "")\(value % 100)"
        return words.language == .zhHans ? "\(amount) 元" : "\(amount) yuan"
    }

    /// An instant as the audit stores it (ISO 8601, `2026-11-20T02:00:00Z`).
    static func instant(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.isEmpty
        default: false
        }
    }

    /// `handBackReason` as "hand back reason", `login.failed` as "login failed": a name this version has no words for.
    static func readable(_ name: String) -> String {
        var out = ""
        for character in name {
            if character == "." || character == "_" || character == "-" { out += " "; continue }
            if character.isUppercase, !out.isEmpty, out.last != " " { out += " " }
            out += character.lowercased()
        }
        return out
    }

    // MARK: Names

    /// The staff members and cars the entries name by id (a movement's `staffId`, a violation's `driverId`, an
    /// account's `staff`), so that the use case reads their names once.
    public static func referencedIds(_ entries: [AuditEntry]) -> (staff: Set<Int64>, vehicles: Set<Int64>) {
        var staff = Set<Int64>(), vehicles = Set<Int64>()
        for entry in entries {
            let area = AuditActions.area(of: entry.action) ?? ""
            for json in [entry.before, entry.after] {
                guard case .object(let fields) = JSONValue(parsing: json) else { continue }
                for (key, value) in fields {
                    switch (AuditFields.kind(of: key, area: area), value) {
                    case (.staff, .number(let id)): staff.insert(Int64(id))
                    case (.staff, .string(let text)) where text.hasPrefix("#"): if let id = Int64(text.dropFirst()) { staff.insert(id) }
                    case (.vehicle, .number(let id)): vehicles.insert(Int64(id))
                    default: break
                    }
                }
            }
        }
        return (staff, vehicles)
    }
}

/// The fields the audited records write (staff, cars, visits, movements, registrations, violations, accounts, imports,
/// logins), what kind of value each holds and the order a person reads them in. The catalogues label each one
/// (`terms.auditField`).
public enum AuditFields {
    /// How a field's value reads.
    enum Kind: Equatable {
        case text, fen, instant, yesNo, staff, vehicle, record, reasons
        case term(String)
    }

    /// Every known field, in reading order.
    public static let order: [String] = [
        "plate", "name", "ownerName", "ownerPhone", "engineLast6", "usage", "size",
        "idNumber", "licenseClass", "licenseFirstIssued", "licenseValidUntil", "phone", "role", "staff", "active",
        "ref", "vehicleId", "staffId", "method",
        "checkinAt", "checkoutAt", "orderNo", "plan", "odometerIn", "odometerOut", "fuelIn", "fuelOut", "startAt", "endAt", "purpose", "visitId",
        "occurredAt", "code", "descriptionText", "category", "location", "points", "fineFen", "recordNo",
        "driverId", "attribution", "movementId", "needsReview", "reasons", "assignedBy", "assignedAt", "assignReason",
        "status", "invitedAt", "activatedAt", "removalDueAt", "removedAt", "expiredAt", "cancelledAt",
        "processedAt", "processedChannel", "paidAt", "paidFen", "lateFeeFen", "payMethod", "payer", "handedBackAt", "handBackReason",
        "voidedAt", "voidedBy", "voidReason", "added", "skipped", "firstId", "lastId", "address", "timeZone", "createdAt", "recordedAt", "reason",
    ]

    /// Every field the catalogues label: the records' fields, a shop's code and name (`shop.add`), and the database role
    /// whose password was set (`shop.password`, in the chain's log).
    public static var labelled: [String] { order + ["shopCode", "shopName", "databaseRole"] }

    /// Left out of a new record's line: its number and when it was made (the entry says both), and the code book's
    /// category (the code and its description say it).
    static let quietWhenNew: Set<String> = ["id", "createdAt", "recordedAt", "category"]

    static func kind(of field: String, area: String) -> Kind {
        switch field {
        case "fineFen", "paidFen", "lateFeeFen": .fen
        case "createdAt", "checkinAt", "checkoutAt", "startAt", "endAt", "invitedAt", "activatedAt", "removalDueAt", "removedAt", "expiredAt",
             "cancelledAt", "occurredAt", "assignedAt", "processedAt", "paidAt", "recordedAt", "handedBackAt", "voidedAt":
            .instant
        case "active", "needsReview": .yesNo
        case "staffId", "driverId", "staff": .staff
        case "vehicleId": .vehicle
        case "visitId", "movementId", "firstId", "lastId": .record
        case "reasons": .reasons
        case "purpose", "plan": .term("purpose")
        case "usage": .term("usage")
        case "size": .term("size")
        case "role": .term("role")
        case "payer": .term("payer")
        case "payMethod": .term("payMethod")
        case "processedChannel": .term("channel")
        case "attribution": .term("attribution")
        case "method": area == "registration" || area == "cleanup" ? .term("method") : .text
        case "status":
            switch area {
            case "violation": .term("violationStatus")
            case "registration", "cleanup": .term("registrationStatus")
            default: .text
            }
        default: .text
        }
    }

    /// Keys in reading order: the known ones first, then the rest by name.
    static func ordered<S: Sequence>(_ keys: S) -> [String] where S.Element == String {
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return keys.sorted { (rank[$0] ?? Int.max, $0) < (rank[$1] ?? Int.max, $1) }
    }
}
