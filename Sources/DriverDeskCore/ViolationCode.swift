import Foundation

/// One entry of `data/violation-codes.csv`: a code's points, typical fine and category for a period.
public struct ViolationCode: Sendable, Equatable {
    public var code: String
    public var descriptionZh: String
    public var descriptionEn: String
    public var points: Int
    public var fineFen: Int
    public var category: String
    /// Recorded with nobody in the car (parking): R2 step 3 applies.
    public var driverAbsent: Bool
    public var validFrom: CivilDate
    public var validTo: CivilDate?

    public func applies(on day: CivilDate) -> Bool { validFrom <= day && (validTo.map { day <= $0 } ?? true) }
}

/// The reference codes, looked up by code and by the day the violation happened.
public struct ViolationCodeBook: Sendable {
    public let entries: [ViolationCode]

    public init(entries: [ViolationCode]) {
        self.entries = entries
    }

    /// Builds the book from the records of `data/violation-codes.csv`, already split into fields, the header first,
    /// each with the line it starts on (reading and splitting the file is the job of `CSVReader` in DriverDeskCameraFile); a malformed line is named.
    public init(records: [(line: Int, fields: [String])]) throws {
        guard let header = records.first?.fields else { throw DeskError.invalid(field: "violation-codes.csv", reason: Message("input.codeBook.empty")) }
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else {
                throw DeskError.invalid(field: "violation-codes.csv", reason: Message("input.codeBook.column", ["column": .text(name)]))
            }
            return index
        }
        let c = (code: try column("code"), zh: try column("description_zh"), en: try column("description_en"), points: try column("points"),
                 fine: try column("fine_yuan"), category: try column("category"), absent: try column("driver_absent"),
                 from: try column("valid_from"), to: try column("valid_to"))
        entries = try records.dropFirst().map { record in
            let f = record.fields
            guard f.count >= header.count else { throw DeskError.invalid(field: "violation-codes.csv", reason: Message("input.codeBook.fields"), line: record.line) }
            do {
                return ViolationCode(
                    code: f[c.code], descriptionZh: f[c.zh], descriptionEn: f[c.en],
                    points: try Money.points(f[c.points], field: "points"), fineFen: try Money.fen(f[c.fine], field: "fine_yuan"),
                    category: f[c.category], driverAbsent: f[c.absent] == "true",
                    validFrom: try CivilDate(parsing: f[c.from], field: "valid_from"),
                    validTo: f[c.to].isEmpty ? nil : try CivilDate(parsing: f[c.to], field: "valid_to"))
            } catch let error as DeskError {
                throw error.at(line: record.line)
            }
        }
    }

    /// The entry for a code on the day it happened; the latest entry when several apply.
    public func lookup(_ code: String, on day: CivilDate) -> ViolationCode? {
        entries.last { $0.code == code && $0.applies(on: day) }
    }

    /// Whether the code is known at all (for a clearer message when only the dates miss).
    public func knows(_ code: String) -> Bool { entries.contains { $0.code == code } }
}

/// Money in integer fen, shown in yuan (R7).
public enum Money {
    /// Parses `200`, `200.5`, `¥1,000.50`, `200元` exactly into fen; at most 2 decimals, 0 to 100,000 yuan.
    public static func fen(_ raw: String, field: String, max: Int = 10_000_000) throws -> Int {
        var text = raw.trimmingSpaces()
        for strip in ["¥", "￥", "元", "RMB", "CNY"] { text = text.replacingAll(strip, with: "") }
        text = text.trimmingSpaces()
        let bad = DeskError.invalid(field: field, reason: Message("input.money.malformed", ["raw": .text(raw)]))
        guard !text.isEmpty else { throw bad }
        if text.hasPrefix("-") { throw DeskError.invalid(field: field, reason: Message("input.money.negative", ["raw": .text(raw)])) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, var whole = parts.first.map(String.init) else { throw bad }
        // A comma only groups thousands (1,000 or 12,345,678): 1,5 is not 15, nor 1.5.
        if whole.contains(",") {
            let groups = whole.split(separator: ",", omittingEmptySubsequences: false)
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else {
                throw DeskError.invalid(field: field, reason: Message("input.money.comma", ["raw": .text(raw)]))
            }
            whole = groups.joined()
        }
        guard !whole.isEmpty, whole.count <= 9, whole.allSatisfy(\.isASCIIDigit) else { throw bad }
        var fen = Int(whole)! * 100
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigit) else { throw bad }
            guard fraction.count <= 2 else { throw DeskError.invalid(field: field, reason: Message("input.money.decimals", ["raw": .text(raw)])) }
            fen += Int(fraction)! * (fraction.count == 1 ? 10 : 1)
        }
        guard fen <= max else { throw DeskError.invalid(field: field, reason: Message("input.money.tooMuch", ["raw": .text(raw), "max": .fen(max)])) }
        return fen
    }

    /// Licence points: 0, 1, 3, 6, 9 or 12 (R6).
    public static func points(_ raw: String, field: String) throws -> Int {
        let text = raw.replacingAll("分", with: "").trimmingSpaces()
        guard let value = Int(text), [0, 1, 3, 6, 9, 12].contains(value) else {
            throw DeskError.invalid(field: field, reason: Message("input.points", ["raw": .text(raw)]))
        }
        return value
    }

    /// `150`, `150.5`, `150.05`: yuan for people.
    public static func yuan(_ fen: Int) -> String {
        let sign = fen < 0 ? "-" : ""
        let value = abs(fen)
        let cents = value % 100
        if cents == 0 { return "\(sign)\(value / 100)" }
        return "\(sign)\(value / 100).\(cents < 10 ? "0" : "")\(cents % 10 == 0 && cents >= 10 ? String(cents / 10) : String(cents))"
    }

    /// Yuan as a JSON number (at most 2 decimals).
    public static func yuanNumber(_ fen: Int) -> Decimal { Decimal(fen) / 100 }
}
