import Foundation
import Testing

/// Issue 7, upgrades: a database made by an older DriverDesk migrates forward with its data; a newer one is refused.
@Suite("Reliability: older databases migrate forward, newer ones are refused", .serialized)
struct UpgradeTests {
    /// The migrations this build knows, in order, as a fresh database records them.
    static func migrations(_ shop: Shop) throws -> [String] {
        let fresh = shop.file("fresh-\(UUID().uuidString).sqlite").path
        _ = try shop.run(["status"], db: fresh)
        return try shop.sql("SELECT identifier FROM grdb_migrations ORDER BY rowid", db: fresh).split(separator: "\n").map(String.init)
    }

    /// Makes `db` look as an older DriverDesk left it: the tables of the later migrations dropped, their rows in
    /// grdb_migrations deleted. ("v7 custody" alters a table of "v1 foundation": its columns are dropped here too.)
    static func downgrade(_ shop: Shop, db: String, keep: [String] = ["v1 foundation"]) throws {
        let kept = keep.map { "'\($0)'" }.joined(separator: ", ")
        var drop: [String] = []
        // "v7 custody" added the readings to `visit`: taken away again, as a database before it had no such columns.
        if !keep.contains("v7 custody") {
            drop.append("DROP INDEX IF EXISTS visit_by_checkout;")
            drop += ["odometerIn", "odometerOut", "fuelIn", "fuelOut"].map { "ALTER TABLE visit DROP COLUMN \($0);" }
        }
        if !keep.contains("v8 checkin plan") { drop.append("DROP TABLE IF EXISTS visitPlan;") }
        if !keep.contains("v6 corrections") { drop.append("DROP TABLE IF EXISTS movementVoid;") }
        if !keep.contains("v5 accounts") { drop.append("DROP TABLE IF EXISTS account;") }
        if !keep.contains("v3 violations") { drop.append("DROP TABLE IF EXISTS violation;") }
        if !keep.contains("v2 registrations") { drop.append("DROP TABLE IF EXISTS registration;") }
        _ = try shop.sql("PRAGMA foreign_keys = OFF; " + drop.joined(separator: " ") + " DELETE FROM grdb_migrations WHERE identifier NOT IN (\(kept));", db: db)
    }

    /// A workshop with only what the first schema holds: settings, staff, cars, visits, movements, the audit.
    static func v1Shop() throws -> Shop {
        let shop = try Shop()
        try shop.ok("init", "--shop-name", "老数据库")
        try shop.ok("staff", "add", "--name", "王磊", "--id-number", "110105198803124111", "--license-class", "C1",
                    "--license-first-issued", "2009-05-20", "--license-valid-until", "2031-05-20", "--phone", "13911020001")
        try shop.ok("staff", "add", "--name", "李强", "--id-number", "11010519491231002X", "--license-class", "B2",
                    "--license-first-issued", "2012-08-03", "--license-valid-until", "2028-08-03")
        try shop.ok("vehicle", "add", "--plate", "京A12345", "--owner", "张伟", "--engine-last6", "A1B2C3")
        try shop.ok("vehicle", "add", "--plate", "粤BD12345", "--owner", "广州某公司", "--usage", "commercial")
        try shop.ok("visit", "checkin", "--plate", "京A12345", "--at", "2026-11-01 08:00", "--order", "WO-1")
        try shop.ok("visit", "checkin", "--plate", "粤BD12345", "--at", "2026-11-01 09:00")
        for day in 2...9 {
            try shop.ok("move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-0\(day) 10:00", "--to", "2026-11-0\(day) 10:30")
            try shop.ok("move", "log", "--plate", "粤BD12345", "--staff", "李强", "--from", "2026-11-0\(day) 10:00", "--to", "2026-11-0\(day) 10:20")
        }
        try shop.ok("visit", "checkout", "--plate", "粤BD12345", "--at", "2026-11-10 18:00")
        try shop.ok("config", "set", "attribution.slackMinutes", "15")
        return shop
    }

    static let v1Tables = ["setting", "staff", "vehicle", "visit", "movement", "audit"]

