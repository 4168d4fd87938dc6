import DriverDeskCore
import Foundation
import Testing

/// Issue 7, concurrency: the web server, four command-line users and cron on one database file at once.
@Suite("Reliability: one database file, the server, four command-line users and cron at once", .serialized)
struct ConcurrencyTests {
    /// A valid ID number for sample staff member `index` (R10: birth date and check character).
    static func idNumber(_ index: Int) -> String {
        let first17 = "110105" + "1985" + String(format: "%02d", index % 12 + 1) + String(format: "%02d", index % 28 + 1) + String(format: "%03d", index)
        return first17 + String(IDNumber.checkCharacter(for: first17)!)
    }

    /// Who works on what: two workers on cars and staff of their own, two on the same cars and staff.
    struct Worker {
        var name: String
        var cars: [String]
        var staff: [String]
        var shared: Bool
    }

    static let workers = [
        Worker(name: "A", cars: ["京A10001", "京A10002", "京A10003"], staff: ["甲一", "甲二"], shared: false),
        Worker(name: "B", cars: ["京B20001", "京B20002", "京B20003"], staff: ["乙一", "乙二"], shared: false),
        Worker(name: "C", cars: ["沪C30001", "沪C30002", "沪C30003"], staff: ["丙一", "丙二", "丙三"], shared: true),
        Worker(name: "D", cars: ["沪C30001", "沪C30002", "沪C30003"], staff: ["丙一", "丙二", "丙三"], shared: true),
    ]

    /// 2026-10-01 09:00 plus `minutes`, as typed.
    static func time(_ minutes: Int) -> String {
        let day = 1 + (9 * 60 + minutes) / (24 * 60)
        let minuteOfDay = (9 * 60 + minutes) % (24 * 60)
        // Slots stay within October and November (at most 60 days).
        let (month, dayOfMonth) = day <= 31 ? (10, day) : (11, day - 31)
        return String(format: "2026-%02d-%02d %02d:%02d", month, dayOfMonth, minuteOfDay / 60, minuteOfDay % 60)
    }

    /// The commands of one worker, one per line, arguments separated by tabs (scripts/reliability-worker.sh plan).
    static func plan(_ worker: Worker, moves: Int, seed: UInt64) -> [String] {
        var generator = SeededGenerator(seed: seed)
        var lines: [[String]] = []
        for slot in 0..<moves {
            // Each slot is 10 minutes; a movement lasts 6. Shared workers shift by 0–5 minutes and pick at random,
            // so that they collide on a car or a staff member about one time in three.
            let shift = worker.shared ? Int.random(in: 0...5, using: &generator) : 0
            let car = worker.shared ? worker.cars.randomElement(using: &generator)! : worker.cars[slot % worker.cars.count]
            let staff = worker.shared ? worker.staff.randomElement(using: &generator)! : worker.staff[slot % worker.staff.count]
            let start = slot * 10 + shift, end = start + 6
            if slot % 5 == 4 {
                lines.append(["move", "start", "--plate", car, "--staff", staff, "--purpose", "road-test", "--at", time(start)])
                lines.append(["move", "end", "--plate", car, "--at", time(end)])
            } else {
                lines.append(["move", "log", "--plate", car, "--staff", staff, "--from", time(start), "--to", time(end), "--purpose", "parking"])
            }
            if slot % 10 == 7 {
                // The shared workers record the same camera record: one of them must be refused as a second copy.
                let plate = worker.shared ? worker.cars[(slot / 10) % worker.cars.count] : car
                lines.append(["violation", "add", "--plate", plate, "--at", time(slot * 10 + 1), "--code", "1117", "--location", "东三环北路"])
            }
            if slot % max(1, moves / 4) == 3 {
                lines.append(["@invite-confirm", worker.cars[(slot / 7) % worker.cars.count], worker.staff[(slot / 3) % worker.staff.count]])
            }
        }
        return lines.map { $0.joined(separator: "\t") }
    }

    struct LogLine {
        var status: Int
        var command: String
        var detail: String
    }

