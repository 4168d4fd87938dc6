/// A resident ID number (GB 11643-1999), which is also the driver's licence number (R10).
///
/// Personal data: show `masked` everywhere except `staff show` (R12).
public struct IDNumber: Hashable, Sendable, CustomStringConvertible {
    /// The 18 characters, with a lower-case check `x` made upper case.
    public let text: String

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// Never the whole number, so that interpolating an ID into a message cannot leak it.
    public var description: String { masked }

    /// The first 6 and last 4 characters with 8 stars between: `110101********851X`.
    public var masked: String { IDNumber.mask(text) }

    /// The birth date the number carries.
    public var birthDate: CivilDate {
        let digits = Array(text.utf8).map { Int($0) - 48 }
        let year = digits[6...9].reduce(0) { $0 * 10 + $1 }
        let month = digits[10] * 10 + digits[11]
        let day = digits[12] * 10 + digits[13]
        return CivilDate(unchecked: year, month, day)
    }

    /// Checks length, digits, birth date and the ISO 7064 MOD 11-2 check character.
    public init(_ raw: String, field: String = "id-number") throws {
        let text = raw.trimmingSpaces().uppercased()
        let chars = Array(text)
        guard chars.count == 18 else {
            throw DeskError.invalid(field: field, reason: Message("input.idNumber.length", ["count": .number(chars.count)]))
        }
        guard chars[0..<17].allSatisfy(\.isASCIIDigit) else {
            throw DeskError.invalid(field: field, reason: Message("input.idNumber.digits"))
        }
        guard chars[17].isASCIIDigit || chars[17] == "X" else {
            throw DeskError.invalid(field: field, reason: Message("input.idNumber.last"))
        }
        guard chars[0] != "0" else {
            throw DeskError.invalid(field: field, reason: Message("input.idNumber.zero"))
        }
        let digits = chars[0..<17].map { Int($0.asciiValue!) - 48 }
        let year = digits[6...9].reduce(0) { $0 * 10 + $1 }
        let month = digits[10] * 10 + digits[11]
        let day = digits[12] * 10 + digits[13]
        guard year >= 1900, CivilDate(year: year, month: month, day: day) != nil else {
            let shown = String(chars[6..<14])
            throw DeskError.invalid(field: field, reason: Message("input.idNumber.birth", ["birth": .text(shown)]))
        }
        let sum = zip(digits, IDNumber.weights).reduce(0) { $0 + $1.0 * $1.1 }
        let expected = IDNumber.checkCharacters[sum % 11]
        guard chars[17] == expected else {
            let typed = String(chars[17])
            throw DeskError.invalid(field: field, reason: Message("input.idNumber.check", ["typed": .text(typed), "expected": .text(String(expected))]))
        }
        self.text = text
    }

    /// Masks any ID-like text so that it can be shown in lists, logs and the audit (R12).
    public static func mask(_ text: String) -> String {
        let chars = Array(text)
        guard chars.count > 10 else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(6)) + String(repeating: "*", count: chars.count - 10) + String(chars.suffix(4))
    }

    /// `text` with every run that looks like an ID number (17 digits and a digit or X, not part of a longer run of
    /// digits) masked: for messages that echo what someone typed into another field (R12).
    public static func maskAll(in text: String) -> String {
        let chars = Array(text)
        guard chars.count >= 18 else { return text }
        func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
        var result = "", index = 0
        while index < chars.count {
            if isDigit(chars[index]), index == 0 || !isDigit(chars[index - 1]) {
                var end = index
                while end < chars.count, isDigit(chars[end]) { end += 1 }
                if end - index == 17, end < chars.count, chars[end] == "X" || chars[end] == "x",
                   end + 1 == chars.count || !(chars[end + 1].isLetter || isDigit(chars[end + 1])) {
                    end += 1
                }
                let run = String(chars[index..<end])
                result += run.count == 18 ? mask(run) : run
                index = end
            } else {
                result.append(chars[index])
                index += 1
            }
        }
        return result
    }

    /// The check character the first 17 digits call for (used to make sample data).
    public static func checkCharacter(for first17: String) -> Character? {
        let digits = first17.compactMap { $0.wholeNumberValue }
        guard digits.count == 17 else { return nil }
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return checkCharacters[sum % 11]
    }
}

extension String {
    /// Drops leading and trailing white space, including the ideographic space.
    public func trimmingSpaces() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
