import DriverDeskCore
import Foundation
import GRDB

/// Instants are whole seconds since 1970 in INTEGER columns: compact, fast to compare, zone-free.
public protocol SecondsRecord: FetchableRecord, MutablePersistableRecord, Codable {}

extension SecondsRecord {
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { .secondsSince1970 }
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { .timeIntervalSince1970 }
}

extension Staff: SecondsRecord {
    public static let databaseTableName = "staff"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension Vehicle: SecondsRecord {
    public static let databaseTableName = "vehicle"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension Visit: SecondsRecord {
    public static let databaseTableName = "visit"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension Movement: SecondsRecord {
    public static let databaseTableName = "movement"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension Registration: SecondsRecord {
    public static let databaseTableName = "registration"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension Violation: SecondsRecord {
    public static let databaseTableName = "violation"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension AuditEntry: SecondsRecord {
    public static let databaseTableName = "audit"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension Staff {
    /// The record as the audit keeps it: the ID number masked (R12).
    var auditJSON: String {
        var copy = self
        copy.idNumber = IDNumber.mask(idNumber)
        return Audit.json(copy)
    }
}

/// Writes the audit (R11): one entry per change, in the change's own transaction.
enum Audit {
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `json(strings)` without the encoder, byte for byte: what an import writes per violation, 100,000 times.
    ///
    /// Escapes as Foundation's JSONEncoder does with `.withoutEscapingSlashes`: the quote, the backslash, and the
    /// control characters (\b \f \n \r \t by name, the others as \u00xx in lower-case hex); everything else as is.
    static func json(strings: [String]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(strings.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, string) in strings.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            if !string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                bytes.append(contentsOf: string.utf8)
                bytes.append(UInt8(ascii: "\""))
                continue
            }
            for byte in string.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), byte]
                case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
                case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
                case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case 0x00..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }

    static func record(_ db: Database, _ context: WriteContext, action: String, subject: String, before: String?, after: String?) throws {
        var entry = AuditEntry(at: context.now, operator: context.operator, action: action, subject: subject, before: before, after: after)
        try entry.insert(db)
    }
}
