import Foundation
import Testing

/// The hostile strings people paste (or attackers type) into any field.
enum Hostile {
    static let sql = "'; DROP TABLE staff; --"
    static let sqlOr = "\" OR 1=1 --"
    static let sqlDelete = "1; DELETE FROM audit"
    static let script = "<script>alert(1)</script>"
    static let img = "\"><img src=x onerror=alert(1)>"
    static let bell = "京A12345\u{7}"
    static let ansi = "\u{1b}[31m京A12345"
    static let rtl = "\u{202E}京A12345"
    static let bom = "\u{FEFF}京A12345"
    static let crlf = "京A\r\n12345"
    static let long = String(repeating: "A", count: 10_000)
    static let longCJK = String(repeating: "京", count: 10_000)

    /// Text that no field should take as valid (the command line cannot carry NUL; the web and files do).
    static let injections = [sql, sqlOr, sqlDelete, script, img, "\u{1b}[31m", "\u{7}", long, longCJK]
    static let plates = injections + [bell, ansi, rtl, bom, crlf, "", " ", "京A1234I", "京A1O345", "🚗A12345", "京A123456789", "京", "A12345"]
    /// Times no field takes (add `required` where the option must be given: an empty optional one means "now").
    static let required = ["", " "]
    static let times = injections + ["now", "2026-02-30 10:00", "2026-11-20 24:00", "2026-11-20 10:60", "9999-12-31 23:59",
                                     "1899-12-31 10:00", "0000-00-00 00:00", "2026-11-20 10:00+25:00", "2026-11-20 10:00 +08:00 later",
                                     "2026-11-20T10:00:00.12345678901Z", "２０２６-１１-２０ １０:００", "-1", "1e9", "2026/11/20/10:00"]
    /// Times that exist but lie in the future: refused for things that happened (R10, 5 minutes of tolerance).
    static let future = ["2999-12-31 23:59", "2027-01-01 00:00", "2026-11-20 20:06"]
    static let amounts = injections + ["-5", "-0.01", "1e309", "NaN", "inf", "100000.01", "99999999999999999999", "0.001", "¥-1", "0x10", "200 yuan"]
    static let numbers = injections + ["0", "99999", "99999999999999999999999", "1.5", "abc", "", "#", "1e3"]
    static let idNumbers = injections + ["110105198803124112", "110105199002304113", "11010519880312411", "1101051988031241111",
                                          "010105198803124111", "ABCDEFGHIJKLMNOPQR", "１１０１０５１９８８０３１２４１１１", "110105180001011234", "", "11010519880312411"]
    static let refs = injections + ["", "INV-0000-0000", "INV-XXXX", "INV-2222-2222-2222"]
}

/// Issue 7, hostile input: every command refuses bad input with exit 1 or 2 and a message naming the field,
/// never crashes, and leaves the database as it was.
@Suite("Reliability: hostile input on the command line leaves the database unchanged", .serialized)
struct HostileInputTests {
    struct Case {
        var arguments: [String]
        /// Any of these in stderr names the field (or the rule) the refusal is about.
        var names: [String]
        /// Standard input (a password for `--password-stdin`): it must appear in no output.
        var stdin: String?

        init(_ arguments: [String], _ names: String...) {
            self.arguments = arguments
            self.names = names
        }

        init(_ arguments: [String], stdin: String, _ names: String...) {
            self.arguments = arguments
            self.names = names
            self.stdin = stdin
        }
    }

