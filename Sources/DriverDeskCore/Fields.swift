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

    /// A phone number as people in mainland China write one (R10): a mobile has 11 digits starting with 1 (13–19); a
    /// landline has 7 or 8 digits, after an area code (010, 021, 0755, … with or without a hyphen) and before an
    /// extension (`转123`, `ext 123`, `#123` or a last `-123`); 400 and 800 numbers have 10 digits; a number abroad
    /// starts with + and its country code. Stored without spaces: a mobile as its 11 digits, a landline as
    /// `0755-12345678` (and `-123` for an extension).
    public static func phone(_ raw: String?, field: String) throws -> String? {
        guard let text = raw?.trimmingSpaces(), !text.isEmpty else { return nil }
        guard let phone = PhoneNumber.normalise(text) else {
            let digits = text.filter(\.isASCIIDigit)
            if digits.first == "1", digits.count != 11, text.allSatisfy({ $0.isASCIIDigit || $0 == " " || $0 == "-" }) {
                throw DeskError.invalid(field: field, reason: Message("input.phone.mobile", ["raw": .text(text), "count": .number(digits.count)]))
            }
            throw DeskError.invalid(field: field, reason: Message("input.phone", ["raw": .text(text)]))
        }
        return phone
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

    /// A count or a record's number typed as digits: a whole number from 1 up (`--limit 50`, `--before 1200`, a page).
    public static func positiveInteger(_ raw: String, field: String) throws -> Int {
        let text = raw.trimmingSpaces()
        guard !text.isEmpty, text.count <= 18, text.allSatisfy(\.isASCIIDigit), let number = Int(text), number >= 1 else {
            throw DeskError.invalid(field: field, reason: Message("input.positiveInteger", ["raw": .text(String(text.prefix(40)))]))
        }
        return number
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

/// The phone numbers R10 accepts (`Fields.phone`).
enum PhoneNumber {
    static func normalise(_ text: String) -> String? {
        var body = text
        var ext: String?
        for mark in ["转", "ext.", "ext", "EXT", "Ext", "x", "X", "#"] {
            if let range = body.range(of: mark) {
                ext = String(body[range.upperBound...]).trimmingSpaces()
                body = String(body[..<range.lowerBound])
                break
            }
        }
        if let e = ext, !(1...6).contains(e.count) || !e.allSatisfy(\.isASCIIDigit) { return nil }
        body = body.replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ").replacingOccurrences(of: "（", with: " ")
            .replacingOccurrences(of: "）", with: " ")
        var groups = body.split(whereSeparator: { $0 == " " || $0 == "-" }).map(String.init)
        guard !groups.isEmpty, groups.allSatisfy({ g in g.allSatisfy { $0.isASCIIDigit || $0 == "+" } }) else { return nil }
        // Abroad, or mainland China written with its country code.
        if groups[0].hasPrefix("+") || groups[0].hasPrefix("00") {
            let all = groups.joined().drop { $0 == "+" }
            let international = all.hasPrefix("00") ? all.dropFirst(2) : all
            guard international.allSatisfy(\.isASCIIDigit) else { return nil }
            if international.hasPrefix("86") {
                let national = String(international.dropFirst(2))
                groups = [national]
            } else {
                guard (7...15).contains(international.count), ext == nil else { return nil }
                return "+" + international
            }
        }
        let digits = groups.joined()
        guard digits.allSatisfy(\.isASCIIDigit) else { return nil }
        if digits.hasPrefix("1") {
            // A mobile: 11 digits, the second 3 to 9.
            guard digits.count == 11, let second = digits.dropFirst().first, ("3"..."9").contains(second), ext == nil else { return nil }
            return digits
        }
        if digits.hasPrefix("400") || digits.hasPrefix("800") {
            guard digits.count == 10 else { return nil }
            return digits + (ext.map { "-" + $0 } ?? "")
        }
        // A landline: an area code (010 and 02x: three digits; others four), 7 or 8 digits, maybe an extension.
        var area = "", number = digits
        if digits.hasPrefix("0") {
            if groups.count >= 2, groups[0].hasPrefix("0") {
                area = groups[0]
                // The rest is the number (in one or two groups), maybe followed by an extension.
                let rest = Array(groups.dropFirst())
                number = rest.joined()
                if !(7...8).contains(number.count), rest.count >= 2, ext == nil {
                    ext = rest.last
                    number = rest.dropLast().joined()
                }
                if let e = ext, !(1...6).contains(e.count) { return nil }
            } else {
                let length = digits.hasPrefix("010") || digits.hasPrefix("02") ? 3 : 4
                area = String(digits.prefix(length))
                number = String(digits.dropFirst(length))
            }
            guard (3...4).contains(area.count), area.dropFirst().first != "0" else { return nil }
        } else if groups.count == 2, ext == nil, (7...8).contains(groups[0].count + groups[1].count) == false {
            // "12345678-123": a local number and its extension.
            number = groups[0]
            ext = groups[1]
            guard (1...6).contains(groups[1].count) else { return nil }
        }
        guard (7...8).contains(number.count), number.first != "0", number.first != "1" else { return nil }
        return (area.isEmpty ? "" : area + "-") + number + (ext.map { "-" + $0 } ?? "")
    }
}

extension Fields {
    /// A licence's dates (R10): first issued not in the future nor before the holder's 16th birthday, valid until a day
    /// after it. The same for a new staff member and a corrected one.
    public static func licenceDates(firstIssued: CivilDate, validUntil: CivilDate, born: CivilDate, today: CivilDate) throws {
        guard firstIssued <= today else {
            throw DeskError.invalid(field: "license-first-issued", reason: Message("input.license.future", ["day": .day(firstIssued)]))
        }
        guard firstIssued < validUntil else {
            throw DeskError.invalid(field: "license-valid-until", reason: Message("input.license.validUntil", ["until": .day(validUntil), "first": .day(firstIssued)]))
        }
        guard firstIssued >= born.adding(years: 16) else {
            throw DeskError.invalid(field: "license-first-issued", reason: Message("input.license.tooYoung", ["day": .day(firstIssued), "born": .day(born)]))
        }
    }
}
