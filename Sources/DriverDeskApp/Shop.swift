import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// The shop's database as the front ends hold it: opened (created and migrated on first use) once per process, and
/// handed to the use cases through `desk(now:operator:)`. The command line and the web never see the store behind it:
/// a SQLite file of one shop, or one shop of a chain's PostgreSQL database.
public struct Shop: Sendable {
    let database: any ShopStore

    init(database: any ShopStore) {
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

    /// Opens the shop the address names (`?shop=CODE`) on a chain's PostgreSQL database, making or migrating the
    /// chain's schema on first use (`now` dates the migration). The shop must have been added (`shop add`, or `init`
    /// with this address).
    public static func open(chain address: DatabaseAddress.Postgres, field: String, now: Date, connections: Connections = .single) throws -> Shop {
        guard case .code(let code) = address.shop else {
            throw DeskError.invalid(field: field, reason: Message("input.db.noShop"))
        }
        let chain = try Chain.open(address, now: now, operator: "driverdesk")
        do {
            // The owner's and the chain manager's roles read every shop: a shop's commands would see them all.
            guard try chain.database.isDesk() else {
                throw DeskError.invalid(field: field, reason: Message("input.db.deskRole", ["user": .text(address.user), "role": .text(Chain.shopRole(database: address.database, code: code))]))
            }
            // A shop is its login: the address's shop must be the one the database knows this login by.
            let own = try chain.database.ownShop()
            guard let shop = own.shop else {
                throw DeskError.invalid(field: field, reason: Message("input.db.noShopLogin", ["user": .text(own.login), "role": .text(Chain.shopRole(database: address.database, code: code))]))
            }
            guard shop.code == code else {
                throw DeskError.invalid(field: field, reason: Message("input.db.otherShopLogin", ["user": .text(own.login), "own": .text(shop.code), "shop": .text(code)]))
            }
            // The web server's requests each take a connection of their own, as a pool of SQLite readers does.
            var databases = [chain.database]
            if case .pool = connections {
                for _ in 1..<Shop.chainConnections { databases.append(try ChainDatabase.connect(address)) }
            }
            return Shop(database: ChainShopStore(databases: databases, shop: shop))
        } catch {
            chain.close()
            throw error
        }
    }

    /// Runs `body` (a request) with every wait for the database ending `seconds` from now: then it fails with
    /// `DeskError.unavailable` instead of waiting on.
    public static func withDatabaseDeadline<T>(seconds: Int, _ body: () async throws -> T) async rethrows -> T {
        try await DatabaseDeadline.within(seconds: seconds, body)
    }

    /// How many connections the web server holds to a chain's database (and threads that wait on them).
    public static let chainConnections = 8

    /// A private in-memory shop, for tests.
    public static func inMemory() throws -> Shop {
        Shop(database: try AppDatabase.inMemory())
    }

    /// The use cases at `now`, for `operator`, speaking `language` (nil: the shop's `ui.language`), as `actor` may
    /// use them (the command line: the administrator).
    public func desk(now: Date, operator operatorName: String, language: Language? = nil, actor: Actor = .administrator) -> Desk {
        Desk(database: database, now: now, operator: operatorName, language: language, actor: actor)
    }

    /// The shop's settings as stored now.
    public func config() throws -> Config { try database.config() }

    /// Closes the database's connections (the benchmark, when it is done with a pool); the shop cannot be used
    /// afterwards.
    public func close() throws { try database.close() }

    /// Tells whether anything may have changed since a moment (see `ChangeWatch`).
    public func changeWatch() -> ChangeWatch { ChangeWatch(database.changeSource()) }

    /// R2 for a plate at a time as `who` decides it, without a view around it: what the benchmark times in process.
    public func attribution(plate: Plate, at: Date, isParking: Bool) throws -> Attribution {
        try database.attribution(plate: plate, at: at, isParking: isParking).attribution
    }

    /// R9 at `now` as `cleanup` runs it (unless a dry run, its changes made), without a view: for the benchmark.
    public func cleanupPlan(dryRun: Bool, now: Date, operator operatorName: String) throws -> CleanupPlan {
        try database.cleanup(dryRun: dryRun, context: WriteContext(operator: operatorName, now: now))
    }

    /// Whether this is one shop of a chain's PostgreSQL database.
    public var isChain: Bool { database.isChain }
}
