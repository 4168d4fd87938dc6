import Foundation

/// One setting of the rulebook: every number in docs/rulebook.md is one of these, with its default.
public struct Setting: Sendable {
    public enum Kind: Sendable {
        case integer(ClosedRange<Int>)
        /// A decimal number with at most two places (`1.5`), stored as people write it.
        case decimal(ClosedRange<Double>)
        case boolean
        case text
        case timeZone
        case choice([String])
        case money
        /// Host names, separated by commas or spaces: stored lower case, joined by commas.
        case hostNames
        /// A web address a phone can open: `http://` or `https://`, a host and a port (no path: the pages are served
        /// from the root), ASCII only; stored without a trailing slash. Empty: none.
        case url
        /// Any of the options, separated by commas or spaces (none allowed): stored in the options' order, joined by
        /// commas. `term` names the catalogue's words for the options (`purpose`), for showing the value to people.
        case choices([String], term: String)
    }

    /// Where a person looks for a setting: the settings page's sections, in this order.
    public enum Group: String, CaseIterable, Sendable {
        case shop, attribution, custody, registration, online, fees, cleanup, web
    }

    /// What a number counts, shown beside its input (the catalogue's term `unit`).
    public enum Unit: String, CaseIterable, Sendable {
        case seconds, minutes, hours, days, yuan, points, percent, times, vehicles, people, km, kmPerMinute
    }

    public let key: String
    public let defaultValue: String
    public let kind: Kind
    /// What the setting means, in words a catalogue gives.
    public let help: Message
    public let group: Group
    public let unit: Unit?
    /// The rule of docs/rulebook.md the setting belongs to (`R2`), if any.
    public let rule: String?

    public init(key: String, defaultValue: String, kind: Kind, help: Message, group: Group = .fees, unit: Unit? = nil, rule: String? = nil) {
        self.key = key
        self.defaultValue = defaultValue
        self.kind = kind
        self.help = help
        self.group = group
        self.unit = unit
        self.rule = rule
    }

    /// Checks and normalises a value typed by a person; throws `.invalid` naming the key.
    public func normalise(_ raw: String) throws -> String {
        let value = raw.trimmingSpaces()
        switch kind {
        case .integer(let range):
            guard let number = Int(value), range.contains(number) else {
                throw DeskError.invalid(field: key, reason: Message("input.setting.integer", ["raw": .text(raw), "low": .number(range.lowerBound), "high": .number(range.upperBound)]))
            }
            return String(number)
        case .decimal(let range):
            let text = value.replacingOccurrences(of: "，", with: ".")
            guard let number = Double(text), text.allSatisfy({ $0.isASCIIDigit || $0 == "." }), range.contains(number),
                  (number * 100).rounded() == number * 100 || abs((number * 100).rounded() - number * 100) < 1e-9 else {
                throw DeskError.invalid(field: key, reason: Message("input.setting.decimal", ["raw": .text(raw), "low": .text(CustodyReportRules.format(range.lowerBound)), "high": .text(CustodyReportRules.format(range.upperBound))]))
            }
            return CustodyReportRules.format(number)
        case .boolean:
            switch value.lowercased() {
            case "true", "yes", "on", "1": return "true"
            case "false", "no", "off", "0": return "false"
            default: throw DeskError.invalid(field: key, reason: Message("input.setting.boolean", ["raw": .text(raw)]))
            }
        case .text:
            guard value.count <= 200, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw DeskError.invalid(field: key, reason: Message("input.setting.text"))
            }
            return value
        case .timeZone:
            return try ShopTime(zoneName: value, field: key).zone.identifier
        case .hostNames:
            let names = value.lowercased().split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            for name in names where !Setting.isHostName(name) {
                throw DeskError.invalid(field: key, reason: Message("input.setting.hostName", ["raw": .text(name)]))
            }
            return names.joined(separator: ",")
        case .url:
            return try Setting.webAddress(value, field: key)
        case .money:
            if value.isEmpty { return "" }
            return Money.yuan(try Money.fen(value, field: key))
        case .choices(let options, _):
            let chosen = value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "，" }).map { $0.lowercased() }
            for item in chosen where !options.contains(item) {
                throw DeskError.invalid(field: key, reason: Message("input.oneOf", ["raw": .text(item), "options": .names(options)]))
            }
            return options.filter(chosen.contains).joined(separator: ",")
        case .choice(let options):
            guard options.contains(value) else {
                throw DeskError.invalid(field: key, reason: Message("input.oneOf", ["raw": .text(raw), "options": .names(options)]))
            }
            return value
        }
    }
}