    /// The corpus: every command, every field, the hostile values that field must refuse.
    static func corpus(shop: Shop, ref: String) -> [Case] {
        var cases: [Case] = []
        func each(_ values: [String], _ field: String, _ make: (String) -> [String]) {
            for value in values { cases.append(Case(make(value), "\(field):", "--\(field)")) }
        }
        // Plates, everywhere a plate is typed.
        each(Hostile.plates, "plate") { ["vehicle", "add", "--plate", $0, "--owner", "某人"] }
        each(Hostile.plates, "plate") { ["vehicle", "update", "--plate", $0, "--owner", "某人"] }
        each(Hostile.plates, "plate") { ["visit", "checkin", "--plate", $0] }
        each(Hostile.plates, "plate") { ["move", "start", "--plate", $0, "--staff", "王磊"] }
        each(Hostile.plates, "plate") { ["move", "log", "--plate", $0, "--staff", "王磊", "--from", "2026-11-03 10:00", "--to", "2026-11-03 10:10"] }
        each(Hostile.plates, "plate") { ["who", "--plate", $0, "--at", "2026-11-02 10:12"] }
        each(Hostile.plates, "plate") { ["register", "invite", "--plate", $0, "--staff", "王磊"] }
        each(Hostile.plates, "plate") { ["violation", "add", "--plate", $0, "--at", "2026-11-02 10:12", "--code", "1625"] }
        each(Array(Hostile.plates.prefix(8)), "plate") { ["vehicle", "show", $0] }
        each(Array(Hostile.plates.prefix(8)), "plate") { ["visit", "checkout", "--plate", $0] }
        each(Array(Hostile.plates.prefix(8)), "plate") { ["move", "end", "--plate", $0] }
        each(Array(Hostile.plates.prefix(8)), "plate") { ["move", "list", "--plate", $0] }
        each(Array(Hostile.plates.prefix(8)), "plate") { ["vehicle", "tag", "--plate", $0, "--out", shop.file("tag.html").path] }

        // Times: of things that happened, of lookups, of lists.
        each(Hostile.times + Hostile.future, "at") { ["visit", "checkin", "--plate", "沪B88888", "--at", $0] }
        each(Hostile.times + Hostile.future, "at") { ["move", "start", "--plate", "京A12345", "--staff", "王磊", "--at", $0] }
        each(Hostile.times + Hostile.future + Hostile.required, "at") { ["violation", "add", "--plate", "京A12345", "--at", $0, "--code", "1625"] }
        each(Hostile.times + Hostile.required, "from") { ["move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", $0, "--to", "2026-11-03 10:10"] }
        each(Hostile.times + Hostile.future + Hostile.required, "to") { ["move", "log", "--plate", "京A12345", "--staff", "王磊", "--from", "2026-11-03 10:00", "--to", $0] }
        each(Array(Hostile.times.prefix(14)) + Hostile.required, "at") { ["who", "--plate", "京A12345", "--at", $0] }
        each(Array(Hostile.times.prefix(10)), "at") { ["visit", "checkout", "--plate", "京A12345", "--at", $0] }
        each(Array(Hostile.times.prefix(10)), "at") { ["register", "confirm", ref, "--at", $0] }
        each(Array(Hostile.times.prefix(10)), "at") { ["violation", "process", "1", "--window", "--at", $0] }
        each(Array(Hostile.times.prefix(10)), "from") { ["move", "list", "--from", $0] }
        each(Array(Hostile.times.prefix(10)), "since") { ["audit", "--since", $0] }
        each(Array(Hostile.times.prefix(10)), "from") { ["report", "--from", $0] }
        each(Array(Hostile.times.prefix(10)), "now") { ["status", "--now", $0] }

        // Staff members and their fields.
        func staff(_ id: String = "110101199003070134", license: String = "C1", first: String = "2010-01-01", until: String = "2030-01-01",
                   name: String = "赵六", phone: String? = nil) -> [String] {
            ["staff", "add", "--name", name, "--id-number", id, "--license-class", license, "--license-first-issued", first,
             "--license-valid-until", until] + (phone.map { ["--phone", $0] } ?? [])
        }
        each(Hostile.idNumbers, "id-number") { staff($0) }
        // SQL and HTML are fine names (stored and shown as text, see WebTests); control characters and length are not.
        each(["", " ", "\u{202E}赵六", "赵\u{0007}六", "\u{1b}[31m", String(repeating: "赵", count: 41), Hostile.long, Hostile.longCJK], "name") { staff(name: $0) }
        each(Hostile.injections + ["C9", "", "C1;", "AA"], "license-class") { staff(license: $0) }
        each(Hostile.injections + ["2010-13-01", "2031-02-29", "1899-01-01", "", "2026-11-21"], "license-first-issued") { staff(first: $0) }
        each(Hostile.injections + ["2030-02-30", "", "1999-01-01"], "license-valid-until") { staff(until: $0) }
        each(Hostile.injections + ["call me", "1", String(repeating: "1", count: 30)], "phone") { staff(phone: $0) }
        cases.append(Case(staff("110105198803124111"), "(staff)", "id-number"))  // 王磊's ID number again: refused, never echoed whole
        each(Hostile.numbers.filter { !$0.isEmpty } + ["赵六"], "staff") { ["move", "start", "--plate", "京A12345", "--staff", $0] }
        each(Array(Hostile.numbers.prefix(10)), "staff") { ["staff", "show", $0] }
        each(Array(Hostile.numbers.prefix(10)), "staff") { ["staff", "deactivate", $0] }
        each(Array(Hostile.numbers.prefix(10)), "staff") { ["register", "invite", "--plate", "京A12345", "--staff", $0] }

        // Vehicles.
        each(Hostile.injections.filter { $0.count > 1000 } + ["", " ", "\u{1b}[31m张伟", "张\u{7}伟", "\u{202E}张伟", String(repeating: "张", count: 81)], "owner") {
            ["vehicle", "add", "--plate", "京C54321", "--owner", $0]
        }
        each(Hostile.injections + ["call me", "1", String(repeating: "1", count: 30)], "owner-phone") { ["vehicle", "add", "--plate", "京C54321", "--owner", "x", "--owner-phone", $0] }
        each(Hostile.injections + ["12345", "1234567", "ABC$%^", "ＡＢＣ"], "engine-last6") { ["vehicle", "add", "--plate", "京C54321", "--owner", "x", "--engine-last6", $0] }
        each(Hostile.injections + ["taxi", "PRIVATE;"], "usage") { ["vehicle", "add", "--plate", "京C54321", "--owner", "x", "--usage", $0] }
        each(Hostile.injections + ["huge"], "size") { ["vehicle", "add", "--plate", "京C54321", "--owner", "x", "--size", $0] }
        each(["\u{1b}[31mWO", "WO\u{7}", Hostile.long, Hostile.longCJK, "\u{202E}WO"], "order") { ["visit", "checkin", "--plate", "沪B88888", "--order", $0] }

        // Movements: purposes.
        each(Hostile.injections + ["joyride", "ROAD-TEST;"], "purpose") { ["move", "start", "--plate", "京A12345", "--staff", "王磊", "--purpose", $0] }

        // Violations: codes, amounts, points, texts, numbers, methods.
        each(Hostile.injections + ["abc", "12", "123456", "9999", "16-25", ""], "code") { ["violation", "add", "--plate", "京A12345", "--at", "2026-11-02 11:00", "--code", $0] }
        each(Hostile.amounts, "fine") { ["violation", "add", "--plate", "京A12345", "--at", "2026-11-02 11:00", "--code", "1625", "--fine=\($0)"] }
        each(Hostile.injections + ["2", "13", "-1", "1e1", "３", "6.5"], "points") { ["violation", "add", "--plate", "京A12345", "--at", "2026-11-02 11:00", "--code", "1625", "--points=\($0)"] }
        each(["\u{1b}[31m东三环", "东\u{7}三环", Hostile.long, Hostile.longCJK], "location") { ["violation", "add", "--plate", "京A12345", "--at", "2026-11-02 11:00", "--code", "1625", "--location", $0] }
        each(["\u{1b}[31mR", "R\u{7}", Hostile.long], "record-no") { ["violation", "add", "--plate", "京A12345", "--at", "2026-11-02 11:00", "--code", "1625", "--record-no", $0] }
        each(Hostile.numbers, "id") { ["violation", "show", $0] }
        each(Array(Hostile.numbers.prefix(10)), "id") { ["violation", "assign", $0, "--staff", "王磊", "--reason", "监控照片"] }
        each(Array(Hostile.numbers.prefix(10)), "id") { ["violation", "process", $0, "--window"] }
        each(Array(Hostile.numbers.prefix(10)), "id") { ["violation", "pay", $0, "--method", "wechat"] }
        each(["", " ", "\u{1b}[31m", "\u{7}", Hostile.long, Hostile.longCJK], "reason") { ["violation", "assign", "1", "--staff", "李强", "--reason", $0] }
        each(Hostile.injections + ["bitcoin"], "status") { ["violation", "list", "--status", $0] }

        // Registrations.
        each(Hostile.refs, "ref") { ["register", "confirm", $0] }
        each(Array(Hostile.refs.prefix(8)), "ref") { ["register", "remove", $0] }
        each(Array(Hostile.refs.prefix(8)), "ref") { ["register", "print", $0, "--out", shop.file("slip.html").path] }
        each(Hostile.injections + ["fax"], "method") { ["register", "invite", "--plate", "京A12345", "--staff", "王磊", "--method", $0] }
        each(Hostile.injections + ["a0"], "paper") { ["register", "invite", "--plate", "京A12345", "--staff", "王磊", "--paper", $0, "--out", shop.file("x.html").path] }
        each(Hostile.injections + ["x.exe", "x", shop.folder.path], "out") { ["register", "print", ref, "--out", $0] }
        each(Hostile.injections + ["bogus"], "status") { ["register", "list", "--status", $0] }

        // Settings, init, report.
        each(Hostile.injections + ["-5", "1e9", "abc", "99999999999999999999", ""], "attribution.slackMinutes") { ["config", "set", "attribution.slackMinutes", $0] }
        each(Hostile.injections + ["Mars/Olympus", "Asia/Beijing", ""], "shop.timeZone") { ["config", "set", "shop.timeZone", $0] }
        each(["\u{1b}[31m店", "店\u{7}", Hostile.long], "shop.name") { ["config", "set", "shop.name", $0] }
        each(Hostile.injections + ["klingon"], "ui.language") { ["config", "set", "ui.language", $0] }
        each(Hostile.injections + ["-1", "abc", "1e309"], "fine.1625") { ["config", "set", "fine.1625", $0] }
        each(Hostile.injections + ["maybe"], "invite.showIdNumber") { ["config", "set", "invite.showIdNumber", $0] }
        each(Hostile.injections + ["no.such.key", "fine.XX.1625", "fine.京.99", ""], "key") { ["config", "set", $0, "1"] }
        each(Hostile.injections + ["Asia/Beijing"], "shop.timeZone") { ["init", "--time-zone", $0] }
        each(Hostile.injections + ["bogus"], "by") { ["report", "--csv", "--by", $0] }

        // Accounts: names, roles, staff members, passwords (on standard input), and the audit's filters. The shop has
        // the account anna (see commandLineCorpus).
        let good = "Eve-front-2026"
        func user(_ make: (String) -> [String], _ values: [String], _ field: String, stdin: String = good) {
            for value in values { cases.append(Case(make(value), stdin: stdin, "\(field):", "--\(field)", "(\(field))")) }
        }
        let names = Hostile.injections + ["", " ", "a b", "x/y", "anna\u{0}", "\u{202E}eve", String(repeating: "e", count: 33), "ANNA", "anna"]
        user({ ["user", "add", $0, "--role", "desk", "--password-stdin"] }, names, "name")
        user({ ["user", "add", "eve", "--role", $0, "--password-stdin"] }, Hostile.injections + ["owner", "admin", "chain", ""], "role")
        user({ ["user", "add", "eve", "--role", "desk", "--staff", $0, "--password-stdin"] }, Array(Hostile.numbers.prefix(10)) + ["赵六"], "staff")
        user({ ["user", "add", "eve", "--role", "desk", "--shop", $0, "--password-stdin"] }, ["A", Hostile.sql], "shop")
        let passwords = ["", "short", "qwertyuiop", "1234567890", "Eve", "eve\u{1b}[31m-front", String(repeating: "x", count: 201), "tab\tin-the-middle"]
        for password in passwords {
            cases.append(Case(["user", "add", "eve", "--role", "desk", "--password-stdin"], stdin: password, "password"))
            cases.append(Case(["user", "passwd", "anna", "--password-stdin"], stdin: password, "password"))
        }
        cases.append(Case(["user", "add", "eve", "--role", "desk"], stdin: good, "password"))  // no terminal to ask on
        user({ ["user", "passwd", $0, "--password-stdin"] }, Array(names.prefix(12)) + ["nobody"], "name")
        user({ ["user", "disable", $0] }, Array(names.prefix(12)) + ["nobody"], "name")
        cases.append(Case(["config", "set", "web.password", "front-desk-2026"], "key"))
        each(["\u{1b}[31m", "\u{7}", Hostile.long], "person") { ["audit", "--person", $0] }
        each(["\u{1b}[31m", "\u{7}", Hostile.long], "action") { ["audit", "--action", $0] }
        each(Array(Hostile.times.prefix(10)), "until") { ["audit", "--until", $0] }
        each(Hostile.injections + ["", " ", "0", "-1", "1.5", "1e3", "１２", String(repeating: "9", count: 40)], "limit") { ["audit", "--limit=\($0)"] }
        each(Hostile.injections + ["0", "-5", "x1", "١٢"], "before") { ["audit", "--before=\($0)"] }
        each(Hostile.injections + ["-", "a..b", "x_y.example"], "web.hostNames") { ["config", "set", "web.hostNames", $0] }
        each(Hostile.injections + ["0", "25", "-1"], "web.sessionHours") { ["config", "set", "web.sessionHours", $0] }

        // Usage errors: exit 2 and the usage.
        for arguments in [["fly"], ["move"], ["move", "start", "--plate", "京A12345"], ["violation", "show"], ["staff", "add"],
                          ["vehicle", "add", "--plate"], ["--no-such-flag", "status"], ["status", "extra"], ["config", "set", "shop.name"],
                          ["backup"], ["restore"], ["violation", "import"], [Hostile.sql], [Hostile.script]] {
            cases.append(Case(arguments, "Usage", "Error", "usage"))
        }
        return cases
    }

