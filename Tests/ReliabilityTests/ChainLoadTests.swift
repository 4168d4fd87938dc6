import DriverDeskCore
import Foundation
import PostgresHarness
import Testing

extension Shop {
    /// A shop of a chain: its folder for logs and plans, and the desk's address of its shop as `db`.
    init(folder: URL, db: String) {
        self.folder = folder
        self.db = db
    }
}

/// Issue 14, under load on PostgreSQL: 8 command-line writers in 4 shops of one chain (two of them in the same shop on
/// the same cars and staff), the web server of that shop under wrk and a page walker, and cleanup every second.
@Suite("Reliability: a chain under load (PostgreSQL)", .serialized)
struct ChainLoadTests {
    /// Every invariant as SQL that must count 0, over the whole chain (read as the superuser).
    static let invariants: [(String, String)] = [
        ("two movements of one car overlap (R1)", """
            SELECT count(*) FROM movement a JOIN movement b ON a.vehicle_id = b.vehicle_id AND a.id < b.id
            WHERE int8range(a.start_at, a.end_at) && int8range(b.start_at, b.end_at)
            """),
        ("one person drives two cars at once, in any shops (R1)", """
            SELECT count(*) FROM movement a JOIN movement b ON a.person_id = b.person_id AND a.id < b.id
            WHERE int8range(a.start_at, a.end_at) && int8range(b.start_at, b.end_at)
            """),
        ("a movement outside its visit, or of another shop's visit (R1)", """
            SELECT count(*) FROM movement m JOIN visit v ON v.id = m.visit_id
            WHERE m.vehicle_id <> v.vehicle_id OR m.shop_id <> v.shop_id OR m.start_at < v.checkin_at
               OR (v.checkout_at IS NOT NULL AND (m.end_at IS NULL OR m.end_at > v.checkout_at))
            """),
        ("a person with more than 3 live registrations across the chain (R3)", """
            SELECT count(*) FROM (SELECT person_id FROM registration WHERE status IN ('invited', 'active', 'removalDue') GROUP BY person_id HAVING count(*) > 3) x
            """),
        ("a car with more than 3 non-owner drivers (R3)", """
            SELECT count(*) FROM (SELECT vehicle_id FROM registration WHERE status IN ('invited', 'active', 'removalDue') GROUP BY vehicle_id HAVING count(*) > 3) x
            """),
        ("a person with more than 1 new registration a day (R3)", """
            SELECT count(*) FROM (SELECT person_id, to_timestamp(activated_at + 8 * 3600)::date FROM registration
                                  WHERE activated_at IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) x
            """),
        ("a movement without its audit entry in its shop (R11)", """
            SELECT count(*) FROM movement m WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.shop_id = m.shop_id
                AND a.action IN ('movement.start', 'movement.log') AND a.subject LIKE 'movement #' || m.id || ' %')
            """),
        ("a violation without its audit entry in its shop (R11)", """
            SELECT count(*) FROM violation v WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.shop_id = v.shop_id
                AND a.action = 'violation.add' AND a.subject LIKE 'violation #' || v.id || ' %')
            """),
        ("a registration without its invite in its shop's audit (R11)", """
            SELECT count(*) FROM registration r WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.shop_id = r.shop_id
                AND a.action = 'registration.invite' AND a.subject LIKE r.ref || ' %')
            """),
        ("a row pointing at another shop's row", """
            SELECT (SELECT count(*) FROM movement m JOIN staff s ON s.id = m.staff_id WHERE s.shop_id <> m.shop_id)
                 + (SELECT count(*) FROM registration r JOIN vehicle v ON v.id = r.vehicle_id WHERE v.shop_id <> r.shop_id)
            """),
    ]

