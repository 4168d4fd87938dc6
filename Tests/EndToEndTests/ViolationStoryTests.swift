import Foundation
import Testing

/// The user stories the rules came from (docs/rulebook.md: the user stories, R2, R4–R9), run through the built binary,
/// each in both languages (`$DRIVERDESK_LANG`): the decisions are the same, the words the person's.
@Suite("End to end: violation stories")
struct ViolationStoryTests {
    /// 王磊 registered on 京A12345 on 1 November, the car in the shop on 2 November, 王磊 road-testing it 10:00–10:30.
    func shop(_ language: String, _ backend: Backend) throws -> (CLI, String) {
        var cli = try CLI.bare(backend)
        cli.environment["DRIVERDESK_LANG"] = language
        cli.now = "2026-11-01 09:00"
        let ref = try cli.ok("register", "invite", "--plate", "京A12345", "--staff", "王磊", "--json").object()["ref"] as! String
        try cli.ok("register", "confirm", ref)
        cli.now = "2026-11-02 18:00"
        try cli.ok("visit", "checkin", "--plate", "京A12345", "--at", "2026-11-02 09:00")
        try cli.ok("move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-02 10:00", "--to", "2026-11-02 10:30", "--purpose", "road-test")
        try cli.ok("move", "log", "--plate", "京A12345", "--staff", "李强", "--from", "2026-11-02 11:00", "--to", "2026-11-02 11:10", "--purpose", "parking")
        try cli.ok("visit", "checkout", "--plate", "京A12345", "--at", "2026-11-02 17:00")
        return (cli, ref)
    }

    @Test("Story 4: crossing a solid line while moving a customer's car goes to the driver, online", arguments: ["zh-Hans", "en"], Backend.allCases)
    func solidLine(_ language: String, _ backend: Backend) throws {
        var (cli, _) = try shop(language, backend)
        cli.now = "2026-11-03 09:00"
        let v = try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:12", "--code", "1117", "--location", "东三环北路", "--json").object()
        #expect((v["driver"] as? [String: Any])?["name"] as? String == "王磊")
        #expect(v["attribution"] as? String == "movement")
        #expect(v["channel"] as? String == "online")
        #expect(v["points"] as? Int == 1)
        #expect(v["fineYuan"] as? Int == 200)
        #expect(v["needsReview"] as? Bool == false)
        #expect((v["reasons"] as? [String])?.count ?? 0 >= 2)
        cli.now = "2026-11-04 10:00"
        let processed = try cli.ok("violation", "process", "1", "--json").object()
        #expect(processed["status"] as? String == "processed")
        #expect(processed["dueDate"] as? String == "2026-11-19")
        #expect(try cli.ok("staff", "show", "王磊", "--json").object()["pointsThisCycle"] as? Int == 1)
    }

    @Test("Story 5: a car parked on the street by the shop goes to whoever parked it last", arguments: ["zh-Hans", "en"], Backend.allCases)
    func parked(_ language: String, _ backend: Backend) throws {
        var (cli, _) = try shop(language, backend)
        cli.now = "2026-11-03 09:00"
        let v = try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 14:00", "--code", "1039", "--json").object()
        #expect(v["attribution"] as? String == "parked")
        #expect((v["driver"] as? [String: Any])?["name"] as? String == "李强")
        #expect(v["channel"] as? String == "online")
        #expect(v["points"] as? Int == 0)
    }

    @Test("A violation while the car was not in the shop is the owner's own matter", arguments: ["zh-Hans", "en"], Backend.allCases)
    func outside(_ language: String, _ backend: Backend) throws {
        var (cli, _) = try shop(language, backend)
        cli.now = "2026-11-03 09:00"
        let v = try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 20:00", "--code", "1625", "--json").object()
        #expect(v["attribution"] as? String == "outsideCustody")
        #expect(v["driver"] is NSNull)
        #expect(v["channel"] is NSNull)
        #expect(v["nextAction"] as? String == "none")
    }

