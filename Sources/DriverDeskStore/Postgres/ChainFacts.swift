import DriverDeskCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// What the chain manager's view reads across every shop (the chain's role, or the owner's): one page of shops and one
/// of drivers, as asked, with the whole chain's total and how many of each there are. The database counts, sums and
/// sorts; it decides no rule (each driver's scoring cycle comes with the question, from the core).
public struct ChainReportFacts: Sendable {
    public struct Shop: Sendable, Equatable {
        public var code: String
        public var name: String
        public var activeStaff: Int
        public var vehicles: Int
        public var carsInShop: Int
        public var movements: Int
        public var violations: Int
        public var unpaid: Int
        public var unpaidFen: Int
        public var toReview: Int
        public var removalsDue: Int
    }

    public struct Driver: Sendable, Equatable {
        public var personId: Int64
        public var name: String
        public var idNumber: String
        public var licenseFirstIssued: CivilDate
        public var shops: [String]
        public var movements: Int
        /// His violations not yet paid (open or processed) in every shop, and their fines.
        public var unpaid: Int
        public var unpaidFen: Int
        /// The points of his violations processed in the cycle given for his licence's anniversary.
        public var points: Int
    }

    public var shops: [Shop]
    /// Every shop's figures added up (code `*`).
    public var total: Shop
    public var shopCount: Int
    /// Where the page of shops starts (the question's, or the last page's start when it asked past the end).
    public var shopOffset: Int
    public var drivers: [Driver]
    public var driverCount: Int
    public var driverOffset: Int
}

/// Which page of the chain manager's view, in which order, and the scoring cycles it counts points in.
public struct ChainReportQuestion: Sendable {
    public enum ShopOrder: String, Sendable, CaseIterable {
        /// By code.
        case code
        /// Most unpaid money first.
        case unpaid
        /// Most violations to review first.
        case review
    }

    public enum DriverOrder: String, Sendable, CaseIterable {
        /// By name.
        case name
        /// Most points this cycle first.
        case points
        /// Most unpaid money first.
        case unpaid
    }

    /// A licence anniversary (month and day) and the cycle it is in: points processed in [since, until) count.
    public struct Cycle: Sendable {
        public var month: Int
        public var day: Int
        public var since: Date
        public var until: Date

        public init(month: Int, day: Int, since: Date, until: Date) {
            self.month = month
            self.day = day
            self.since = since
            self.until = until
        }
    }

    /// Movements and violations count from `from` (included) to `to` (excluded).
    public var from: Date
    public var to: Date
    public var shopOrder: ShopOrder
    public var shopOffset: Int
    public var driverOrder: DriverOrder
    public var driverOffset: Int
    /// Rows per page.
    public var limit: Int
    /// The cycles hold for licences first issued on or before `cyclesHoldFor`; a later licence has no points yet.
    public var cycles: [Cycle]
    public var cyclesHoldFor: CivilDate

    public init(from: Date, to: Date, shopOrder: ShopOrder, shopOffset: Int, driverOrder: DriverOrder, driverOffset: Int, limit: Int, cycles: [Cycle],
                cyclesHoldFor: CivilDate) {
        self.cyclesHoldFor = cyclesHoldFor
        self.from = from
        self.to = to
        self.shopOrder = shopOrder
        self.shopOffset = shopOffset
        self.driverOrder = driverOrder
        self.driverOffset = driverOffset
        self.limit = limit
        self.cycles = cycles
    }
}

