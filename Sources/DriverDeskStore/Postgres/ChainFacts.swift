import DriverDeskCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// What the chain manager's view reads across every shop (the chain's role, or the owner's).
public struct ChainFacts: Sendable {
    public struct Shop: Sendable {
        public var code: String
        public var name: String
        public var timeZone: String
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

    public struct Driver: Sendable {
        public var personId: Int64
        public var name: String
        public var idNumber: String
        public var licenseFirstIssued: CivilDate
        public var shops: [String]
        public var movements: Int
        public var unpaid: Int
        /// Points of his processed violations, with when each was processed (the rule decides which count).
        public var points: [(points: Int, processedAt: Date)]
    }

    public var shops: [Shop]
    public var drivers: [Driver]
}

extension ChainDatabase {
    /// Every shop's figures for [from, to) and every driver of the chain, with his points processed since `pointsSince`.
    public func chainFacts(from: Date, to: Date, pointsSince: Date) throws -> ChainFacts {
        try lock.withLock {
            try transaction(readOnly: true) {
                let range = [PostgresData(int64: from.seconds), PostgresData(int64: to.seconds)]
                let shops = try query("""
                    SELECT s.code, s.name, s.time_zone,
                        (SELECT count(*) FROM staff x WHERE x.shop_id = s.id AND x.active) AS staff,
                        (SELECT count(*) FROM vehicle x WHERE x.shop_id = s.id) AS vehicles,
                        (SELECT count(*) FROM visit x WHERE x.shop_id = s.id AND x.checkout_at IS NULL) AS in_shop,
                        (SELECT count(*) FROM movement x WHERE x.shop_id = s.id AND x.start_at >= $1 AND x.start_at < $2) AS movements,
                        (SELECT count(*) FROM violation x WHERE x.shop_id = s.id AND x.occurred_at >= $1 AND x.occurred_at < $2 AND x.status <> 'void') AS violations,
                        (SELECT count(*) FROM violation x WHERE x.shop_id = s.id AND x.status IN ('open', 'processed')) AS unpaid,
                        (SELECT coalesce(sum(x.fine_fen), 0)::bigint FROM violation x WHERE x.shop_id = s.id AND x.status IN ('open', 'processed')) AS unpaid_fen,
                        (SELECT count(*) FROM violation x WHERE x.shop_id = s.id AND x.status = 'open' AND x.needs_review) AS to_review,
                        (SELECT count(*) FROM registration x WHERE x.shop_id = s.id AND x.status = 'removalDue') AS removals_due
                    FROM shop s ORDER BY s.code
                    """, range).map { row -> ChainFacts.Shop in
                        let r = row.makeRandomAccess()
                        func int(_ name: String) throws -> Int { Int(try r[name].decode(Int64.self)) }
                        return ChainFacts.Shop(code: try r["code"].decode(String.self), name: try r["name"].decode(String.self),
                                               timeZone: try r["time_zone"].decode(String.self), activeStaff: try int("staff"), vehicles: try int("vehicles"),
                                               carsInShop: try int("in_shop"), movements: try int("movements"), violations: try int("violations"),
                                               unpaid: try int("unpaid"), unpaidFen: try int("unpaid_fen"), toReview: try int("to_review"),
                                               removalsDue: try int("removals_due"))
                    }
                var drivers: [Int64: ChainFacts.Driver] = [:]
                var order: [Int64] = []
                for row in try query("""
                    SELECT p.id, p.name, p.id_number, p.license_first_issued::text AS first_issued,
                        array_to_string(array_agg(DISTINCT sh.code ORDER BY sh.code), ',') AS shops,
                        (SELECT count(*) FROM movement m WHERE m.person_id = p.id AND m.start_at >= $1 AND m.start_at < $2) AS movements,
                        (SELECT count(*) FROM violation v WHERE v.driver_person_id = p.id AND v.status IN ('open', 'processed')) AS unpaid
                    FROM person p JOIN staff st ON st.person_id = p.id JOIN shop sh ON sh.id = st.shop_id
                    GROUP BY p.id ORDER BY p.name, p.id
                    """, range) {
                    let r = row.makeRandomAccess()
                    let id = try r["id"].decode(Int64.self)
                    let first = try r["first_issued"].decode(String.self)
                    guard let issued = try? CivilDate(parsing: first, field: "date") else {
                        throw DeskError.storage(message: "the chain's database holds an unreadable date: \(first)")
                    }
                    drivers[id] = ChainFacts.Driver(personId: id, name: try r["name"].decode(String.self), idNumber: try r["id_number"].decode(String.self),
                                                    licenseFirstIssued: issued, shops: try r["shops"].decode(String.self).split(separator: ",").map(String.init),
                                                    movements: Int(try r["movements"].decode(Int64.self)), unpaid: Int(try r["unpaid"].decode(Int64.self)), points: [])
                    order.append(id)
                }
                for row in try query("""
                    SELECT driver_person_id, points, processed_at FROM violation
                    WHERE driver_person_id IS NOT NULL AND status IN ('processed', 'paid') AND points > 0 AND processed_at >= $1
                    """, [PostgresData(int64: pointsSince.seconds)]) {
                    let (person, points, at) = try row.decode((Int64, Int32, Int64).self)
                    drivers[person]?.points.append((Int(points), Date(timeIntervalSince1970: TimeInterval(at))))
                }
                return ChainFacts(shops: shops, drivers: order.compactMap { drivers[$0] })
            }
        }
    }
}
