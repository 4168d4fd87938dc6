import DriverDeskCore
import Foundation
import PostgresHarness
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 28: a chain's front desk and commands while PostgreSQL restarts, stops for 15 s, or has its backends ended.
/// The requests during an outage answer 503 within `web.databaseTimeoutSeconds`, those after it succeed, the writes
/// in flight are recorded once or reported as not (or as not known), and `serve` never needs a restart. Each test has
/// a server of its own, which it restarts and stops.
@Suite("Reliability: a chain's serve and commands when its database restarts, stops or loses its backends", .serialized)
struct ChainOutageTests {
    static let now = "2026-11-20 20:00"
    static let timeout = 4
    /// The words of the three outage pages (zh-Hans, the shop's language).
    static let nothingSaved = "这次什么也没有保存", notKnown = "不知道这次有没有记下", pageUnavailable = "这一页暂时打不开"

    /// A chain's shop `code` on `pg`, its desk's address, and the harness's shop on it.
    static func shop(_ pg: ThrowawayPostgres, _ code: String, folder: URL) throws -> Shop {
        let added = try Processes.run(Shop.binary, ["shop", "add", code, "--name", "门店\(code)", "--db", pg.address(as: "driverdesk_owner", shop: "*"), "--now", now],
                                      environment: Processes.environment(folder: folder), folder: folder)
        #expect(added.status == 0, "\(added)")
        var shop = Shop(folder: folder, db: pg.shopAddress(code))
        shop.now = now
        return shop
    }