extension Setting {
    /// A web address as `web.publicURL` holds it, or "" for none; throws `.invalid` naming `field`.
    public static func webAddress(_ raw: String, field: String) throws -> String {
        let value = raw.trimmingSpaces()
        if value.isEmpty { return "" }
        func refuse() -> DeskError { .invalid(field: field, reason: Message("input.setting.url", ["raw": .text(String(value.prefix(80)))])) }
        guard value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }), !value.contains("?"), !value.contains("#"),
              let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
              components.path.isEmpty || components.path.allSatisfy({ $0 == "/" }),
              isHostName(host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) else { throw refuse() }
        var text = value
        while text.hasSuffix("/") { text.removeLast() }
        let schemeEnd = text.range(of: "://")!.upperBound
        return scheme + "://" + text[schemeEnd...]
    }

    /// A DNS name (labels of letters, digits and inner hyphens, at most 253 characters) or an IP address literal.
    static func isHostName(_ name: String) -> Bool {
        guard (1...253).contains(name.utf8.count), name.unicodeScalars.allSatisfy(\.isASCII) else { return false }
        if name.contains(":") { return name.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        }
    }
}

/// The name of every setting: a misspelt key does not compile (and cannot silently read as 0).
public enum SettingKey: String, CaseIterable, Sendable {
    case shopName = "shop.name"
    case shopPhone = "shop.phone"
    case shopTimeZone = "shop.timeZone"
    case attributionSlackMinutes = "attribution.slackMinutes"
    case limitsActivePerStaff = "limits.activePerStaff"
    case limitsNewPerDay = "limits.newPerDay"
    case limitsNewPerYear = "limits.newPerYear"
    case limitsDriversPerVehicle = "limits.driversPerVehicle"
    case rulesRegistrationMustPrecedeViolation = "rules.registrationMustPrecedeViolation"
    case rulesLateRegistrationDays = "rules.lateRegistrationDays"
    case rulesNoSameDayProcessing = "rules.noSameDayProcessing"
    case onlineMaxFineYuan = "online.maxFineYuan"
    case onlinePointsBelow = "online.pointsBelow"
    case scoringCycleMax = "scoring.cycleMax"
    case proxyPlatesPerDriver = "proxy.platesPerDriver"
    case proxyDriversPerPlate = "proxy.driversPerPlate"
    case feesDueDays = "fees.dueDays"
    case feesLateFeePercentPerDay = "fees.lateFeePercentPerDay"
    case removalGraceDays = "removal.graceDays"
    case inviteExpiryDays = "invite.expiryDays"
    case registrationStaleDays = "registration.staleDays"
    case visitStaleDays = "visit.staleDays"
    case inviteShowIdNumber = "invite.showIdNumber"
    case inviteBaseURL = "invite.baseURL"
    case uiLanguage = "ui.language"
    case webHostNames = "web.hostNames"
    case webPublicURL = "web.publicURL"
    case webSessionHours = "web.sessionHours"
    case webDatabaseTimeoutSeconds = "web.databaseTimeoutSeconds"
    case movementUndoMinutes = "movement.undoMinutes"
    case rulesLicenceCheckPurposes = "rules.licenceCheckPurposes"
    case custodyKmPerMovementMinute = "custody.kmPerMovementMinute"
    case custodyKmSlack = "custody.kmSlack"
    case custodyFlagDays = "custody.flagDays"
}

/// The settings a shop has, defaults filled in (R1–R12 numbers live here, not in code).
public struct Config: Sendable, Equatable {
    public private(set) var values: [String: String]

