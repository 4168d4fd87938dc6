import DriverDeskCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 7, crashes: kill -9 at random moments; the database stays sound and every write is whole or absent.
@Suite("Reliability: kill -9 at random moments", .serialized)
struct CrashTests {
    /// `count` camera records on 20 cars, with the Chinese header of a traffic police export (as ImportTests).
    static func records(_ count: Int) -> String {
        var lines = ["序号,车牌号,违法时间,违法地点,违法代码,罚款金额,记分,决定书编号,处理状态"]
        lines.reserveCapacity(count + 1)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let start = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01 08:00 +08:00
        for index in 0..<count {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: start.addingTimeInterval(TimeInterval(index) * 500))
            let time = String(format: "%04d/%d/%d %d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            lines.append("\(index + 1),京A\(String(format: "%05d", index % 20)),\(time),北京市朝阳区东三环北路\(index % 7)号,1117,200,1,R\(5_000_000 + index),未处理")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A shop with the 20 customer cars the records name.
    static func importShop() throws -> Shop {
        let shop = try Shop()
        try shop.ok("init", "--shop-name", "断电测试")
        for index in 0..<20 {
            try shop.ok("vehicle", "add", "--plate", "京A\(String(format: "%05d", index))", "--owner", "车主\(index)")
        }
        return shop
    }

    @Test("kill -9 during `violation import`: integrity ok, all or nothing, and the import run again yields one copy")
    func killImport() throws {
        let clock = Stopwatch()
        let seed = TrialSeed()
        let shop = try CrashTests.importShop()
        defer { shop.remove() }
        let rows = Scale.importRows, trials = Scale.importTrials
        let csv = shop.file("notices.csv")
        try Data(CrashTests.records(rows).utf8).write(to: csv)
        let base = shop.file("base.sqlite").path
        try FileManager.default.copyItem(atPath: shop.db, toPath: base)

        // How long a whole import takes here, and how long its write transaction (after "已读取 N 条记录（100%）", its progress line).
        let marker = "已读取 \(rows) 条记录（100%）"
        let referenceStart = Date()
        let referenceRun = try Processes.start(Shop.binary, ["violation", "import", csv.path, "--json", "--db", shop.db, "--now", shop.now],
                                               environment: shop.environment, folder: shop.folder)
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
        let writePhase = max(0.02, reference.seconds - (readDone ?? 0))
        let importsBefore = 1

        var random = seed.generator
        var wholeAfterKill = 0, noneAfterKill = 0, finishedFirst = 0, inWritePhase = 0, rolledBack = 0
        var duration = max(0.2, reference.seconds)
        for trial in 0..<trials {
            let db = shop.file("trial-\(trial).sqlite").path
            try FileManager.default.copyItem(atPath: base, toPath: db)
            let since = Date()
            let started = try Processes.start(Shop.binary, ["violation", "import", csv.path, "--db", db, "--now", shop.now],
                                              environment: shop.environment, folder: shop.folder)
            let moment: Double
            if trial % 2 == 0 {
                // Anywhere in the import: reading, checking, attributing, writing.
                moment = Double.random(in: 0.05...duration, using: &random)
                usleep(useconds_t(moment * 1_000_000))
            } else {
                // In the write transaction: once the import has read the whole file, during the time it then takes to
                // attribute, insert and commit.
                let deadline = Date().addingTimeInterval(duration * 3 + 5)
                while Date() < deadline, started.process.isRunning,
                      !((try? String(contentsOf: started.err, encoding: .utf8)) ?? "").contains(marker) {
                    usleep(2_000)
                }
                // Every other one near the end, where it commits and checkpoints.
                let range = trial % 4 == 1 ? 0...(writePhase * 1.1) : (writePhase * 0.85)...(writePhase * 1.15)
                usleep(useconds_t(Double.random(in: range, using: &random) * 1_000_000))
                moment = Date().timeIntervalSince(since)
                inWritePhase += 1
            }
            // Had it read the whole file and begun writing when the kill came?
            let wasWriting = started.process.isRunning && ((try? String(contentsOf: started.err, encoding: .utf8)) ?? "").contains(marker)
            kill(started.process.processIdentifier, SIGKILL)
            let outcome = Processes.finish(started, since: since, timeout: 60)
            if !outcome.signaled { duration = max(0.1, min(duration, outcome.seconds) * 0.9) }  // it ran faster than measured
            if !outcome.signaled {
                #expect(outcome.status == 0, "\(seed): trial \(trial): the import failed on its own: \(outcome)")
                finishedFirst += 1
            }

            #expect(try shop.integrity(db: db) == "ok", "\(seed): trial \(trial), killed after \(moment) s")
            let count = try shop.count("violation", db: db)
            #expect(count == 0 || count == rows, "\(seed): trial \(trial), killed after \(moment) s: \(count) of \(rows) records are in the database")
            #expect(try shop.int("SELECT count(*) FROM audit WHERE action = 'violation.import'", db: db) == (count == 0 ? 0 : 1),
                    "\(seed): trial \(trial): the import's audit entry and its records are not one transaction")
            if outcome.signaled { if count == 0 { noneAfterKill += 1 } else { wholeAfterKill += 1 } }
            if outcome.signaled && wasWriting && count == 0 { rolledBack += 1 }

            // The same file again: exactly one copy.
            let again = try shop.run(["violation", "import", csv.path, "--json"], db: db, timeout: 1_800)
            #expect(again.status == 0, "\(seed): trial \(trial): \(again)")
            #expect(try shop.count("violation", db: db) == rows, "\(seed): trial \(trial): after importing again")
            #expect(try shop.integrity(db: db) == "ok", "\(seed)")
            try? FileManager.default.removeItem(atPath: db)
        }
        // The trials proved something only if kills really landed inside the write transaction and were rolled back
        // (killed after the whole file was read, and nothing left), and not every import finished first.
        #expect(rolledBack >= 1, "\(seed): no kill landed inside the write transaction (\(inWritePhase) aimed at it, \(finishedFirst) of \(trials) finished first)")
        #expect(noneAfterKill + wholeAfterKill >= trials / 2, "\(seed): only \(noneAfterKill + wholeAfterKill) of \(trials) imports were killed")
        // And the reference database, imported twice, still holds one copy.
        let twice = try shop.run(["violation", "import", csv.path, "--json"], timeout: 1_800)
        #expect(try twice.object()["added"] as? Int == 0, "\(seed)")
        #expect(try shop.count("violation") == rows, "\(seed)")
        #expect(try shop.int("SELECT count(*) FROM audit WHERE action = 'violation.import'") == importsBefore + 1, "\(seed)")
        figure("crash/import: \(trials) trials of a \(rows)-row import (\(String(format: "%.1f", reference.seconds)) s) killed at random: "
            + "\(noneAfterKill) left nothing (\(rolledBack) of them killed inside the write), \(wholeAfterKill) left it whole, \(finishedFirst) finished before the kill (\(inWritePhase) kills aimed at the \(String(format: "%.2f", writePhase)) s write transaction); "
            + "0 partial, 0 damaged, 0 duplicated; \(String(format: "%.1f", clock.seconds)) s")
    }

    static let shanghai = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)

