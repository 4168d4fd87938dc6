import DriverDeskCore
import Foundation
import PostgresHarness
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 14: `kill -9` of a camera import on a chain's PostgreSQL database at random moments: all or nothing, one
/// audit entry with it, and the same file imported again gives exactly one copy. (`make soak`: 100,000 rows, 30 trials.)
@Suite("Reliability: kill -9 of an import on a chain (PostgreSQL)", .serialized)
struct ChainCrashTests {
    @Test("kill -9 during `violation import` on a chain: all or nothing, the audit with it, and the import run again yields one copy")
    func killImport() throws {
        let clock = Stopwatch()
        let seed = TrialSeed()
        let pg = try ThrowawayPostgres(migrated: false)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("driverdesk-chaincrash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = Processes.environment(folder: folder)
        let now = "2026-11-20 20:00"
        func driverdesk(_ arguments: [String], database: String = "chain", timeout: TimeInterval = 1_800) throws -> Outcome {
            try Processes.run(Shop.binary, arguments + ["--db", pg.shopAddress("BJ01", database: database), "--now", now],
                              environment: environment, folder: folder, timeout: timeout)
        }
        // The base: the chain's schema, one shop and the 20 cars the records name; every trial starts from a copy of it.
        let added = try Processes.run(Shop.binary, ["shop", "add", "BJ01", "--name", "断电测试", "--db", pg.address(as: "driverdesk_owner", shop: "*"), "--now", now],
                                      environment: environment, folder: folder)
        #expect(added.status == 0, "\(seed): \(added)")
        for index in 0..<20 {
            let car = try driverdesk(["vehicle", "add", "--plate", "京A\(String(format: "%05d", index))", "--owner", "车主\(index)"])
            #expect(car.status == 0, "\(seed): \(car)")
        }
        let rows = Scale.importRows, trials = Scale.importTrials
        let csv = folder.appendingPathComponent("notices.csv")
        try Data(CrashTests.records(rows).utf8).write(to: csv)
        func make(_ database: String) throws {
            try pg.must(pg.sql("CREATE DATABASE \(database) TEMPLATE chain OWNER driverdesk_owner", as: "postgres", database: "postgres"))
            // A copy's shop logs in as a role named for its database: made as the chain's owner makes one.
            try pg.must(pg.sql("SELECT driverdesk_roles.make_shop_role('BJ01')", as: "driverdesk_owner", database: database))
        }
        func count(_ database: String) throws -> (violations: Int, imports: Int) {
            // The killed client's server process ends its transaction when it sees the connection gone: wait for it.
            for _ in 0..<500 {
                let others = try pg.rows("SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()", as: "postgres", database: database)
                if others == ["0"] { break }
                usleep(10_000)
            }
            let row = try pg.rows("SELECT (SELECT count(*) FROM violation) || ' ' || (SELECT count(*) FROM audit WHERE action = 'violation.import')",
                                  as: "postgres", database: database)
            let numbers = (row.first ?? "").split(separator: " ").compactMap { Int($0) }
            return (numbers.first ?? -1, numbers.last ?? -1)
        }

        // How long a whole import takes here, and when it has read the file (its progress line) and begins to write.
        let marker = "已读取 \(rows) 条记录（100%）"
        try make("reference")
        let referenceStart = Date()
        let referenceRun = try Processes.start(Shop.binary, ["violation", "import", csv.path, "--json", "--db",
                                                             pg.shopAddress("BJ01", database: "reference"), "--now", now],
                                               environment: environment, folder: folder)
        var readDone: Double?
        while referenceRun.process.isRunning {
            if readDone == nil, ((try? String(contentsOf: referenceRun.err, encoding: .utf8)) ?? "").contains(marker) {
                readDone = Date().timeIntervalSince(referenceStart)
            }
            usleep(2_000)
        }
        let reference = Processes.finish(referenceRun, since: referenceStart, timeout: 1_800)
        #expect(reference.status == 0, "\(seed): \(reference)")
        #expect(try reference.object()["added"] as? Int == rows, "\(seed)")
        var writePhase = max(0.02, reference.seconds - (readDone ?? 0))

        var random = seed.generator
        var wholeAfterKill = 0, noneAfterKill = 0, finishedFirst = 0, rolledBack = 0
        var duration = max(0.2, reference.seconds)
        for trial in 0..<trials {
            let database = "trial\(trial)"
            try make(database)
            let since = Date()
            let started = try Processes.start(Shop.binary, ["violation", "import", csv.path, "--db", pg.shopAddress("BJ01", database: database),
                                                            "--now", now], environment: environment, folder: folder)
            var markerSeen: Double?
            if trial % 2 == 0 {
                // Anywhere in the import: connecting, reading, attributing, copying, moving, committing.
                usleep(useconds_t(Double.random(in: 0.05...duration, using: &random) * 1_000_000))
            } else {
                // In the write: once the whole file is read, during the time it then takes to attribute, copy, move, commit.
                let deadline = Date().addingTimeInterval(duration * 3 + 5)
                while Date() < deadline, started.process.isRunning,
                      !((try? String(contentsOf: started.err, encoding: .utf8)) ?? "").contains(marker) {
                    usleep(2_000)
                }
                markerSeen = Date().timeIntervalSince(since)
                usleep(useconds_t(Double.random(in: 0...(writePhase * 1.1), using: &random) * 1_000_000))
            }
            let wasWriting = started.process.isRunning && ((try? String(contentsOf: started.err, encoding: .utf8)) ?? "").contains(marker)
            kill(started.process.processIdentifier, SIGKILL)
            let outcome = Processes.finish(started, since: since, timeout: 60)
            if !outcome.signaled {
                #expect(outcome.status == 0, "\(seed): trial \(trial): the import failed on its own: \(outcome)")
                finishedFirst += 1
                // It ran faster than measured (the machine was busier then): aim earlier from now on.
                duration = max(0.1, min(duration, outcome.seconds) * 0.9)
                if let markerSeen { writePhase = max(0.02, min(writePhase, outcome.seconds - markerSeen) * 0.9) }
            }
            let after = try count(database)
            #expect(after.violations == 0 || after.violations == rows, "\(seed): trial \(trial): \(after.violations) of \(rows) records are in the database")
            #expect(after.imports == (after.violations == 0 ? 0 : 1), "\(seed): trial \(trial): the import's audit entry and its records are not one transaction")
            if outcome.signaled { if after.violations == 0 { noneAfterKill += 1 } else { wholeAfterKill += 1 } }
            if outcome.signaled && wasWriting && after.violations == 0 { rolledBack += 1 }

            // The same file again: exactly one copy.
            let again = try driverdesk(["violation", "import", csv.path, "--json"], database: database)
            #expect(again.status == 0, "\(seed): trial \(trial): \(again)")
            #expect(try count(database).violations == rows, "\(seed): trial \(trial): after importing again")
            try pg.must(pg.sql("DROP DATABASE \(database)", as: "postgres", database: "postgres"))
        }
        #expect(rolledBack >= 1, "\(seed): no kill landed inside the write (\(finishedFirst) of \(trials) finished first)")
        #expect(noneAfterKill + wholeAfterKill >= trials / 2, "\(seed): only \(noneAfterKill + wholeAfterKill) of \(trials) imports were killed")
        figure("chain/crash/import: \(trials) trials of a \(rows)-row import on PostgreSQL (\(String(format: "%.1f", reference.seconds)) s) killed at random: "
            + "\(noneAfterKill) left nothing (\(rolledBack) of them killed after the file was read), \(wholeAfterKill) left it whole, \(finishedFirst) finished before the kill; "
            + "0 partial, 0 duplicated; \(String(format: "%.1f", clock.seconds)) s")
    }
}