    public static let settings: [Setting] = [
        Setting(key: SettingKey.shopName.rawValue, defaultValue: "DriverDesk Workshop", kind: .text, help: Message("setting.shopName"), group: .shop),
        Setting(key: SettingKey.shopPhone.rawValue, defaultValue: "", kind: .text, help: Message("setting.shopPhone"), group: .shop),
        Setting(key: SettingKey.shopTimeZone.rawValue, defaultValue: "Asia/Shanghai", kind: .timeZone, help: Message("setting.shopTimeZone"), group: .shop, rule: "R10"),
        Setting(key: SettingKey.attributionSlackMinutes.rawValue, defaultValue: "10", kind: .integer(0...120), help: Message("setting.attributionSlackMinutes"), group: .attribution, unit: .minutes, rule: "R2"),
        Setting(key: SettingKey.limitsActivePerStaff.rawValue, defaultValue: "3", kind: .integer(1...100), help: Message("setting.limitsActivePerStaff"), group: .registration, unit: .vehicles, rule: "R3"),
        Setting(key: SettingKey.limitsNewPerDay.rawValue, defaultValue: "1", kind: .integer(1...100), help: Message("setting.limitsNewPerDay"), group: .registration, unit: .times, rule: "R3"),
        Setting(key: SettingKey.limitsNewPerYear.rawValue, defaultValue: "5", kind: .integer(1...1000), help: Message("setting.limitsNewPerYear"), group: .registration, unit: .times, rule: "R3"),
        Setting(key: SettingKey.limitsDriversPerVehicle.rawValue, defaultValue: "3", kind: .integer(1...100), help: Message("setting.limitsDriversPerVehicle"), group: .registration, unit: .people, rule: "R3"),
        Setting(key: SettingKey.rulesRegistrationMustPrecedeViolation.rawValue, defaultValue: "true", kind: .boolean, help: Message("setting.rulesRegistrationMustPrecedeViolation"), group: .online, rule: "R4"),
        Setting(key: SettingKey.rulesLateRegistrationDays.rawValue, defaultValue: "7", kind: .integer(0...365), help: Message("setting.rulesLateRegistrationDays"), group: .online, unit: .days, rule: "R4"),
        Setting(key: SettingKey.rulesNoSameDayProcessing.rawValue, defaultValue: "true", kind: .boolean, help: Message("setting.rulesNoSameDayProcessing"), group: .online, rule: "R4"),
        Setting(key: SettingKey.onlineMaxFineYuan.rawValue, defaultValue: "200", kind: .integer(0...100_000), help: Message("setting.onlineMaxFineYuan"), group: .online, unit: .yuan, rule: "R4"),
        Setting(key: SettingKey.onlinePointsBelow.rawValue, defaultValue: "9", kind: .integer(1...13), help: Message("setting.onlinePointsBelow"), group: .online, unit: .points, rule: "R4"),
        Setting(key: SettingKey.scoringCycleMax.rawValue, defaultValue: "12", kind: .integer(1...100), help: Message("setting.scoringCycleMax"), group: .online, unit: .points, rule: "R6"),
        Setting(key: SettingKey.proxyPlatesPerDriver.rawValue, defaultValue: "3", kind: .integer(1...100), help: Message("setting.proxyPlatesPerDriver"), group: .online, unit: .vehicles, rule: "R5"),
        Setting(key: SettingKey.proxyDriversPerPlate.rawValue, defaultValue: "3", kind: .integer(1...100), help: Message("setting.proxyDriversPerPlate"), group: .online, unit: .people, rule: "R5"),
        Setting(key: SettingKey.feesDueDays.rawValue, defaultValue: "15", kind: .integer(0...365), help: Message("setting.feesDueDays"), group: .fees, unit: .days, rule: "R7"),
        Setting(key: SettingKey.feesLateFeePercentPerDay.rawValue, defaultValue: "3", kind: .integer(0...100), help: Message("setting.feesLateFeePercentPerDay"), group: .fees, unit: .percent, rule: "R7"),
        Setting(key: SettingKey.removalGraceDays.rawValue, defaultValue: "0", kind: .integer(0...365), help: Message("setting.removalGraceDays"), group: .cleanup, unit: .days, rule: "R8"),
        Setting(key: SettingKey.inviteExpiryDays.rawValue, defaultValue: "7", kind: .integer(1...365), help: Message("setting.inviteExpiryDays"), group: .registration, unit: .days, rule: "R9"),
        Setting(key: SettingKey.registrationStaleDays.rawValue, defaultValue: "3", kind: .integer(0...365), help: Message("setting.registrationStaleDays"), group: .cleanup, unit: .days, rule: "R9"),
        Setting(key: SettingKey.visitStaleDays.rawValue, defaultValue: "30", kind: .integer(1...3650), help: Message("setting.visitStaleDays"), group: .cleanup, unit: .days, rule: "R9"),
        Setting(key: SettingKey.inviteShowIdNumber.rawValue, defaultValue: "false", kind: .boolean, help: Message("setting.inviteShowIdNumber"), group: .registration, rule: "R12"),
        Setting(key: SettingKey.inviteBaseURL.rawValue, defaultValue: "", kind: .text, help: Message("setting.inviteBaseURL"), group: .registration),
        Setting(key: SettingKey.uiLanguage.rawValue, defaultValue: "zh-Hans", kind: .choice(["zh-Hans", "en"]), help: Message("setting.uiLanguage"), group: .shop),
        Setting(key: SettingKey.webHostNames.rawValue, defaultValue: "", kind: .hostNames, help: Message("setting.webHostNames"), group: .web),
        Setting(key: SettingKey.webPublicURL.rawValue, defaultValue: "", kind: .url, help: Message("setting.webPublicURL"), group: .web),
        Setting(key: SettingKey.webSessionHours.rawValue, defaultValue: "10", kind: .integer(1...24), help: Message("setting.webSessionHours"), group: .web, unit: .hours),
        Setting(key: SettingKey.webDatabaseTimeoutSeconds.rawValue, defaultValue: "10", kind: .integer(1...120), help: Message("setting.webDatabaseTimeoutSeconds"),
                group: .web, unit: .seconds),
        Setting(key: SettingKey.movementUndoMinutes.rawValue, defaultValue: "2", kind: .integer(0...60), help: Message("setting.movementUndoMinutes"), group: .attribution, unit: .minutes),
        Setting(key: SettingKey.rulesLicenceCheckPurposes.rawValue, defaultValue: "road-test,delivery,pickup,other",
                kind: .choices(MovementPurpose.allCases.map(\.rawValue), term: "purpose"), help: Message("setting.rulesLicenceCheckPurposes"), group: .attribution, rule: "R13"),
        Setting(key: SettingKey.custodyKmPerMovementMinute.rawValue, defaultValue: "1", kind: .decimal(0...10), help: Message("setting.custodyKmPerMovementMinute"),
                group: .custody, unit: .kmPerMinute, rule: "R14"),
        Setting(key: SettingKey.custodyKmSlack.rawValue, defaultValue: "3", kind: .integer(0...1000), help: Message("setting.custodyKmSlack"), group: .custody, unit: .km, rule: "R14"),
        Setting(key: SettingKey.custodyFlagDays.rawValue, defaultValue: "30", kind: .integer(1...365), help: Message("setting.custodyFlagDays"), group: .custody, unit: .days, rule: "R14"),
    ]

