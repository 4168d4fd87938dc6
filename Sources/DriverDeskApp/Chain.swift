import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// A shop of a chain, as `shop add` and `shop list` show it (`--json`: `id`, `code`, `name`, `timeZone`, `databaseRole`:
/// the login its desks connect as; `shop add` adds `created`, false when the code was there already).
public struct ChainShopView: Codable, Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var name: String
    public var timeZone: String
    public var databaseRole: String
    public var created: Bool?
}

/// `shop password CODE`: whose database password was set (`--json`: `code`, `databaseRole`).
public struct ShopPasswordView: Codable, Sendable, Equatable {
    public var code: String
    public var databaseRole: String
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

        /// `database`: the chain's database, whose name is part of the shop's role (`<database>.<code>`).
        public init(code: String, name: String, timeZone: String?, database: String, codeField: String = "shop-code") throws {
            self.code = try DatabaseAddress.shopCode(code, field: codeField)
            // PostgreSQL cuts a role's name at 63 bytes: refused before anything is opened.
            let role = Chain.shopRole(database: database, code: self.code)
            guard role.utf8.count <= Chain.roleNameLimit else {
                throw DeskError.invalid(field: codeField, reason: Message("input.shop.roleTooLong", ["role": .text(role), "max": .number(Chain.roleNameLimit)]))
            }
            self.name = try Chain.asField("shop-name") { try Config.setting("shop.name").normalise(try Fields.name(name, field: "shop-name", maxLength: 200)) }
            let zoneSetting = try Config.setting("shop.timeZone")
            self.timeZone = try Chain.asField("time-zone") { try zoneSetting.normalise(timeZone ?? zoneSetting.defaultValue) }
        }
    }

    /// `shop add CODE --name N [--time-zone Z]`: a new shop with its name and zone as its first settings. A code that
    /// exists already is left as it is (`created` false), so a set-up script may run twice.
    public func addShop(_ new: NewShop) throws -> ChainShopView {
        let added = try database.addShop(code: new.code, name: new.name, timeZone: new.timeZone, context: WriteContext(operator: operatorName, now: now))
        return ChainShopView(id: added.shop.id, code: added.shop.code, name: added.shop.name, timeZone: added.shop.timeZone,
                             databaseRole: Chain.shopRole(database: database.address.database, code: added.shop.code), created: added.created)
    }

    /// The database role a shop's desks log in as: `<database>.<code>` (the rule of roles.sql's make_shop_role; a code
    /// holds no dot).
    public static func shopRole(database: String, code: String) -> String { "\(database).\(code)" }

    /// The longest role name PostgreSQL keeps whole (NAMEDATALEN - 1 bytes).
    public static let roleNameLimit = 63

    /// `shop password CODE` on the owner's address: the shop's database password, typed by the chain's administrator.
    /// Only its SCRAM-SHA-256 verifier leaves this machine; the chain's log says who set it and when.
    public func setShopPassword(code: String, password: String) throws -> ShopPasswordView {
        let code = try DatabaseAddress.shopCode(code, field: "shop-code")
        try AccountRules.checkPassword(password, name: code, isCommon: try CommonPasswords.contains(password))
        // SCRAM takes the password through SASLprep, which leaves printable ASCII as it is: any other character could
        // be read differently by another client at login.
        guard password.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw DeskError.invalid(field: "password", reason: Message("input.password.databaseAscii"))
        }
        let role: String?
        do {
            role = try database.setShopPassword(code: code, password: password, context: WriteContext(operator: operatorName, now: now))
        } catch DeskError.storage(let message) where message.contains("permission denied") {
            throw DeskError.invalid(field: "db", reason: Message("input.db.passwordOwnerOnly", ["role": .text("driverdesk_owner")]))
        }
        guard let role else { throw DeskError.notFound(field: "shop-code", reason: Message("notFound.shop", ["shop": .text(code)])) }
        return ShopPasswordView(code: code, databaseRole: role)
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
        try database.shops().map { ChainShopView(id: $0.shop.id, code: $0.shop.code, name: $0.shop.name, timeZone: $0.shop.timeZone, databaseRole: $0.role, created: nil) }
    }
}