    /// One write of a burst: what it was, how it ended, and how to find it in the database.
    struct Write {
        var arguments: [String]
        var outcome: Outcome
        var find: String
    }

    @Test("kill -9 writes in a burst: integrity ok after each, no acknowledged write lost, every written row has its audit entry")
    func killBurst() throws {
        let clock = Stopwatch()
        let seed = TrialSeed()
        let shop = try Shop.small()
        defer { shop.remove() }
        try shop.ok("visit", "checkin", "--plate", "沪B88888", "--at", "2026-11-01 08:00")
        var random = seed.generator
        var writes: [Write] = []
        var killed = 0
        let kills = Scale.burstKills
        // Each write is started, then killed after 0–35 ms (a debug build needs about 30–40 ms for a write).
        for index in 0..<(kills * 3 / 2) {
            let minutes = 11 * 60 + index * 3
            let at = String(format: "2026-11-%02d %02d:%02d", 3 + minutes / 1440, minutes % 1440 / 60, minutes % 60)
            let plate = index % 2 == 0 ? "京A12345" : "沪B88888"
            let write: ([String], String)
            switch index % 3 {
            case 0, 1:
                let to = String(format: "2026-11-%02d %02d:%02d", 3 + (minutes + 2) / 1440, (minutes + 2) % 1440 / 60, (minutes + 2) % 60)
                let start = Int(try CrashTests.shanghai.parse(at, field: "at", now: Date()).timeIntervalSince1970)
                write = (["move", "log", "--plate", plate, "--staff", index % 2 == 0 ? "王磊" : "李强", "--from", at, "--to", to],
                         "SELECT count(*) FROM movement WHERE startAt = \(start)")
            default:
                write = (["violation", "add", "--plate", plate, "--at", at, "--code", "1117", "--record-no", "BURST-\(index)"],
                         "SELECT count(*) FROM violation WHERE recordNo = 'BURST-\(index)'")
            }
            let since = Date()
            let started = try Processes.start(Shop.binary, write.0 + ["--db", shop.db, "--now", shop.now], environment: shop.environment, folder: shop.folder)
            let willKill = index < kills
            if willKill {
                usleep(useconds_t(Int.random(in: 0...35_000, using: &random)))
                kill(started.process.processIdentifier, SIGKILL)
            }
            let outcome = Processes.finish(started, since: since, timeout: 60)
            if outcome.signaled { killed += 1 }
            #expect(outcome.signaled || outcome.status == 0, "\(seed): \(write.0): \(outcome)")
            writes.append(Write(arguments: write.0, outcome: outcome, find: write.1))
            #expect(try shop.integrity() == "ok", "\(seed): after write \(index) (\(outcome.signaled ? "killed" : "finished"))")
        }

        // Every acknowledged write is there; every killed one is whole or absent (its row and its audit entry together).
        let acknowledgedViolations = writes.filter { $0.arguments[0] == "violation" && !$0.outcome.signaled && $0.outcome.status == 0 }
        var lost = 0
        for write in writes {
            let found = try shop.int(write.find)
            if write.outcome.signaled {
                #expect(found == 0 || found == 1, "\(seed): \(write.arguments): \(found) copies")
            } else {
                #expect(found == 1, "\(seed): lost: \(write.arguments)")
                if found != 1 { lost += 1 }
            }
        }
        let acknowledgedMoves = writes.filter { $0.arguments[0] == "move" && !$0.outcome.signaled && $0.outcome.status == 0 }.count
        let killedMoves = writes.filter { $0.arguments[0] == "move" && $0.outcome.signaled }.count
        let movements = try shop.count("movement") - 1
        #expect(movements >= acknowledgedMoves && movements <= acknowledgedMoves + killedMoves, "\(seed): \(movements) movements for \(acknowledgedMoves) acknowledged and \(killedMoves) killed")
        let acknowledgedAdds = acknowledgedViolations.count
        let killedAdds = writes.filter { $0.arguments[0] == "violation" && $0.outcome.signaled }.count
        let violations = try shop.count("violation") - 1
        #expect(violations >= acknowledgedAdds && violations <= acknowledgedAdds + killedAdds, "\(seed)")
        // Kills that landed: some writes were killed and left nothing behind (killed before their commit).
        let killedAbsent = try writes.filter { $0.outcome.signaled }.filter { try shop.int($0.find) == 0 }.count
        #expect(killed >= kills / 2 && killedAbsent >= 1, "\(seed): \(killed) of \(kills) kills landed, \(killedAbsent) left nothing")
        try ConcurrencyTests.checkInvariants(shop, seed)
        // The database still takes writes after all this.
        try shop.ok("move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-19 10:00", "--to", "2026-11-19 10:05")
        figure("crash/burst: \(writes.count) writes, \(killed) killed by kill -9 at 0–35 ms, \(writes.count - killed) finished; "
            + "movements \(movements) (acknowledged \(acknowledgedMoves)), violations \(violations) (acknowledged \(acknowledgedAdds)); "
            + "integrity ok after each; \(lost) acknowledged writes lost; \(String(format: "%.1f", clock.seconds)) s")
    }
}
