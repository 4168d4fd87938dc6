import Foundation
import Testing

/// The custody report on the command line, as the built binary runs it on each engine (R14): readings at check-in and
/// check-out, `visit report` and its `--json`, the text for the owner, the page written with `--out`, the refusals.
@Suite("End to end: the custody report (visit checkin/checkout readings, visit report, visit edit)")
struct VisitReportTests {
    /// 京A12345 in at 09:00 with 12,345 km and half a tank; 王磊 road-tests it 20 minutes, 李强 parks it 10.
    func stay(_ backend: Backend) throws -> CLI {
        let cli = try CLI.bare(backend)
        let visit = try cli.ok("visit", "checkin", "--plate", "京A12345", "--at", "2026-11-20 09:00", "--odometer", "12345", "--fuel", "50", "--json").object()
        #expect(visit["odometerIn"] as? Int == 12_345 && visit["fuelIn"] as? Int == 50 && visit["odometerOut"] is NSNull && visit["fuelOut"] is NSNull)
        try cli.ok("move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-20 10:00", "--to", "2026-11-20 10:20", "--purpose", "road-test")
        try cli.ok("move", "log", "--plate", "京A12345", "--staff", "李强", "--from", "2026-11-20 11:00", "--to", "2026-11-20 11:10", "--purpose", "parking")
        return cli
    }