    /// A new empty folder for a test's files.
    static func scratchFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("driverdesk-outage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// One POST of a new car by a browser of its own, and what it answered.
    struct Attempt: Sendable {
        var plate: String
        var status: Int
        var body: String
    }

    @Test("serve through a restart, pg_terminate_backend, a hung server and a 15 s stop: 503 within the timeout during, 200 after, every write in flight recorded once or reported, LISTEN resumed")
    func serveSurvives() async throws {
        try Shop.requireBinary()
        let seed = TrialSeed()
        var random = seed.generator
        let pg = try ThrowawayPostgres(migrated: false)
        let folder = try ChainOutageTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let shop = try ChainOutageTests.shop(pg, "S1", folder: folder)
        try shop.ok("config", "set", "web.databaseTimeoutSeconds", String(ChainOutageTests.timeout))
        try shop.ok("vehicle", "add", "--plate", "京A10001", "--owner", "张伟")
        let server = try Server(shop)
        defer { server.stop() }
        let desk = CurlBrowser(server)
        #expect(try desk.get("/").status == 200)

        // A second browser adds cars one after another for the whole test, whatever happens to the database.
        let attempts = Mutex<[Attempt]>([]), stop = Atomic<Bool>(false)
        let writer = CurlBrowser(server)
        _ = try writer.get("/vehicles")
        let writing = Thread {
            var index = 0
            while !stop.load(ordering: .acquiring) {
                index += 1
                let plate = "京D" + String(format: "%05d", index)
                if let page = try? writer.post("/vehicles", ["plate": plate, "owner": "车主\(index)"]) {
                    attempts.withLock { $0.append(Attempt(plate: plate, status: page.status, body: page.body)) }
                    if page.status != 303 { _ = try? writer.get("/vehicles") }  // a fresh token after a refusal page
                }
                usleep(30_000)
            }
        }
        writing.start()
        defer { stop.store(true, ordering: .releasing) }

        /// A GET, timed.
        func timed(_ path: String) async throws -> (CurlBrowser.Page, Double) {
            try await onOwnThread {
                let clock = Stopwatch()
                let page = try desk.get(path)
                return (page, clock.seconds)
            }
        }
        /// GETs until one answers 200 (at most `seconds`).
        func recovered(_ path: String, within seconds: Double) async throws -> Bool {
            let clock = Stopwatch()
            while clock.seconds < seconds {
                if try await timed(path).0.status == 200 { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
            return false
        }
        let limit = Double(ChainOutageTests.timeout) + 2

        // 1. A restart: requests during it wait at most the timeout; after it, every page answers.
        try await Task.sleep(for: .milliseconds(Int.random(in: 100...600, using: &random)))
        try await onOwnThread { try pg.restart() }
        for path in ["/", "/moves", "/vehicles"] {
            let (page, seconds) = try await timed(path)
            #expect([200, 503].contains(page.status) && seconds < limit, "\(seed): \(path) after a restart: \(page.status) in \(seconds) s")
            #expect(try await recovered(path, within: 10), "\(seed): \(path) never answered after the restart")
        }

        // 2. Every backend of the shop ended (a failover, an administrator): the next requests succeed on new
        // connections (a read is tried once more), without a 503.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try pg.terminateBackends(of: pg.shopRole("S1")) >= 1)
        for path in ["/moves", "/vehicles", "/staff"] {
            let (page, seconds) = try await timed(path)
            #expect(page.status == 200 && seconds < limit, "\(seed): \(path) after pg_terminate_backend: \(page.status) in \(seconds) s")
        }

        // 3. The server hangs (every process of it stopped with SIGSTOP: the connections stay open, nothing answers):
        // each request ends with 503 at the timeout, instead of waiting for the server.
        try await onOwnThread { try pg.freeze() }
        let frozen = Stopwatch()
        while frozen.seconds < 8 {
            let (page, seconds) = try await timed("/moves")
            #expect(page.status == 503 && seconds < limit, "\(seed): /moves with the server hung: \(page.status) in \(seconds) s")
        }
        try await onOwnThread { try pg.thaw() }
        #expect(try await recovered("/moves", within: 10), "\(seed): /moves never answered after the server went on")

        // 4. Stopped for 15 s: every page, the dashboard too, says the database cannot be reached within the timeout.
        try await onOwnThread { try pg.halt() }
        let down = Stopwatch()
        var during = 0
        while down.seconds < 15 {
            for path in ["/", "/moves", "/vehicles"] {
                let (page, seconds) = try await timed(path)
                during += 1
                #expect(page.status == 503 && seconds < limit, "\(seed): \(path) with the database stopped: \(page.status) in \(seconds) s")
                #expect(page.body.contains(ChainOutageTests.pageUnavailable), "\(seed): \(path)'s 503 page: \(page.body.prefix(400))")
                #expect(page.body.contains("<a class=\"button\" href=\"\(path)\">再试一次</a>"), "\(seed): \(path)'s 503 page offers no retry")
            }
        }
        try await onOwnThread { try pg.resume() }
        for path in ["/", "/moves", "/vehicles"] {
            #expect(try await recovered(path, within: 10), "\(seed): \(path) never answered after the database came back")
        }
        stop.store(true, ordering: .releasing)
        while writing.isExecuting { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.isRunning, "\(seed): serve stopped")

        // The change notices are heard again: one LISTEN of the shop, and a change by a command shows on the dashboard.
        var listening = false
        for _ in 0..<100 where !listening {
            listening = try pg.rows("SELECT count(*) FROM pg_stat_activity WHERE usename = '\(pg.shopRole("S1"))' AND query LIKE 'LISTEN%'", as: "postgres") == ["1"]
            if !listening { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(listening, "\(seed): no LISTEN after the outage")
        try shop.ok("visit", "checkin", "--plate", "京A10001", "--at", "2026-11-20 19:00")
        #expect(try await recovered("/", within: 3) && desk.get("/").body.contains("京A10001"), "\(seed): the dashboard does not show the check-in")

        // Every write the second browser sent: recorded exactly once when it was answered as saved, not at all when
        // the page said nothing was saved, and at most once when it said it was not known.
        let sent = attempts.withLock { $0 }
        let stored = try pg.rows("""
            SELECT v.plate || ' ' || (SELECT count(*) FROM audit a WHERE a.shop_id = v.shop_id AND a.action = 'vehicle.add' AND a.subject LIKE '%' || v.plate || '%')
            FROM vehicle v WHERE v.plate LIKE '京D%'
            """, as: "postgres")
        var recorded: [String: Int] = [:]
        for row in stored {
            let parts = row.split(separator: " ")
            recorded[String(parts[0])] = Int(parts[1]) ?? -1
        }
        var saved = 0, refused = 0, unknown = 0
        for attempt in sent {
            switch attempt.status {
            case 303:
                saved += 1
                #expect(recorded[attempt.plate] == 1, "\(seed): \(attempt.plate) was answered as saved: \(String(describing: recorded[attempt.plate])) audit entries")
            case 503 where attempt.body.contains(ChainOutageTests.notKnown):
                unknown += 1
                #expect(recorded[attempt.plate] ?? 0 <= 1, "\(seed): \(attempt.plate) recorded twice")
            case 503:
                refused += 1
                #expect(attempt.body.contains(ChainOutageTests.nothingSaved), "\(seed): \(attempt.plate)'s 503: \(attempt.body.prefix(400))")
                #expect(!attempt.body.contains("先查看这一页"), "\(seed): \(attempt.plate): 'look first' after a change that was not saved")
                #expect(recorded[attempt.plate] == nil, "\(seed): \(attempt.plate) was answered as not saved, but is in the database")
            default:
                Issue.record("\(seed): \(attempt.plate) answered \(attempt.status): \(attempt.body.prefix(400))")
            }
        }
        #expect(Set(recorded.keys).isSubset(of: Set(sent.map(\.plate))), "\(seed): a car nobody was told of")
        #expect(saved > 0 && refused > 0, "\(seed): the writer should have seen both (saved \(saved), refused \(refused))")
        figure("chain/outage: \(seed), \(sent.count) writes in flight: \(saved) saved, \(refused) refused as not saved, \(unknown) not known; \(during) requests during the stop")
    }

    @Test("an import and a cleanup cut by a restart of the database: all or nothing, and the audit with them")
    func commandsAcrossRestart() async throws {
        try Shop.requireBinary()
        let seed = TrialSeed()
        var random = seed.generator
        let pg = try ThrowawayPostgres(migrated: false)
        let folder = try ChainOutageTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = 10_000
        var cut = 0
        let csv = folder.appendingPathComponent("notices.csv")
        try Data(CrashTests.records(rows).utf8).write(to: csv)
        for trial in 0..<3 {
            let code = "I\(trial)"
            let shop = try ChainOutageTests.shop(pg, code, folder: folder)
            for index in 0..<20 { try shop.ok("vehicle", "add", "--plate", "京A\(String(format: "%05d", index))", "--owner", "车主\(index)") }
            let started = try Processes.start(Shop.binary, ["violation", "import", csv.path, "--json", "--db", shop.db, "--now", ChainOutageTests.now],
                                              environment: shop.environment, folder: folder)
            let since = Date()
            // Once it has read the file and writes, at a random moment of its writing.
            while started.process.isRunning, !((try? String(contentsOf: started.err, encoding: .utf8)) ?? "").contains("已读取 \(rows) 条记录（100%）") {
                try await Task.sleep(for: .milliseconds(2))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...300, using: &random)))
            if started.process.isRunning { cut += 1 }
            try await onOwnThread { try pg.restart() }
            let outcome = try await onOwnThread { Processes.finish(started, since: since, timeout: 600) }
            let counts = try pg.rows("""
                SELECT (SELECT count(*) FROM violation WHERE shop_id = s.id) || ' ' || (SELECT count(*) FROM audit WHERE shop_id = s.id AND action = 'violation.import')
                FROM shop s WHERE code = '\(code)'
                """, as: "postgres")
            #expect(outcome.status == 0 || outcome.status == 3, "\(seed): import trial \(trial): \(outcome)")
            #expect(counts == [outcome.status == 0 ? "\(rows) 1" : "0 0"], "\(seed): import trial \(trial) ended \(outcome.status) with \(counts)")
            figure("chain/outage: import trial \(trial) across a restart: exit \(outcome.status), \(counts.first ?? "?") (violations, audit)")
        }

        #expect(cut > 0, "\(seed): the restart never came while an import was running")

        // Cleanup: six invites made on 1 November expire in a run on the 20th, all of them or none.
        for trial in 0..<3 {
            let code = "C\(trial)"
            let shop = try ChainOutageTests.shop(pg, code, folder: folder)
            for index in 0..<6 {
                try shop.ok("staff", "add", "--name", "员工\(trial)\(index)", "--id-number", ConcurrencyTests.idNumber(100 + trial * 10 + index), "--license-class", "C1",
                            "--license-first-issued", "2010-03-01", "--license-valid-until", "2032-03-01")
                try shop.ok("vehicle", "add", "--plate", "京C\(trial)\(String(format: "%04d", index))", "--owner", "车主\(index)")
                let invited = try shop.run(["register", "invite", "--plate", "京C\(trial)\(String(format: "%04d", index))", "--staff", "员工\(trial)\(index)"],
                                           now: "2026-11-01 09:00")
                #expect(invited.status == 0, "\(invited)")
            }
            let started = try Processes.start(Shop.binary, ["cleanup", "--json", "--db", shop.db, "--now", ChainOutageTests.now],
                                              environment: shop.environment, folder: folder)
            let since = Date()
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...250, using: &random)))
            let running = started.process.isRunning
            try await onOwnThread { try pg.restart() }
            let outcome = try await onOwnThread { Processes.finish(started, since: since, timeout: 120) }
            let counts = try pg.rows("""
                SELECT (SELECT count(*) FROM registration WHERE shop_id = s.id AND status = 'expired') || ' '
                    || (SELECT count(*) FROM audit WHERE shop_id = s.id AND action = 'cleanup.expired')
                FROM shop s WHERE code = '\(code)'
                """, as: "postgres")
            #expect(outcome.status == 0 || outcome.status == 3, "\(seed): cleanup trial \(trial): \(outcome)")
            #expect(counts == [outcome.status == 0 ? "6 6" : "0 0"], "\(seed): cleanup trial \(trial) ended \(outcome.status) with \(counts)")
            figure("chain/outage: cleanup trial \(trial) across a restart\(running ? " (while it ran)" : " (after it ended)"): exit \(outcome.status), \(counts.first ?? "?") (expired, audit)")
        }
    }
}