extension ChainDatabase {
    /// One page of shops and one of drivers, the total and the counts, in one read-only transaction.
    public func chainReport(_ question: ChainReportQuestion) throws -> ChainReportFacts {
        try lock.withLock {
            try transaction(readOnly: true) {
                let range = [PostgresData(int64: question.from.seconds), PostgresData(int64: question.to.seconds)]
                let shopOrder = switch question.shopOrder {
                case .code: "code"
                case .unpaid: "unpaid_fen DESC, code"
                case .review: "to_review DESC, code"
                }
                // The whole chain's figures, each counted once over its table (its index), not shop by shop.
                guard let totalRow = try query("""
                    SELECT '*' AS code, '' AS name,
                        (SELECT count(*) FROM shop) AS shops,
                        (SELECT count(*) FROM staff WHERE active) AS staff,
                        (SELECT count(*) FROM vehicle) AS vehicles,
                        (SELECT count(*) FROM visit WHERE checkout_at IS NULL) AS in_shop,
                        (SELECT count(*) FROM movement WHERE start_at >= $1 AND start_at < $2) AS movements,
                        (SELECT count(*) FROM violation WHERE occurred_at >= $1 AND occurred_at < $2 AND status <> 'void') AS violations,
                        d.unpaid, d.unpaid_fen, d.to_review,
                        (SELECT count(*) FROM registration WHERE status = 'removalDue') AS removals_due,
                        (SELECT count(DISTINCT person_id) FROM staff) AS drivers
                    FROM (SELECT count(*) AS unpaid, coalesce(sum(fine_fen), 0)::bigint AS unpaid_fen,
                              count(*) FILTER (WHERE status = 'open' AND needs_review) AS to_review
                          FROM violation WHERE status IN ('open', 'processed')) d
                    """, range).first else { throw DeskError.storage(message: "the chain's total came back empty") }
                let total = try Self.shopFigures(totalRow)
                let counts = totalRow.makeRandomAccess()
                let shopCount = Int(try counts["shops"].decode(Int64.self)), driverCount = Int(try counts["drivers"].decode(Int64.self))

                // A page past the last shows the last.
                func clamped(_ offset: Int, _ count: Int) -> Int { min(max(0, offset), max(0, (count - 1) / question.limit * question.limit)) }
                let shopOffset = clamped(question.shopOffset, shopCount), driverOffset = clamped(question.driverOffset, driverCount)
                // The unpaid violations of every shop (for the order), then the page's other figures, shop by shop.
                let shops = try query("""
                    WITH due AS (
                        SELECT shop_id, count(*) AS unpaid, sum(fine_fen)::bigint AS unpaid_fen,
                            count(*) FILTER (WHERE status = 'open' AND needs_review) AS to_review
                        FROM violation WHERE status IN ('open', 'processed') GROUP BY shop_id),
                    page AS (
                        SELECT s.id, s.code, s.name, coalesce(d.unpaid, 0) AS unpaid, coalesce(d.unpaid_fen, 0)::bigint AS unpaid_fen,
                            coalesce(d.to_review, 0) AS to_review
                        FROM shop s LEFT JOIN due d ON d.shop_id = s.id ORDER BY \(shopOrder) LIMIT $3 OFFSET $4)
                    SELECT p.code, p.name, p.unpaid, p.unpaid_fen, p.to_review,
                        (SELECT count(*) FROM staff x WHERE x.shop_id = p.id AND x.active) AS staff,
                        (SELECT count(*) FROM vehicle x WHERE x.shop_id = p.id) AS vehicles,
                        (SELECT count(*) FROM visit x WHERE x.shop_id = p.id AND x.checkout_at IS NULL) AS in_shop,
                        (SELECT count(*) FROM movement x WHERE x.shop_id = p.id AND x.start_at >= $1 AND x.start_at < $2) AS movements,
                        (SELECT count(*) FROM violation x WHERE x.shop_id = p.id AND x.occurred_at >= $1 AND x.occurred_at < $2 AND x.status <> 'void') AS violations,
                        (SELECT count(*) FROM registration x WHERE x.shop_id = p.id AND x.status = 'removalDue') AS removals_due
                    FROM page p ORDER BY \(shopOrder)
                    """, range + [PostgresData(int64: Int64(question.limit)), PostgresData(int64: Int64(shopOffset))]).map(Self.shopFigures)
                // Drivers: a person of the chain (whichever shops employ him), his points in the cycle of his licence's
                // anniversary, his unpaid violations; the page's shops and movements, driver by driver.
                let driverOrder = switch question.driverOrder {
                case .name: "name, id"
                case .points: "points DESC, name, id"
                case .unpaid: "unpaid_fen DESC, name, id"
                }
                let since = question.cycles.map(\.since).min() ?? question.from
                let cycleBinds = [
                    PostgresData(array: question.cycles.map { PostgresData(int32: Int32($0.month * 100 + $0.day)) }, elementType: .int4),
                    PostgresData(array: question.cycles.map { PostgresData(int64: $0.since.seconds) }, elementType: .int8),
                    PostgresData(array: question.cycles.map { PostgresData(int64: $0.until.seconds) }, elementType: .int8),
                    PostgresData(int64: since.seconds),
                ]
                let drivers = try query("""
                    WITH cycle AS (SELECT * FROM unnest($3::int[], $4::bigint[], $5::bigint[]) AS c(anniversary, since, until)),
                    points AS (
                        SELECT v.driver_person_id AS person_id, sum(v.points)::bigint AS points
                        FROM violation v JOIN person p ON p.id = v.driver_person_id
                            JOIN cycle c ON c.anniversary = extract(month FROM p.license_first_issued)::int * 100 + extract(day FROM p.license_first_issued)::int
                                AND p.license_first_issued <= $9::date
                        WHERE v.points > 0 AND v.status IN ('processed', 'paid') AND v.processed_at >= $6
                            AND v.processed_at >= c.since AND v.processed_at < c.until
                        GROUP BY v.driver_person_id),
                    due AS (
                        SELECT driver_person_id AS person_id, count(*) AS unpaid, sum(fine_fen)::bigint AS unpaid_fen
                        FROM violation WHERE status IN ('open', 'processed') AND driver_person_id IS NOT NULL GROUP BY driver_person_id),
                    page AS (
                        SELECT p.id, p.name, p.id_number, p.license_first_issued, coalesce(pt.points, 0)::bigint AS points,
                            coalesce(d.unpaid, 0) AS unpaid, coalesce(d.unpaid_fen, 0)::bigint AS unpaid_fen
                        FROM person p LEFT JOIN points pt ON pt.person_id = p.id LEFT JOIN due d ON d.person_id = p.id
                        WHERE p.id IN (SELECT person_id FROM staff)
                        ORDER BY \(driverOrder) LIMIT $7 OFFSET $8)
                    SELECT p.id, p.name, p.id_number, p.license_first_issued::text AS first_issued, p.points, p.unpaid, p.unpaid_fen,
                        (SELECT array_to_string(array_agg(DISTINCT sh.code ORDER BY sh.code), ',') FROM staff st JOIN shop sh ON sh.id = st.shop_id
                         WHERE st.person_id = p.id) AS shops,
                        (SELECT count(*) FROM staff st JOIN movement m ON m.staff_id = st.id
                         WHERE st.person_id = p.id AND m.start_at >= $1 AND m.start_at < $2) AS movements
                    FROM page p ORDER BY \(driverOrder)
                    """, range + cycleBinds + [PostgresData(int64: Int64(question.limit)), PostgresData(int64: Int64(driverOffset)),
                             PostgresData(string: question.cyclesHoldFor.description)]).map { row in
                        let r = row.makeRandomAccess()
                        let first = try r["first_issued"].decode(String.self)
                        guard let issued = try? CivilDate(parsing: first, field: "date") else {
                            throw DeskError.storage(message: "the chain's database holds an unreadable date: \(first)")
                        }
                        func int(_ name: String) throws -> Int { Int(try r[name].decode(Int64.self)) }
                        return ChainReportFacts.Driver(personId: try r["id"].decode(Int64.self), name: try r["name"].decode(String.self),
                                                       idNumber: try r["id_number"].decode(String.self), licenseFirstIssued: issued,
                                                       shops: try r["shops"].decode(String.self).split(separator: ",").map(String.init),
                                                       movements: try int("movements"), unpaid: try int("unpaid"), unpaidFen: try int("unpaid_fen"),
                                                       points: try int("points"))
                    }
                return ChainReportFacts(shops: shops, total: total, shopCount: shopCount, shopOffset: shopOffset, drivers: drivers, driverCount: driverCount,
                                        driverOffset: driverOffset)
            }
        }
    }

    private static func shopFigures(_ row: PostgresRow) throws -> ChainReportFacts.Shop {
        let r = row.makeRandomAccess()
        func int(_ name: String) throws -> Int { Int(try r[name].decode(Int64.self)) }
        return ChainReportFacts.Shop(code: try r["code"].decode(String.self), name: try r["name"].decode(String.self), activeStaff: try int("staff"),
                                     vehicles: try int("vehicles"), carsInShop: try int("in_shop"), movements: try int("movements"),
                                     violations: try int("violations"), unpaid: try int("unpaid"), unpaidFen: try int("unpaid_fen"),
                                     toReview: try int("to_review"), removalsDue: try int("removals_due"))
    }
}
