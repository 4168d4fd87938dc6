import DriverDeskCore
import Foundation
import GRDB
import Synchronization

/// The shop's database: owns the connection, migrates it on open, and offers only
/// invariant-preserving writes, each one transaction with its audit entry.
public struct AppDatabase: Sendable {
    public let writer: any DatabaseWriter
    /// How many writes this process has committed through `write` (a cache of what the database holds compares it).
    public let changes = ChangeCounter()
    /// Every transaction a use case opened (`writing` and `reading`): a write use case is one (tests count them).
    public let transactions = ChangeCounter()

    /// Opens (and migrates) a database on any GRDB writer.
    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        do {
            // Migrating takes a write transaction that touches the file's header; skip it when there is nothing to do,
            // so that reading (and refused commands) leave the file byte for byte as it was.
            try AppDatabase.migrate(writer)
        } catch let error as DatabaseError {
            throw DeskError.storage(message: "cannot prepare the database: \(error.message ?? error.description)")
        }
    }

    /// How a process uses the file: a long-running server reads on several connections at once; a command runs one
    /// use case and needs one connection.
    public enum Connections: Sendable {
        /// A GRDB `DatabasePool`: one writer, concurrent readers (the web server, the benchmark).
        case pool
        /// One connection (a `DatabaseQueue`): quicker to open, and opening it writes nothing to the file.
        case single
    }

    /// Applies the pending migrations. Each runs in its own transaction, and several processes may open a new (or
    /// older) file at once: when one loses the race ("table ... already exists"), another has applied that migration
    /// meanwhile, so it looks again and goes on from there.
    static func migrate(_ writer: any DatabaseWriter) throws {
        let known = Set(AppDatabase.migrator.migrations)
        var attempt = 0
        while true {
            attempt += 1
            do {
                // One query: what is applied says whether there is anything to do, and whether a newer DriverDesk wrote it.
                let applied = try writer.read { db in try AppDatabase.migrator.appliedIdentifiers(db) }
                if !applied.isSubset(of: known) { throw AppDatabase.newerSchema(writer.path) }
                if applied == known { return }
                do {
                    try AppDatabase.migrator.migrate(writer)
                    return
                } catch let error as DatabaseError {
                    // Go on only if another process applied a migration meanwhile (so each round makes progress).
                    let now = try writer.read { db in try AppDatabase.migrator.appliedIdentifiers(db) }
                    guard now.count > applied.count else { throw error }
                }
            } catch let error as DatabaseError where attempt < 20 {
                // Another process is making the file at this very moment (its first table appeared between two of our
                // statements: "no such table: grdb_migrations"): look again shortly. A lasting failure still surfaces.
                _ = error
                usleep(UInt32(5_000 + Int.random(in: 0..<10_000)))
            }
        }
    }

    static func newerSchema(_ path: String) -> DeskError {
        DeskError.storage(message: "\(path) was written by a newer DriverDesk (its schema has changes this version does not know); use that version, or a backup made with this one")
    }

    /// A database file, created with its schema on first use; WAL so that the web, the command line and cron share it.
    ///
    /// A `DatabasePool` makes sure a non-empty `-wal` file exists when it opens, and when there is none (SQLite deletes
    /// it when the last connection closes) it creates and drops a table to make one: that bumps the file's change
    /// counter and schema cookie. So one-shot commands open a `.single` connection, which sets WAL mode only on a file
    /// that is not in it yet, and a command that reads or is refused leaves the file byte for byte as it was.
    public static func open(path: String, connections: Connections = .single) throws -> AppDatabase {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DeskError.storage(message: "cannot create the folder \(folder.path): \(error.localizedDescription)")
        }
        do {
            switch connections {
            case .pool:
                // A pool writes to the file as it opens (see above): look first, on one plain connection.
                try refuseNewerSchema(path: path)
                let pool = try DatabasePool(path: path, configuration: configuration())
                // Committed means on disk, power failure included (GRDB's pool picks NORMAL, which may lose the last
                // transactions when the machine, not the process, stops).
                try pool.barrierWriteWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
                return try AppDatabase(pool)
            case .single:
                var config = configuration()
                config.prepareDatabase { db in
                    let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
                    if mode.lowercased() != "wal" {
                        // Switching a new file to WAL needs it to itself; when another process is making the same file,
                        // SQLite may answer "locked" at once (no busy wait can untie two connections each waiting for
                        // the other): wait a moment and ask again, for up to the busy timeout.
                        var waited = 0
                        while true {
                            do {
                                guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")?.lowercased() == "wal" else {
                                    throw DatabaseError(message: "could not switch \(path) to WAL mode")
                                }
                                break
                            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && waited < 15_000 {
                                let pause = 5 + Int.random(in: 0..<20)
                                usleep(UInt32(pause * 1_000))
                                waited += pause
                            }
                        }
                    }
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                }
                return try AppDatabase(DatabaseQueue(path: path, configuration: config))
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw DeskError.storage(message: "\(path) is not a DriverDesk database: \(error.message ?? error.description)")
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
        // A file another process holds locked is waited for until the caller's deadline (the web's
        // `web.databaseTimeoutSeconds`), or 15 s for a command; then `DeskError.unavailable(.locked)`.
        config.busyMode = .callback { tries in
            if let remaining = DatabaseDeadline.remaining {
                guard remaining > .zero else { return false }
                usleep(UInt32(min(5_000, max(1, remaining.components.attoseconds / 1_000_000_000_000 + remaining.components.seconds * 1_000_000))))
                return true
            }
            guard tries < 3_000 else { return false }
            usleep(5_000)
            return true
        }
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
            if superseded { throw newerSchema(path) }
        } catch let error as DatabaseError {
            throw DeskError.storage(message: "\(path) is not a DriverDesk database: \(error.message ?? error.description)")
        }
    }

    /// Closes the connections; this database (and every copy of it) cannot be used afterwards.
    public func close() throws {
        do {
            try writer.close()
        } catch let error as DatabaseError {
            throw DeskError.storage(message: error.message ?? error.description)
        }
    }

    /// Runs one use case as one transaction; database failures become `DeskError.storage`.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            let result = try writer.write(body)
            changes.bump()
            return result
        } catch let error as DatabaseError {
            throw AppDatabase.deskError(error)
        }
    }

    /// Reads a consistent snapshot.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try writer.read(body)
        } catch let error as DatabaseError {
            throw AppDatabase.deskError(error)
        }
    }

    /// A failure of SQLite as DriverDesk reports it: the file locked past the wait (nothing was written), or the
    /// system's own words.
    static func deskError(_ error: DatabaseError) -> DeskError {
        if error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED { return .unavailable(.locked) }
        return .storage(message: error.message ?? error.description)
    }
}

/// A count that only goes up, shared by every copy of an `AppDatabase`.
public final class ChangeCounter: Sendable {
    private let value = Atomic<Int>(0)
    private let lost = Atomic<Bool>(false)

    public init() {}

    public func bump() { value.add(1, ordering: .releasing) }

    public var count: Int { value.load(ordering: .acquiring) }

    /// Whether the changes it counts may be going unseen (a chain's database cannot be reached, or its notices are not
    /// heard): whoever caches by the count trusts nothing meanwhile.
    public var isLost: Bool { lost.load(ordering: .acquiring) }

    public func markLost() { lost.store(true, ordering: .releasing) }

    /// Seen again: the count moves, so that what was cached before the loss is made afresh.
    public func markFound() {
        bump()
        lost.store(false, ordering: .releasing)
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
