import DriverDeskApp
import DriverDeskCore
import DriverDeskStore
import Foundation
import Logging
import NIOPosix
import PostgresHarness
import PostgresNIO

/// A chain of shops on one PostgreSQL 15 (issue 14): a throwaway server with the durable defaults, the chain's roles
/// and schema, `scale.shops` shops and `scale.movements` movements between them. One shop, the chain's biggest (its
/// flagship), takes the camera file, answers "who drove" and serves its dashboard; the other shops are the rows around
/// it that every query of the flagship must not see.
@MainActor
enum PostgresBench {
    static let psql = ThrowawayPostgres.psqlPath
    /// The columns of a violation row that the import writes (all but its id, which the table numbers).
    static let violationColumns = "shop_id, vehicle_id, occurred_at, code, description_text, category, location, points, fine_fen, record_no, "
        + "status, driver_id, driver_person_id, attribution, needs_review, reasons, movement_id, recorded_at"

    /// The sizes of the shops: the flagship first (half the SQLite shop's cars, a tenth of the movements, a fifth of the
    /// registrations, three years), then the others alike, each with a seed of its own. Up to 999 shops (the 500 of
    /// issue 14) the others have 6 staff, 300 cars, 20 registrations and share what is left of the movements over three
    /// years; from 1,000 shops (the 5,000 of issue 28) a month of a big chain: 10 staff, 300 cars, 20 registrations and
    /// 900 movements each in the last 30 days (4.5 million at 5,000 shops), beside the flagship's three years.
    static func shopScales(_ scale: Scale) -> [Scale] {
        var flagship = scale
        flagship.vehicles = scale.vehicles / 2
        flagship.movements = scale.movements / 10
        flagship.registrations = scale.registrations / 5
        flagship.seed = scale.seed ^ 0x5047
        var scales = [flagship]
        let others = scale.shops - 1
        let rest = scale.movements - flagship.movements
        for n in 1...max(1, others) where others > 0 {
            var shop = scale
            shop.staff = isMonth(scale) ? 10 : 6
            shop.vehicles = 300
            shop.registrations = 20
            if isMonth(scale) {
                shop.days = 30
                shop.movements = 900
            } else {
                shop.movements = rest * n / others - rest * (n - 1) / others
            }
            shop.seed = scale.seed &+ UInt64(n) &* 0x9E37_79B9_7F4A_7C15
            scales.append(shop)
        }
        return scales
    }

    /// Whether the chain is a month of a big chain (from 1,000 shops) rather than three years of a smaller one.
    static func isMonth(_ scale: Scale) -> Bool { scale.shops >= 1000 }

    /// Violations of each shop but the flagship (whose come from its import) over the year to now.
    static let violationsPerShop = 60

    /// A shop's year of violations: most paid, some processed and waiting for payment, some open, a few waiting for a
    /// person to check who drove; drawn from the codes valid over the whole chain.
    static func violations(of chain: Chain, shop: Int, codes: [CodeEntry], into rows: CopyRows) throws {
        var random = SeededRandom(seed: chain.scale.seed ^ 0x7669_6F6C)
        let year: Int64 = 365 * 86_400
        let places = ["北京市朝阳区建国路与东三环中路交叉口", "上海市浦东新区世纪大道近张杨路", "深圳市福田区深南大道华强路口", "修理厂门前道路"]
        for index in 0..<violationsPerShop {
            let occurred = Chain.now - year + Int64(index) * (year / Int64(violationsPerShop)) + Int64(random.below(3600))
            let entry = random.pick(codes)
            let status = ["paid", "processed", "open", "review"][random.weighted([60, 15, 20, 5])]
            let processed: Int64? = status == "paid" || status == "processed" ? min(Chain.now - 60, occurred + random.within64(86_400, 20 * 86_400)) : nil
            let paid: Int64? = status == "paid" ? min(Chain.now - 30, processed! + random.within64(600, 15 * 86_400)) : nil
            try rows.violation(ViolationRow(vehicle: Int64(random.below(chain.scale.vehicles) + 1),
                                            staff: status == "review" ? nil : Int64(random.below(chain.scale.staff) + 1), occurredAt: occurred,
                                            code: entry.code, location: random.pick(places), points: entry.points, fineFen: entry.fineYuan * 100,
                                            recordNo: "B\(shop)-\(index)", status: status == "review" ? "open" : status, processedAt: processed, paidAt: paid))
        }
    }

