import DriverDeskCore
@testable import DriverDeskApp
import DriverDeskStore
import Foundation
import PostgresHarness
import StoreHarness
import Testing

/// The chain manager's view at more than a page (issue 28): aggregated by the database, 50 shops and 50 drivers a page,
/// in the orders offered; the pages together hold every shop and driver once, the total is their sum, and each
/// driver's points are those the core counts from his rows (R6).
@Suite("The chain manager's view, paged and sorted (PostgreSQL)")
struct ChainReportPagingTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    static let shops = 120
    static let people = 130

    /// A violation as the test wrote it, to count what the report should show.
    struct Written {
        var shop: Int
        var person: Int?
        var points: Int
        var fineFen: Int
        var status: String
        var needsReview: Bool
        var processedAt: Int64?
    }

    /// 120 shops of one car each, 130 people (the first 10 in two shops) with licences first issued on days all over
    /// the year (29 February among them), and violations of every state, processed over the last two years.
    func chain() throws -> (server: ThrowawayPostgres, database: String, now: Date, firstIssued: [CivilDate], written: [Written]) {
        let store = try TestStore(.postgres)
        let database = try #require(store.chainDatabase)
        let server = try SharedChain.server()
        let now = try time.parse("2026-11-20 20:00", field: "now", now: Date())
        let nowSeconds = Int64(now.timeIntervalSince1970)
        var sql = ["INSERT INTO shop (code, name, time_zone, created_at) SELECT 'T' || lpad(i::text, 3, '0'), '测试店' || i, 'Asia/Shanghai', 0 FROM generate_series(1, \(Self.shops)) i;"]
        func shop(_ n: Int) -> String { "(SELECT id FROM shop WHERE code = 'T\(String(format: "%03d", n))')" }
        for n in 1...Self.shops {
            sql.append("INSERT INTO vehicle (shop_id, id, plate, owner_name, created_at) OVERRIDING SYSTEM VALUE VALUES (\(shop(n)), \(900_000 + n), '京A\(String(format: "%05d", n))', '车主', 0);")
        }
        var firstIssued: [CivilDate] = []
        var written: [Written] = []
        var random = SplitMix64(seed: 28)
        func staffId(_ person: Int, _ shop: Int) -> Int { 800_000 + person * 1000 + shop }
        for k in 1...Self.people {
            // Days all over the year; two on 29 February; some anniversaries are today or tomorrow.
            let issued = k == 7 || k == 77 ? CivilDate(year: 2012, month: 2, day: 29)! : k == 8 ? CivilDate(year: 2010, month: 11, day: 20)!
                : k == 9 ? CivilDate(year: 2010, month: 11, day: 21)! : CivilDate(daysSinceEpoch: 14_000 + k * 53)
            firstIssued.append(issued)
            let idNumber = String(format: "1101011990%08d", k)
            sql.append("INSERT INTO person (id, id_number, name, license_class, license_first_issued, license_valid_until, created_at) OVERRIDING SYSTEM VALUE VALUES (\(700_000 + k), '\(idNumber)', '司机\(String(format: "%03d", k))', 'C1', '\(issued)', '2040-01-01', 0);")
            var shops = [(k - 1) % Self.shops + 1]
            if k <= 10 { shops.append((k + 59) % Self.shops + 1) }
            for s in shops {
                sql.append("INSERT INTO staff (shop_id, id, person_id, created_at) OVERRIDING SYSTEM VALUE VALUES (\(shop(s)), \(staffId(k, s)), \(700_000 + k), 0);")
            }
            // A movement in his first shop for the first 40 (for the 31st to 40th, two years ago: outside the year shown).
            if k <= 40 {
                let s = shops[0], start = nowSeconds - (k > 30 ? 730 * 86_400 : 86_400) - Int64(k) * 7200
                sql.append("INSERT INTO visit (shop_id, id, vehicle_id, checkin_at, checkout_at) OVERRIDING SYSTEM VALUE VALUES (\(shop(s)), \(600_000 + k), \(900_000 + s), \(start), \(start + 3600));")
                sql.append("INSERT INTO movement (shop_id, visit_id, vehicle_id, staff_id, person_id, start_at, end_at, purpose) VALUES (\(shop(s)), \(600_000 + k), \(900_000 + s), \(staffId(k, s)), \(700_000 + k), \(start + 60), \(start + 600), 'road-test');")
            }
            // Each of his shops' violations: points of every value, some before his cycle began, some not processed.
            for (index, s) in shops.enumerated() {
                for v in 0..<(k % 5) {
                    let status = ["processed", "paid", "open", "paid", "open"][(k + v) % 5]
                    let points = [0, 1, 3, 6, 9, 12][Int(random.next() % 6)]
                    let fine = (Int(random.next() % 5) + 1) * 5_000
                    let processed: Int64? = status == "open" ? nil : nowSeconds - Int64(Int(random.next() % 700)) * 86_400 - Int64(Int(random.next() % 86_400))
                    let occurred = (processed ?? nowSeconds) - 3 * 86_400 - Int64(k * 600 + v * 60 + index)
                    let review = status == "open" && v % 2 == 1
                    let driver = review ? nil : staffId(k, s)
                    written.append(Written(shop: s, person: review ? nil : k, points: points, fineFen: fine, status: status, needsReview: review, processedAt: processed))
                    sql.append("""
                        INSERT INTO violation (shop_id, vehicle_id, occurred_at, code, points, fine_fen, status, driver_id, driver_person_id, attribution, needs_review, reasons, processed_at, paid_at, recorded_at) VALUES (\(shop(s)), \(900_000 + s), \(occurred), '1625', \(points), \(fine), '\(status)', \(driver.map(String.init) ?? "NULL"), \(driver == nil ? "NULL" : String(700_000 + k)), '\(review ? "unattributed" : "manual")', \(review), '', \(processed.map(String.init) ?? "NULL"), \(status == "paid" ? String(processed! + 3600) : "NULL"), \(occurred));
                        """)
                }
            }
        }
        try server.must(server.sql(sql.joined(separator: "\n"), as: "postgres", database: database, singleTransaction: true))
        return (server, database, now, firstIssued, written)
    }

    func open(_ server: ThrowawayPostgres, _ database: String, now: Date) throws -> Chain {
        guard case .postgres(let address) = try DatabaseAddress(parsing: server.address(as: "driverdesk_chain", shop: "*", database: database)) else {
            throw ThrowawayPostgres.Failure(description: "not a chain's address")
        }
        return try Chain.open(address, now: now, operator: "paging-test")
    }

    @Test("shops 50 a page in each order; together every shop once; the total is the sum of the pages; a page past the last shows the last")
    func shopPages() throws {
        let (server, database, now, _, written) = try chain()
        let chain = try open(server, database, now: now)
        defer { chain.close() }
        let first = try chain.report(from: nil, to: nil)
        // The harness's own shop and the 120.
        #expect(first.shopCount == Self.shops + 1 && first.pages == 3 && first.page == 1 && first.shops.count == 50 && first.pageSize == 50, "\(first.shopCount) \(first.pages)")
        for sort in Chain.shopSorts {
            var all: [ChainReportView.ShopFigures] = []
            for page in 1...first.pages {
                let report = try chain.report(from: nil, to: nil, page: String(page), sort: sort)
                #expect(report.page == page && report.sort == sort && report.total == first.total)
                all += report.shops
            }
            #expect(all.count == first.shopCount && Set(all.map(\.code)).count == first.shopCount, "\(sort): \(all.count)")
            switch sort {
            case "code": #expect(all.map(\.code) == all.map(\.code).sorted())
            case "unpaid": #expect(zip(all, all.dropFirst()).allSatisfy { $0.unpaidFinesYuan > $1.unpaidFinesYuan || ($0.unpaidFinesYuan == $1.unpaidFinesYuan && $0.code < $1.code) })
            default: #expect(zip(all, all.dropFirst()).allSatisfy { $0.toReview > $1.toReview || ($0.toReview == $1.toReview && $0.code < $1.code) })
            }
            // The total row is the sum of every page's shops, figure by figure.
            let total = first.total
            #expect(total.activeStaff == all.reduce(0) { $0 + $1.activeStaff } && total.vehicles == all.reduce(0) { $0 + $1.vehicles }
                    && total.carsInShop == all.reduce(0) { $0 + $1.carsInShop } && total.movements == all.reduce(0) { $0 + $1.movements }
                    && total.violations == all.reduce(0) { $0 + $1.violations } && total.unpaid == all.reduce(0) { $0 + $1.unpaid }
                    && total.unpaidFinesYuan == all.reduce(Decimal(0)) { $0 + $1.unpaidFinesYuan } && total.toReview == all.reduce(0) { $0 + $1.toReview }
                    && total.removalsDue == all.reduce(0) { $0 + $1.removalsDue }, "\(total)")
        }
        // What the test wrote: the unpaid ones and their fines, the ones to review.
        let unpaid = written.filter { $0.status == "open" || $0.status == "processed" }
        #expect(first.total.unpaid == unpaid.count && first.total.unpaidFinesYuan == Decimal(unpaid.reduce(0) { $0 + $1.fineFen }) / 100
                && first.total.toReview == written.filter(\.needsReview).count && first.total.activeStaff == Self.people + 10 && first.total.movements == 30,
                "\(first.total)")
        let most = try chain.report(from: nil, to: nil, sort: "unpaid").shops[0]
        let byShop = Dictionary(grouping: unpaid, by: \.shop).mapValues { $0.reduce(0) { $0 + $1.fineFen } }
        #expect(most.unpaidFinesYuan == Decimal(byShop.values.max() ?? 0) / 100, "\(most)")
        // Past the last page: the last.
        let past = try chain.report(from: nil, to: nil, page: "99")
        #expect(past.page == 3 && past.shops.count == first.shopCount - 100)
        // Refused, naming the field.
        #expect { try chain.report(from: nil, to: nil, sort: "money") } throws: { ($0 as? DeskError)?.field == "sort" }
        #expect { try chain.report(from: nil, to: nil, page: "0") } throws: { ($0 as? DeskError)?.field == "page" }
        #expect { try chain.report(from: nil, to: nil, driverPage: "x") } throws: { ($0 as? DeskError)?.field == "driver-page" }
        #expect { try chain.report(from: nil, to: nil, driverSort: "code") } throws: { ($0 as? DeskError)?.field == "driver-sort" }
    }

    @Test("drivers 50 a page by name, points or unpaid money; each driver's points this cycle are the core's count of his rows (R6)")
    func driverPages() throws {
        let (server, database, now, firstIssued, written) = try chain()
        let chain = try open(server, database, now: now)
        defer { chain.close() }
        let today = time.civilDate(of: now)
        let first = try chain.report(from: nil, to: nil)
        #expect(first.driverCount == Self.people && first.driverPages == 3 && first.drivers.count == 50, "\(first.driverCount)")
        for sort in Chain.driverSorts {
            var all: [ChainReportView.Driver] = []
            for page in 1...first.driverPages {
                let report = try chain.report(from: nil, to: nil, driverPage: String(page), driverSort: sort)
                #expect(report.driverPage == page && report.driverSort == sort)
                all += report.drivers
            }
            #expect(all.count == Self.people && Set(all.map(\.name)).count == Self.people, "\(sort)")
            switch sort {
            case "name": #expect(all.map(\.name) == all.map(\.name).sorted())
            case "points": #expect(zip(all, all.dropFirst()).allSatisfy { $0.pointsThisCycle > $1.pointsThisCycle || ($0.pointsThisCycle == $1.pointsThisCycle && $0.name < $1.name) })
            default: #expect(zip(all, all.dropFirst()).allSatisfy { $0.unpaidFinesYuan > $1.unpaidFinesYuan || ($0.unpaidFinesYuan == $1.unpaidFinesYuan && $0.name < $1.name) })
            }
            for driver in all {
                let k = try #require(Int(driver.name.dropFirst(2)))
                let cycle = ScoringCycle.cycle(firstIssued: firstIssued[k - 1], containing: today)
                let points = written.filter { $0.person == k && ($0.status == "processed" || $0.status == "paid") }
                    .filter { (cycle.start...cycle.end).contains(time.civilDate(of: Date(timeIntervalSince1970: TimeInterval($0.processedAt!)))) }
                    .reduce(0) { $0 + $1.points }
                let due = written.filter { $0.person == k && ($0.status == "open" || $0.status == "processed") }
                #expect(driver.pointsThisCycle == points && driver.pointsRemaining == max(0, 12 - points) && driver.cycleEnd == cycle.end.description
                        && driver.unpaid == due.count && driver.unpaidFinesYuan == Decimal(due.reduce(0) { $0 + $1.fineFen }) / 100
                        && driver.shops.count == (k <= 10 ? 2 : 1) && driver.movements == (k <= 30 ? 1 : 0), "\(driver): points \(points), cycle \(cycle)")
            }
        }
        // The test's draw has drivers with points in the cycle and drivers whose points fell before it.
        #expect(try chain.report(from: nil, to: nil, driverSort: "points").drivers[0].pointsThisCycle > 12)
    }
}
