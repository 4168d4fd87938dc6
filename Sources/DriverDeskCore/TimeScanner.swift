import Foundation

/// Reads the pieces of a date-time typed by a person or exported by a spreadsheet.
struct TimeScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) {
        var text = text
        if text.utf8.contains(where: { $0 >= 0x80 }) {
            // 2026年11月26日 14时05分 → 2026-11-26 14:05
            text = text.replacingAll("年", with: "-").replacingAll("月", with: "-").replacingAll("日", with: " ")
                .replacingAll("时", with: ":").replacingAll("分", with: ":").replacingAll("秒", with: "")
                .replacingAll("：", with: ":").replacingAll("\u{3000}", with: " ")
            while text.hasSuffix(":") || text.hasSuffix(" ") { text.removeLast() }
        }
        self.bytes = Array(text.utf8)
    }

    var isAtEnd: Bool { index == bytes.count }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpaces() {
        while current == UInt8(ascii: " ") { index += 1 }
    }

    /// 1 to `maxDigits` digits; exactly `minDigits` at least.
    mutating func number(minDigits: Int = 1, maxDigits: Int) -> Int? {
        var value = 0, count = 0
        while count < maxDigits, let byte = current, byte >= 48, byte <= 57 {
            value = value * 10 + Int(byte - 48)
            count += 1
            index += 1
        }
        return count >= minDigits ? value : nil
    }

    mutating func consume(_ ascii: Unicode.Scalar) -> Bool {
        guard current == UInt8(ascii: ascii) else { return false }
        index += 1
        return true
    }

    mutating func date() -> (year: Int, month: Int, day: Int)? {
        guard let year = number(minDigits: 4, maxDigits: 4) else { return nil }
        guard let separator = current, [UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: ".")].contains(separator) else { return nil }
        index += 1
        guard let month = number(maxDigits: 2), current == separator else { return nil }
        index += 1
        guard let day = number(maxDigits: 2) else { return nil }
        return (year, month, day)
    }

    /// `14:05`, `14:05:30`, `9:05`, `14:05:30.250` (fractions are dropped).
    mutating func timeOfDay() -> (hour: Int, minute: Int, second: Int)? {
        guard let hour = number(maxDigits: 2), consume(":"), let minute = number(minDigits: 2, maxDigits: 2) else { return nil }
        var second = 0
        if consume(":") {
            guard let value = number(minDigits: 2, maxDigits: 2) else { return nil }
            second = value
            if consume(".") || consume(",") {
                guard number(maxDigits: 9) != nil else { return nil }
            }
        }
        return (hour, minute, second)
    }

    /// `Z`, `+08:00`, `+0800`, `+08`, `-05:30`: seconds east of UTC.
    mutating func offset() -> Int?? {
        if consume("Z") || consume("z") { return .some(0) }
        let sign: Int
        if consume("+") { sign = 1 } else if consume("-") { sign = -1 } else { return .none }
        guard let hours = number(minDigits: 2, maxDigits: 2), hours <= 14 else { return .some(nil) }
        var minutes = 0
        if consume(":") {
            guard let value = number(minDigits: 2, maxDigits: 2) else { return .some(nil) }
            minutes = value
        } else if let value = number(minDigits: 2, maxDigits: 2) {
            minutes = value
        }
        guard minutes < 60 else { return .some(nil) }
        return .some(sign * (hours * 3600 + minutes * 60))
    }
}

extension String {
    /// Every occurrence of `target` replaced (`target` must not be empty).
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard contains(target) else { return self }
        return components(separatedBy: target).joined(separator: replacement)
    }
}