    public static func setting(_ key: String) throws -> Setting {
        if let fine = fineSetting(key) { return fine }
        // The one shared front-desk password gave way to named accounts (`user add`).
        if key == "web.password" { throw DeskError.invalid(field: "key", reason: Message("input.setting.webPasswordRetired")) }
        guard let setting = settings.first(where: { $0.key == key }) else {
            let near = settings.map(\.key).filter { $0.lowercased().contains(key.lowercased().split(separator: ".").last.map(String.init) ?? key.lowercased()) }
            if near.isEmpty { throw DeskError.invalid(field: "key", reason: Message("input.setting.unknown", ["key": .text(key)])) }
            throw DeskError.invalid(field: "key", reason: Message("input.setting.unknownNear", ["key": .text(key), "near": .names(near)]))
        }
        return setting
    }

    /// Stored values over defaults; unknown keys are ignored.
    public init(stored: [String: String] = [:]) {
        var values = Dictionary(uniqueKeysWithValues: Config.settings.map { ($0.key, $0.defaultValue) })
        for (key, value) in stored where values[key] != nil || Config.fineSetting(key) != nil { values[key] = value }
        self.values = values
    }

    /// The key of a shop's fine from a violation code and, for one province's plates only, its character (the settings
    /// page's fines form): refused naming `code` or `province`.
    public static func fineKey(code raw: String, province rawProvince: String) throws -> String {
        let code = raw.trimmingSpaces(), province = rawProvince.trimmingSpaces()
        let key = province.isEmpty ? "fine.\(code)" : "fine.\(province).\(code)"
        guard (4...5).contains(code.count), code.allSatisfy(\.isASCIIDigit) else {
            throw DeskError.invalid(field: "code", reason: Message("input.setting.fineCode", ["raw": .text(code)]))
        }
        guard fineSetting(key) != nil else {
            throw DeskError.invalid(field: "province", reason: Message("input.plateProvince", ["raw": .text(province)]))
        }
        return key
    }