    @Test("Story 2: a registration made after the violation means the window, and says why", arguments: ["zh-Hans", "en"], Backend.allCases)
    func registeredAfter(_ language: String, _ backend: Backend) throws {
        var (cli, _) = try shop(language, backend)
        cli.now = "2026-11-03 09:00"
        try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 11:05", "--code", "1357")
        let v = try cli.ok("violation", "show", "1", "--json").object()
        #expect((v["driver"] as? [String: Any])?["name"] as? String == "李强")
        #expect(v["channel"] as? String == "window")
        #expect((v["reasonCodes"] as? [String])?.contains("channel.notRegistered") == true, "\(v["reasonCodes"] ?? "")")
        #expect((v["reasons"] as? [String])?.joined().contains(say(language, "李强在京A12345 上没有有效备案", "李强 has no active registration on 京A12345")) == true, "\(v["reasons"] ?? "")")
        let ref = try cli.ok("register", "invite", "--plate", "京A12345", "--staff", "李强", "--json").object()["ref"] as! String
        try cli.ok("register", "confirm", ref)
        cli.now = "2026-11-05 09:00"
        let after = try cli.ok("violation", "show", "1", "--json").object()
        #expect(after["channel"] as? String == "window")
        #expect((after["reasonCodes"] as? [String])?.contains("channel.registrationAfterViolation") == true, "\(after["reasonCodes"] ?? "")")
        let online = try cli.run(["violation", "process", "1"])
        #expect(online.status == 1)
        #expect(online.stderr.contains("--window"))
        let window = try cli.ok("violation", "process", "1", "--window", "--json").object()
        #expect(window["processedChannel"] as? String == "window")

        // A shop that follows the stories instead of the public rule (R4 setting).
        try cli.ok("config", "set", "rules.registrationMustPrecedeViolation", "false")
        try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 11:04", "--code", "1117")
        #expect(try cli.ok("violation", "show", "2", "--json").object()["channel"] as? String == "online")
    }

