import Foundation

/// Checks of free-text fields that people type: names, phones, order numbers (R10).
public enum Fields {
    /// A person's or company's name: 1 to `maxLength` characters, no control characters.
    public static func name(_ raw: String, field: String, maxLength: Int = 40) throws -> String {
        let text = raw.trimmingSpaces()
        guard !text.isEmpty else { throw DeskError.invalid(field: field, reason: Message("input.name.required")) }
        try printable(text, field: field, maxLength: maxLength)
        return text
    }

    /// Free text such as an order number or a location; nil when empty.
    public static func optionalText(_ raw: String?, field: String, maxLength: Int) throws -> String? {
        guard let text = raw?.trimmingSpaces(), !text.isEmpty else { return nil }
        try printable(text, field: field, maxLength: maxLength)
        return text
    }

    /// A phone number: digits, with an optional leading + and spaces or hyphens between groups.
    public static func phone(_ raw: String?, field: String) throws -> String? {
        guard let text = raw?.trimmingSpaces(), !text.isEmpty else { return nil }
        let compact = text.filter { $0 != " " && $0 != "-" }
        let digits = compact.hasPrefix("+") ? compact.dropFirst() : Substring(compact)
        guard (5...20).contains(digits.count), digits.allSatisfy(\.isASCIIDigit) else {
            throw DeskError.invalid(field: field, reason: Message("input.phone", ["raw": .text(raw!)]))
        }
        return compact
    }

    /// The last 6 characters of an engine number (SMS registration needs them, R3).
    public static func engineLast6(_ raw: String?, field: String = "engine-last6") throws -> String? {
        guard let text = raw?.trimmingSpaces(), !text.isEmpty else { return nil }
        let upper = Plate.normalise(text)
        guard upper.count == 6, upper.allSatisfy({ $0.isASCIIDigit || $0.isASCIILetter }) else {
            throw DeskError.invalid(field: field, reason: Message("input.engineLast6", ["raw": .text(text)]))
        }
        return upper
    }

    static func printable(_ text: String, field: String, maxLength: Int) throws {
        guard text.count <= maxLength else {
            throw DeskError.invalid(field: field, reason: Message("input.tooLong", ["max": .number(maxLength), "count": .number(text.count)]))
        }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format && $0.value != 0x200D }) {
            throw DeskError.invalid(field: field, reason: Message("input.controlCharacters"))
        }
    }
}

extension Fields {
    /// How far ahead of the clock a typed time may be: a front-desk PC's clock and a person's watch differ.
    public static let futureTolerance: TimeInterval = 5 * 60

    /// Refuses a time that has not happened yet: movements, visits and violations are records of the past.
    public static func notInFuture(_ date: Date, now: Date, field: String, time: ShopTime) throws {
        guard date.timeIntervalSince(now) <= futureTolerance else {
            throw DeskError.invalid(field: field, reason: Message("input.inFuture", ["at": .time(date), "now": .time(now)]))
        }
    }
}
