import DriverDeskCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// The shops of a chain: adding one with its database role (the owner), listing them, setting a shop's password, and
/// the shop a desk's login belongs to.
extension ChainDatabase {
    // MARK: Shops

    /// Adds a shop with its name and time zone as its first settings, audited in the new shop's own audit, and makes
    /// its database role (`<database>.<code>`, through the superuser's `driverdesk_roles.make_shop_role`): the chain's
    /// owner only. A code that exists is left as it is and returned, with `created` false.
    @discardableResult
    public func addShop(code: String, name: String, timeZone: String, context: WriteContext) throws -> (shop: ChainShop, created: Bool) {
        try locked {
            try transaction {
                // A shop that exists is returned as it is (a desk may run `init` on its own shop, the one row it sees).
                if let row = try query("SELECT id, code, name, time_zone FROM shop WHERE code = $1", [PostgresData(string: code)]).first {
                    return (try ChainDatabase.shop(row), false)
                }
                let inserted = try query("""
                    INSERT INTO shop (code, name, time_zone, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING
                    RETURNING id, code, name, time_zone
                    """, [PostgresData(string: code), PostgresData(string: name), PostgresData(string: timeZone), PostgresData(int64: context.now.seconds)])
                if let row = inserted.first {
                    let shop = try ChainDatabase.shop(row)
                    for (key, value) in [("shop.name", name), ("shop.timeZone", timeZone)] {
                        try query("INSERT INTO setting (shop_id, key, value) VALUES ($1, $2, $3)",
                                  [PostgresData(int64: shop.id), PostgresData(string: key), PostgresData(string: value)])
                    }
                    try query("INSERT INTO audit (shop_id, at, operator, action, subject, before, after) VALUES ($1, $2, $3, 'shop.add', $4, NULL, $5)",
                              [PostgresData(int64: shop.id), PostgresData(int64: context.now.seconds), PostgresData(string: context.operator),
                               PostgresData(string: "shop \(code)"), PostgresData(string: Audit.json(["code": code, "name": name, "timeZone": timeZone]))])
                    try makeShopRole(code: code)
                    return (shop, true)
                }
                guard let row = try query("SELECT id, code, name, time_zone FROM shop WHERE code = $1", [PostgresData(string: code)]).first else {
                    throw DeskError.storage(message: "shop \(code) was neither added nor found")
                }
                return (try ChainDatabase.shop(row), false)
            }
        }
    }

    /// Makes shop `code`'s database role in this transaction (rolled back with it); its name.
    @discardableResult
    func makeShopRole(code: String) throws -> String {
        do {
            return try query("SELECT driverdesk_roles.make_shop_role($1)", [PostgresData(string: code)]).first?.decode(String.self) ?? ""
        } catch DeskError.storage(let message) where message.contains("driverdesk_roles") && message.contains("does not exist") {
            throw ChainDatabase.noRoleFunctions(address)
        }
    }

    /// The database lacks the superuser's functions that make shops' roles: roles.sql was not run in it.
    static func noRoleFunctions(_ address: DatabaseAddress.Postgres) -> DeskError {
        .storage(message: "the chain's database \(address.database) cannot make its shops' roles yet: its superuser runs, once, sudo -u postgres psql -d \(address.database) -f data/postgres/roles.sql (docs/chain.md)")
    }

    /// Every shop this connection may see, by code, with its database role: all of them for the owner and the chain's
    /// manager.
    public func shops() throws -> [(shop: ChainShop, role: String)] {
        try locked {
            try query("SELECT id, code, name, time_zone, current_database() || '.' || code AS role FROM shop ORDER BY code").map { row in
                (try ChainDatabase.shop(row), try row.makeRandomAccess()["role"].decode(String.self))
            }
        }
    }

    /// The shop with a code, for the chain manager's and the owner's roles (a desk reads its own only: `ownShop`).
    public func shop(code: String) throws -> ChainShop? {
        try locked {
            try query("SELECT id, code, name, time_zone FROM shop WHERE code = $1", [PostgresData(string: code)]).first.map(ChainDatabase.shop)
        }
    }

    /// The shop this connection's login belongs to (its role `<database>.<code>`), or nil for any other login, and
    /// the login's name.
    public func ownShop() throws -> (shop: ChainShop?, login: String) {
        try locked {
            let login = try query("SELECT session_user::text").first?.decode(String.self) ?? address.user
            let shop = try query("SELECT id, code, name, time_zone FROM shop WHERE id = current_shop()").first.map(ChainDatabase.shop)
            return (shop, login)
        }
    }

    /// Sets shop `code`'s database password (the owner only): its SCRAM-SHA-256 verifier is made here and only that
    /// goes to the server. The role's name; nil when the chain has no shop of that code.
    public func setShopPassword(code: String, password: String, context: WriteContext) throws -> String? {
        let verifier = ScramVerifier.make(password: password)
        return try locked {
            try transaction {
                // Only the owner may (the desks' and the chain manager's roles see no such function); asked first, so that a
                // desk learns nothing of which shops exist.
                let allowed: Bool
                do {
                    allowed = try query("SELECT has_function_privilege('driverdesk_roles.set_shop_password(text, text)', 'EXECUTE')").first?.decode(Bool.self) ?? false
                } catch DeskError.storage(let message) where message.contains("driverdesk_roles") && message.contains("does not exist") {
                    throw ChainDatabase.noRoleFunctions(address)
                }
                guard allowed else { throw DeskError.storage(message: "permission denied for function driverdesk_roles.set_shop_password") }
                guard try !query("SELECT 1 FROM shop WHERE code = $1", [PostgresData(string: code)]).isEmpty else { return nil }
                // A shop added before its database had the role functions gets its role now (made once; kept after).
                try makeShopRole(code: code)
                let role = try query("SELECT driverdesk_roles.set_shop_password($1, $2)", [PostgresData(string: code), PostgresData(string: verifier)])
                    .first?.decode(String.self)
                // The chain's own log says who set it and when; nothing of the password.
                try chainAudit(context, action: "shop.password", subject: "shop \(code)", before: nil, after: Audit.json(["databaseRole": role ?? ""]))
                return role
            }
        }
    }
}
