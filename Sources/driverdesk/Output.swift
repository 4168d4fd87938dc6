import DriverDeskApp
import Foundation

/// Prints results: one JSON document with `--json`, aligned text otherwise; warnings to stderr.
struct Output {
    var json: Bool

    /// Prints `value` as JSON, or the text `describe` makes of it.
    func print<T: Encodable>(_ value: T, text describe: () -> String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(value)
            FileHandle.standardOutput.write(data)
            FileHandle.standardOutput.write(Data("\n".utf8))
        } else {
            let text = describe()
            FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
        }
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("\(Voice.words.label("warningPrefix"))\(message)\n".utf8))
    }
}

/// Aligned columns that count a Chinese character as two terminal cells.
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) {
        self.headers = headers
    }

    mutating func add(_ cells: String...) {
        rows.append(cells)
    }

    mutating func add(_ cells: [String]) {
        rows.append(cells)
    }

    func render(indent: String = "") -> String {
        let all = [headers] + rows
        var widths = Array(repeating: 0, count: headers.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], Table.width(cell))
            }
        }
        return all.map { row in
            let cells = row.enumerated().map { index, cell -> String in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - Table.width(cell))
            }
            return indent + cells.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// Terminal cells a string takes: East Asian wide and full-width characters take two.
    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { sum, scalar in
            let v = scalar.value
            if scalar.properties.generalCategory == .nonspacingMark || v == 0x200D { return sum }
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
            return sum + (wide ? 2 : 1)
        }
    }
}

extension String {
    /// `-` for a missing value in a table cell.
    static func or(_ value: String?) -> String { value.flatMap { $0.isEmpty ? nil : $0 } ?? "-" }
}

/// `2026-11-26T14:05:00+08:00` as `2026-11-26 14:05` for text output.
func short(_ iso: String?) -> String {
    guard let iso, iso.count >= 16 else { return "-" }
    let chars = Array(iso)
    let seconds = chars.count >= 19 ? String(chars[16..<19]) : ""
    return String(chars[0..<10]) + " " + String(chars[11..<16]) + (seconds == ":00" ? "" : seconds)
}

/// `2026-11-26T14:05:00+08:00` as `14:05`.
func clockTime(_ iso: String?) -> String {
    guard let iso, iso.count >= 16 else { return "-" }
    return String(Array(iso)[11..<16])
}