    static func code(_ index: Int) -> String { String(format: "S%03d", index + 1) }

    static func postgresAddress(_ text: String) throws -> DatabaseAddress.Postgres {
        guard case .postgres(let address) = try DatabaseAddress(parsing: text) else { throw BenchFailure(description: "not a chain address: \(text)") }
        return address
    }

    static func run(scale: Scale, tools: Tools, root: URL) async throws -> [Row] {
        report("PostgreSQL: starting a throwaway PostgreSQL 15 (fsync and synchronous commit on)")
        let server = try ThrowawayPostgres(migrated: false, durable: true)
        // DRIVERDESK_BENCH_PG_LOG_MS=N logs every statement slower than N ms; the server's log is copied into the
        // scratch folder (kept with --keep) at the end.
        if let slow = ProcessInfo.processInfo.environment["DRIVERDESK_BENCH_PG_LOG_MS"].flatMap(Int.init) {
            try server.must(server.sql("ALTER SYSTEM SET log_min_duration_statement = \(slow);", as: "postgres", database: "postgres"))
            try server.must(server.sql("SELECT pg_reload_conf();", as: "postgres", database: "postgres"))
        }
        defer { try? FileManager.default.copyItem(atPath: server.folder + "/server.log", toPath: tools.path("postgres-server.log")) }
        let folder = tools.scratch.appendingPathComponent("postgres")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let flagshipCode = code(0)
        // The flagship's desks log in as the shop's own role (made by shop add).
        let desk = server.shopAddress(flagshipCode)
        let manager = server.address(as: "driverdesk_chain", shop: "*")
        let scales = shopScales(scale)

        // The schema and the shops, as the chain's administrator makes them: the first by the command line (which
        // makes the schema), the others in this process through the same store call.
        let (_, shopsTime) = try timed {
            try runChecked(tools.driverdesk, ["shop", "add", flagshipCode, "--name", "博远汽车维修 总店", "--time-zone", "Asia/Shanghai",
                                              "--db", server.address(as: "driverdesk_owner", shop: "*")],
                           environment: tools.environment, scratch: tools.scratch)
        }
        let owner = try ChainDatabase.connect(postgresAddress(server.address(as: "driverdesk_owner", shop: "*")))
        defer { owner.close() }
        let context = WriteContext(operator: "bench", now: Date(timeIntervalSince1970: TimeInterval(Chain.now - 4 * 365 * 86_400)))
        var shops: [ChainShop] = [try owner.shop(code: flagshipCode).orThrow("shop \(flagshipCode) was not added")]
        for index in 1..<scales.count {
            shops.append(try owner.addShop(code: code(index), name: "博远汽车维修 \(index + 1)号店", timeZone: "Asia/Shanghai", context: context).shop)
        }

        // Every shop's rows into COPY files, then one psql transaction loads them as the superuser (PostgreSQL refuses
        // COPY FROM into a table under row-level security to every other role, the owner included: FORCE applies to it).
        report("PostgreSQL: generating \(scales.count) shops")
        let rows = try CopyRows(folder: folder)
        var idNumbers = Set<String>()
        var flagship: Chain?
        var counts: [String: Int] = [:]
        var codes: [CodeEntry] = []
        let (_, generateTime) = try timed {
            // The flagship last: it takes whatever movements the others' three years left undrawn, so that the chain
            // holds exactly `scale.movements`.
            for index in Array(1..<scales.count) + [0] {
                var shopScale = scales[index]
                if index == 0 && !isMonth(scale) { shopScale.movements = scale.movements - (counts["movements"] ?? 0) }
                let chain = Chain(scale: shopScale, folder: folder)
                chain.idNumbers = idNumbers
                rows.startShop(id: shops[index].id, name: shops[index].name)
                try chain.generate(into: rows)
                idNumbers = chain.idNumbers
                if index > 0 {
                    if codes.isEmpty { codes = try chain.loadCodes(root: root) }
                    try violations(of: chain, shop: index, codes: codes, into: rows)
                    counts["violations", default: 0] += violationsPerShop
                }
                for key in ["visits", "movements", "openVisits", "openMovements", "registrations"] { counts[key, default: 0] += chain.counts[key] ?? 0 }
                counts["staff", default: 0] += shopScale.staff
                counts["vehicles", default: 0] += shopScale.vehicles
                if index == 0 { flagship = chain }
            }
            try rows.finish()
        }
        guard let flagship else { throw BenchFailure(description: "no flagship shop") }
        counts["shops"] = scales.count
        report("PostgreSQL: loading \(counts["movements"] ?? 0) movements of \(scales.count) shops with psql \\copy")
        var load = CopyRows.tables.map { "\\copy \($0.name) (\($0.columns.joined(separator: ", "))) FROM '\(CopyRows.path($0.name, in: folder))'" }
        for table in ["person", "staff", "vehicle", "visit", "movement", "registration"] {
            load.append("SELECT setval(pg_get_serial_sequence('\(table)', 'id'), (SELECT max(id) FROM \(table))) \\g /dev/null")
        }
        let (_, loadTime) = try timed {
            try server.must(server.sql(load.joined(separator: "\n"), as: "postgres", singleTransaction: true))
            // As autovacuum leaves a table that has been written: its visibility map set (the chain manager's counts
            // read their indexes only) and its statistics made.
            try server.must(server.sql("VACUUM (ANALYZE);", as: "postgres"))
        }
        for table in CopyRows.tables { try? FileManager.default.removeItem(atPath: CopyRows.path(table.name, in: folder)) }
        // DRIVERDESK_BENCH_PG_HOLD=FILE: once the chain is loaded, writes the server's socket folder into FILE and waits
        // until FILE is removed (to look at the chain with psql before the measurements).
        if let hold = ProcessInfo.processInfo.environment["DRIVERDESK_BENCH_PG_HOLD"], !hold.isEmpty {
            try Data((server.folder + "\n").utf8).write(to: URL(fileURLWithPath: hold))
            report("PostgreSQL: holding the loaded chain (psql -h \(server.folder) -U postgres -d \(server.database)) until \(hold) is removed")
            while FileManager.default.fileExists(atPath: hold) { usleep(1_000_000) }
        }
        try flagship.writeCameraFile(root: root)
        let facts = counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.grouped)" }.joined(separator: ", ")
        let size = try server.rows("SELECT pg_database_size('chain') / 1000000", as: "postgres").first ?? "?"
        let made = String(format: "made in %.1f s (shops %.1f s, rows drawn %.1f s, psql \\copy and VACUUM ANALYZE %.1f s); database \(size) MB",
                          shopsTime + generateTime + loadTime, shopsTime, generateTime, loadTime)
        report("PostgreSQL chain: \(facts); \(made)")
        let flagshipShop = shops[0]

