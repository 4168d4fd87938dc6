import DriverDeskCore
import Foundation

/// The checked values of a camera file's cells (R10): code, fine, points, texts, record number and time.
extension ViolationFile {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// A violation code: 4 or 5 digits (spaces dropped, full-width digits accepted).
    static func code(_ cells: Cells, _ index: Int) throws -> String {
        if let raw = cells.raw(index), raw.count == 4 || raw.count == 5, raw.allSatisfy(isDigit) {
            return String(decoding: raw, as: UTF8.self)
        }
        let text = cells.text(index)
        guard !text.isEmpty else { throw DeskError.invalid(field: "code", reason: Message("input.code.required")) }
        var digits = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !scalar.properties.isWhitespace {
            switch scalar.value {
            case 0x30...0x39: digits.append(scalar)
            case 0xFF10...0xFF19: digits.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            default: throw DeskError.invalid(field: "code", reason: Message("input.code.malformed", ["raw": .text(shown(text, limit: 30))]))
            }
        }
        guard (4...5).contains(digits.count) else {
            throw DeskError.invalid(field: "code", reason: Message("input.code.malformed", ["raw": .text(shown(text, limit: 30))]))
        }
        return String(digits)
    }

    /// A fine in fen: `200`, `200.5`, `¥1,000.50`, `200元`; exactly, at most 2 decimals, 0 to 100,000 yuan (`Money.fen`).
    static func fineFen(_ cells: Cells, _ index: Int) throws -> Int? {
        if let raw = cells.raw(index) {
            if raw.isEmpty { return nil }
            // The common case, `200` or `200.00`, without making a String.
            var whole = 0, wholeDigits = 0, i = 0
            while i < raw.count, isDigit(raw[i]), wholeDigits < 9 {
                whole = whole * 10 + Int(raw[i] - 0x30)
                wholeDigits += 1
                i += 1
            }
            var fen = whole * 100
            var plain = wholeDigits > 0
            if plain, i < raw.count {
                if raw[i] == UInt8(ascii: "."), raw.count - i - 1 == 1 || raw.count - i - 1 == 2,
                   raw[(i + 1)...].allSatisfy(isDigit) {
                    fen += raw.count - i - 1 == 1 ? Int(raw[i + 1] - 0x30) * 10 : Int(raw[i + 1] - 0x30) * 10 + Int(raw[i + 2] - 0x30)
                } else {
                    plain = false
                }
            }
            if plain, fen <= 10_000_000 { return fen }
        }
        let text = cells.text(index)
        if text.isEmpty { return nil }
        return try Money.fen(text, field: "fine")
    }

    /// Licence points: 0, 1, 3, 6, 9 or 12; `3分` accepted (`Money.points`).
    static func points(_ cells: Cells, _ index: Int) throws -> Int? {
        if let raw = cells.raw(index) {
            if raw.isEmpty { return nil }
            if raw.count <= 2, raw.allSatisfy(isDigit) {
                let value = raw.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                if value == 0 || value == 1 || value == 3 || value == 6 || value == 9 || value == 12 { return value }
            }
        }
        let text = cells.text(index)
        if text.isEmpty { return nil }
        return try Money.points(text, field: "points")
    }

    /// Free text: trimmed, at most `maxLength` characters, no control characters (`Fields.optionalText`).
    /// A line break or tab inside a quoted cell (Alt+Enter in Excel) becomes one space first.
    static func optionalText(_ cells: Cells, _ index: Int, field: String, maxLength: Int) throws -> String? {
        var text = cells.text(index)
        if text.isEmpty { return nil }
        if cells.fields[index].quoted, text.utf8.contains(where: { $0 == ASCII.lf || $0 == ASCII.cr || $0 == ASCII.tab }) {
            text = joinedLines(text)
        }
        // Letters, digits, CJK and their punctuation: what nearly every cell holds, checked without Unicode tables.
        var count = 0
        var plain = true
        for scalar in text.unicodeScalars {
            count += 1
            guard count <= maxLength else { plain = false; break }
            switch scalar.value {
            case 0x20...0x7E, 0x3000...0x303F, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xFF01...0xFF5E: break
            default: plain = false
            }
            if !plain { break }
        }
        // The only white space in those ranges is U+0020 and U+3000, which `Cells.text` trimmed from the ends.
        if plain, let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
           first != " ", first != "\u{3000}", last != " ", last != "\u{3000}" {
            return text
        }
        return try Fields.optionalText(text, field: field, maxLength: maxLength)
    }

