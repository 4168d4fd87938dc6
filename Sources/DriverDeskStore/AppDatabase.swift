import DriverDeskCore
import Foundation
import GRDB

/// The shop's database: owns the connection, migrates it on open, and offers only
/// invariant-preserving writes, each one transaction with its audit entry.
public struct AppDatabase: Sendable {
    public let writer: any DatabaseWriter

    /// Opens (and migrates) a database on any GRDB writer.
    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        do {
            // Migrating takes a write transaction that touches the file's header; skip it when there is nothing to do,
            // so that reading (and refused commands) leave the file byte for byte as it was.
            let done = try writer.read { db in try AppDatabase.migrator.hasCompletedMigrations(db) }
            if !done { try AppDatabase.migrator.migrate(writer) }
        } catch let error as DatabaseError {
            throw DeskError.storage(message: "cannot prepare the database: \(error.message ?? error.description)")
        }
    }

    /// A database file, created with its schema on first use; WAL so that the web, the command line and cron share it.
    public static func open(path: String) throws -> AppDatabase {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DeskError.storage(message: "cannot create the folder \(folder.path): \(error.localizedDescription)")
        }
        try refuseNewerSchema(path: path)
        do {
            let pool = try DatabasePool(path: path, configuration: configuration())
            return try AppDatabase(pool)
        } catch let error as DatabaseError {
            throw DeskError.storage(message: "cannot open the database \(path): \(error.message ?? error.description)")
        }
    }

    /// A private in-memory database, for tests.
    public static func inMemory() throws -> AppDatabase {
        try AppDatabase(DatabaseQueue(configuration: configuration()))
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(15)
        config.label = "driverdesk"
        return config
    }

    /// A file whose schema has migrations this build does not know was made by a newer DriverDesk: refuse it whole.
    static func refuseNewerSchema(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration())
            defer { try? queue.close() }
            let superseded = try queue.read { db in try AppDatabase.migrator.hasBeenSuperseded(db) }
            if superseded {
                throw DeskError.storage(message: "\(path) was written by a newer DriverDesk (its schema has changes this version does not know); use that version, or a backup made with this one")
            }
        } catch let error as DatabaseError {
            throw DeskError.storage(message: "\(path) is not a DriverDesk database: \(error.message ?? error.description)")
        }
    }

    /// Runs one use case as one transaction; database failures become `DeskError.storage`.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try writer.write(body)
        } catch let error as DatabaseError {
            throw DeskError.storage(message: error.message ?? error.description)
        }
    }

    /// Reads a consistent snapshot.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try writer.read(body)
        } catch let error as DatabaseError {
            throw DeskError.storage(message: error.message ?? error.description)
        }
    }
}

/// Who makes a change and when: every write takes one, and the audit records it (R11).
public struct WriteContext: Sendable {
    public var `operator`: String
    public var now: Date

    public init(operator: String, now: Date) {
        self.operator = `operator`
        self.now = now
    }
}
