import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// The shop's database as the front ends hold it: opened (created and migrated on first use) once per process, and
/// handed to the use cases through `desk(now:operator:)`. The command line and the web never see the store behind it.
public struct Shop: Sendable {
    let database: AppDatabase

    init(database: AppDatabase) {
        self.database = database
    }

    /// How a process uses the file.
    public enum Connections: Sendable {
        /// One writer and concurrent readers: the web server (`driverdesk serve`).
        case pool
        /// One connection: a command, which runs one use case. Opening it writes nothing to the file (a pool creates
        /// and drops a table when it finds no `-wal` file, which changes the file's header).
        case single
    }

    /// Opens the shop's database file, creating it with its schema on first use.
    public static func open(path: String, connections: Connections = .single) throws -> Shop {
        let connections: AppDatabase.Connections = switch connections {
        case .pool: .pool
        case .single: .single
        }
        return Shop(database: try AppDatabase.open(path: path, connections: connections))
    }

    /// A private in-memory shop, for tests.
    public static func inMemory() throws -> Shop {
        Shop(database: try AppDatabase.inMemory())
    }

    /// The use cases at one time, by one operator (the audit records who).
    /// The use cases at `now`, for `operator`, speaking `language` (nil: the shop's `ui.language`).
    public func desk(now: Date, operator operatorName: String, language: Language? = nil) -> Desk {
        Desk(database: database, now: now, operator: operatorName, language: language)
    }

    /// The shop's settings as stored now.
    public func config() throws -> Config { try database.config() }

    /// Closes the database's connections (the benchmark, when it is done with a pool); the shop cannot be used
    /// afterwards.
    public func close() throws { try database.close() }

    /// Tells whether anything may have changed since a moment (see `ChangeWatch`).
    public func changeWatch() -> ChangeWatch { ChangeWatch(probe: database.changeProbe()) }
}