    /// Runs of CR, LF and tab made one space.
    static func joinedLines(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var inBreak = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" || scalar == "\n" || scalar == "\t" {
                if !inBreak { out.append(" ") }
                inBreak = true
            } else {
                out.append(scalar)
                inBreak = false
            }
        }
        return String(out)
    }

    /// A record number that Excel shortened to a number such as `1.10105E+15` has lost its digits.
    static func looksShortenedByExcel(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4, isDigit(bytes[0]),
              let e = bytes.firstIndex(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }),
              e + 2 < bytes.count, bytes[e + 1] == UInt8(ascii: "+") else { return false }
        let fraction = bytes[1..<e]
        let mantissaOK = fraction.isEmpty || (fraction.first == UInt8(ascii: ".") && fraction.dropFirst().allSatisfy(isDigit))
        return mantissaOK && bytes[(e + 2)...].allSatisfy(isDigit)
    }

    /// An Excel serial date-time (days since 1899-12-30, the fraction is the time of day) in local seconds since 1970,
    /// rounded to the second; nil when the cell is not a plain number with a fraction or above 20000.
    static func excelSerialLocalSeconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var days = 0, dayDigits = 0, i = 0
        while i < bytes.count, isDigit(bytes[i]) {
            guard dayDigits < 7 else { return nil }
            days = days * 10 + Int(bytes[i] - 0x30)
            dayDigits += 1
            i += 1
        }
        guard dayDigits > 0 else { return nil }
        var numerator = 0, denominator = 1, hasFraction = false
        if i < bytes.count {
            guard bytes[i] == UInt8(ascii: "."), i + 1 < bytes.count else { return nil }
            hasFraction = true
            i += 1
            while i < bytes.count {
                guard isDigit(bytes[i]) else { return nil }
                if denominator < 1_000_000_000_000 {  // 12 digits are far finer than a second
                    numerator = numerator * 10 + Int(bytes[i] - 0x30)
                    denominator *= 10
                }
                i += 1
            }
        }
        guard hasFraction || days > 20_000 else { return nil }
        let seconds = (numerator * 86_400 * 2 + denominator) / (denominator * 2)
        return (days - 25_569) * 86_400 + seconds
    }

    /// The time of a violation: any spelling `ShopTime.parse` reads, with a date, or an Excel serial date-time;
    /// not before `earliest` (2000) and not more than a day ahead of the clock.
    static func occurred(_ cells: Cells, _ index: Int, time: ShopTime, now: Date, earliest: Date) throws -> Date {
        let date: Date
        let serial: Int? = if let raw = cells.raw(index) {
            excelSerialLocalSeconds(raw)
        } else {
            Array(cells.text(index).utf8).withUnsafeBufferPointer(excelSerialLocalSeconds)
        }
        if let serial {
            date = time.date(localSeconds: serial)
        } else {
            var text = cells.text(index)
            if text.utf8.contains(0xE3), text.unicodeScalars.contains("\u{3000}") {
                text = text.replacingAll("\u{3000}", with: " ")  // typed with a Chinese input method: 2026-11-26　14:05
            }
            date = try time.parse(text, field: "time", now: now)
            let head = text.utf8.prefix(4)
            guard head.count == 4, head.allSatisfy(isDigit) else {
                throw DeskError.invalid(field: "time", reason: Message("input.time.noDate", ["raw": .text(shown(text, limit: 40))]))
            }
        }
        guard date >= earliest else {
            throw DeskError.invalid(field: "time", reason: Message("input.time.before2000", ["at": .time(date)]))
        }
        guard date.timeIntervalSince(now) <= 86_400 else {
            throw DeskError.invalid(field: "time", reason: Message("input.time.future", ["at": .time(date), "now": .time(now)]))
        }
        return date
    }
}
