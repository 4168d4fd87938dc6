import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 7, backups: `driverdesk backup FILE` while others write, `driverdesk restore FILE` with its refusals.
@Suite("Reliability: backup under write load, restore, and what restore refuses", .serialized)
struct BackupTests {
    /// The tables whose rows a backup must carry exactly (the audit is compared on its own: restore appends to it).
    static func tables(_ shop: Shop, db: String) throws -> [String] {
        try shop.sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", db: db)
            .split(separator: "\n").map(String.init)
    }

    /// Every row of a table in a fixed order: by rowid, or, for a table WITHOUT ROWID (`visitPlan`), by every column.
    static func rows(_ shop: Shop, _ table: String, db: String) throws -> String {
        let withoutRowid = try shop.sql("SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE name = '\(table)'", db: db)
            .trimmingCharacters(in: .whitespacesAndNewlines) == "1"
        return try shop.sql("SELECT * FROM \"\(table)\" ORDER BY \(withoutRowid ? "1, 2" : "rowid")", db: db)
    }

    @Test("a backup taken while a writer runs is consistent; restored into a new file it equals the backup")
    func backupUnderLoad() throws {
        let clock = Stopwatch()
        let shop = try Shop.small()
        defer { shop.remove() }
        // A writer recording movements as fast as it can, with a violation now and then.
        let plan = shop.file("plan.tsv"), log = shop.file("writer.log")
        var lines: [String] = []
        for slot in 0..<(Scale.soak ? 1_000 : 150) {
            let minutes = slot * 5
            let from = String(format: "2026-11-%02d %02d:%02d", 3 + minutes / 1440, minutes % 1440 / 60, minutes % 60)
            let to = String(format: "2026-11-%02d %02d:%02d", 3 + (minutes + 3) / 1440, (minutes + 3) % 1440 / 60, (minutes + 3) % 60)
            lines.append(["move", "log", "--plate", "京A12345", "--staff", slot % 2 == 0 ? "王磊" : "李强", "--from", from, "--to", to].joined(separator: "\t"))
            if slot % 10 == 5 { lines.append(["violation", "add", "--plate", "京A12345", "--at", from, "--code", "1117", "--record-no", "B-\(slot)"].joined(separator: "\t")) }
        }
        try lines.joined(separator: "\n").write(to: plan, atomically: true, encoding: .utf8)
        let writer = try ConcurrencyTests.worker(shop, ["plan", Shop.binary, shop.db, shop.now, plan.path, log.path])
        var backups: [String] = []
        // Five backups, each once the writer has logged so many of its commands (or has ended): between writes by
        // what the writer has done, not by how long the test slept. After each, whether the writer had more to do.
        var whileWriting = 0
        for (index, after) in [1, lines.count / 5, lines.count * 2 / 5, lines.count * 3 / 5, lines.count * 4 / 5].enumerated() {
            let deadline = Date().addingTimeInterval(300)
            while ConcurrencyTests.read(log).count < after, writer.process.isRunning, Date() < deadline { usleep(5_000) }
            let file = shop.file("backup-\(index).sqlite").path
            let outcome = try shop.run(["backup", file, "--json"])
            #expect(outcome.status == 0, "\(outcome)")
            if outcome.status == 0 { backups.append(file) }
            if ConcurrencyTests.read(log).count < lines.count { whileWriting += 1 }
        }
        ConcurrencyTests.finished("the writer", writer, since: clock.start, timeout: 600)
        let written = ConcurrencyTests.read(log)
        #expect(written.allSatisfy { $0.status == 0 }, "\(written.filter { $0.status != 0 }.prefix(3).map { "\($0.status) \($0.detail)" })")
        #expect(written.count == lines.count, "the writer logged \(written.count) of its \(lines.count) commands")
        #expect(backups.count == 5)
        #expect(whileWriting >= 2, "only \(whileWriting) backups were taken while the writer had more to write: the test lost its point")

        var movementsSeen: [Int] = []
        for (index, backup) in backups.enumerated() {
            // The backup is a sound database of its own, in rollback-journal mode (one file, nothing beside it).
            #expect(try shop.integrity(db: backup) == "ok")
            #expect(try shop.sql("PRAGMA journal_mode", db: backup) == "delete")
            #expect(!FileManager.default.fileExists(atPath: backup + "-wal"))
            // Consistent: a moment of the database, each row with its audit entry, every invariant.
            movementsSeen.append(try shop.count("movement", db: backup))
            #expect(try shop.int("SELECT count(*) FROM audit WHERE action = 'movement.log'", db: backup) == movementsSeen.last!)
            #expect(try shop.int("SELECT count(*) FROM audit WHERE action = 'violation.add'", db: backup) == shop.count("violation", db: backup))
            let target = shop.file("restored-\(index).sqlite").path
            let restored = try shop.run(["restore", backup], db: target)
            #expect(restored.status == 0, "\(restored)")
            #expect(try shop.integrity(db: target) == "ok")
            #expect(try BackupTests.tables(shop, db: target) == BackupTests.tables(shop, db: backup))
            for table in try BackupTests.tables(shop, db: backup) where table != "audit" {
                #expect(try BackupTests.rows(shop, table, db: target) == BackupTests.rows(shop, table, db: backup), "table \(table) differs after restore")
            }
            let backupAudit = try BackupTests.rows(shop, "audit", db: backup)
            let restoredAudit = try BackupTests.rows(shop, "audit", db: target)
            #expect(restoredAudit.hasPrefix(backupAudit), "the restored audit does not begin with the backup's")
            #expect(try shop.int("SELECT count(*) FROM audit WHERE action = 'restore'", db: target) == 1 + shop.int("SELECT count(*) FROM audit WHERE action = 'restore'", db: backup))
            // And the restored database works.
            let write = try shop.run(["visit", "checkin", "--plate", "沪B88888", "--at", "2026-11-19 10:00"], db: target)
            #expect(write.status == 0, "a write on the restored database: \(write)")
        }
        #expect(movementsSeen == movementsSeen.sorted(), "later backups hold fewer movements: \(movementsSeen)")
        // The source took an audit entry for each backup.
        #expect(try shop.int("SELECT count(*) FROM audit WHERE action = 'backup'") == backups.count)
        figure("backup: \(backups.count) backups during \(written.count) writes (movements seen \(movementsSeen)), each restored into a new file equal to it; \(String(format: "%.1f", clock.seconds)) s")
    }