    @Test("checkin and checkout take --odometer and --fuel; visit report --json has the movements, kmDriven and unexplainedKm with the visit's keys", arguments: Backend.allCases)
    func report(_ backend: Backend) throws {
        let cli = try stay(backend)
        let out = try cli.ok("visit", "checkout", "--plate", "京A12345", "--at", "2026-11-20 17:00", "--odometer", "12400", "--fuel", "30", "--json").object()
        #expect(out["odometerIn"] as? Int == 12_345 && out["odometerOut"] as? Int == 12_400 && out["fuelOut"] as? Int == 30)
        let report = try cli.ok("visit", "report", "--plate", "京A12345", "--json").object()
        for key in ["movements", "kmDriven", "unexplainedKm", "visitId", "plate", "checkin", "checkout", "odometerIn", "odometerOut", "fuelIn", "fuelOut", "text", "reasons", "reasonCodes"] {
            #expect(report[key] != nil, "visit report --json has no \(key)")
        }
        #expect(report["visitId"] as? Int == out["id"] as? Int && report["plate"] as? String == "京A12345")
        #expect(report["checkin"] as? String == "2026-11-20T09:00:00+08:00" && report["checkout"] as? String == "2026-11-20T17:00:00+08:00")
        #expect(report["kmDriven"] as? Int == 55 && report["unexplainedKm"] as? Int == 22 && report["minutesDriven"] as? Int == 30 && report["flagged"] as? Bool == true)
        let movements = try #require(report["movements"] as? [[String: Any]])
        #expect(movements.count == 2)
        for m in movements { #expect(Set(["id", "staff", "purpose", "start", "end", "minutes"]).isSubset(of: m.keys)) }
        #expect(movements.map { ($0["staff"] as? [String: Any])?["name"] as? String } == ["王磊", "李强"])
        #expect(movements.map { $0["purpose"] as? String } == ["road-test", "parking"] && movements.map { $0["minutes"] as? Int } == [20, 10])
        #expect(movements.first?["start"] as? String == "2026-11-20T10:00:00+08:00" && movements.first?["end"] as? String == "2026-11-20T10:20:00+08:00")
        // The human report: the table, and a clear line for the km the movements cannot explain.
        let human = try cli.ok("visit", "report", "--plate", "京A12345").stdout
        #expect(human.contains("王磊") && human.contains("路试") && human.contains("有 22 公里无法由移车记录解释"), "\(human)")
        // The manager's list in status.
        let flagged = try #require(try cli.ok("status", "--json").object()["unexplainedKm"] as? [[String: Any]])
        #expect(flagged.count == 1 && flagged.first?["plate"] as? String == "京A12345" && flagged.first?["unexplainedKm"] as? Int == 22)
    }

    @Test("a visit without readings reports null km; --visit picks an older stay; unknown visits are bad input", arguments: Backend.allCases)
    func nulls(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        try cli.ok("visit", "checkout", "--plate", "沪B88888", "--at", "2026-11-20 12:00")
        let report = try cli.ok("visit", "report", "--plate", "沪B88888", "--json").object()
        #expect(report["kmDriven"] is NSNull && report["unexplainedKm"] is NSNull && report["odometerIn"] is NSNull && report["fuelOut"] is NSNull)
        #expect((report["movements"] as? [Any])?.isEmpty == true)
        let first = try #require(report["visitId"] as? Int)
        try cli.ok("visit", "checkin", "--plate", "沪B88888", "--at", "2026-11-20 13:00", "--odometer", "800")
        #expect(try cli.ok("visit", "report", "--plate", "沪B88888", "--json").object()["odometerIn"] as? Int == 800, "the open visit")
        #expect(try cli.ok("visit", "report", "--plate", "沪B88888", "--visit", String(first), "--json").object()["visitId"] as? Int == first)
        #expect(try cli.refused(2, "visit", "report", "--plate", "京A12345", "--visit", String(first)).contains("没有到店 #\(first)"))
        #expect(try cli.refused(2, "visit", "report", "--plate", "沪B88888", "--visit", "abc").contains("visit"))
    }

    @Test("bad readings and an odometer lower at check-out: exit 2 naming odometer or fuel, both readings in the message, nothing written", arguments: Backend.allCases)
    func refusals(_ backend: Backend) throws {
        let cli = try stay(backend)
        let lower = try cli.refused(2, "visit", "checkout", "--plate", "京A12345", "--at", "2026-11-20 17:00", "--odometer", "12000")
        #expect(lower.contains("odometer") && lower.contains("12000") && lower.contains("12345"), "\(lower)")
        #expect(try cli.refused(2, "visit", "checkout", "--plate", "京A12345", "--odometer", "-3").contains("odometer"))
        #expect(try cli.refused(2, "visit", "checkout", "--plate", "京A12345", "--fuel", "120").contains("fuel"))
        #expect(try cli.refused(2, "visit", "checkin", "--plate", "沪B88888", "--odometer", "12345678").contains("odometer"))
        #expect(try cli.refused(2, "visit", "checkin", "--plate", "沪B88888", "--fuel", "half").contains("fuel"))
        let english = try cli.refused(2, "visit", "checkout", "--plate", "京A12345", "--odometer", "12000", "--lang", "en")
        #expect(english.contains("odometer") && english.contains("12000 km") && english.contains("12345 km"), "\(english)")
    }

    @Test("visit report --text prints the owner's text, Chinese first, no ID number; --out writes the printable page", arguments: Backend.allCases)
    func text(_ backend: Backend) throws {
        let cli = try stay(backend)
        try cli.ok("visit", "checkout", "--plate", "京A12345", "--at", "2026-11-20 17:00", "--odometer", "12400", "--fuel", "30")
        let text = try cli.ok("visit", "report", "--plate", "京A12345", "--text").stdout
        #expect(text.hasPrefix("【") && text.contains("京A12345") && text.contains("王磊") && text.contains("路试") && text.contains("22 公里无法由移车记录解释"), "\(text)")
        let chinese = try #require(text.range(of: "您好")), english = try #require(text.range(of: "Dear"))
        #expect(chinese.lowerBound < english.lowerBound, "Chinese first")
        #expect(!text.contains("110105") && !text.contains("#"), "no ID number, no record number: \(text)")
        #expect(text.count < 700, "short enough for an SMS or a WeChat message: \(text.count) characters")
        let page = cli.folder.appendingPathComponent("report.html").path
        let written = try cli.ok("visit", "report", "--plate", "京A12345", "--out", page, "--paper", "a5").stdout
        #expect(written.contains(page))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("车辆在店记录") && html.contains("王磊") && html.contains("size: A5"))
        #expect(try cli.refused(2, "visit", "report", "--plate", "京A12345", "--out", cli.folder.appendingPathComponent("r.pdf").path).contains("out"))
    }

    @Test("visit edit corrects a reading with a reason, audited; the figures follow", arguments: Backend.allCases)
    func edit(_ backend: Backend) throws {
        let cli = try stay(backend)
        try cli.ok("visit", "checkout", "--plate", "京A12345", "--at", "2026-11-20 17:00", "--odometer", "12400")
        #expect(try cli.refused(2, "visit", "edit", "--plate", "京A12345", "--odometer-out", "12378").contains("reason"))
        #expect(try cli.refused(2, "visit", "edit", "--plate", "京A12345", "--odometer-out", "12300", "--reason", "看错").contains("odometer-out"))
        let fixed = try cli.ok("visit", "edit", "--plate", "京A12345", "--odometer-out", "12378", "--fuel-out", "35", "--reason", "离店里程看错一位", "--json").object()
        #expect(fixed["odometerOut"] as? Int == 12_378 && fixed["fuelOut"] as? Int == 35)
        #expect(try cli.ok("visit", "report", "--plate", "京A12345", "--json").object()["unexplainedKm"] as? Int == 0)
        let audit = try cli.ok("audit", "--json").array().last
        #expect(audit?["action"] as? String == "visit.edit")
    }
}
