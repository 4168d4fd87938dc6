import DriverDeskCore
import Foundation
import GRDB

extension AppDatabase {
    /// The shop's settings, defaults filled in.
    public func config() throws -> Config {
        try read { db in try AppDatabase.config(db) }
    }

    static func config(_ db: Database) throws -> Config {
        let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM setting")
        return Config(stored: Dictionary(rows.map { ($0["key"] as String, $0["value"] as String) }, uniquingKeysWith: { $1 }))
    }

    /// Changes one setting after checking its value; audited.
    @discardableResult
    public func setConfig(key: String, value: String, context: WriteContext) throws -> Config {
        let setting = try Config.setting(key)
        let normal = try setting.normalise(value)
        return try write { db in
            let before = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key])
            try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [key, normal])
            var shown = (before: before ?? setting.defaultValue, after: normal)
            if case .secret = setting.kind {
                shown = (shown.before.isEmpty ? "(not set)" : "(set)", normal.isEmpty ? "(not set)" : "(set, new)")
            }
            try Audit.record(db, context, action: "config.set", subject: key,
                             before: Audit.json([key: shown.before]), after: Audit.json([key: shown.after]))
            return try AppDatabase.config(db)
        }
    }

    /// Whether `init` has run on this database (or any setting was made).
    public func isInitialised() throws -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM setting WHERE key = 'shop.name')") ?? false }
    }
}

extension AppDatabase {
    /// Sets up a new shop: its name and time zone, in one transaction.
    public func initialise(shopName: String?, timeZone: String?, context: WriteContext) throws -> Config {
        var changes: [(Setting, String)] = []
        let name = try Config.setting("shop.name")
        let zone = try Config.setting("shop.timeZone")
        if let shopName { changes.append((name, try name.normalise(shopName))) }
        if let timeZone { changes.append((zone, try zone.normalise(timeZone))) }
        return try write { db in
            let current = try AppDatabase.config(db)
            let fresh = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'shop.name'") == nil
            if fresh && shopName == nil { changes.append((name, name.defaultValue)) }
            for (setting, value) in changes {
                try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               arguments: [setting.key, value])
                try Audit.record(db, context, action: "config.set", subject: setting.key,
                                 before: Audit.json([setting.key: current.value(setting.key)]), after: Audit.json([setting.key: value]))
            }
            return try AppDatabase.config(db)
        }
    }
}
