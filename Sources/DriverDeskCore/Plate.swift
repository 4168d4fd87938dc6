/// A Chinese vehicle plate, normalised and checked (R10).
///
/// `京a 12345`, `京A·12345` and `京A-12345` are all the plate `京A12345`.
public struct Plate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The normalised plate text, e.g. `京A12345` or `粤BD12345`.
    public let text: String
    public let kind: Kind

    public enum Kind: String, Sendable, Codable, CaseIterable {
        case regular, newEnergySmall, newEnergyLarge, embassy
    }

    /// The province (or 使/领) abbreviations that may start a plate.
    public static let provinces: Set<Character> = Set("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领")
    /// The suffixes that may stand in the last place of a regular plate.
    public static let suffixes: Set<Character> = Set("挂学警港澳领")

    public var description: String { text }
    public static func < (lhs: Plate, rhs: Plate) -> Bool { lhs.text < rhs.text }

    /// Parses any reasonable spelling of a plate; throws `.invalid` naming `field`.
    public init(_ raw: String, field: String = "plate") throws {
        let normal = Plate.normalise(raw)
        let chars = Array(normal)
        func bad(_ reason: Message) -> DeskError { .invalid(field: field, reason: reason) }
        guard !chars.isEmpty else { throw DeskError.invalid(field: field, reason: Message("input.plate.required")) }
        guard Plate.provinces.contains(chars[0]) else {
            throw bad(Message("input.plate.province", ["raw": .text(raw)]))
        }
        if chars[0] == "使" {
            guard chars.count == 7, chars.dropFirst().allSatisfy(\.isASCIIDigit) else {
                throw bad(Message("input.plate.embassy", ["raw": .text(raw)]))
            }
            self.text = normal
            self.kind = .embassy
            return
        }
        guard chars.count >= 2, chars[1].isASCIILetter else {
            throw bad(Message("input.plate.authority", ["raw": .text(raw)]))
        }
        let body = Array(chars.dropFirst(2))
        switch body.count {
        case 5:
            for (index, char) in body.enumerated() {
                let isLast = index == 4
                if isLast, Plate.suffixes.contains(char) { continue }
                if char == "I" || char == "O" { throw bad(Message("input.plate.letterIO", ["raw": .text(raw)])) }
                guard Plate.isSerialCharacter(char) else {
                    throw bad(Message("input.plate.serial", ["raw": .text(raw), "char": .text(String(char))]))
                }
            }
            self.kind = .regular
        case 6 where Plate.suffixes.contains(body[5]):
            let suffix = String(body[5]), example = "\(chars[0])\(chars[1])1234\(suffix)"
            throw bad(Message("input.plate.suffix", ["raw": .text(raw), "suffix": .text(suffix), "example": .text(example)]))
        case 6:
            let digits = body.map(\.isASCIIDigit)
            if body[0] == "D" || body[0] == "F" {
                guard Plate.isSerialCharacter(body[1]), digits[2...].allSatisfy({ $0 }) else {
                    throw bad(Message("input.plate.newEnergySmall", ["raw": .text(raw)]))
                }
                self.kind = .newEnergySmall
            } else if body[5] == "D" || body[5] == "F" {
                guard digits[0..<5].allSatisfy({ $0 }) else {
                    throw bad(Message("input.plate.newEnergyLarge", ["raw": .text(raw)]))
                }
                self.kind = .newEnergyLarge
            } else {
                throw bad(Message("input.plate.newEnergy", ["raw": .text(raw)]))
            }
        default:
            throw bad(Message("input.plate.length", ["raw": .text(raw), "count": .number(chars.count)]))
        }
        self.text = normal
    }

    /// Upper case, full-width letters and digits made ASCII, separators dropped.
    public static func normalise(_ raw: String) -> String {
        var result = ""
        result.reserveCapacity(raw.utf8.count)
        for scalar in raw.unicodeScalars {
            switch scalar.value {
            case 0x20, 0x09, 0x3000, 0xB7, 0x30FB, 0x2022, 0x2027, 0x2E31, 0xFF65, 0x2D, 0x2010...0x2015, 0x2E, 0xFF0E, 0xFF0D:
                continue  // spaces, middle dots, hyphens and full stops people type between parts
            case 0xFF01...0xFF5E:
                let ascii = Unicode.Scalar(scalar.value - 0xFEE0)!
                result.unicodeScalars.append(contentsOf: String(ascii).uppercased().unicodeScalars)
            case 0x61...0x7A:
                result.unicodeScalars.append(Unicode.Scalar(scalar.value - 0x20)!)
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func isSerialCharacter(_ char: Character) -> Bool {
        guard let ascii = char.asciiValue else { return false }
        switch ascii {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return char != "I" && char != "O"
        default: return false
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
    var isASCIILetter: Bool { asciiValue.map { $0 >= 65 && $0 <= 90 } ?? false }
}
