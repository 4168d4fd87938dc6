import DriverDeskCore
import Foundation
import GRDB

extension AppDatabase {
    /// SQLite's online backup into a new file: consistent even while the web server and cron write.
    public func backup(to path: String, context: WriteContext) throws -> Int64 {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw DeskError.invalid(field: "file", reason: Message("input.backup.exists", ["path": .text(path)]))
        }
        do {
            let target = try DatabaseQueue(path: path)
            try writer.backup(to: target)
            try target.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try target.close()
        } catch let error as DatabaseError {
            try? FileManager.default.removeItem(atPath: path)
            throw DeskError.storage(message: "cannot back up to \(path): \(error.message ?? error.description)")
        }
        try write { db in
            try Audit.record(db, context, action: "backup", subject: path, before: nil, after: nil)
        }
        return (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
    }

    /// Replaces this database's content with a backup's, after checking the backup is a sound DriverDesk
    /// database of this schema or an older one (which is then migrated forward).
    public func restore(from path: String, context: WriteContext) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DeskError.invalid(field: "file", reason: Message("input.file.missing", ["path": .text(path)]))
        }
        let source: DatabaseQueue
        do {
            var configuration = Configuration()
            configuration.readonly = true
            source = try DatabaseQueue(path: path, configuration: configuration)
            let check = try source.read { db -> (String, Bool, Bool) in
                let integrity = try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "?"
                let ours = try db.tableExists("grdb_migrations") && db.tableExists("staff") && db.tableExists("audit")
                let newer = ours ? try AppDatabase.migrator.hasBeenSuperseded(db) : false
                return (integrity, ours, newer)
            }
            guard check.1 else { throw DeskError.invalid(field: "file", reason: Message("input.restore.notOurs", ["path": .text(path)])) }
            guard check.0 == "ok" else { throw DeskError.invalid(field: "file", reason: Message("input.restore.damaged", ["path": .text(path), "detail": .text(check.0)])) }
            guard !check.2 else {
                throw DeskError.invalid(field: "file", reason: Message("input.restore.newer", ["path": .text(path)]))
            }
        } catch let error as DatabaseError {
            throw DeskError.invalid(field: "file", reason: Message("input.restore.unreadable", ["path": .text(path), "detail": .text(error.message ?? error.description)]))
        }
        do {
            try source.backup(to: writer)
            try source.close()
            try AppDatabase.migrator.migrate(writer)
        } catch let error as DatabaseError {
            throw DeskError.storage(message: "cannot restore \(path): \(error.message ?? error.description)")
        }
        try write { db in
            try Audit.record(db, context, action: "restore", subject: path, before: nil, after: nil)
        }
    }
}