    @Test("a database of the first schema, with data, opens with this binary: migrated forward, every row kept, new writes work")
    func olderMigratesForward() throws {
        let shop = try UpgradeTests.v1Shop()
        defer { shop.remove() }
        let all = try UpgradeTests.migrations(shop)
        #expect(all.first == "v1 foundation" && all.count >= 3)
        try UpgradeTests.downgrade(shop, db: shop.db)
        #expect(try shop.sql("SELECT identifier FROM grdb_migrations") == "v1 foundation")
        #expect(try shop.int("SELECT count(*) FROM sqlite_master WHERE name IN ('registration', 'violation')") == 0)
        let before = try UpgradeTests.v1Tables.map { try BackupTests.rows(shop, $0, db: shop.db) }

        let opened = try shop.run(["status", "--json"])
        #expect(opened.status == 0, "\(opened)")
        #expect(try shop.sql("SELECT identifier FROM grdb_migrations ORDER BY rowid").split(separator: "\n").map(String.init) == all)
        #expect(try shop.integrity() == "ok")
        // The first schema's columns (a visit has the readings of "v7 custody" beside them, none taken).
        let after = try UpgradeTests.v1Tables.map { table in
            table == "visit" ? try shop.sql("SELECT id, vehicleId, checkinAt, checkoutAt, orderNo FROM visit ORDER BY rowid", db: shop.db)
                : try BackupTests.rows(shop, table, db: shop.db)
        }
        #expect(after == before, "the first schema's rows changed in the migration")
        #expect(try shop.int("SELECT count(*) FROM visit WHERE odometerIn IS NOT NULL OR odometerOut IS NOT NULL OR fuelIn IS NOT NULL OR fuelOut IS NOT NULL") == 0)
        #expect(try shop.count("registration") == 0 && shop.count("violation") == 0)
        #expect(try shop.ok("who", "--plate", "京A12345", "--at", "2026-11-05 10:10", "--json").object()["attribution"] as? String == "movement")
        #expect(try shop.ok("config", "show", "--json").array().contains { $0["key"] as? String == "attribution.slackMinutes" && $0["value"] as? String == "15" })
        try shop.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-05 10:10", "--code", "1625")
        try shop.ok("register", "invite", "--plate", "京A12345", "--staff", "王磊")
        #expect(try shop.count("movement") == 16 && shop.count("violation") == 1 && shop.count("registration") == 1)
        figure("upgrade: a \(all.first!) database (2 staff, 2 cars, 16 movements) migrated to \(all.last!) with every row kept")
    }

    @Test("a database of the second schema, with registrations, migrates forward with them")
    func secondSchemaMigratesForward() throws {
        let shop = try UpgradeTests.v1Shop()
        defer { shop.remove() }
        let all = try UpgradeTests.migrations(shop)
        try shop.ok("register", "invite", "--plate", "京A12345", "--staff", "王磊")
        let ref = try shop.firstRef()
        try shop.ok("register", "confirm", ref)
        try UpgradeTests.downgrade(shop, db: shop.db, keep: ["v1 foundation", "v2 registrations"])
        let registrations = try BackupTests.rows(shop, "registration", db: shop.db)
        let opened = try shop.run(["register", "list", "--json"])
        #expect(opened.status == 0, "\(opened)")
        #expect(try opened.array().first?["status"] as? String == "active")
        #expect(try BackupTests.rows(shop, "registration", db: shop.db) == registrations)
        #expect(try shop.sql("SELECT identifier FROM grdb_migrations ORDER BY rowid").split(separator: "\n").map(String.init) == all)
    }

    @Test("restore takes a backup of an older schema and migrates it")
    func restoreOlder() throws {
        let shop = try UpgradeTests.v1Shop()
        defer { shop.remove() }
        let old = shop.file("old-backup.sqlite").path
        try shop.ok("backup", old)
        try UpgradeTests.downgrade(shop, db: old)
        let target = shop.file("target.sqlite").path
        let restored = try shop.run(["restore", old], db: target)
        #expect(restored.status == 0, "\(restored)")
        #expect(try shop.integrity(db: target) == "ok")
        #expect(try shop.count("movement", db: target) == 16)
        #expect(try shop.sql("SELECT identifier FROM grdb_migrations ORDER BY rowid", db: target).split(separator: "\n").map(String.init) == UpgradeTests.migrations(shop))
    }

    @Test("a database of a newer schema is refused by every command (exit 3, says so) and left as it was")
    func newerRefused() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        _ = try shop.sql("INSERT INTO grdb_migrations VALUES ('v99 future')")
        let before = try shop.snapshot()
        let csv = shop.file("ok.csv")
        try HostileFileTests.csv([HostileFileTests.row(1)]).write(to: csv)
        let commands: [[String]] = [
            ["status"], ["staff", "list", "--json"], ["who", "--plate", "京A12345", "--at", "2026-11-02 10:12"],
            ["move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-03 10:00", "--to", "2026-11-03 10:10"],
            ["violation", "import", csv.path], ["cleanup"], ["config", "set", "attribution.slackMinutes", "12"],
            ["backup", shop.file("b.sqlite").path], ["init"], ["demo"], ["serve", "--host", "127.0.0.1", "--port", "1"],
        ]
        for arguments in commands {
            let outcome = try shop.run(arguments, timeout: 20)
            #expect(!outcome.signaled && outcome.status == 3, "driverdesk \(arguments.joined(separator: " ")): \(outcome)")
            #expect(outcome.stderr.contains("newer DriverDesk"), "driverdesk \(arguments.first!): \(outcome.stderr)")
        }
        let after = try shop.snapshot()
        #expect(after.raw == before.raw && after.dump == before.dump, "a refused newer database changed")
        #expect(!FileManager.default.fileExists(atPath: shop.file("b.sqlite").path))
        figure("upgrade: a newer schema refused by \(commands.count) commands with exit 3; file byte for byte unchanged (sha256 \(after.sha256.prefix(16))…)")
    }
}
