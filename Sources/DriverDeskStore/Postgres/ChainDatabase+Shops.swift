import DriverDeskCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// The shops of a chain: adding one (the owner), listing them, finding a desk's own by its code.
extension ChainDatabase {
    // MARK: Shops

    /// Adds a shop with its name and time zone as its first settings, audited in the new shop's own audit (the chain's
    /// owner only: a desk's role may not). A code that exists is left as it is and returned, with `created` false.
    @discardableResult
    public func addShop(code: String, name: String, timeZone: String, context: WriteContext) throws -> (shop: ChainShop, created: Bool) {
        try lock.withLock {
            try transaction {
                // A shop that exists is returned as it is, to any role (a desk may run `init` on its own shop).
                if let row = try query("SELECT id, name, time_zone FROM shop_by_code($1)", [PostgresData(string: code)]).first {
                    let (id, name, zone) = try row.decode((Int64, String, String).self)
                    return (ChainShop(id: id, code: code, name: name, timeZone: zone), false)
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
                    return (shop, true)
                }
                guard let row = try query("SELECT id, code, name, time_zone FROM shop WHERE code = $1", [PostgresData(string: code)]).first else {
                    throw DeskError.storage(message: "shop \(code) was neither added nor found")
                }
                return (try ChainDatabase.shop(row), false)
            }
        }
    }

    /// Every shop this connection may see, by code: all of them for the owner and the chain's manager.
    public func shops() throws -> [ChainShop] {
        try lock.withLock {
            try query("SELECT id, code, name, time_zone FROM shop ORDER BY code").map(ChainDatabase.shop)
        }
    }

    /// The shop with a code, whoever asks (a desk sees no shop row before it has said which shop it is).
    public func shop(code: String) throws -> ChainShop? {
        try lock.withLock {
            try query("SELECT id, name, time_zone FROM shop_by_code($1)", [PostgresData(string: code)]).first.map { row in
                let (id, name, zone) = try row.decode((Int64, String, String).self)
                return ChainShop(id: id, code: code, name: name, timeZone: zone)
            }
        }
    }
}
