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

extension VoidedMovement: SecondsRecord {
    public static let databaseTableName = "movementVoid"
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
    public var auditJSON: String {
        var copy = self
        copy.idNumber = IDNumber.mask(idNumber)
        return Audit.json(copy)
    }
}

extension Account: SecondsRecord {
    public static let databaseTableName = "account"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The values the audit keeps of an account: never its password nor the hash of it.
    public var auditJSON: String {
        Audit.json(["name": name, "role": role.rawValue, "staff": staffId.map { "#\($0)" } ?? "", "active": active ? "true" : "false"])
    }
}

/// Writes the audit (R11): one entry per change, in the change's own transaction.
public enum Audit {
    /// A record as the audit keeps it: JSON with sorted keys, instants in ISO 8601.
    public static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func record(_ db: Database, _ context: WriteContext, action: String, subject: String, before: String?, after: String?) throws {
        var entry = AuditEntry(at: context.now, operator: context.operator, action: action, subject: subject, before: before, after: after)
        try entry.insert(db)
    }
}