    @Test("8 writers in 4 shops (2 on shared cars), serve under wrk, cleanup every second: no error, exact counts, every invariant, every change audited")
    func everyoneAtOnce() throws {
        let clock = Stopwatch()
        let seed = TrialSeed()
        let pg = try ThrowawayPostgres(migrated: false)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("driverdesk-chainload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let now = "2026-11-20 20:00"
        let codes = ["S1", "S2", "S3", "S4"]
        var shops: [String: Shop] = [:]
        for code in codes {
            let added = try Processes.run(Shop.binary, ["shop", "add", code, "--name", "门店\(code)", "--db", pg.address(as: "driverdesk_owner", shop: "*"), "--now", now],
                                          environment: Processes.environment(folder: folder), folder: folder)
            #expect(added.status == 0, "\(seed): \(added)")
            var shop = Shop(folder: folder, db: pg.shopAddress(code))
            shop.now = now
            shops[code] = shop
        }
        // Six workers on cars and staff of their own (two per shop in S1–S3), two in S4 on the same cars and staff.
        var workers: [(code: String, worker: ConcurrencyTests.Worker)] = []
        var person = 0
        for (index, code) in codes.prefix(3).enumerated() {
            for half in 0..<2 {
                let name = "\(code)\(half)"
                workers.append((code, ConcurrencyTests.Worker(name: name, cars: (1...3).map { "京\(Character(UnicodeScalar(65 + index * 2 + half)!))\(String(format: "%05d", $0))" },
                                                              staff: ["员工\(name)甲", "员工\(name)乙"], shared: false)))
            }
        }
        let sharedCars = ["沪C30001", "沪C30002", "沪C30003"], sharedStaff = ["丙一", "丙二", "丙三"]
        workers.append(("S4", ConcurrencyTests.Worker(name: "S4a", cars: sharedCars, staff: sharedStaff, shared: true)))
        workers.append(("S4", ConcurrencyTests.Worker(name: "S4b", cars: sharedCars, staff: sharedStaff, shared: true)))
        for code in codes {
            let shop = shops[code]!
            let mine = workers.filter { $0.code == code }.map(\.worker)
            for name in Set(mine.flatMap(\.staff)).sorted() {
                person += 1
                try shop.ok("staff", "add", "--name", name, "--id-number", ConcurrencyTests.idNumber(person), "--license-class", "C1",
                            "--license-first-issued", "2010-03-01", "--license-valid-until", "2032-03-01")
            }
            for plate in Set(mine.flatMap(\.cars)).sorted() {
                try shop.ok("vehicle", "add", "--plate", plate, "--owner", "车主\(plate.suffix(2))")
                try shop.ok("visit", "checkin", "--plate", plate, "--at", "2026-10-01 08:00")
            }
        }
        func audit(_ code: String) throws -> Int {
            Int(try pg.rows("SELECT count(*) FROM audit WHERE shop_id = (SELECT id FROM shop WHERE code = '\(code)')", as: "postgres").first ?? "") ?? -1
        }
        var baseline: [String: Int] = [:]
        for code in codes { baseline[code] = try audit(code) }

        let moves = Scale.movesPerWorker
        figure("chain/load: \(seed), \(moves) movements per worker, 8 workers in 4 shops")
        let s4 = shops["S4"]!
        let server = try Server(s4)
        defer { server.stop() }
        let stop = s4.file("stop")
        let cleanupLog = s4.file("cleanup.log"), webLog = s4.file("web.log")
        let cleanup = try ConcurrencyTests.worker(s4, ["every", "1", stop.path, Shop.binary, s4.db, now, cleanupLog.path, "cleanup"])
        let pages = ["/", "/vehicles", "/staff", "/moves", "/violations", "/invites", "/audit", "/report", "/payments", "/cleanup",
                     "/vehicles/" + CurlBrowser.pathEncode("沪C30001")]
        let web = try ConcurrencyTests.worker(s4, ["web", server.base, String(Scale.webRequests), webLog.path] + pages)
        let wrkSeconds = max(5, min(60, moves / 6))
        let wrk = try Processes.start("/usr/bin/wrk", ["-t", "2", "-c", "8", "-d", "\(wrkSeconds)s", server.base + "/"], environment: s4.environment, folder: folder)
        var running: [(code: String, worker: ConcurrencyTests.Worker, process: (process: Process, out: URL, err: URL), log: URL, plan: URL)] = []
        for (index, entry) in workers.enumerated() {
            let shop = shops[entry.code]!
            let plan = folder.appendingPathComponent("plan-\(entry.worker.name).tsv"), log = folder.appendingPathComponent("worker-\(entry.worker.name).log")
            try ConcurrencyTests.plan(entry.worker, moves: moves, seed: seed.value &+ UInt64(index)).joined(separator: "\n").write(to: plan, atomically: true, encoding: .utf8)
            running.append((entry.code, entry.worker, try ConcurrencyTests.worker(shop, ["plan", Shop.binary, shop.db, now, plan.path, log.path]), log, plan))
        }
        for entry in running { ConcurrencyTests.finished("worker \(entry.worker.name)", entry.process, since: clock.start, timeout: 1_800, seed) }
        let load = ConcurrencyTests.finished("wrk", wrk, since: clock.start, timeout: 600, seed)
        ConcurrencyTests.finished("the page walker", web, since: clock.start, timeout: 600, seed)
        _ = FileManager.default.createFile(atPath: stop.path, contents: nil)
        ConcurrencyTests.finished("cleanup every second", cleanup, since: clock.start, timeout: 120, seed)
        #expect(server.isRunning, "\(seed): the server died under load")
        let serverEnd = server.stop()
        #expect(!serverEnd.stderr.contains("Fatal error"), "\(seed): \(serverEnd.stderr.prefix(2_000))")

        // wrk: every answer a 200, and some answers at all.
        #expect(load.status == 0 && !load.stdout.contains("Non-2xx") && !load.stdout.contains("Socket errors"), "\(seed): wrk: \(load.stdout) \(load.stderr)")
        let served = load.stdout.split(separator: "\n").first { $0.contains("requests in") }.map(String.init) ?? "?"
        #expect(served != "?", "\(seed): wrk: \(load.stdout)")

        var all: [ConcurrencyTests.LogLine] = []
        for code in codes {
            let mine = running.filter { $0.code == code }
            var lines: [ConcurrencyTests.LogLine] = []
            for entry in mine {
                let read = ConcurrencyTests.read(entry.log)
                ConcurrencyTests.followedWholePlan(entry.worker.name, plan: entry.plan, log: read, seed)
                lines += read
                let bad = read.filter { $0.status != 0 && $0.status != 1 }
                #expect(bad.isEmpty, "\(seed): worker \(entry.worker.name): \(bad.count) commands ended otherwise than 0 or 1: \(bad.prefix(5).map { "\($0.status) \($0.command) \($0.detail)" })")
                if !entry.worker.shared {
                    let refused = read.filter { $0.status == 1 && ($0.command.hasPrefix("move") || $0.command.hasPrefix("violation")) }
                    #expect(refused.isEmpty, "\(seed): worker \(entry.worker.name) works alone on its cars, yet: \(refused.prefix(5).map(\.command))")
                }
            }
            all += lines
            // Nothing lost: each shop holds exactly what its commands said they did, and one audit entry per change.
            func done(_ command: String) -> Int { lines.filter { $0.command == command && $0.status == 0 }.count }
            func count(_ table: String, _ condition: String = "true") throws -> Int {
                Int(try pg.rows("SELECT count(*) FROM \(table) WHERE shop_id = (SELECT id FROM shop WHERE code = '\(code)') AND \(condition)", as: "postgres").first ?? "") ?? -1
            }
            #expect(try count("movement") == done("move log") + done("move start"), "\(seed): \(code)")
            #expect(try count("violation") == done("violation add"), "\(seed): \(code)")
            #expect(try count("registration") == done("register invite"), "\(seed): \(code)")
            #expect(try count("registration", "activated_at IS NOT NULL") == done("register confirm"), "\(seed): \(code)")
            let writes = done("move log") + done("move start") + done("move end") + done("violation add") + done("register invite") + done("register confirm")
            let cleanupChanges = try count("audit", "action LIKE 'cleanup.%'")
            #expect(try audit(code) == baseline[code]! + writes + cleanupChanges, "\(seed): \(code): every change has exactly one audit entry")
        }
        let cleanups = ConcurrencyTests.read(cleanupLog)
        #expect(!cleanups.isEmpty && cleanups.allSatisfy { $0.status == 0 }, "\(seed): cleanup: \(cleanups.filter { $0.status != 0 }.prefix(5).map { "\($0.status) \($0.detail)" })")
        let requests = ConcurrencyTests.read(webLog)
        #expect(requests.count == Scale.webRequests, "\(seed)")
        #expect(requests.allSatisfy { $0.status == 0 }, "\(seed): web: \(requests.filter { $0.status != 0 }.prefix(5).map { "\($0.command) → \($0.detail)" })")
        let shared = all.filter { ($0.command == "move log" || $0.command == "move start") && $0.status == 1 }.count
        #expect(shared > 0, "\(seed): the shared workers never collided: the test lost its point")
        for (what, query) in ChainLoadTests.invariants {
            let found = try pg.rows(query, as: "postgres").first ?? "?"
            #expect(found == "0", "\(seed): \(found) × \(what)")
        }
        figure("chain/load: \(all.count + cleanups.count) commands in \(String(format: "%.1f", clock.seconds)) s by 8 workers in 4 shops + cleanup (\(cleanups.count) runs) "
            + "+ \(requests.count) page requests + wrk (\(served.trimmingCharacters(in: .whitespaces))); refused by R1 in the shared shop: \(shared); "
            + "exit codes: \(Dictionary(grouping: all, by: \.status).mapValues(\.count).sorted { $0.key < $1.key })")
    }
}
