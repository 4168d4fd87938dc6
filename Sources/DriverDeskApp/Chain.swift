import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// A shop of a chain, as `shop add` and `shop list` show it (`--json`: `id`, `code`, `name`, `timeZone`; `shop add`
/// adds `created`, false when the code was there already).
public struct ChainShopView: Codable, Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var name: String
    public var timeZone: String
    public var created: Bool?
}

/// The chain's own use cases on its PostgreSQL database (`--db postgres://…`): its shops. The database is made or
/// migrated on first use, by the chain's owner role (a desk's role may not change the schema, and is told so).
public struct Chain: Sendable {
    let database: ChainDatabase
    public let now: Date
    public let operatorName: String

    /// Connects and makes or migrates the schema (the migrations shipped in `data/postgres`).
    public static func open(_ address: DatabaseAddress.Postgres, now: Date, operator operatorName: String) throws -> Chain {
        let migrations = try ChainDatabase.Migration.shipped(in: try Resources.folder("data/postgres"))
        let database = try ChainDatabase.connect(address)
        do {
            if try !database.isCurrent(migrations) {
                do {
                    try database.migrate(migrations, now: now)
                } catch DeskError.storage(let message) where message.contains("permission denied") {
                    // A desk's role (or the chain manager's) may not change the schema: say who may.
                    throw DeskError.storage(message: "the chain's schema in \(address.shown) is missing or older than this DriverDesk, and \(address.user) cannot make it (\(message)): run `driverdesk init` once with the chain owner's address (user driverdesk_owner)")
                }
            }
        } catch {
            database.close()
            throw error
        }
        return Chain(database: database, now: now.wholeSeconds, operatorName: operatorName)
    }

    public func close() { database.close() }

    /// A shop as typed for `shop add` (or `init` on a chain), checked field by field before anything is opened.
    public struct NewShop: Sendable {
        public var code: String
        public var name: String
        public var timeZone: String

        public init(code: String, name: String, timeZone: String?) throws {
            self.code = try DatabaseAddress.shopCode(code, field: "shop-code")
            self.name = try Chain.asField("shop-name") { try Config.setting("shop.name").normalise(try Fields.name(name, field: "shop-name", maxLength: 200)) }
            let zoneSetting = try Config.setting("shop.timeZone")
            self.timeZone = try Chain.asField("time-zone") { try zoneSetting.normalise(timeZone ?? zoneSetting.defaultValue) }
        }
    }

    /// `shop add CODE --name N [--time-zone Z]`: a new shop with its name and zone as its first settings. A code that
    /// exists already is left as it is (`created` false), so a set-up script may run twice.
    public func addShop(_ new: NewShop) throws -> ChainShopView {
        let added = try database.addShop(code: new.code, name: new.name, timeZone: new.timeZone, context: WriteContext(operator: operatorName, now: now))
        return ChainShopView(id: added.shop.id, code: added.shop.code, name: added.shop.name, timeZone: added.shop.timeZone, created: added.created)
    }

    /// A setting's check, its error naming the option typed (`--name`) rather than the setting.
    static func asField<T>(_ field: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch DeskError.invalid(_, let reason, let line) {
            throw DeskError.invalid(field: field, reason: reason, line: line)
        }
    }

    /// `shop list`: every shop the address's role may see, by code.
    public func shops() throws -> [ChainShopView] {
        try database.shops().map { ChainShopView(id: $0.id, code: $0.code, name: $0.name, timeZone: $0.timeZone, created: nil) }
    }
}