        var result: [Row] = []
        result += try importRows(server: server, shop: flagshipShop, flagship: flagship, desk: desk, tools: tools, runs: scale.importRuns,
                                 chainFacts: "\(facts); \(made)")
        try resetViolations(server: server, shop: flagshipShop)
        result += try whoRows(server: server, shop: flagshipShop, flagship: flagship, desk: desk, tools: tools, scale: scale)
        let address = try postgresAddress(desk)
        let now = Date(timeIntervalSince1970: TimeInterval(Chain.now))
        let target = WebBench.Target(label: "a shop of the PostgreSQL chain", database: desk,
                                     open: { try Shop.open(chain: address, field: "db", now: now, connections: .pool) }, rssLimitMB: 96,
                                     share: 0.5)
        result += try await WebBench.run(target: target, afterImport: nil, tools: tools, scale: scale)
        result += try managerRows(manager: manager, shops: scales.count, tools: tools)
        try explainReport(server: server, manager: manager, tools: tools)
        try explainWho(server: server, shop: flagshipShop, flagship: flagship, desk: desk, tools: tools)
        return result
    }

    /// Removes the flagship's violations (as the owner), so that every run imports into the same chain.
    static func resetViolations(server: ThrowawayPostgres, shop: ChainShop) throws {
        try server.must(server.sql("DELETE FROM violation WHERE shop_id = \(shop.id);", as: "driverdesk_owner"))
        try server.must(server.sql("VACUUM ANALYZE violation;", as: "driverdesk_owner"))
    }

    // MARK: - Import

    static func importRows(server: ThrowawayPostgres, shop: ChainShop, flagship: Chain, desk: String, tools: Tools, runs: Int,
                           chainFacts: String) throws -> [Row] {
        var times: [Double] = []
        var peaks: [Double] = []
        var outcome = ""
        for run in 0..<runs {
            try resetViolations(server: server, shop: shop)
            report("PostgreSQL: import run \(run + 1) of \(runs)")
            let finished = try runChecked(tools.driverdesk, ["violation", "import", flagship.csvPath, "--db", desk, "--now", Chain.nowText,
                                                             "--operator", "bench", "--json"],
                                          environment: tools.environment, scratch: tools.scratch, capture: true, memory: true)
            times.append(finished.seconds)
            peaks.append(finished.peakMB)
            if run == 0 { outcome = ChainBench.summary(ofImport: finished.stdout) }
        }
        // The yardstick: the very rows the import wrote, dumped as COPY text and loaded by psql's \copy into the real
        // violation table (its checks, foreign keys and eight indexes), as the superuser: PostgreSQL refuses COPY FROM
        // into a table under row-level security to every other role, so the import stages its rows and moves them.
        let dump = tools.path("violations.copy")
        try server.must(server.sql("\\copy (SELECT \(violationColumns) FROM violation WHERE shop_id = \(shop.id) ORDER BY id) TO '\(dump)'",
                                   as: "driverdesk_owner"))
        var copyTimes: [Double] = []
        var copyPeaks: [Double] = []
        var copied = ""
        for _ in 0..<runs {
            try resetViolations(server: server, shop: shop)
            let finished = try runChecked(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", server.folder, "-U", "postgres", "-d", server.database,
                                                 "-c", "\\copy violation (\(violationColumns)) FROM '\(dump)'"], scratch: tools.scratch, memory: true)
            copyTimes.append(finished.seconds)
            copyPeaks.append(finished.peakMB)
            copied = try server.rows("SELECT count(*) FROM violation WHERE shop_id = \(shop.id)", as: "postgres").first ?? "?"
        }
        try? FileManager.default.removeItem(atPath: dump)
        let ours = Timing(runs: times)
        let yard = Timing(runs: copyTimes)
        let memory = Timing(runs: peaks)
        return [
            Row(name: "PostgreSQL chain: violation import, \(flagship.scale.records.grouped) records into one shop (driverdesk process)", ours: ours,
                yardstickName: "psql \\copy of the same rows into the violation table", yardstick: yard, target: "≤ 2× psql \\copy",
                ratio: ours.median / yard.median, met: ours.median / yard.median <= 2,
                note: "the chain: \(chainFacts). The shop's violations removed before each run; GB18030 file; \(outcome); "
                    + "psql loaded the \(copied) rows the import wrote (dumped with \\copy TO), as the superuser (COPY FROM is refused under row-level security)",
                ratioMeaning: "ours ÷ psql"),
            Row(name: "PostgreSQL chain: violation import, peak memory (RSS)", ours: memory, yardstickName: "psql \\copy peak RSS",
                yardstick: Timing(runs: copyPeaks), target: "< 128 MB", ratio: memory.median / Timing(runs: copyPeaks).median, met: memory.median < 128,
                note: "GNU time %M of each run above", unit: "MB", ratioMeaning: "ours ÷ psql"),
        ]
    }

    // MARK: - Who drove

    /// The one SELECT that answers "who drove" on the chain's schema (row-level security keeps it to the shop).
    static let whoSQL = """
        SELECT v.id,
          (SELECT p.name || ' ' || m.start_at || ' ' || coalesce(m.end_at::text, '') FROM movement m JOIN person p ON p.id = m.person_id
            WHERE m.vehicle_id = v.id AND m.start_at <= $2 ORDER BY m.start_at DESC LIMIT 1) AS last_movement,
          (SELECT vi.checkin_at || ' ' || coalesce(vi.checkout_at::text, '') FROM visit vi
            WHERE vi.vehicle_id = v.id AND vi.checkin_at <= $3 ORDER BY vi.checkin_at DESC LIMIT 1) AS visit
        FROM vehicle v WHERE v.plate = $1
        """

    static func whoRows(server: ThrowawayPostgres, shop: ChainShop, flagship: Chain, desk: String, tools: Tools, scale: Scale) throws -> [Row] {
        let store = try Shop.open(chain: postgresAddress(desk), field: "db", now: Date())
        defer { try? store.close() }
        let questions = flagship.questions(count: scale.questions, seed: scale.seed ^ 0x5157)
        let plates = try flagship.plates.map { try Plate($0) }
        let slack: Int64 = 600
        for question in questions.prefix(500) {
            _ = try store.attribution(plate: plates[question.vehicle], at: Date(timeIntervalSince1970: TimeInterval(question.at)), isParking: question.isParking)
        }
        let inProcess = try QuestionRuns.measure(questions, runs: scale.whoRuns, label: "PostgreSQL: who in process") { question in
            try store.attribution(plate: plates[question.vehicle], at: Date(timeIntervalSince1970: TimeInterval(question.at)),
                                  isParking: question.isParking).kind.rawValue
        }

        // The floor: the one SELECT above on a connection of its own, logged in as the shop.
        var logger = Logger(label: "bench.postgres")
        logger.logLevel = .critical
        let connection = try PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(),
            configuration: .init(unixSocketPath: "\(server.folder)/.s.PGSQL.5432", username: server.shopRole(shop.code), password: nil, database: server.database),
            id: 99, logger: logger).wait()
        defer { try? connection.close().wait() }
        let raw = try QuestionRuns.measure(questions, runs: scale.whoRuns, label: nil) { question -> String? in
            let binds = [PostgresData(string: flagship.plates[question.vehicle]), PostgresData(int64: question.at + slack), PostgresData(int64: question.at)]
            let answer = try connection.query(whoSQL, binds).wait()
            guard answer.rows.count == 1 else { throw BenchFailure(description: "the who SELECT found \(answer.rows.count) cars for one plate") }
            return nil
        }

        // Whole processes: `driverdesk who` against psql running the same SELECT.
        var ours: [Double] = []
        var yard: [Double] = []
        for (index, question) in questions.suffix(scale.whoProcessRuns + 1).enumerated() {
            let plate = flagship.plates[question.vehicle]
            let ours1 = try runChecked(tools.driverdesk, ["who", "--plate", plate, "--at", Chain.localTime(question.at), "--db", desk, "--now", Chain.nowText,
                                                          "--json"] + (question.isParking ? ["--parking"] : []),
                                       environment: tools.environment, scratch: tools.scratch, capture: true)
            let sql = whoSQL.replacingOccurrences(of: "$1", with: "'\(plate)'").replacingOccurrences(of: "$2", with: "\(question.at + slack)")
                .replacingOccurrences(of: "$3", with: "\(question.at)")
            let yard1 = try runChecked(psql, ["-X", "-q", "-A", "-t", "-h", server.folder, "-U", server.shopRole(shop.code), "-d", server.database, "-c", sql],
                                       scratch: tools.scratch, capture: true)
            guard index > 0 else { continue }
            ours.append(ours1.seconds)
            yard.append(yard1.seconds)
        }
        let process = Timing(runs: ours)
        let psqlTiming = Timing(runs: yard)
        let limit = 0.002
        return [
            Row(name: "PostgreSQL chain: who drove, \(questions.count.grouped) questions in process: p50", ours: Timing(runs: inProcess.p50),
                yardstickName: "the same in one SELECT (postgres-nio): p50", yardstick: Timing(runs: raw.p50), target: "-",
                ratio: Timing(runs: inProcess.p50).median / Timing(runs: raw.p50).median, met: nil,
                note: "Shop.attribution(plate:at:isParking:) over the unix socket: one statement (the shop set once per connection); \(scale.whoRuns) runs; answers: \(inProcess.mix)",
                ratioMeaning: "ours ÷ SELECT"),
            Row(name: "PostgreSQL chain: who drove in process: p99", ours: Timing(runs: inProcess.p99), yardstickName: "the same in one SELECT: p99",
                yardstick: Timing(runs: raw.p99), target: "< 2 ms", ratio: Timing(runs: inProcess.p99).median / Timing(runs: raw.p99).median,
                met: Timing(runs: inProcess.p99).median < limit, note: "slowest single question \(seconds(inProcess.worst))", ratioMeaning: "ours ÷ SELECT"),
            Row(name: "PostgreSQL chain: driverdesk who --json (whole process)", ours: process, yardstickName: "psql process, the same SELECT",
                yardstick: psqlTiming, target: "-", ratio: process.median / psqlTiming.median, met: nil,
                note: "\(ours.count) different questions, spawn to exit (connect, check the schema, find the shop, answer)", ratioMeaning: "ours ÷ psql"),
        ]
    }

    // MARK: - The chain manager

    /// The chain manager's view: `driverdesk report --json` on `?shop=*` and the chain's page, one at a time, each as
    /// first shown (shops by code, drivers by name, the first pages) and sorted as a manager looks for trouble (the shops
    /// with the most unpaid money, the drivers with the most points, their second pages).
    static func managerRows(manager: String, shops: Int, tools: Tools) throws -> [Row] {
        let runs = 3
        let sorted = ["--sort", "unpaid", "--page", "2", "--driver-sort", "points", "--driver-page", "2"]
        var reports: [Double] = []
        var sortedReports: [Double] = []
        var outline = ""
        for run in 0..<runs {
            report("PostgreSQL: the chain's report, run \(run + 1) of \(runs)")
            let first = try runChecked(tools.driverdesk, ["report", "--db", manager, "--now", Chain.nowText, "--json"],
                                       environment: tools.environment, scratch: tools.scratch, capture: true)
            reports.append(first.seconds)
            if run == 0 { outline = ChainBench.summary(ofChainReport: first.stdout) }
            sortedReports.append(try runChecked(tools.driverdesk, ["report", "--db", manager, "--now", Chain.nowText, "--json"] + sorted,
                                                environment: tools.environment, scratch: tools.scratch, capture: true).seconds)
        }
        let port = try WebBench.freePort()
        let log = tools.path("serve-chain.log")
        let pid = try spawn(tools.driverdesk, ["serve", "--db", manager, "--port", "\(port)", "--now", Chain.nowText], environment: tools.environment,
                            stdout: log, stderr: log)
        var pages: [Double] = []
        var sortedPages: [Double] = []
        var bytes = 0
        var after = 0.0
        do {
            defer { WebBench.stopServer(pid) }
            try WebBench.waitForServer(port: port)
            for index in 0..<runs {
                report("PostgreSQL: the chain's page, request \(index + 1) of \(runs)")
                for (path, times) in [("/", 0), ("/?sort=unpaid&page=2&driver-sort=points&driver-page=2", 1)] {
                    let (page, elapsed) = timed { WebBench.httpGet(port: port, path: path) }
                    guard let page, page.status == 200 else { throw BenchFailure(description: "the chain's page \(path) did not answer 200") }
                    if times == 0 {
                        pages.append(elapsed)
                        bytes = page.body.utf8.count
                    } else {
                        sortedPages.append(elapsed)
                    }
                }
            }
            after = procStatusMB(pid, "VmRSS") ?? 0
        }
        let limit = 1.0
        let what = "\(shops.grouped) shops"
        return [
            Row(name: "PostgreSQL chain: driverdesk report --json on ?shop=* (\(what), whole process, first pages)", ours: Timing(runs: reports),
                yardstickName: "-", yardstick: nil, target: "< 1 s", ratio: nil, met: Timing(runs: reports).median < limit,
                note: "the chain manager's role; 50 shops by code and 50 drivers by name, with the chain's total: \(outline)"),
            Row(name: "PostgreSQL chain: driverdesk report --json --sort unpaid --page 2 --driver-sort points --driver-page 2 (\(what))",
                ours: Timing(runs: sortedReports), yardstickName: "-", yardstick: nil, target: "< 1 s", ratio: nil,
                met: Timing(runs: sortedReports).median < limit, note: "every shop's unpaid money and every driver's points this cycle, sorted"),
            Row(name: "PostgreSQL chain: the chain's page GET / (driverdesk serve on ?shop=*, \(what), one request at a time)", ours: Timing(runs: pages),
                yardstickName: "-", yardstick: nil, target: "< 1 s", ratio: nil, met: Timing(runs: pages).median < limit,
                note: "page \(bytes.grouped) bytes; server RSS after \(String(format: "%.1f", after)) MB"),
            Row(name: "PostgreSQL chain: the chain's page sorted, second pages (\(what))", ours: Timing(runs: sortedPages), yardstickName: "-",
                yardstick: nil, target: "< 1 s", ratio: nil, met: Timing(runs: sortedPages).median < limit,
                note: "/?sort=unpaid&page=2&driver-sort=points&driver-page=2"),
        ]
    }

    /// The plans of "who drove" in the flagship, after the measurements: auto_explain (ANALYZE) for its role, five
    /// questions, kept in `who-plans.log` of the scratch folder.
    static func explainWho(server: ThrowawayPostgres, shop: ChainShop, flagship: Chain, desk: String, tools: Tools) throws {
        try withAutoExplain(role: "\"\(server.shopRole(shop.code))\"", slowerThanMs: 0, server: server, log: tools.path("who-plans.log")) {
            for question in flagship.questions(count: 5, seed: 0x5748_4F) {
                _ = try runChecked(tools.driverdesk, ["who", "--plate", flagship.plates[question.vehicle], "--at", Chain.localTime(question.at), "--db", desk,
                                                      "--now", Chain.nowText, "--json"], environment: tools.environment, scratch: tools.scratch, capture: true)
            }
        }
    }

    /// The plans of the chain's report, after the measurements: auto_explain (ANALYZE) for the chain manager's role, one
    /// report of each order, the plans kept in `chain-report-plans.log` of the scratch folder (kept with --keep).
    static func explainReport(server: ThrowawayPostgres, manager: String, tools: Tools) throws {
        let wrote = try withAutoExplain(role: "driverdesk_chain", slowerThanMs: 50, server: server, log: tools.path("chain-report-plans.log")) {
            for sorted in [[], ["--sort", "unpaid", "--page", "2", "--driver-sort", "points", "--driver-page", "2"]] {
                _ = try runChecked(tools.driverdesk, ["report", "--db", manager, "--now", Chain.nowText, "--json"] + sorted,
                                   environment: tools.environment, scratch: tools.scratch, capture: true)
            }
        }
        if wrote { report("PostgreSQL: the report's plans are in \(tools.path("chain-report-plans.log"))") }
    }

    /// Runs `body` with auto_explain (ANALYZE, buffers) on for `role`'s new sessions, for statements slower than the
    /// given milliseconds, and keeps what the server logged meanwhile in `log`; whether there was any.
    @discardableResult
    static func withAutoExplain(role: String, slowerThanMs: Int, server: ThrowawayPostgres, log: String, _ body: () throws -> Void) throws -> Bool {
        let settings = ["session_preload_libraries = 'auto_explain'", "auto_explain.log_min_duration = \(slowerThanMs)", "auto_explain.log_analyze = on",
                        "auto_explain.log_buffers = on"]
        for setting in settings { try server.must(server.sql("ALTER ROLE \(role) SET \(setting);", as: "postgres", database: "postgres")) }
        defer {
            for setting in ["session_preload_libraries", "auto_explain.log_min_duration", "auto_explain.log_analyze", "auto_explain.log_buffers"] {
                try? server.must(server.sql("ALTER ROLE \(role) RESET \(setting);", as: "postgres", database: "postgres"))
            }
        }
        let serverLog = URL(fileURLWithPath: server.folder + "/server.log")
        let logBefore = (try? Data(contentsOf: serverLog))?.count ?? 0
        try body()
        guard let written = try? Data(contentsOf: serverLog), written.count > logBefore else { return false }
        try written.suffix(from: logBefore).write(to: URL(fileURLWithPath: log))
        return true
    }
}

extension Optional {
    func orThrow(_ description: String) throws -> Wrapped {
        guard let self else { throw BenchFailure(description: description) }
        return self
    }
}
