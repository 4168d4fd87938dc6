import Foundation
import Testing

@Suite("End to end: the command-line contract")
struct ContractEndToEndTests {
    @Test("global options go before or after the command; environment variables set the same values", arguments: Backend.allCases)
    func globalOptions(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        let before = try cli.run(["--db", cli.db, "--json", "--now", "2026-11-20 20:00", "who", "--plate", "京A12345", "--at", "2026-11-20 12:00"], withDefaults: false)
        #expect(before.status == 0, "\(before.stderr)")
        #expect(try before.object()["attribution"] as? String == "unattributed")
        let after = try cli.run(["who", "--plate", "京A12345", "--at", "2026-11-20 12:00", "--json", "--db=\(cli.db)"], withDefaults: false)
        #expect(try after.object()["plate"] as? String == "京A12345")

        var env = cli
        env.environment = ["DRIVERDESK_DB": cli.db, "DRIVERDESK_NOW": "2026-11-20 21:00", "DRIVERDESK_OPERATOR": "前台小李"]
        let viaEnv = try env.run(["visit", "checkout", "--plate", "沪B88888", "--json"], withDefaults: false)
        #expect(viaEnv.status == 0, "\(viaEnv.stderr)")
        #expect(try viaEnv.object()["checkoutAt"] as? String == "2026-11-20T21:00:00+08:00")
        let audit = try cli.ok("audit", "--json").array()
        #expect(audit.last?["operator"] as? String == "前台小李")
        #expect(audit.last?["action"] as? String == "visit.checkout")
        let byFlag = try cli.run(["--operator", "王经理", "config", "set", "attribution.slackMinutes", "15"])
        #expect(byFlag.status == 0)
        #expect(try cli.ok("audit", "--json").array().last?["operator"] as? String == "王经理")
    }

    @Test("--json prints one document; created objects carry their id; lists are arrays", arguments: Backend.allCases)
    func json(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        let created = try cli.ok("move", "start", "--plate", "京A12345", "--staff", "王磊", "--at", "2026-11-20 10:00", "--json").object()
        #expect(created["id"] as? Int == 1)
        #expect((created["staff"] as? [String: Any])?["name"] as? String == "王磊")
        #expect(created["inProgress"] as? Bool == true)
        let staff = try cli.ok("staff", "list", "--json").array()
        #expect(staff.count == 2)
        #expect(Set(staff.compactMap { $0["name"] as? String }) == ["王磊", "李强"])
        #expect(try cli.ok("vehicle", "list", "--json").array().count == 2)
        #expect(try cli.ok("move", "list", "--json").array().count == 1)
        #expect(try cli.ok("config", "show", "--json").array().contains { $0["key"] as? String == "attribution.slackMinutes" && $0["value"] as? String == "10" })
        let status = try cli.ok("status", "--json").object()
        #expect((status["carsInShop"] as? [Any])?.count == 2)
        #expect((status["driving"] as? [[String: Any]])?.first?["plate"] as? String == "京A12345")
        let vehicle = try cli.ok("vehicle", "show", "京a12345", "--json").object()
        #expect(vehicle["plate"] as? String == "京A12345")
        #expect(vehicle["engineLast6"] as? String == "A1B2C3")
        #expect((vehicle["visits"] as? [Any])?.count == 1)
    }

