import Foundation
import Testing

/// The corrections on the command line, as the built binary runs them on each engine: exit codes, `--json` keys, and
/// nothing written on a refusal (the database's dump compared).
@Suite("End to end: corrections (move void/edit, staff update, undo, confirm, handback), R13 and the review gate")
struct CorrectionCommandTests {
    @Test("move void and edit: R2 decided again and the changed drivers listed; --voided lists the voided; refusals write nothing", arguments: Backend.allCases)
    func movements(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        let first = try cli.ok("move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-20 10:00", "--to", "2026-11-20 10:30", "--json").object()
        let id = try #require(first["id"] as? Int)
        let v = try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-20 10:15", "--code", "1625", "--json").object()
        #expect((v["driver"] as? [String: Any])?["name"] as? String == "王磊")

        // Bad input: exit 2, the field named.
        #expect(try cli.refused(2, "move", "edit", String(id), "--staff", "李强").contains("原因（reason）"))
        #expect(try cli.refused(2, "move", "edit", String(id), "--reason", "没改").contains("没有要更改的内容"))
        #expect(try cli.refused(2, "move", "void", "999", "--reason", "x").contains("没有移车 #999"))
        #expect(try cli.refused(2, "move", "void", "abc", "--reason", "x").contains("不是移车编号"))
        // R1 for the edit: not past the check-out of... the other car's driver is busy.
        try cli.ok("move", "log", "--plate", "沪B88888", "--staff", "李强", "--from", "2026-11-20 10:10", "--to", "2026-11-20 10:20")
        #expect(try cli.refused(1, "move", "edit", String(id), "--staff", "李强", "--reason", "登记错人").contains("李强不能同时驾驶两辆车"))

        let edited = try cli.ok("move", "edit", String(id), "--staff", "李强", "--from", "2026-11-20 10:25", "--to", "2026-11-20 10:40", "--reason", "登记错人", "--json").object()
        #expect(Set(edited.keys) == ["movement", "voided", "driverChanges", "warnings"])
        let movement = try #require(edited["movement"] as? [String: Any])
        #expect((movement["staff"] as? [String: Any])?["name"] as? String == "李强" && movement["startAt"] as? String == "2026-11-20T10:25:00+08:00")
        let changes = try #require(edited["driverChanges"] as? [[String: Any]])
        #expect(changes.count == 1 && changes[0]["violationId"] as? Int == v["id"] as? Int)
        #expect((changes[0]["from"] as? [String: Any])?["name"] as? String == "王磊" && (changes[0]["to"] as? [String: Any])?["name"] as? String == "李强")
        let after = try cli.ok("violation", "show", String(v["id"] as! Int), "--json").object()
        #expect(after["attribution"] as? String == "movement" && after["needsReview"] as? Bool == true, "10:15 is within the slack of 10:25: \(after)")

        let text = try cli.ok("move", "void", String(id), "--reason", "扫错了车")
        #expect(text.stdout.contains("移车 #\(id)（京A12345，李强）已作废。"), "\(text.stdout)")
        let listed = try cli.ok("move", "list", "--json").array()
        #expect(!listed.contains { $0["id"] as? Int == id })
        let all = try cli.ok("move", "list", "--voided", "--json").array()
        let voided = try #require(all.first { $0["id"] as? Int == id })
        #expect(voided["voided"] as? Bool == true && voided["voidReason"] as? String == "扫错了车" && voided["voidedBy"] as? String != nil)
        #expect(try cli.ok("who", "--plate", "京A12345", "--at", "2026-11-20 10:30", "--json").object()["driver"] is NSNull)
        #expect(try cli.ok("audit", "--json").array().filter { ($0["action"] as? String)?.hasPrefix("movement.") == true }.map { $0["action"] as! String }.suffix(2)
                == ["movement.edit", "movement.void"])
    }

    @Test("a correction that would move a processed violation is refused naming it; assign by a manager corrects it", arguments: Backend.allCases)
    func settled(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        let id = try #require(try cli.ok("move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-20 10:00", "--to", "2026-11-20 10:30", "--json").object()["id"] as? Int)
        let v = try #require(try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-20 10:15", "--code", "1625", "--json").object()["id"] as? Int)
        try cli.ok("violation", "process", String(v), "--window", "--at", "2026-11-20 12:00")
        let stderr = try cli.refused(1, "move", "edit", String(id), "--staff", "李强", "--reason", "登记错人")
        #expect(stderr.contains("违法 #\(v)") && stderr.contains("driverdesk violation assign \(v)"), "\(stderr)")
        let assigned = try cli.ok("violation", "assign", String(v), "--staff", "李强", "--reason", "监控照片是李强", "--json").object()
        #expect((assigned["driver"] as? [String: Any])?["name"] as? String == "李强" && assigned["status"] as? String == "processed")
    }

    @Test("R13: an expired licence refuses a road test (exit 1, nothing written), parking warns; staff update renews it; phones are checked", arguments: Backend.allCases)
    func whoMayDrive(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        try cli.ok("staff", "add", "--name", "杨帆", "--id-number", "510107199502213710", "--license-class", "C2",
                   "--license-first-issued", "2016-09-09", "--license-valid-until", "2026-09-09")
        let refusal = try cli.refused(1, "move", "start", "--plate", "京A12345", "--staff", "杨帆", "--purpose", "road-test", "--at", "2026-11-20 10:00")
        #expect(refusal.contains("杨帆的驾驶证有效期至 2026-09-09") && refusal.contains("(R13)") && refusal.contains("driverdesk staff update 杨帆"), "\(refusal)")
        let parked = try cli.run(["move", "start", "--plate", "京A12345", "--staff", "杨帆", "--purpose", "parking", "--at", "2026-11-20 10:00", "--json"])
        #expect(parked.status == 0 && parked.stderr.contains("只提醒") && parked.stderr.contains("自动挡"), "\(parked.stderr)")
        #expect(try parked.object()["warnings"] as? [String] != [])
        try cli.ok("move", "end", "--plate", "京A12345", "--at", "2026-11-20 10:05")
        #expect(try cli.ok("staff", "list", "--json").array().first { $0["name"] as? String == "杨帆" }?["mayNotDrive"] as? String != nil)

        #expect(try cli.refused(2, "staff", "update", "杨帆", "--phone", "1381234567").contains("电话（phone）：“1381234567”有 10 位数字"))
        #expect(try cli.refused(2, "vehicle", "update", "--plate", "京A12345", "--owner-phone", "1381234567").contains("owner-phone"))
        #expect(try cli.refused(2, "staff", "update", "杨帆").contains("没有要更改的内容"))
        #expect(try cli.refused(2, "staff", "update", "杨帆", "--license-valid-until", "2015-01-01").contains("license-valid-until"))
        // Born 1995-02-21: a licence first issued before his 16th birthday is refused on update as on add.
        #expect(try cli.refused(2, "staff", "update", "杨帆", "--license-first-issued", "2010-01-01").contains("license-first-issued"))
        let renewed = try cli.ok("staff", "update", "杨帆", "--license-valid-until", "2032-09-09", "--phone", "139-1102-0099", "--json").object()
        #expect(renewed["licenseValidUntil"] as? String == "2032-09-09" && renewed["phone"] as? String == "13911020099" && renewed["mayNotDrive"] is NSNull)
        #expect((renewed["idNumber"] as? String)?.contains("*") == true)
        try cli.ok("move", "start", "--plate", "京A12345", "--staff", "杨帆", "--purpose", "road-test", "--at", "2026-11-20 11:00")
    }

    @Test("money: the review gate, confirm, a payment below the fine, the difference kept, unpay with R8 undone; handback; undo of register and visit", arguments: Backend.allCases)
    func money(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        try cli.ok("move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-20 10:00", "--to", "2026-11-20 10:30")
        let near = try cli.ok("violation", "add", "--plate", "京A12345", "--at", "2026-11-20 10:36", "--code", "1625", "--json").object()
        let id = String(near["id"] as! Int)
        #expect(near["needsReview"] as? Bool == true)
        #expect(try cli.refused(1, "violation", "process", id, "--window", "--at", "2026-11-20 12:00").contains("还需要核实"))
        let confirmed = try cli.ok("violation", "confirm", id, "--json").object()
        #expect(confirmed["needsReview"] as? Bool == false && confirmed["assignedBy"] as? String != nil)
        #expect(try cli.refused(1, "violation", "confirm", id).contains("不需要核实"))
        let ref = try #require(try cli.ok("register", "invite", "--plate", "京A12345", "--staff", "王磊", "--json").object()["ref"] as? String)
        try cli.ok("register", "confirm", ref)
        try cli.ok("violation", "process", id, "--window")
        #expect(try cli.refused(1, "violation", "pay", id, "--method", "wechat", "--amount", "180").contains("12123 只收全额罚款"))
        let paid = try cli.run(["violation", "pay", id, "--method", "wechat", "--amount", "210", "--json"])
        #expect(paid.status == 0, "\(paid.stderr)")
        let paidObject = try paid.object()
        #expect(paidObject["lateFeeDifferenceYuan"] as? Double == 10 && paidObject["removalDue"] as? String == ref)
        // The report keeps the difference, in its JSON and its CSV.
        let months = try #require(try cli.ok("report", "--json").object()["months"] as? [[String: Any]])
        #expect(months.map { $0["lateFeeDifferenceYuan"] as? Double } == [10])
        #expect(try cli.ok("report", "--csv", "--by", "month").stdout.contains("滞纳金差额（元）"))
        #expect(try cli.refused(2, "violation", "unpay", id).contains("原因（reason）"))
        let undone = try cli.ok("violation", "unpay", id, "--reason", "付款记错", "--json").object()
        #expect(undone["status"] as? String == "processed" && undone["paidAt"] is NSNull && undone["registrationRestored"] as? String == ref)
        #expect(try cli.ok("register", "list", "--json").array().first?["status"] as? String == "active")

        let unconfirmed = try cli.ok("register", "unconfirm", ref, "--reason", "车主没做", "--json").object()
        #expect(unconfirmed["status"] as? String == "invited")
        #expect(try cli.refused(1, "register", "unconfirm", ref, "--reason", "again").contains("撤销确认"))
        try cli.ok("register", "remove", ref)
        #expect(try cli.ok("register", "unremove", ref, "--reason", "点错了", "--json").object()["status"] as? String == "invited")

        let outside = try cli.ok("violation", "add", "--plate", "沪B88888", "--at", "2026-11-20 07:00", "--code", "1625", "--json").object()
        let handed = try cli.ok("violation", "handback", String(outside["id"] as! Int), "--reason", "车主自己开的", "--json").object()
        #expect(handed["status"] as? String == "handedBack" && (handed["ownerText"] as? String)?.contains("沪B88888") == true && handed.keys.contains("ownerPhone"))
        #expect(try cli.refused(1, "violation", "handback", id).contains("才能退回车主"))
        let groups = try #require(try cli.ok("status", "--json").object()["violations"] as? [String: [[String: Any]]])
        #expect(!groups.values.joined().contains { $0["id"] as? Int == outside["id"] as? Int }, "a violation handed back is in no to-do list: \(groups)")
        let cars = try #require(try cli.ok("report", "--json").object()["vehicles"] as? [[String: Any]])
        #expect(!cars.contains { $0["plate"] as? String == "沪B88888" }, "nor in the shop's report: \(cars)")

        #expect(try cli.refused(1, "visit", "reopen", "--plate", "京A12345", "--reason", "x").contains("现在就在店里"))
        try cli.ok("visit", "checkout", "--plate", "沪B88888", "--at", "2026-11-20 17:00")
        let reopened = try cli.ok("visit", "reopen", "--plate", "沪B88888", "--reason", "车还没走", "--json").object()
        #expect(reopened["open"] as? Bool == true && reopened["checkoutAt"] is NSNull)
    }
}
