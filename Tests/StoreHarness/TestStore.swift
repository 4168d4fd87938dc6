import DriverDeskCore
import DriverDeskStore
import Foundation
import GRDB
@_exported import PostgresHarness

/// The two engines a shop's data may live on; the store and use-case suites run on both.
public enum Backend: String, CaseIterable, Sendable {
    case sqlite, postgres
}

/// A fresh shop's store for one test: a private in-memory SQLite database, or a shop of its own in a new database
/// of the test process's throwaway PostgreSQL (made and migrated by the chain's owner, used as the shop's own role).
public struct TestStore: Sendable {
    public let store: any ShopStore
    public let backend: Backend
    /// The chain's database and the shop's code, on PostgreSQL.
    public let chainDatabase: String?
    public let shopCode: String?

    public static let migrations: [ChainDatabase.Migration] = {
        (try? ChainDatabase.Migration.shipped(in: ThrowawayPostgres.root.appendingPathComponent("data/postgres"))) ?? []
    }()

    public init(_ backend: Backend) throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            store = try AppDatabase.inMemory()
            chainDatabase = nil
            shopCode = nil
        case .postgres:
            let database = try SharedChain.newDatabase()
            let code = SharedChain.newCode().uppercased()
            store = try TestStore.chainShop(code: code, database: database)
            chainDatabase = database
            shopCode = code
        }
    }

    private init(store: any ShopStore, database: String, code: String) {
        self.store = store
        backend = .postgres
        chainDatabase = database
        shopCode = code
    }

    /// Another shop of the same chain (PostgreSQL only): the same people may work in both.
    public func anotherShop() throws -> TestStore {
        guard let chainDatabase else { throw ThrowawayPostgres.Failure(description: "a SQLite file has one shop") }
        let code = SharedChain.newCode().uppercased()
        return TestStore(store: try TestStore.chainShop(code: code, database: chainDatabase), database: chainDatabase, code: code)
    }

    /// The same shop on new connections of its own, as another process (a command, cron) opens it.
    public func reopened() throws -> any ShopStore {
        guard let chainDatabase, let shopCode else { throw ThrowawayPostgres.Failure(description: "reopen a SQLite file by its path") }
        let server = try SharedChain.server()
        let desk = try ChainDatabase.connect(try TestStore.address(server.shopAddress(shopCode, database: chainDatabase)))
        guard let shop = try desk.shop(code: shopCode) else { throw ThrowawayPostgres.Failure(description: "no shop \(shopCode)") }
        return ChainShopStore(database: desk, shop: shop)
    }

    /// The database role this shop's desks log in as (PostgreSQL), for tests that send raw SQL as the shop.
    public var role: String {
        (try? SharedChain.server().shopRole(shopCode ?? "", database: chainDatabase)) ?? ""
    }

    /// The shop's id in its chain.
    public var shopId: Int {
        guard let chainDatabase, let shopCode else { return 0 }
        return Int((try? SharedChain.server().rows("SELECT id FROM shop WHERE code = '\(shopCode)'", as: "postgres", database: chainDatabase).first) ?? "") ?? 0
    }

    /// Adds shop `code` as the chain's owner (migrating the database first, making the shop's role) and opens it as that role.
    static func chainShop(code: String, database: String) throws -> ChainShopStore {
        let server = try SharedChain.server()
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let owner = try ChainDatabase.connect(try TestStore.address(server.address(as: "driverdesk_owner", shop: code, database: database)))
        try owner.migrate(TestStore.migrations, now: now)
        try owner.addShop(code: code, name: "测试汽修", timeZone: "Asia/Shanghai", context: WriteContext(operator: "setup", now: now))
        owner.close()
        let desk = try ChainDatabase.connect(try TestStore.address(server.shopAddress(code, database: database)))
        guard let shop = try desk.shop(code: code) else { throw ThrowawayPostgres.Failure(description: "shop \(code) was not added") }
        return ChainShopStore(database: desk, shop: shop)
    }

    static func address(_ text: String) throws -> DatabaseAddress.Postgres {
        guard case .postgres(let address) = try DatabaseAddress(parsing: text, field: "db", environment: [:]) else {
            throw ThrowawayPostgres.Failure(description: "not a chain's address: \(text)")
        }
        return address
    }

    /// How many rows of this shop a table holds (read past the store, as the database's superuser on PostgreSQL).
    public func count(_ table: String) throws -> Int {
        switch backend {
        case .sqlite:
            return try (store as! AppDatabase).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1 }
        case .postgres:
            let rows = try SharedChain.server().rows("SELECT count(*) FROM \(table) WHERE shop_id = (SELECT id FROM shop WHERE code = '\(shopCode!)')",
                                                     as: "postgres", database: chainDatabase)
            return Int(rows.first ?? "") ?? -1
        }
    }
}