    @Test("R12: lists and the audit never show a whole ID number; staff show does", arguments: Backend.allCases)
    func privacy(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        try cli.ok("staff", "deactivate", "李强")
        let whole = ["110105198803124111", "11010519491231002X"]
        for arguments in [["staff", "list"], ["staff", "list", "--json"], ["audit"], ["audit", "--json"], ["status", "--json"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 0)
            let output = result.stdout + result.stderr
            for id in whole { #expect(!output.contains(id), "\(arguments) shows a whole ID number") }
        }
        #expect(try cli.ok("staff", "list").stdout.contains("110105********4111"))
        #expect(try cli.ok("staff", "show", "王磊", "--json").object()["idNumber"] as? String == "110105198803124111")
        #expect(try cli.ok("staff", "show", "1").stdout.contains("110105198803124111"))
        let refused = try cli.run(["staff", "add", "--name", "x", "--id-number", "110105198803124111", "--license-class", "C1",
                                   "--license-first-issued", "2010-01-01", "--license-valid-until", "2030-01-01"])
        #expect(refused.status == 1)
        #expect(!refused.stderr.contains("110105198803124111"))
    }

    @Test("user add, list, passwd and disable: the account's JSON keys, exit codes, no password or hash in any output or the audit", arguments: Backend.allCases)
    func users(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        let password = "Anna-front-2026", second = "Anna-second-2026"
        let added = try cli.run(["user", "add", "anna", "--role", "desk", "--staff", "王磊", "--password-stdin", "--json"], stdin: password + "\n")
        #expect(added.status == 0, "\(added.stderr)")
        let anna = try added.object()
        #expect(Set(anna.keys) == ["id", "name", "role", "staff", "shop", "active", "createdAt"])
        #expect(anna["shop"] is NSNull)
        #expect(anna["name"] as? String == "anna" && anna["role"] as? String == "desk" && anna["active"] as? Bool == true)
        #expect((anna["staff"] as? [String: Any])?["name"] as? String == "王磊")
        #expect(try cli.run(["user", "add", "店长", "--role", "manager", "--password-stdin"], stdin: "Boss-office-2026\r\n").status == 0)
        let list = try cli.ok("user", "list", "--json").array()
        #expect(list.map { $0["name"] as? String } == ["anna", "店长"] || list.map { $0["name"] as? String } == ["店长", "anna"])
        #expect(try cli.ok("user", "list").stdout.contains("前台"))
        // Refusals: bad input 2 (nothing written), a rule 1.
        let taken = try cli.run(["user", "add", "ANNA", "--role", "desk", "--password-stdin"], stdin: "Other-front-2026\n")
        #expect(taken.status == 2 && taken.stderr.contains("name"))
        let weak = try cli.run(["user", "add", "eve", "--role", "desk", "--password-stdin"], stdin: "1234567890\n")
        #expect(weak.status == 2 && weak.stderr.contains("password") && !weak.stderr.contains("1234567890"))
        let noTerminal = try cli.run(["user", "add", "eve", "--role", "desk"])
        #expect(noTerminal.status == 2 && noTerminal.stderr.contains("--password-stdin"))
        let retired = try cli.run(["config", "set", "web.password", "front-desk-2026"])
        #expect(retired.status == 2 && retired.stderr.contains("user add"))
        #expect(try cli.run(["user", "passwd", "anna", "--password-stdin"], stdin: second + "\n").status == 0)
        #expect(try cli.ok("user", "disable", "anna", "--json").object()["active"] as? Bool == false)
        let again = try cli.run(["user", "disable", "anna"])
        #expect(again.status == 1, "\(again.stderr)")
        #expect(try cli.run(["user", "disable", "nobody"]).status == 2)
        #expect(try cli.ok("user", "list", "--json").array().count == 2)
        let audit = try cli.ok("audit", "--action", "account", "--json")
        #expect(try audit.array().map { $0["action"] as? String } == ["account.add", "account.add", "account.passwd", "account.disable"])
        let everything = try cli.ok("audit", "--json").stdout + (try cli.ok("user", "list").stdout) + (try cli.ok("config", "show").stdout)
        for secret in [password, second, "Boss-office-2026", "$y$"] { #expect(!everything.contains(secret), "\(secret) shows") }
        #expect(try cli.dump().contains("$y$") == (backend == .sqlite), "the hash is stored (a chain's dump shows digests only)")
    }

    @Test("user add at a terminal asks for the password twice, without echo; two that differ are refused and nothing is written")
    func passwordPrompt() throws {
        let cli = try CLI.shop()
        func atTerminal(_ name: String, _ first: String, _ second: String) throws -> String {
            // Each line is typed once its prompt shows, as a person types it (typed ahead, a terminal would echo it).
            let terminal = try Terminal("\(CLI.binary.path) user add \(name) --role desk --db \(cli.db) --now '\(cli.now)'; echo exit $?")
            try terminal.waitFor("密码：")
            terminal.type(first)
            try terminal.waitFor("再输一次：")
            terminal.type(second)
            try terminal.waitFor("exit ")
            return try terminal.finish()
        }
        let added = try atTerminal("eve", "Eve-front-2026", "Eve-front-2026")
        #expect(added.contains("密码：") && added.contains("再输一次：") && added.contains("exit 0"), "\(added)")
        #expect(!added.contains("Eve-front-2026"), "the password was echoed: \(added)")
        let differ = try atTerminal("kim", "Kim-front-2026", "Kim-front-2027")
        #expect(differ.contains("exit 2") && differ.contains("两次输入的密码不一样") && !differ.contains("Kim-front"), "\(differ)")
        let users = try cli.ok("user", "list", "--json").array().compactMap { $0["name"] as? String }
        #expect(users == ["eve"])
    }

    @Test("demo makes a realistic workshop; status and lists read it", arguments: Backend.allCases)
    func demo(_ backend: Backend) throws {
        let cli = try CLI(backend)
        let summary = try cli.ok("demo", "--json").object()
        #expect(summary["staff"] as? Int == 12)
        #expect(summary["vehicles"] as? Int == 50)
        #expect((summary["movements"] as? Int ?? 0) > 200)
        #expect((summary["carsInShop"] as? Int ?? 0) > 0)
        #expect(summary["drivingNow"] as? Int == 2)
        let plates = try cli.ok("vehicle", "list", "--json").array().compactMap { $0["plate"] as? String }
        #expect(Set(plates.map { $0.first! }).count >= 5)
        // Nothing of the story is recorded after the demo's now (the camera's records come days later, never tomorrow).
        let now = try #require(ISO8601DateFormatter().date(from: "2026-11-20T20:00:00+08:00"))
        let audit = try cli.ok("audit", "--json").array()
        #expect(!audit.isEmpty)
        let later = audit.filter { (($0["at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) } ?? .distantFuture) > now }
        #expect(later.isEmpty, "entries after now: \(later.prefix(3))")
        #expect(plates.contains { $0.count == 8 })
        // What needs doing now, in the shop's language (简体中文 by default), and in English when asked.
        let status = try cli.ok("status")
        #expect(status.stdout.contains("正在驾驶（2）：") && status.stdout.contains("在店车辆（"), "\(status.stdout)")
        for english in ["In the shop", "Driving now", "since", "active staff", " pts", "yuan"] {
            #expect(!status.stdout.contains(english), "the Chinese status shows \(english)")
        }
        #expect(try cli.ok("status", "--lang", "en").stdout.contains("Driving now (2):"))
        // The lists too: no English value of the vocabulary or English heading in the Chinese tables.
        let english = ["PLATE", "STAFF", "STATUS", "road-test", "road test", "parking", "movement", "window", "online", "open", "processed", "paid",
                       "active", "removalDue", "invited", "driving", "yuan", "(review)"]
        for list in [["violation", "list"], ["move", "list"], ["register", "list"]] {
            let result = try cli.run(list)
            #expect(result.status == 0, "\(result.stderr)")
            let text = result.stdout
            let words = Set(text.split(whereSeparator: { $0.isWhitespace }).map(String.init))
            let found = english.filter { words.contains($0) || ($0.contains(" ") && text.contains($0)) }
            #expect(found.isEmpty, "driverdesk \(list.joined(separator: " ")) shows \(found)")
        }
        let again = try cli.run(["demo"])
        #expect(again.status == 1)
    }
}
