import Foundation
import Synchronization

/// The suites that run on both backends (store, use cases, command line) share one throwaway PostgreSQL per test
/// process, started on first use and stopped when the process exits. Every test gets a chain database of its own
/// (the tests use the same people, and a person's movements and limits are his across a chain), with the chain's
/// roles; the isolation of shops within one chain has tests of its own. A process that cannot start PostgreSQL fails
/// every such test; none is skipped.
public enum SharedChain {
    private static let started: Result<ThrowawayPostgres, ThrowawayPostgres.Failure> = {
        do {
            let server = try ThrowawayPostgres(migrated: false)
            stopAtExit.withLock { $0 = server.folder }
            atexit {
                if let folder = SharedChain.stopAtExit.withLock({ $0 }) {
                    _ = try? ThrowawayPostgres.run(ThrowawayPostgres.root.appendingPathComponent("scripts/pg-throwaway.sh").path, ["stop", folder])
                }
            }
            return .success(server)
        } catch let failure as ThrowawayPostgres.Failure {
            return .failure(failure)
        } catch {
            return .failure(ThrowawayPostgres.Failure(description: "\(error)"))
        }
    }()

    private static let stopAtExit = Mutex<String?>(nil)

    /// The process's server (its schema is made by DriverDesk, as the chain's owner, on first use).
    public static func server() throws -> ThrowawayPostgres { try started.get() }

    /// A new shop code, or database name: `t` and nine random letters and digits.
    public static func newCode() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        return "t" + String((0..<9).map { _ in alphabet.randomElement()! })
    }

    /// A new empty database on the process's server, owned by the chain's owner role, with the superuser's functions
    /// that make shops' roles (roles.sql); its name.
    public static func newDatabase() throws -> String {
        let server = try server()
        let name = newCode()
        try server.must(server.sql("CREATE DATABASE \(name) OWNER driverdesk_owner", as: "postgres", database: "postgres"))
        try server.installRoles(database: name)
        return name
    }
}

extension ThrowawayPostgres {
    /// One shop's rows, table by table (and the people it employs), as digests: what a refused command must leave
    /// as it was. Other shops of the same server may change meanwhile; this shop's rows may not.
    public func shopDigest(code: String, database: String? = nil) throws -> String {
        let shop = "(SELECT id FROM shop WHERE code = '\(code)')"
        var parts: [String] = []
        for table in ["setting", "staff", "vehicle", "visit", "visit_plan", "movement", "movement_void", "registration", "violation", "audit", "account"] {
            parts += try rows("SELECT '\(table) ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \(table) t WHERE shop_id = \(shop)",
                              as: "postgres", database: database)
        }
        parts += try rows("""
            SELECT 'person ' || count(*) || ' ' || md5(coalesce(string_agg(p::text, ',' ORDER BY p::text), '')) FROM person p
            WHERE p.id IN (SELECT person_id FROM staff WHERE shop_id = \(shop))
            """, as: "postgres", database: database)
        return parts.joined(separator: "\n")
    }
}