    @Test("restore refuses a file that is not a DriverDesk database, a damaged one, and one from a newer schema: exit 2, nothing changed")
    func restoreRefusals() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        let backup = shop.file("good.sqlite").path
        try shop.ok("backup", backup)

        var cases: [(String, [String])] = []
        func file(_ name: String, _ data: Data) throws -> String {
            let path = shop.file(name).path
            try data.write(to: URL(fileURLWithPath: path))
            return path
        }
        cases.append((shop.file("missing.sqlite").path, ["file:"]))
        cases.append((shop.folder.path, ["file:"]))
        cases.append((try file("empty.sqlite", Data()), ["file:"]))
        cases.append((try file("text.sqlite", Data("not a database\n".utf8)), ["file:"]))
        cases.append((try file("csv.sqlite", HostileFileTests.csv([HostileFileTests.row(1)])), ["file:"]))
        var random = SeededGenerator(seed: 11)
        cases.append((try file("random.sqlite", Data((0..<8_192).map { _ in UInt8.random(in: 0...255, using: &random) })), ["file:"]))
        let other = shop.file("other.sqlite").path
        _ = try shop.sql("CREATE TABLE staff (x); INSERT INTO staff VALUES (1)", db: other)
        cases.append((other, ["file:", "不是 DriverDesk 数据库"]))
        let good = try Data(contentsOf: URL(fileURLWithPath: backup))
        cases.append((try file("truncated.sqlite", good.prefix(good.count / 2)), ["file:"]))
        var header = good
        header.replaceSubrange(0..<16, with: Data(repeating: 0x58, count: 16))
        cases.append((try file("bad-header.sqlite", header), ["file:"]))
        // Garbage over the middle pages: the header reads, the integrity check does not.
        var damaged = good
        let page = 4_096
        for offset in stride(from: page * 2, to: min(good.count, page * 6), by: 1) where offset % 7 == 0 { damaged[offset] = 0xA5 }
        let damagedPath = try file("damaged.sqlite", damaged)
        cases.append((damagedPath, ["file:"]))
        // From a newer schema: a migration this build does not know.
        let newer = shop.file("newer.sqlite").path
        try FileManager.default.copyItem(atPath: backup, toPath: newer)
        _ = try shop.sql("INSERT INTO grdb_migrations VALUES ('v99 future')", db: newer)
        cases.append((newer, ["file:", "更新版本的 DriverDesk"]))

        var before = try shop.snapshot()
        let backupBefore = try Data(contentsOf: URL(fileURLWithPath: newer))
        for (path, names) in cases {
            let outcome = try shop.run(["restore", path])
            let name = URL(fileURLWithPath: path).lastPathComponent
            #expect(!outcome.signaled && outcome.status == 2, "restore \(name): \(outcome)")
            #expect(names.allSatisfy { mentions(outcome.stderr, $0) }, "restore \(name): \(outcome.stderr)")
            let after = try shop.snapshot()
            #expect(after.raw == before.raw && after.dump == before.dump, "restore \(name) changed the database")
            before = after
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: newer)) == backupBefore, "restore changed the file it refused")
        // A backup never overwrites a file.
        let existing = try shop.run(["backup", backup])
        #expect(existing.status == 2 && existing.stderr.contains("文件（file）：\(backup) 已经存在"), "\(existing.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: backup)) == good)
        figure("backup/restore: \(cases.count) bad backups refused with exit 2 (not DriverDesk, damaged, truncated, newer schema), database unchanged")
    }
}