/// Issue 28 on SQLite: a file another process keeps locked for longer than `web.databaseTimeoutSeconds` gets the desk
/// a 503 that says nothing was saved, within the timeout, instead of a hang; reads go on (WAL); the same form works once
/// the lock is let go.
@Suite("Reliability: serve on a SQLite file locked by another process", .serialized)
struct LockedFileTests {
    @Test("a write while another process holds the file's lock past the timeout: 503 'nothing saved' in time, reads go on, nothing written; the same form works after")
    func lockedFile() async throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        try shop.ok("config", "set", "web.databaseTimeoutSeconds", "2")
        let server = try Server(shop)
        defer { server.stop() }
        let desk = CurlBrowser(server)
        #expect(try desk.get("/vehicles").status == 200)
        // sqlite3 takes the write lock and keeps it until the test removes a file (no race with a loaded machine: the
        // test's task may wait seconds for the cooperative pool under make test).
        let keep = shop.file("keep-lock")
        try Data().write(to: keep)
        let script = shop.file("hold.sql")
        try Data("BEGIN IMMEDIATE;\nINSERT INTO setting (key, value) VALUES ('lock.test', '1');\n.shell while [ -e '\(keep.path)' ]; do sleep 0.05; done\nROLLBACK;\n".utf8)
            .write(to: script)
        let holder = try Processes.start("/usr/bin/sqlite3", [shop.db], environment: shop.environment, folder: shop.folder, stdin: script)
        let since = Date()
        defer { try? FileManager.default.removeItem(at: keep) }
        var held = false
        for _ in 0..<200 where !held {
            // sqlite3 without a busy timeout is refused at once while the lock is held.
            let probe = try Processes.run("/usr/bin/sqlite3", [shop.db, "BEGIN IMMEDIATE; ROLLBACK;"], environment: shop.environment, folder: shop.folder)
            held = probe.status != 0 && probe.stderr.contains("locked")
            if !held { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(held, "sqlite3 did not take the lock")
        // Timed on its own thread, for the same reason.
        let (refused, seconds) = try await onOwnThread {
            let clock = Stopwatch()
            let page = try desk.post("/vehicles", ["plate": "京E12345", "owner": "某人"])
            return (page, clock.seconds)
        }
        // 2 s of waiting for the lock, and whatever a loaded machine adds; without the deadline it waits 15 s.
        #expect(refused.status == 503 && seconds < 10, "a write on a locked file: \(refused.status) in \(seconds) s")
        #expect(refused.body.contains("锁住") && refused.body.contains(ChainOutageTests.nothingSaved), "\(refused.body.prefix(500))")
        #expect(try desk.get("/vehicles").status == 200)
        try FileManager.default.removeItem(at: keep)
        let ended = try await onOwnThread { Processes.finish(holder, since: since, timeout: 30) }
        #expect(ended.status == 0, "sqlite3: \(ended)")
        #expect(try shop.int("SELECT count(*) FROM vehicle WHERE plate = '京E12345'") == 0)
        _ = try desk.get("/vehicles")
        let saved = try desk.post("/vehicles", ["plate": "京E12345", "owner": "某人"])
        #expect(saved.status == 303, "after the lock: \(saved.status) \(saved.body.prefix(300))")
        #expect(try shop.int("SELECT count(*) FROM vehicle WHERE plate = '京E12345'") == 1)
    }
}