/// The chain manager's view (`report` on `?shop=*`): one page of shops (50) and the whole chain's total, and one page of
/// the chain's drivers (50) with his points in his scoring cycle across all shops (R6). `--json` keys as below; money in
/// yuan.
public struct ChainReportView: Codable, Sendable {
    /// The columns of its text tables, named in the catalogues' `chainReport` terms.
    public static let columns = ["shop_code", "shop_name", "active_staff", "vehicles", "cars_in_shop", "movements", "violations", "unpaid", "unpaid_fines_yuan",
                                 "to_review", "removals_due", "name", "id_number", "shops", "points_this_cycle", "points_remaining", "cycle_end"]

    /// Shops and drivers on one page.
    public static let pageSize = 50

    public struct ShopFigures: Codable, Sendable, Equatable {
        /// The shop's code; `*` for the total.
        public var code: String
        public var name: String
        public var activeStaff: Int
        public var vehicles: Int
        public var carsInShop: Int
        public var movements: Int
        public var violations: Int
        /// Violations not yet paid (open or processed), and their fines without late fees.
        public var unpaid: Int
        public var unpaidFinesYuan: Decimal
        public var toReview: Int
        public var removalsDue: Int
    }

    public struct Driver: Codable, Sendable, Equatable {
        public var name: String
        /// Masked (R12).
        public var idNumber: String
        public var shops: [String]
        public var movements: Int
        public var pointsThisCycle: Int
        public var pointsRemaining: Int
        public var cycleEnd: String
        public var unpaid: Int
        /// The fines of his unpaid violations, without late fees.
        public var unpaidFinesYuan: Decimal
    }

    public var from: String
    public var to: String
    /// The page of shops shown (from 1), of `pages`; `shopCount` shops in all, in the order `sort`.
    public var page: Int
    public var pages: Int
    public var shopCount: Int
    public var sort: String
    public var shops: [ShopFigures]
    /// Every shop's figures added up, whatever the page.
    public var total: ShopFigures
    /// The page of drivers shown, of `driverPages`; `driverCount` drivers in all, in the order `driverSort`.
    public var driverPage: Int
    public var driverPages: Int
    public var driverCount: Int
    public var driverSort: String
    public var drivers: [Driver]
    public var pageSize: Int
}

extension Chain {
    /// The orders the chain's view offers: shops by `code`, most `unpaid` money or most to `review`; drivers by `name`,
    /// most `points` this cycle or most `unpaid` money.
    public static let shopSorts = ChainReportQuestion.ShopOrder.allCases.map(\.rawValue)
    public static let driverSorts = ChainReportQuestion.DriverOrder.allCases.map(\.rawValue)

