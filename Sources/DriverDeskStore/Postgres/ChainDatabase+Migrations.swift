import DriverDeskCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// The chain's schema: the migrations of `data/postgres`, each applied once, in one transaction, under an advisory lock.
extension ChainDatabase {
    // MARK: Migrations

    /// The names of the migrations applied, or nil when the database has none (it is empty).
    func appliedMigrations() throws -> Set<String>? {
        let exists = try query("SELECT to_regclass('public.driverdesk_migration') IS NOT NULL")
        guard try exists.first?.decode(Bool.self) == true else { return nil }
        return Set(try query("SELECT name FROM driverdesk_migration").map { try $0.decode(String.self) })
    }

    /// Makes or migrates the schema: each pending migration in one transaction of its own, under the advisory lock,
    /// so that desks opening a new database at the same moment apply each migration once. A schema with a migration
    /// this build does not know was made by a newer DriverDesk: refused whole, as on SQLite.
    public func migrate(_ migrations: [Migration], now: Date) throws {
        try locked {
            let known = migrations.map(\.name)
            while true {
                let done = try transaction { () throws -> Bool in
                    try query("SELECT pg_advisory_xact_lock($1)", [PostgresData(int64: ChainDatabase.migrationLock)])
                    let applied = try appliedMigrations() ?? []
                    guard applied.isSubset(of: Set(known)) else { throw AppDatabase.newerSchema(address.shown) }
                    guard let next = migrations.first(where: { !applied.contains($0.name) }) else { return true }
                    if applied.isEmpty {
                        try query("CREATE TABLE IF NOT EXISTS driverdesk_migration (name text PRIMARY KEY, applied_at bigint NOT NULL)")
                        try query("GRANT SELECT ON driverdesk_migration TO driverdesk_desk, driverdesk_chain")
                    }
                    let statements: [String]
                    do {
                        statements = try SQLScript.statements(next.sql)
                    } catch {
                        throw DeskError.storage(message: "the migration \(next.name) cannot be read: \(error)")
                    }
                    for statement in statements { try query(statement) }
                    try query("INSERT INTO driverdesk_migration (name, applied_at) VALUES ($1, $2)",
                              [PostgresData(string: next.name), PostgresData(int64: now.seconds)])
                    return false
                }
                if done { return }
            }
        }
    }

    /// Whether the schema is this build's: nothing to do (true), or something to migrate (false); a newer one is refused.
    public func isCurrent(_ migrations: [Migration]) throws -> Bool {
        try locked {
            let applied = try appliedMigrations() ?? []
            guard applied.isSubset(of: Set(migrations.map(\.name))) else { throw AppDatabase.newerSchema(address.shown) }
            return applied.count == migrations.count
        }
    }
}