    /// `fine.1625` (every plate) or `fine.京.1625` (plates of one province): a shop's fine for a code, in yuan.
    static func fineSetting(_ key: String) -> Setting? {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.first == "fine", parts.count == 2 || parts.count == 3 else { return nil }
        guard let code = parts.last, (4...5).contains(code.count), code.allSatisfy(\.isASCIIDigit) else { return nil }
        if parts.count == 3 {
            guard parts[1].count == 1, let province = parts[1].first, Plate.provinces.contains(province) else { return nil }
        }
        if parts.count == 3 {
            return Setting(key: key, defaultValue: "", kind: .money, help: Message("setting.fineProvince", ["code": .text(code), "province": .text(parts[1])]),
                           group: .fees, unit: .yuan, rule: "R4")
        }
        return Setting(key: key, defaultValue: "", kind: .money, help: Message("setting.fine", ["code": .text(code)]), group: .fees, unit: .yuan, rule: "R4")
    }

    /// The shop's fine for a code on a plate, if it set one: the province's first, then the shop-wide one.
    public func fineOverride(code: String, plate: String) -> Int? {
        let province = plate.first.map(String.init) ?? ""
        for key in ["fine.\(province).\(code)", "fine.\(code)"] {
            if let value = values[key], !value.isEmpty, let fen = try? Money.fen(value, field: key) { return fen }
        }
        return nil
    }

    /// The fine overrides the shop has set.
    public var fineOverrides: [(key: String, value: String)] {
        values.filter { $0.key.hasPrefix("fine.") && !$0.value.isEmpty }.map { ($0.key, $0.value) }.sorted { $0.key < $1.key }
    }

    public func string(_ key: SettingKey) -> String { values[key.rawValue] ?? "" }
    public func int(_ key: SettingKey) -> Int {
        Int(values[key.rawValue] ?? "") ?? Int(Config.settings.first { $0.key == key.rawValue }?.defaultValue ?? "") ?? 0
    }
    public func bool(_ key: SettingKey) -> Bool { values[key.rawValue] == "true" }
    /// A list setting (`web.hostNames`), its items in order.
    public func list(_ key: SettingKey) -> [String] { string(key).split(separator: ",").map(String.init) }
    /// Any stored key, as text (for listing them; `fine.*` included).
    public func value(_ key: String) -> String { values[key] ?? "" }
    public func isDefault(_ key: String) -> Bool { values[key] == Config.settings.first { $0.key == key }?.defaultValue }

    public var shopName: String { string(.shopName) }
    public var time: ShopTime { ShopTime(zone: TimeZone(identifier: string(.shopTimeZone)) ?? TimeZone(identifier: "Asia/Shanghai")!) }
    public var slack: TimeInterval { TimeInterval(int(.attributionSlackMinutes) * 60) }
    /// The largest slack the setting allows: a read of "who drove" made before the settings are known covers it.
    public static var maxSlack: TimeInterval {
        guard case .integer(let range)? = settings.first(where: { $0.key == SettingKey.attributionSlackMinutes.rawValue })?.kind else { return 0 }
        return TimeInterval(range.upperBound * 60)
    }
    public var visitStaleDays: Int { int(.visitStaleDays) }
    /// A decimal setting (`custody.kmPerMovementMinute`).
    public func decimal(_ key: SettingKey) -> Double {
        Double(values[key.rawValue] ?? "") ?? Double(Config.settings.first { $0.key == key.rawValue }?.defaultValue ?? "") ?? 0
    }
}