    static func read(_ log: URL) -> [LogLine] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            return LogLine(status: Int(parts[0]) ?? -1, command: parts.count > 1 ? parts[1] : "", detail: parts.count > 2 ? parts[2] : "")
        }
    }

    /// Starts `scripts/reliability-worker.sh` with arguments.
    static func worker(_ shop: Shop, _ arguments: [String]) throws -> (process: Process, out: URL, err: URL) {
        let script = Shop.root.appendingPathComponent("scripts/reliability-worker.sh").path
        return try Processes.start("/bin/bash", [script] + arguments, environment: shop.environment, folder: shop.folder)
    }

    /// Every invariant the rulebook and the audit promise, as SQL that must count 0.
    static let invariants: [(String, String)] = [
        ("two movements of one car overlap (R1)", """
            SELECT count(*) FROM movement a JOIN movement b ON a.vehicleId = b.vehicleId AND a.id < b.id
            WHERE a.startAt < coalesce(b.endAt, 9e18) AND b.startAt < coalesce(a.endAt, 9e18)
            """),
        ("a staff member drives two cars at once (R1)", """
            SELECT count(*) FROM movement a JOIN movement b ON a.staffId = b.staffId AND a.id < b.id
            WHERE a.startAt < coalesce(b.endAt, 9e18) AND b.startAt < coalesce(a.endAt, 9e18)
            """),
        ("a movement outside its visit (R1)", """
            SELECT count(*) FROM movement m JOIN visit v ON v.id = m.visitId
            WHERE m.vehicleId <> v.vehicleId OR m.startAt < v.checkinAt
               OR (v.checkoutAt IS NOT NULL AND (m.endAt IS NULL OR m.endAt > v.checkoutAt))
            """),
        ("a staff member with more than 3 registrations active or due for removal (R3)", """
            SELECT count(*) FROM (SELECT staffId FROM registration WHERE status IN ('active', 'removalDue') GROUP BY staffId HAVING count(*) > 3)
            """),
        ("a staff member with more than 3 live registrations, invites included (R3)", """
            SELECT count(*) FROM (SELECT staffId FROM registration WHERE status IN ('invited', 'active', 'removalDue') GROUP BY staffId HAVING count(*) > 3)
            """),
        ("a car with more than 3 non-owner drivers (R3)", """
            SELECT count(*) FROM (SELECT vehicleId FROM registration WHERE status IN ('invited', 'active', 'removalDue') GROUP BY vehicleId HAVING count(*) > 3)
            """),
        ("a staff member with more than 1 new registration a day (R3)", """
            SELECT count(*) FROM (SELECT staffId, date(activatedAt, 'unixepoch', '+8 hours') AS day FROM registration
                                  WHERE activatedAt IS NOT NULL GROUP BY staffId, day HAVING count(*) > 1)
            """),
        ("a movement without its audit entry (R11)", """
            SELECT count(*) FROM movement m WHERE NOT EXISTS (SELECT 1 FROM audit a
                WHERE a.action IN ('movement.start', 'movement.log') AND a.subject LIKE 'movement #' || m.id || ' %')
            """),
        ("an ended movement started with `move start` without its end in the audit (R11)", """
            SELECT count(*) FROM movement m WHERE m.endAt IS NOT NULL
              AND EXISTS (SELECT 1 FROM audit a WHERE a.action = 'movement.start' AND a.subject LIKE 'movement #' || m.id || ' %')
              AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.action = 'movement.end' AND a.subject LIKE 'movement #' || m.id || ' %')
            """),
        ("a violation without its audit entry (R11)", """
            SELECT count(*) FROM violation v WHERE NOT EXISTS (SELECT 1 FROM audit a
                WHERE a.action = 'violation.add' AND a.subject LIKE 'violation #' || v.id || ' %')
            """),
        ("a registration without its invite in the audit (R11)", """
            SELECT count(*) FROM registration r WHERE NOT EXISTS (SELECT 1 FROM audit a
                WHERE a.action = 'registration.invite' AND a.subject LIKE r.ref || ' %')
            """),
        ("an active registration without its confirmation in the audit (R11)", """
            SELECT count(*) FROM registration r WHERE r.activatedAt IS NOT NULL AND NOT EXISTS (SELECT 1 FROM audit a
                WHERE a.action = 'registration.confirm' AND a.subject LIKE r.ref || ' %')
            """),
        ("a second copy of a camera record", """
            SELECT count(*) FROM (SELECT vehicleId, occurredAt, code FROM violation GROUP BY vehicleId, occurredAt, code HAVING count(*) > 1)
            """),
    ]

    static func checkInvariants(_ shop: Shop, _ seed: TrialSeed? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let note = seed.map { "\($0): " } ?? ""
        #expect(try shop.integrity() == "ok", "\(note)integrity", sourceLocation: sourceLocation)
        #expect(try shop.sql("PRAGMA foreign_key_check") == "", "\(note)foreign keys", sourceLocation: sourceLocation)
        for (what, query) in invariants {
            let count = try shop.int(query)
            #expect(count == 0, "\(note)\(count) × \(what)", sourceLocation: sourceLocation)
        }
    }

    /// Waits for a worker of `scripts/reliability-worker.sh` (or wrk) and expects it to have ended by itself with exit 0:
    /// one killed at its deadline or failed leaves a log that only looks complete.
    @discardableResult
    static func finished(_ name: String, _ started: (process: Process, out: URL, err: URL), since: Date, timeout: TimeInterval, _ seed: TrialSeed? = nil,
                         sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        let outcome = Processes.finish(started, since: since, timeout: timeout)
        let how = outcome.signaled ? "by a signal (killed at its deadline of \(Int(timeout)) s?)" : "with exit \(outcome.status)"
        let note = seed.map { "\($0): " } ?? ""
        #expect(!outcome.signaled && outcome.status == 0, "\(note)\(name) ended \(how): \(outcome.stderr.prefix(1_000))", sourceLocation: sourceLocation)
        return outcome
    }

    /// Expects a plan worker's log to hold a line for every line of its plan (an invite and its confirmation make two).
    static func followedWholePlan(_ name: String, plan: URL, log: [LogLine], _ seed: TrialSeed, sourceLocation: SourceLocation = #_sourceLocation) {
        let planned = ((try? String(contentsOf: plan, encoding: .utf8)) ?? "").split(separator: "\n").filter { !$0.isEmpty }.count
        #expect(planned > 0 && log.count >= planned, "\(seed): worker \(name) logged \(log.count) commands for a plan of \(planned)", sourceLocation: sourceLocation)
    }

    @Test("the server under load, 4 writers (2 on shared cars), cleanup every second: no exit 3, no lost write, every invariant holds")
    func everyoneAtOnce() throws {
        let clock = Stopwatch()
        let seed = TrialSeed()
        var shop = try Shop()
        defer { shop.remove() }
        shop.now = "2026-11-20 20:00"
        try shop.ok("init", "--shop-name", "并发测试")
        var staffIndex = 0
        for name in Set(ConcurrencyTests.workers.flatMap(\.staff)).sorted() {
            staffIndex += 1
            try shop.ok("staff", "add", "--name", name, "--id-number", ConcurrencyTests.idNumber(staffIndex), "--license-class", "C1",
                        "--license-first-issued", "2010-03-01", "--license-valid-until", "2032-03-01")
        }
        for plate in Set(ConcurrencyTests.workers.flatMap(\.cars)).sorted() {
            try shop.ok("vehicle", "add", "--plate", plate, "--owner", "车主\(plate.suffix(2))")
            try shop.ok("visit", "checkin", "--plate", plate, "--at", "2026-10-01 08:00")
        }
        let baselineAudit = try shop.count("audit")

        let moves = Scale.movesPerWorker
        figure("concurrency: \(seed), \(moves) movements per worker")
        let server = try Server(shop)
        defer { server.stop() }

        let stop = shop.file("stop")
        let cleanupLog = shop.file("cleanup.log"), webLog = shop.file("web.log")
        let cleanup = try ConcurrencyTests.worker(shop, ["every", "1", stop.path, Shop.binary, shop.db, shop.now, cleanupLog.path, "cleanup"])
        let pages = ["/", "/vehicles", "/staff", "/moves", "/violations", "/invites", "/audit", "/report", "/payments", "/cleanup",
                     "/vehicles/" + CurlBrowser.pathEncode("沪C30001"), "/staff/1"]
        let web = try ConcurrencyTests.worker(shop, ["web", server.base, String(Scale.webRequests), webLog.path] + pages)
        var running: [(Worker, (process: Process, out: URL, err: URL), URL, plan: URL)] = []
        for (index, worker) in ConcurrencyTests.workers.enumerated() {
            let plan = shop.file("plan-\(worker.name).tsv"), log = shop.file("worker-\(worker.name).log")
            try ConcurrencyTests.plan(worker, moves: moves, seed: seed.value &+ UInt64(index)).joined(separator: "\n").write(to: plan, atomically: true, encoding: .utf8)
            running.append((worker, try ConcurrencyTests.worker(shop, ["plan", Shop.binary, shop.db, shop.now, plan.path, log.path]), log, plan))
        }
        for (worker, process, _, _) in running { ConcurrencyTests.finished("worker \(worker.name)", process, since: clock.start, timeout: 1_800, seed) }
        ConcurrencyTests.finished("the page walker", web, since: clock.start, timeout: 600, seed)
        _ = FileManager.default.createFile(atPath: stop.path, contents: nil)
        ConcurrencyTests.finished("cleanup every second", cleanup, since: clock.start, timeout: 120, seed)
        #expect(server.isRunning, "\(seed): the server died under load")
        let serverEnd = server.stop()
        #expect(!serverEnd.stderr.contains("Fatal error"), "\(seed): \(serverEnd.stderr.prefix(2_000))")

        // Every command ended 0 (done) or 1 (refused by a rule): busy waits were absorbed, nothing crashed.
        var all: [LogLine] = []
        for (worker, _, log, plan) in running {
            let lines = ConcurrencyTests.read(log)
            ConcurrencyTests.followedWholePlan(worker.name, plan: plan, log: lines, seed)
            all += lines
            let bad = lines.filter { $0.status != 0 && $0.status != 1 }
            #expect(bad.isEmpty, "\(seed): worker \(worker.name): \(bad.count) commands ended otherwise than 0 or 1: \(bad.prefix(5).map { "\($0.status) \($0.command) \($0.detail)" })")
            if !worker.shared {
                let refused = lines.filter { $0.status == 1 && ($0.command.hasPrefix("move") || $0.command.hasPrefix("violation")) }
                #expect(refused.isEmpty, "\(seed): worker \(worker.name) works alone on its cars, yet: \(refused.prefix(5).map(\.command))")
            }
        }
        let cleanups = ConcurrencyTests.read(cleanupLog)
        #expect(cleanups.allSatisfy { $0.status == 0 }, "\(seed): cleanup: \(cleanups.filter { $0.status != 0 }.prefix(5).map { "\($0.status) \($0.detail)" })")
        let requests = ConcurrencyTests.read(webLog)
        #expect(requests.count == Scale.webRequests, "\(seed)")
        #expect(requests.allSatisfy { $0.status == 0 }, "\(seed): web: \(requests.filter { $0.status != 0 }.prefix(5).map { "\($0.command) → \($0.detail)" })")

        // Nothing lost: the database holds exactly what the commands said they did.
        func done(_ command: String) -> Int { all.filter { $0.command == command && $0.status == 0 }.count }
        func refused(_ command: String) -> Int { all.filter { $0.command == command && $0.status == 1 }.count }
        #expect(try shop.count("movement") == done("move log") + done("move start"), "\(seed)")
        #expect(try shop.count("violation") == done("violation add"), "\(seed)")
        #expect(try shop.count("registration") == done("register invite"), "\(seed)")
        #expect(try shop.int("SELECT count(*) FROM registration WHERE activatedAt IS NOT NULL") == done("register confirm"), "\(seed)")
        #expect(try shop.int("SELECT count(*) FROM movement WHERE endAt IS NULL") == done("move start") - done("move end"), "\(seed)")
        let writes = done("move log") + done("move start") + done("move end") + done("violation add") + done("register invite") + done("register confirm")
        let cleanupChanges = try shop.int("SELECT count(*) FROM audit WHERE action LIKE 'cleanup.%'")
        #expect(try shop.count("audit") == baselineAudit + writes + cleanupChanges, "\(seed): every change has exactly one audit entry")
        // The shared workers really collided, and R1 refused the losers.
        let sharedRefusals = refused("move log") + refused("move start")
        #expect(sharedRefusals > 0, "\(seed): the shared workers never collided: the test lost its point")
        #expect(refused("violation add") > 0, "\(seed): a second copy of a camera record was never refused")
        try ConcurrencyTests.checkInvariants(shop, seed)

        figure("concurrency: \(all.count + cleanups.count) commands in \(String(format: "%.1f", clock.seconds)) s by 4 workers + cleanup (\(cleanups.count) runs) "
            + "+ \(requests.count) web requests; movements \(try shop.count("movement")) (refused by R1: \(sharedRefusals)), "
            + "violations \(try shop.count("violation")) (second copies refused: \(refused("violation add"))), "
            + "registrations \(try shop.count("registration")) (confirmed \(done("register confirm")), refused \(refused("register invite") + refused("register confirm"))); "
            + "exit codes: \(Dictionary(grouping: all, by: \.status).mapValues(\.count).sorted { $0.key < $1.key })")
    }

    /// The migrations a database has applied, in the order they were applied, one a line.
    static func appliedMigrations(_ shop: Shop, db: String) throws -> [String] {
        try shop.sql("SELECT identifier FROM grdb_migrations ORDER BY rowid", db: db).split(separator: "\n").map(String.init)
    }

    /// The migrations every current database has: those of a database this build made on its own.
    static func currentMigrations(_ shop: Shop) throws -> [String] {
        let reference = shop.file("reference-\(UUID().uuidString).sqlite").path
        let made = try shop.run(["init", "--shop-name", "参照"], db: reference)
        #expect(made.status == 0, "\(made)")
        let migrations = try appliedMigrations(shop, db: reference)
        #expect(migrations.count >= 4 && migrations.first == "v1 foundation", "\(migrations)")
        return migrations
    }

    @Test("four commands on a database file that does not exist yet: one makes it, none fails")
    func firstUseRace() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let current = try ConcurrencyTests.currentMigrations(shop)
        var failures: [String] = []
        for trial in 0..<10 {
            let db = shop.file("fresh-\(trial).sqlite").path
            let started = try (0..<4).map { _ in
                try Processes.start(Shop.binary, ["status", "--db", db], environment: shop.environment, folder: shop.folder)
            }
            for process in started {
                let outcome = Processes.finish(process, since: Date(), timeout: 60)
                if outcome.status != 0 { failures.append("trial \(trial): \(outcome)") }
            }
            #expect(try shop.integrity(db: db) == "ok")
            // Made once: every migration applied, each once, in order, and the schema is whole.
            #expect(try ConcurrencyTests.appliedMigrations(shop, db: db) == current, "trial \(trial)")
            #expect(try shop.int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('setting', 'staff', 'vehicle', 'visit', 'movement', 'audit', 'registration', 'violation')", db: db) == 8)
        }
        #expect(failures.isEmpty, "\(failures.count) of 40 first uses failed: \(failures.prefix(3))")
    }

    @Test("an older database opened by four commands at once migrates once; none fails")
    func upgradeRace() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        let old = shop.file("old.sqlite").path
        try FileManager.default.copyItem(atPath: shop.db, toPath: old)
        try UpgradeTests.downgrade(shop, db: old)
        let current = try ConcurrencyTests.currentMigrations(shop)
        #expect(try ConcurrencyTests.appliedMigrations(shop, db: old) == ["v1 foundation"])
        let movements = try shop.count("movement", db: old), audit = try shop.count("audit", db: old)
        var failures: [String] = []
        for trial in 0..<8 {
            let db = shop.file("old-\(trial).sqlite").path
            try FileManager.default.copyItem(atPath: old, toPath: db)
            let started = try (0..<4).map { _ in
                try Processes.start(Shop.binary, ["status", "--db", db], environment: shop.environment, folder: shop.folder)
            }
            for process in started {
                let outcome = Processes.finish(process, since: Date(), timeout: 60)
                if outcome.status != 0 { failures.append("trial \(trial): \(outcome)") }
            }
            // Migrated once: the later migrations applied once each, after v1; the old rows all kept.
            #expect(try ConcurrencyTests.appliedMigrations(shop, db: db) == current, "trial \(trial)")
            #expect(try shop.count("registration", db: db) == 0 && shop.count("violation", db: db) == 0)
            #expect(try shop.count("movement", db: db) == movements && shop.count("audit", db: db) == audit, "trial \(trial)")
            #expect(try shop.integrity(db: db) == "ok")
        }
        #expect(failures.isEmpty, "\(failures.count) of 32 opens failed: \(failures.prefix(3))")
    }
}