    /// `report` on a chain's `?shop=*`, as the chain manager's role (or the owner's): read only. The days are read in
    /// the default shop zone's (China keeps one), the limits are the default settings'. `page` and `driverPage` count
    /// from 1 (a page past the last shows the last); `sort` is one of `shopSorts` (default `code`), `driverSort` one of
    /// `driverSorts` (default `name`).
    public func report(from: String?, to: String?, page: String? = nil, sort: String? = nil, driverPage: String? = nil, driverSort: String? = nil,
                       now: Date? = nil) throws -> ChainReportView {
        let config = Config()
        let time = config.time
        let now = now ?? self.now
        let today = time.civilDate(of: now)
        let toDay = try to.map { try CivilDate(parsing: $0, field: "to") } ?? today
        let fromDay = try from.map { try CivilDate(parsing: $0, field: "from") } ?? toDay.adding(days: -365)
        guard fromDay <= toDay else { throw DeskError.invalid(field: "to", reason: Message("input.range.backwards", ["from": .day(fromDay), "to": .day(toDay)])) }
        func order<T: RawRepresentable<String> & CaseIterable>(_ raw: String?, _ field: String, default value: T) throws -> T {
            guard let raw else { return value }
            guard let order = T(rawValue: raw) else {
                throw DeskError.invalid(field: field, reason: Message("input.oneOf", ["raw": .text(raw), "options": .names(T.allCases.map(\.rawValue))]))
            }
            return order
        }
        let shopOrder = try order(sort, "sort", default: ChainReportQuestion.ShopOrder.code)
        let driverOrder = try order(driverSort, "driver-sort", default: ChainReportQuestion.DriverOrder.name)
        let shopPage = try page.map { try Fields.positiveInteger($0, field: "page") } ?? 1
        let driversPage = try driverPage.map { try Fields.positiveInteger($0, field: "driver-page") } ?? 1
        guard try !database.isDesk() else {
            throw DeskError.invalid(field: "db", reason: Message("input.db.chainRole", ["user": .text(database.address.user), "role": .text("driverdesk_chain")]))
        }
        // R6 decided by the core: the cycle that holds today for each licence anniversary, for licences first issued
        // up to today (none is typed later); the database sums each driver's points processed in his.
        let cycles = ScoringCycle.cycles(containing: today).map {
            ChainReportQuestion.Cycle(month: $0.month, day: $0.day, since: time.start(of: $0.start), until: time.start(of: $0.end.adding(days: 1)))
        }
        let size = ChainReportView.pageSize
        // A page number too big to be a row's offset is past the last page anyway.
        func offset(_ page: Int) -> Int { page > Int.max / size ? Int.max / size * size : (page - 1) * size }
        let facts = try database.chainReport(ChainReportQuestion(from: time.start(of: fromDay), to: time.start(of: toDay.adding(days: 1)),
                                                                 shopOrder: shopOrder, shopOffset: offset(shopPage), driverOrder: driverOrder,
                                                                 driverOffset: offset(driversPage), limit: size, cycles: cycles,
                                                                 cyclesHoldFor: today))
        func yuan(_ fen: Int) -> Decimal { Decimal(fen) / 100 }
        func figures(_ shop: ChainReportFacts.Shop) -> ChainReportView.ShopFigures {
            ChainReportView.ShopFigures(code: shop.code, name: shop.name, activeStaff: shop.activeStaff, vehicles: shop.vehicles, carsInShop: shop.carsInShop,
                                        movements: shop.movements, violations: shop.violations, unpaid: shop.unpaid, unpaidFinesYuan: yuan(shop.unpaidFen),
                                        toReview: shop.toReview, removalsDue: shop.removalsDue)
        }
        let limit = config.int(.scoringCycleMax)
        let drivers = facts.drivers.map { driver -> ChainReportView.Driver in
            let cycle = ScoringCycle.cycle(firstIssued: driver.licenseFirstIssued, containing: today)
            return ChainReportView.Driver(name: driver.name, idNumber: IDNumber.mask(driver.idNumber), shops: driver.shops, movements: driver.movements,
                                          pointsThisCycle: driver.points, pointsRemaining: max(0, limit - driver.points), cycleEnd: cycle.end.description,
                                          unpaid: driver.unpaid, unpaidFinesYuan: yuan(driver.unpaidFen))
        }
        func pages(_ count: Int) -> Int { max(1, (count + size - 1) / size) }
        return ChainReportView(from: fromDay.description, to: toDay.description, page: facts.shopOffset / size + 1, pages: pages(facts.shopCount),
                               shopCount: facts.shopCount, sort: shopOrder.rawValue, shops: facts.shops.map(figures), total: figures(facts.total),
                               driverPage: facts.driverOffset / size + 1, driverPages: pages(facts.driverCount), driverCount: facts.driverCount,
                               driverSort: driverOrder.rawValue, drivers: drivers, pageSize: size)
    }
}
