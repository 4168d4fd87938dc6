import Foundation
import Testing

/// Every command's text output as a person reads it, run the way the front desk runs it: in 简体中文 (the default) no
/// English value of the vocabulary and no English sentence; with `--lang en` no Chinese but the names, plates, places,
/// code descriptions and 12123's own terms that are shown on purpose. Errors and refusals are part of the output.
@Suite("Command line: every command's output in the person's language")
struct CLILanguageTests {
    /// One story through every command that prints text (and a few that refuse), each step's stdout and stderr.
    static func story(_ extra: [String], _ backend: Backend) throws -> [(command: String, output: String)] {
        var cli = try CLI(backend)
        cli.now = "2026-11-20 20:00"
        var outputs: [(String, String)] = []
        let csv = cli.folder.appendingPathComponent("notices.csv")
        try Data("车牌号,违法时间,违法代码,违法地点\n京A12345,2026-11-20 10:25,1352,朝阳路\n沪B88888,2026-11-20 15:00,1625,长安街\n".utf8).write(to: csv)
        let bad = cli.folder.appendingPathComponent("bad.csv")
        try Data("车牌号,违法时间,违法代码\n京A1234I,2026-11-20 10:05,1117\n京A12345,tomorrow,1117\n".utf8).write(to: bad)
        var ref = ""
        var imported = ""
        func step(_ arguments: [String], status: Int32 = 0) throws {
            let arguments = arguments.map { $0.replacingOccurrences(of: "{ref}", with: ref).replacingOccurrences(of: "{imported}", with: imported) }
            let result = try cli.run(arguments + extra)
            #expect(result.status == status, "driverdesk \(arguments.joined(separator: " ")): exit \(result.status) \(result.stderr)")
            outputs.append((arguments.prefix(2).joined(separator: " "), result.stdout + result.stderr))
            if arguments.prefix(2) == ["register", "invite"], let found = result.stdout.range(of: #"INV-[0-9A-Z]{4}-[0-9A-Z]{4}"#, options: .regularExpression) {
                ref = String(result.stdout[found])
            }
        }
        try step(["init", "--shop-name", "测试汽修"])
        try step(["staff", "add", "--name", "王磊", "--id-number", "110105198803124111", "--license-class", "C1",
                  "--license-first-issued", "2009-05-20", "--license-valid-until", "2031-05-20", "--phone", "13911020001"])
        try step(["staff", "add", "--name", "李强", "--id-number", "11010519491231002X", "--license-class", "C1",
                  "--license-first-issued", "2012-08-03", "--license-valid-until", "2028-08-03"])
        try step(["vehicle", "add", "--plate", "京A12345", "--owner", "张伟", "--engine-last6", "a1b2c3"])
        try step(["vehicle", "add", "--plate", "沪B88888", "--owner", "上海某某贸易有限公司", "--usage", "commercial"])
        try step(["vehicle", "update", "--plate", "京A12345", "--owner-phone", "13800138000"])
        try step(["visit", "checkin", "--plate", "京A12345", "--at", "2026-11-20 09:00", "--order", "WO-1"])
        try step(["visit", "checkin", "--plate", "沪B88888", "--at", "2026-11-20 09:00"])
        try step(["move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-20 10:00", "--to", "2026-11-20 10:30", "--purpose", "road-test"])
        try step(["move", "start", "--plate", "京A12345", "--staff", "李强", "--purpose", "delivery", "--at", "2026-11-20 11:00"])
        try step(["move", "end", "--plate", "京A12345", "--at", "2026-11-20 11:10"])
        try step(["move", "start", "--plate", "沪B88888", "--staff", "王磊", "--purpose", "pickup", "--at", "2026-11-20 19:00"])
        try step(["move", "list"])
        try step(["who", "--plate", "京A12345", "--at", "2026-11-20 10:12"])
        try step(["who", "--plate", "京A12345", "--at", "2026-11-20 08:00"])
        cli.now = "2026-11-20 11:30"  // the invite is made before the owner confirms it at 12:00
        try step(["register", "invite", "--plate", "京A12345", "--staff", "李强", "--method", "qr", "--out", cli.folder.appendingPathComponent("slip.html").path])
        cli.now = "2026-11-20 20:00"
        try step(["register", "print", "{ref}", "--out", cli.folder.appendingPathComponent("card.svg").path])
        try step(["register", "confirm", "{ref}", "--at", "2026-11-20 12:00"])
        try step(["register", "list"])
        try step(["violation", "add", "--plate", "京A12345", "--at", "2026-11-20 10:12", "--code", "1625", "--location", "东三环北路", "--record-no", "R-1"])
        try step(["violation", "add", "--plate", "京A12345", "--at", "2026-11-20 11:05", "--code", "1625", "--location", "二环"])
        try step(["violation", "import", csv.path, "--dry-run"])
        try step(["violation", "import", csv.path])
        // The imported 沪B88888 violation's number (on PostgreSQL the dry run used up two numbers: a sequence does not roll back).
        imported = String(try #require(try cli.run(["violation", "list", "--json"]).array().first { $0["plate"] as? String == "沪B88888" }?["id"] as? Int))
        try step(["violation", "list"])
        try step(["violation", "show", "1"])
        try step(["violation", "process", "2"], status: 1)
        try step(["violation", "process", "1", "--window", "--at", "2026-11-20 17:30"])
        try step(["violation", "pay", "1", "--method", "wechat", "--payer", "driver", "--at", "2026-11-20 17:40"])
        try step(["violation", "assign", "{imported}", "--staff", "李强", "--reason", "监控照片"])
        try step(["visit", "checkout", "--plate", "京A12345", "--at", "2026-11-20 18:00"])
        try step(["cleanup", "--dry-run"])
        try step(["cleanup"])
        try step(["register", "remove", "{ref}", "--at", "2026-11-20 19:30"])
        try step(["status"])
        try step(["staff", "list"])
        try step(["staff", "show", "1"])
        try step(["vehicle", "list"])
        try step(["vehicle", "show", "京A12345"])
        try step(["vehicle", "tag", "--plate", "京A12345", "--out", cli.folder.appendingPathComponent("tag.html").path])
        try step(["config", "show"])
        try step(["config", "set", "attribution.slackMinutes", "12"])
        try step(["report"])
        // A chain is backed up with pg_dump: the command says so (exit 2).
        try step(["backup", cli.folder.appendingPathComponent("backup.sqlite").path], status: backend == .sqlite ? 0 : 2)
        try step(["staff", "deactivate", "李强"])
        // Refusals and bad input.
        try step(["vehicle", "add", "--plate", "京A1234I", "--owner", "张伟"], status: 2)
        try step(["move", "start", "--plate", "京A12345", "--staff", "赵六"], status: 2)
        try step(["staff", "add", "--name", "赵六", "--id-number", "110105198803124112", "--license-class", "C1",
                  "--license-first-issued", "2010-01-01", "--license-valid-until", "2030-01-01"], status: 2)
        try step(["register", "confirm", "INV-0000-0000"], status: 2)
        try step(["violation", "import", bad.path], status: 2)
        try step(["move", "start", "--plate", "京A12345", "--staff", "王磊", "--purpose", "joyride"], status: 2)
        try step(["demo"], status: 1)
        try step(["report", "--by", "car"], status: 2)
        return outputs
    }

    /// What is typed rather than read: commands and options to type, file paths, references, setting keys, the values
    /// an option takes (listed after 可选 or 只接受), and the text for the owner's phone after an invite's first line
    /// (bilingual on purpose).
    static func withoutSyntax(_ text: String, command: String) -> String {
        let text = command == "register invite" ? String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") : text
        return text.replacingOccurrences(of: #"driverdesk( [a-z]+)*|--[a-z0-9-]+|/tmp/[^\s，。）)]+|INV-[0-9A-Z]{4}-[0-9A-Z]{4}|[a-z]+\.[a-zA-Z.]+|（[a-z-]+）|(可选值之内|可选|只接受)：?[ a-zA-Z0-9、-]+"#,
                                    with: " ", options: .regularExpression)
    }

    @Test("in 简体中文 (the default), no command prints an English value of the vocabulary or an English sentence", arguments: Backend.allCases)
    func chinese(_ backend: Backend) throws {
        let english = ["road-test", "road test", "delivery", "pickup", "movement", "outsideCustody", "unattributed", "window",
                       "online", "open", "processed", "paid", "invited", "active", "removalDue", "removed", "expired", "cancelled",
                       "wechat", "alipay", "bank-card", "review", "overdue", "was", "the", "has", "yuan", "and", "of", "is", "not",
                       "staff", "vehicle", "visit", "line", "error", "warning", "none", "owner", "private", "commercial", "small", "large",
                       "recorded", "imported", "added", "ready", "wrote", "written", "backed", "report"]
        let outputs = try CLILanguageTests.story([], backend)
        #expect(outputs.count >= 50)
        for (command, output) in outputs {
            let text = CLILanguageTests.withoutSyntax(output, command: command)
            let words = Set(text.split(whereSeparator: { !$0.isLetter && $0 != "-" }).map { $0.lowercased() })
            let found = english.filter { words.contains($0.lowercased()) || ($0.contains(" ") && text.lowercased().contains($0)) }
            #expect(found.isEmpty, "driverdesk \(command) prints English \(found): \(output.prefix(600))")
        }
    }

    @Test("with --lang en, no command prints Chinese but names, plates, places, code descriptions and 12123's own terms", arguments: Backend.allCases)
    func english(_ backend: Backend) throws {
        let outputs = try CLILanguageTests.story(["--lang", "en"], backend)
        // The code book's descriptions are Chinese as the notices print them; the invite's text for the owner's phone is
        // bilingual on purpose (after its first line).
        let descriptions = ["违反道路交通信号灯通行", "机动车违反规定停放、临时停车，驾驶人不在现场或者虽在现场但拒绝立即驶离，妨碍其他车辆、行人通行的",
                            "驾驶中型以上载客载货汽车、危险物品运输车辆以外的其他机动车在高速公路以外的道路上行驶超过规定时速百分之二十以上未达到百分之五十的",
                            "机动车通过有灯控路口时，不按所需行进方向驶入导向车道的"]
        let allowed = ["测试汽修", "王磊", "李强", "张伟", "赵六", "上海某某贸易有限公司", "京A12345", "沪B88888", "京A1234I", "东三环北路", "朝阳路", "长安街",
                       "二环", "监控照片", "交管12123", "行驶证", "备案非本人机动车", "电子监控违法处理", "解除备案", "记分周期", "简体中文",
                       "车牌号", "违法时间", "违法代码", "违法地点"]
        for (command, output) in outputs {
            var text = command == "register invite" ? String(output.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") : output
            for name in allowed + descriptions { text = text.replacingOccurrences(of: name, with: " ") }
            // Other code descriptions (Chinese, from the code book) stand after a code: `Code: 1039 …,`.
            text = text.replacingOccurrences(of: #"\b[0-9]{4,5} [^\s,]+"#, with: " ", options: .regularExpression)
            let chinese = text.unicodeScalars.filter { (0x4E00...0x9FFF).contains($0.value) || "，。：；（）、".unicodeScalars.contains($0) }
            #expect(chinese.isEmpty, "driverdesk \(command) --lang en prints Chinese \(String(String.UnicodeScalarView(chinese)).prefix(40)): \(output.prefix(600))")
        }
    }
}