    /// Runs every case on one database and requires each to be refused with the database unchanged.
    static func runCorpus(_ cases: [Case], on shop: Shop, label: String) throws -> Int {
        var before = try shop.snapshot()
        var exits: [Int32: Int] = [:]
        for item in cases {
            // A case about --now gives its own clock; the others get the shop's.
            let outcome = item.arguments.contains("--now")
                ? try shop.run(item.arguments + ["--db", shop.db], timeout: 120, defaults: false)
                : try shop.run(item.arguments, timeout: 120, stdin: item.stdin)
            if let password = item.stdin, password.count >= 4 {
                #expect(!outcome.stdout.contains(password) && !outcome.stderr.contains(password), "driverdesk \(item.arguments.joined(separator: " ")) echoed the password")
            }
            let shown = item.arguments.map { $0.count > 60 ? "\($0.prefix(20))…(\($0.count) characters)" : $0.debugDescription }.joined(separator: " ")
            exits[outcome.status, default: 0] += 1
            #expect(!outcome.signaled, "CRASH: driverdesk \(shown): \(outcome)")
            let refused = outcome.status == 1 || outcome.status == 2
            #expect(refused, "driverdesk \(shown) exited \(outcome.status) (bad input must be 1 or 2): \(outcome.stdout.prefix(120)) \(outcome.stderr.prefix(200))")
            if refused {
                let quiet = outcome.stdout.isEmpty, prefixed = outcome.stderr.split(separator: "\n").contains { $0.hasPrefix("错误：") }, named = item.names.contains { mentions(outcome.stderr, $0) }
                #expect(quiet, "driverdesk \(shown) printed on stdout: \(outcome.stdout.prefix(200))")
                #expect(prefixed, "driverdesk \(shown): stderr is \(outcome.stderr.prefix(200).debugDescription)")
                #expect(named, "driverdesk \(shown): the error does not name \(item.names): \(outcome.stderr.prefix(300).debugDescription)")
            }
            let after = try shop.snapshot()
            let sameBytes = after.raw == before.raw, sameContent = after.dump == before.dump
            #expect(sameBytes, "driverdesk \(shown) changed the database file (sha256 \(before.sha256.prefix(12))… → \(after.sha256.prefix(12))…)")
            #expect(sameContent, "driverdesk \(shown) changed the database's content")
            if !sameBytes || !sameContent { before = after }  // judge the next case on its own
        }
        figure("\(label): \(cases.count) inputs refused; exit codes \(exits.sorted { $0.key < $1.key }); the file byte for byte unchanged after each")
        return cases.count
    }

