import Foundation
import Testing

@Suite("End to end: refusals write nothing (R1, R10, exit codes)")
struct RefusalEndToEndTests {
    @Test("R1: overlaps, a second start, outside a visit, end before start: exit 1 naming the conflict", arguments: Backend.allCases)
    func movementRules(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        try cli.ok("move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-20 10:00", "--to", "2026-11-20 10:30")
        try cli.ok("move", "start", "--plate", "京A12345", "--staff", "李强", "--at", "2026-11-20 11:00")

        let sameCar = try cli.refused(1, "move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-20 10:15", "--to", "2026-11-20 10:45")
        // In the shop's language (简体中文), naming the conflicting movement.
        #expect(sameCar.contains("京A12345 在 2026-11-20 10:00 至 2026-11-20 10:30 由王磊驾驶（移车 #1）"), "\(sameCar)")

        let second = try cli.refused(1, "move", "start", "--plate", "京A12345", "--staff", "王磊", "--at", "2026-11-20 11:30")
        #expect(second.contains("京A12345 正由李强驾驶，2026-11-20 11:00 起"), "\(second)")
        #expect(second.contains("driverdesk move end --plate 京A12345"), "the command line's hint: \(second)")
        let english = try cli.run(["move", "start", "--plate", "京A12345", "--staff", "王磊", "--at", "2026-11-20 11:30", "--lang", "en"])
        #expect(english.status == 1 && english.stderr.contains("京A12345 is being driven by 李强 since 2026-11-20 11:00 (movement #2)"), "\(english.stderr)")

        let twoCars = try cli.refused(1, "move", "start", "--plate", "沪B88888", "--staff", "李强", "--at", "2026-11-20 11:30")
        #expect(twoCars.contains("李强不能同时驾驶两辆车"), "\(twoCars)")
        let twoCarsLogged = try cli.refused(1, "move", "log", "--plate", "沪B88888", "--staff", "王磊", "--from", "2026-11-20 10:20", "--to", "2026-11-20 10:25")
        #expect(twoCarsLogged.contains("王磊"))

        let outside = try cli.refused(1, "move", "log", "--plate", "沪B88888", "--staff", "王磊", "--from", "2026-11-20 08:00", "--to", "2026-11-20 08:30")
        #expect(outside.contains("没有到店登记"), "\(outside)")
        #expect(outside.contains("driverdesk visit checkin --plate 沪B88888"))

        let backwards = try cli.refused(1, "move", "log", "--plate", "沪B88888", "--staff", "王磊", "--from", "2026-11-20 12:30", "--to", "2026-11-20 12:00")
        #expect(backwards.contains("结束时间必须晚于开始时间"), "\(backwards)")

        let endBeforeStart = try cli.refused(1, "move", "end", "--plate", "京A12345", "--at", "2026-11-20 10:59")
        #expect(endBeforeStart.contains("结束时间必须晚于开始时间"), "\(endBeforeStart)")

        let notDriven = try cli.refused(1, "move", "end", "--plate", "沪B88888")
        #expect(notDriven.contains("现在没有人驾驶沪B88888") && notDriven.contains("driverdesk move start --plate 沪B88888"), "\(notDriven)")

        let checkout = try cli.refused(1, "visit", "checkout", "--plate", "京A12345", "--at", "2026-11-20 12:00")
        #expect(checkout.contains("正由李强驾驶"), "\(checkout)")

        let doubleCheckin = try cli.refused(1, "visit", "checkin", "--plate", "沪B88888")
        #expect(doubleCheckin.contains("已在店内"), "\(doubleCheckin)")
    }

    @Test("R10: malformed input: exit 2, the field named, nothing written", arguments: Backend.allCases)
    func badInput(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        func staff(_ id: String, _ license: String = "C1", first: String = "2010-01-01") -> [String] {
            ["staff", "add", "--name", "赵六", "--id-number", id, "--license-class", license, "--license-first-issued", first, "--license-valid-until", "2030-01-01"]
        }
        let cases: [([String], String)] = [
            (["vehicle", "add", "--plate", "京A1234I", "--owner", "x"], "plate:"),
            (["vehicle", "add", "--plate", "A12345", "--owner", "x"], "plate:"),
            (["vehicle", "add", "--plate", "京B12345", "--owner", " "], "owner:"),
            (["vehicle", "add", "--plate", "京B12345", "--owner", "x", "--usage", "taxi"], "usage:"),
            (["vehicle", "add", "--plate", "京B12345", "--owner", "x", "--engine-last6", "12345"], "engine-last6:"),
            (["vehicle", "add", "--plate", "京B12345", "--owner", "x", "--owner-phone", "call me"], "owner-phone:"),
            (staff("110105198803124112"), "id-number:"),
            (staff("110105199002304113"), "id-number:"),
            (staff("11010519880312411"), "id-number:"),
            (staff("110101199003070134", "C9"), "license-class:"),
            (staff("110101199003070134", first: "2010-13-01"), "license-first-issued:"),
            (staff("110101199003070134", first: "2000-01-01"), "license-first-issued:"),
            (["move", "start", "--plate", "京A12345", "--staff", "王磊", "--at", "half past ten"], "at:"),
            (["move", "start", "--plate", "京A12345", "--staff", "王磊", "--at", "2026-11-20 25:00"], "at:"),
            (["move", "start", "--plate", "京A12345", "--staff", "王磊", "--at", "2027-01-01 10:00"], "at:"),
            (["move", "start", "--plate", "京A12345", "--staff", "王磊", "--purpose", "joyride"], "purpose:"),
            (["move", "start", "--plate", "京A12345", "--staff", "赵六"], "staff:"),
            (["move", "start", "--plate", "京Z99999", "--staff", "王磊"], "plate:"),
            (["move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "10:00", "--to", "tomorrow"], "to:"),
            (["who", "--plate", "京A12345", "--at", "2026-02-30 10:00"], "at:"),
            (["config", "set", "attribution.slackMinutes", "-5"], "attribution.slackMinutes:"),
            (["config", "set", "no.such.key", "1"], "key:"),
            (["init", "--time-zone", "Asia/Beijing"], "shop.timeZone:"),
        ]
        for (arguments, field) in cases {
            let before = try cli.dump()
            let result = try cli.run(arguments)
            #expect(result.status == 2, "\(arguments) exited \(result.status): \(result.stderr)")
            // 车牌（plate）：… names the input by its name and its key; a key without a name (a setting) stands alone.
            let key = String(field.dropLast())
            #expect(result.stderr.contains("（\(key)）：") || result.stderr.contains("错误：\(key)："), "\(arguments): \(result.stderr)")
            #expect(try cli.dump() == before, "\(arguments) changed the database")
        }
    }

    @Test("usage errors exit 2; a broken database exits 3", arguments: Backend.allCases)
    func usageAndStorage(_ backend: Backend) throws {
        let cli = try CLI(backend)
        #expect(try cli.run(["fly"]).status == 2)
        #expect(try cli.run(["move", "start", "--plate", "京A12345"]).status == 2)
        #expect(try cli.run(["--help"], withDefaults: false).status == 0)
        let garbage = cli.folder.appendingPathComponent("garbage.sqlite").path
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: garbage))
        let broken = try cli.run(["status", "--db", garbage], withDefaults: false)
        #expect(broken.status == 3, "\(broken.stderr)")
        let folder = try cli.run(["status", "--db", cli.folder.path], withDefaults: false)
        #expect(folder.status == 3, "\(folder.stderr)")
    }
}