    @Test("Story 5: no processing on the day of binding: refused with the first day it works", arguments: ["zh-Hans", "en"], Backend.allCases)
    func sameDay(_ language: String, _ backend: Backend) throws {
        var cli = try CLI.shop(backend)
        cli.environment["DRIVERDESK_LANG"] = language
        cli.now = "2026-11-20 12:00"
        try cli.ok("move", "log", "--plate", "沪B88888", "--staff", "李强", "--from", "2026-11-20 09:10", "--to", "2026-11-20 09:20")
        try cli.ok("config", "set", "rules.registrationMustPrecedeViolation", "false")
        try cli.ok("violation", "add", "--plate", "沪B88888", "--at", "2026-11-20 09:15", "--code", "1117")
        let ref = try cli.ok("register", "invite", "--plate", "沪B88888", "--staff", "李强", "--json").object()["ref"] as! String
        try cli.ok("register", "confirm", ref)
        let v = try cli.ok("violation", "show", "1", "--json").object()
        #expect(v["channel"] as? String == "online")
        #expect(v["onlineFrom"] as? String == "2026-11-21")
        let refused = try cli.run(["violation", "process", "1"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains(say(language, "备案当天不能处理违法：2026-11-21 起可以网上处理", "does not process a violation on the day of binding: online from 2026-11-21")), "\(refused.stderr)")
        cli.now = "2026-11-21 09:00"
        try cli.ok("violation", "process", "1")
    }

    @Test("R7: a 200-yuan fine paid 25 days late costs 350; 45 days late, capped at 400", arguments: ["zh-Hans", "en"], Backend.allCases)
    func lateFees(_ language: String, _ backend: Backend) throws {
        var (cli, _) = try shop(language, backend)
        cli.now = "2026-11-03 09:00"
        try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:05", "--code", "1117", "--record-no", "R-1")
        try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:20", "--code", "1117", "--record-no", "R-2")
        cli.now = "2026-11-04 10:00"
        try cli.ok("violation", "process", "1")
        try cli.ok("violation", "process", "2")
        cli.now = "2026-12-14 10:00"
        let shown = try cli.ok("violation", "show", "1", "--json").object()
        #expect(shown["lateFeeYuan"] as? Int == 150)
        #expect(shown["totalDueYuan"] as? Int == 350)
        let paid = try cli.ok("violation", "pay", "1", "--method", "wechat", "--payer", "driver", "--json").object()
        #expect(paid["paidYuan"] as? Int == 350)
        #expect(paid["lateFeeYuan"] as? Int == 150)
        #expect(paid["removalDue"] is NSNull)
        cli.now = "2027-01-03 10:00"
        let short = try cli.run(["violation", "pay", "2", "--method", "alipay", "--amount", "300", "--json"])
        #expect(short.status == 0)
        #expect(short.stderr.contains(say(language, "注意：实缴 300 元，但 2027-01-03 应缴 400 元", "warning: Paid 300 yuan but 400 yuan was due on 2027-01-03")), "\(short.stderr)")
        #expect((try short.object()["warnings"] as? [String])?.first?.contains(say(language, "应缴 400 元", "400 yuan was due")) == true)
        let second = try short.object()
        #expect(second["lateFeeYuan"] as? Int == 200)
        #expect(second["totalDueYuan"] as? Int == 400)
        #expect(second["removalDue"] as? String != nil)
    }

    @Test("R8 and R9: paying the last fine makes the registration due for removal, cleanup reminds until it is removed", arguments: ["zh-Hans", "en"], Backend.allCases)
    func removal(_ language: String, _ backend: Backend) throws {
        var (cli, ref) = try shop(language, backend)
        cli.now = "2026-11-03 09:00"
        try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:12", "--code", "1117")
        cli.now = "2026-11-04 10:00"
        try cli.ok("violation", "process", "1")
        cli.now = "2026-11-05 10:00"
        let paid = try cli.ok("violation", "pay", "1", "--method", "wechat", "--json").object()
        #expect(paid["removalDue"] as? String == ref)
        #expect(try cli.ok("register", "list", "--status", "removalDue", "--json").array().count == 1)
        let first = try cli.ok("cleanup", "--json").object()
        let actions = try #require(first["actions"] as? [[String: Any]])
        #expect(actions.contains { $0["kind"] as? String == "removalReminder" && $0["ref"] as? String == ref })
        let again = try cli.ok("cleanup", "--json").object()
        #expect((again["actions"] as? [[String: Any]])?.contains { $0["kind"] as? String == "removalReminder" } == true)
        try cli.ok("register", "remove", ref)
        let done = try cli.ok("cleanup", "--json").object()
        #expect((done["actions"] as? [[String: Any]])?.isEmpty == true)
    }

    @Test("R9: cleanup expires invites and schedules stale registrations once; a dry run changes nothing", arguments: ["zh-Hans", "en"], Backend.allCases)
    func cleanup(_ language: String, _ backend: Backend) throws {
        var (cli, ref) = try shop(language, backend)
        cli.now = "2026-11-03 09:00"
        let stale = try cli.ok("register", "invite", "--plate", "沪B88888", "--staff", "李强", "--json").object()["ref"] as! String
        cli.now = "2026-11-20 09:00"
        try cli.ok("visit", "checkin", "--plate", "沪B88888", "--at", "2026-10-10 09:00")
        let before = try cli.dump()
        let dry = try cli.ok("cleanup", "--dry-run", "--json").object()
        #expect(dry["dryRun"] as? Bool == true)
        let kinds = (dry["actions"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(Set(kinds) == ["inviteExpired", "removalDue", "visitStale"])
        #expect(try cli.dump() == before)
        let run = try cli.ok("cleanup", "--json").object()
        let actions = run["actions"] as? [[String: Any]] ?? []
        #expect(actions.contains { $0["kind"] as? String == "inviteExpired" && $0["ref"] as? String == stale })
        #expect(actions.contains { $0["kind"] as? String == "removalDue" && $0["ref"] as? String == ref })
        let second = try cli.ok("cleanup", "--json").object()
        let again = (second["actions"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(!again.contains("inviteExpired"))
        #expect(!again.contains("removalDue"))
        #expect(again.contains("visitStale"))
        #expect(again.contains("removalReminder"))
        // The text in the shop's language: one line per action with what to type next, then the summary.
        let text = try cli.ok("cleanup").stdout
        #expect(text.contains(say(language, "提醒解除备案：", "removal reminder: ")) && text.contains("driverdesk register remove") && text.contains(say(language, "清理完成：", "Cleanup: ")), "\(text)")
    }

    @Test("R7 in cleanup: a fine due soon names the shop's own daily late fee, in the line and in the driver's reminder", arguments: ["zh-Hans", "en"], Backend.allCases)
    func dueSoonRate(_ language: String, _ backend: Backend) throws {
        var (cli, _) = try shop(language, backend)
        cli.now = "2026-11-03 09:00"
        try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:12", "--code", "1117")
        try cli.ok("violation", "process", "1", "--window")
        try cli.ok("config", "set", "fees.lateFeePercentPerDay", "5")
        cli.now = "2026-11-16 09:00"  // due on the 18th
        let actions = try #require(try cli.ok("cleanup", "--dry-run", "--json").object()["actions"] as? [[String: Any]])
        let soon = try #require(actions.first { $0["kind"] as? String == "feeDueSoon" })
        #expect((soon["message"] as? String)?.contains(say(language, "逾期每天加收罚款的 5%", "after that 5% of the fine is added each day")) == true, "\(soon)")
        let reminder = try #require(soon["reminder"] as? [String: Any])
        #expect((reminder["text"] as? String)?.contains("逾期每日加收罚款的5%") == true && (reminder["text"] as? String)?.contains("after that 5% of the fine") == true, "\(reminder)")
    }

    @Test("assign by hand wins and is audited; unknown codes need points and fine; duplicates are refused", arguments: ["zh-Hans", "en"], Backend.allCases)
    func assignAndInput(_ language: String, _ backend: Backend) throws {
        var (cli, _) = try shop(language, backend)
        cli.now = "2026-11-03 09:00"
        let v = try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 13:00", "--code", "1625", "--json").object()
        #expect(v["attribution"] as? String == "unattributed")
        #expect(v["nextAction"] as? String == "review")
        #expect(try cli.run(["violation", "process", "1"]).status == 1)
        let assigned = try cli.ok("violation", "assign", "1", "--staff", "王磊", "--reason", "监控照片是王磊", "--json").object()
        #expect(assigned["attribution"] as? String == "manual")
        #expect(assigned["assignedBy"] as? String == "e2e")
        #expect(try cli.ok("audit", "--json").array().last?["action"] as? String == "violation.assign")
        #expect(try cli.run(["violation", "assign", "1", "--staff", "王磊", "--reason", " "]).status == 2)

        let unknown = try cli.run(["violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:10", "--code", "9999"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains(say(language, "违法代码（code）：违法代码 9999 不在本店的违法代码表里", "code: code 9999 is not in the shop's table of violation codes")) && unknown.stderr.contains("--points"), "\(unknown.stderr)")
        let given = try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:10", "--code", "9999", "--points", "3", "--fine", "150", "--json").object()
        #expect(given["fineYuan"] as? Int == 150)
        let dup = try cli.run(["violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:10", "--code", "9999", "--points", "3", "--fine", "150"])
        #expect(dup.status == 1)
        #expect(try cli.run(["violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:10", "--code", "1117", "--points", "2"]).status == 2)
        #expect(try cli.run(["violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:10", "--code", "1117", "--fine", "-5"]).status == 2)
        #expect(try cli.run(["violation", "pay", "1", "--method", "bitcoin"]).status == 2)
        #expect(try cli.run(["violation", "show", "99"]).status == 2)
        try cli.ok("config", "set", "fine.京.1625", "150")
        let override = try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:25", "--code", "1625", "--json").object()
        #expect(override["fineYuan"] as? Int == 150)
    }

    @Test("report per staff member, car and month, as text, JSON and CSV", arguments: ["zh-Hans", "en"], Backend.allCases)
    func report(_ language: String, _ backend: Backend) throws {
        var (cli, _) = try shop(language, backend)
        cli.now = "2026-11-03 09:00"
        try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-02 10:12", "--code", "1117")
        cli.now = "2026-11-04 10:00"
        try cli.ok("violation", "process", "1")
        try cli.ok("violation", "pay", "1", "--method", "cash", "--payer", "shop")
        let report = try cli.ok("report", "--json").object()
        let staff = try #require((report["staff"] as? [[String: Any]])?.first { ($0["staff"] as? [String: Any])?["name"] as? String == "王磊" })
        #expect(staff["pointsThisCycle"] as? Int == 1)
        #expect(staff["paidByShopYuan"] as? Int == 200)
        #expect((report["months"] as? [[String: Any]])?.first?["month"] as? String == "2026-11")
        // For Excel and WPS on a Chinese PC: UTF-8 with a BOM, headers in the shop's language (简体中文), CRLF.
        let csv = try cli.ok("report", "--csv")
        #expect(csv.stdoutBytes.prefix(3) == Data([0xEF, 0xBB, 0xBF]), "no BOM: \(Array(csv.stdoutBytes.prefix(8)))")
        let text = String(decoding: csv.stdoutBytes.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix(say(language, "员工编号,姓名,本周期记分,剩余分数,", "staff_id,name,points_this_cycle")), "\(text.prefix(80))")
        #expect(text.contains("\r\n1,王磊,1,11,"))
        #expect(try cli.ok("report", "--csv", "--by", "month").stdout.contains("2026-11,1,1,200"))
        // In English, the column names scripts know; GB18030 on request, the same table.
        let english = try cli.ok("report", "--csv", "--lang", "en")
        #expect(String(decoding: english.stdoutBytes.dropFirst(3), as: UTF8.self).hasPrefix("staff_id,name,points_this_cycle"))
        let gb = try cli.ok("report", "--csv", "--encoding", "gb18030").stdoutBytes
        #expect(language == "en" || gb.prefix(4) == Data([0xD4, 0xB1, 0xB9, 0xA4]), "员工 in GB18030 is D4B1 B9A4: \(Array(gb.prefix(4)))")
        #expect(String(data: gb, encoding: String.Encoding(rawValue: 0x8000_0632)) == text)
        let bad = try cli.run(["report", "--csv", "--encoding", "latin1"])
        #expect(bad.status == 2 && bad.stderr.contains("encoding"), "\(bad.stderr)")
    }
}

/// The words a test expects in the language it runs in.
func say(_ language: String, _ chinese: String, _ english: String) -> String { language == "en" ? english : chinese }