    @Test("every command refuses hostile values: exit 1 or 2, the field named, nothing written")
    func commandLineCorpus() throws {
        let clock = Stopwatch()
        let shop = try Shop.small()
        defer { shop.remove() }
        let ref = try shop.firstRef()
        let anna = try shop.run(["user", "add", "anna", "--role", "desk", "--password-stdin"], stdin: "Anna-front-2026\n")
        #expect(anna.status == 0, "\(anna)")
        // `make test` tries every third case (over 300, every field keeps some); `make soak` all of them.
        let stride = Scale.value("RELIABILITY_CLI_STRIDE", test: 3, soak: 1)
        let cases = HostileInputTests.corpus(shop: shop, ref: ref).enumerated().filter { $0.offset % stride == 0 }.map(\.element)
        #expect(cases.count >= 200)
        let tried = try HostileInputTests.runCorpus(cases, on: shop, label: "hostile/cli")
        figure("hostile/cli: \(tried) command-line inputs in \(String(format: "%.1f", clock.seconds)) s")
    }

    @Test("a command that only reads leaves the file byte for byte as it was, the -wal file gone")
    func readLeavesFile() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        let before = try shop.snapshot()
        for arguments in [["status"], ["who", "--plate", "京A12345", "--at", "2026-11-02 10:00"], ["config", "show"], ["report"]] {
            let outcome = try shop.run(arguments)
            #expect(outcome.status == 0 && !outcome.signaled, "driverdesk \(arguments.joined(separator: " ")): \(outcome)")
        }
        let after = try shop.snapshot()
        #expect(after.raw == before.raw, "sha256 \(before.sha256.prefix(12))… → \(after.sha256.prefix(12))…")
        #expect(!FileManager.default.fileExists(atPath: shop.db + "-wal"))
        figure("hostile/read: status, who, config show and report left the file byte for byte unchanged (sha256 \(after.sha256.prefix(12))…)")
    }

    @Test("--out in a folder that does not exist is bad input (exit 2 naming out), not a storage failure")
    func outInMissingFolder() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        let ref = try shop.firstRef()
        let cases = [
            Case(["vehicle", "tag", "--plate", "京A12345", "--out", "/nonexistent/folder/tag.html"], "out:"),
            Case(["register", "print", ref, "--out", "/nonexistent/folder/slip.html"], "out:"),
            Case(["register", "invite", "--plate", "沪B88888", "--staff", "王磊", "--method", "window", "--out", "/nonexistent/folder/slip.html"], "out:"),
        ]
        _ = try HostileInputTests.runCorpus(cases, on: shop, label: "hostile/out")
    }

    @Test("--operator with control characters is refused, not written to the audit")
    func operatorName() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        let cases = ["\u{1b}[31m", "前台\u{7}", Hostile.long].map {
            Case(["--operator", $0, "config", "set", "attribution.slackMinutes", "12"], "operator")
        }
        _ = try HostileInputTests.runCorpus(cases, on: shop, label: "hostile/operator")
    }

    @Test("an amount with a misplaced thousands separator is refused, not read as another amount")
    func thousandsSeparator() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        let cases = ["1,5", "0,5", "1,0,0", "2,00", ",200", "200,"].enumerated().map { index, fine in
            Case(["violation", "add", "--plate", "京A12345", "--at", "2026-11-05 1\(index):00", "--code", "1625", "--fine=\(fine)"], "fine:")
        }
        _ = try HostileInputTests.runCorpus(cases, on: shop, label: "hostile/amounts")
    }

    @Test("serve refuses a port that does not exist (exit 2)")
    func servePort() throws {
        let shop = try Shop.small()
        defer { shop.remove() }
        for port in ["99999", "65536", "-1"] {
            let outcome = try shop.run(["serve", "--host", "127.0.0.1", "--port=\(port)"], timeout: 10)
            #expect(!outcome.signaled && outcome.status == 2, "serve --port \(port): \(outcome)")
            #expect(outcome.stderr.contains("port"))
        }
    }
}
