import Foundation
import PostgresHarness
import Testing

/// Two shops of one chain on PostgreSQL (issue 14): from shop A, every command given shop B's staff numbers, plates,
/// invite references and violation numbers answers "not found" (exit 2) and writes nothing in either shop; B's
/// data never appears in A's lists.
@Suite("Chain isolation: shop A cannot reach shop B's rows through any command")
struct ChainIsolationTests {
    @Test("every command with B's ids, plates and refs, run in A: not found, nothing written in either shop")
    func commandsFromAnotherShop() throws {
        let a = try CLI.shop(.postgres)
        var b = try a.anotherShop(name: "上海店")
        // B: its own driver, car, visit, movement, invite and violation. The car's plate and the driver's name are B's alone.
        try b.ok("staff", "add", "--name", "赵六", "--id-number", "110101199003070134", "--license-class", "C1",
                 "--license-first-issued", "2012-01-01", "--license-valid-until", "2032-01-01")
        try b.ok("vehicle", "add", "--plate", "沪C99999", "--owner", "钱七")
        try b.ok("visit", "checkin", "--plate", "沪C99999", "--at", "2026-11-20 08:00")
        try b.ok("move", "log", "--plate", "沪C99999", "--staff", "赵六", "--from", "2026-11-20 09:00", "--to", "2026-11-20 09:30", "--purpose", "road-test")
        b.now = "2026-11-20 10:00"
        let invite = try b.ok("register", "invite", "--plate", "沪C99999", "--staff", "赵六", "--json").object()
        b.now = "2026-11-20 20:00"
        let ref = try #require(invite["ref"] as? String)
        let violation = try b.ok("violation", "add", "--plate", "沪C99999", "--at", "2026-11-20 09:10", "--code", "1625", "--json").object()
        let violationId = try #require(violation["id"] as? Int)
        let staffId = try #require(try b.ok("staff", "list", "--json").array().first?["id"] as? Int)
        try b.ok("violation", "assign", String(violationId), "--staff", "赵六", "--reason", "路试")
        let csv = a.folder.appendingPathComponent("b-cars.csv")
        try Data("车牌号,违法时间,违法代码\n沪C99999,2026-11-20 09:20,1625\n".utf8).write(to: csv)

        let chain = try SharedChain.server()
        func everything() throws -> String {
            try chain.shopDigest(code: a.shopCode!, database: a.chainDatabase) + "\n" + chain.shopDigest(code: b.shopCode!, database: b.chainDatabase)
        }
        let before = try everything()
        let cases: [[String]] = [
            ["staff", "show", String(staffId)], ["staff", "show", "赵六"], ["staff", "deactivate", String(staffId)],
            ["vehicle", "show", "沪C99999"], ["vehicle", "update", "--plate", "沪C99999", "--owner", "别人"],
            ["vehicle", "tag", "--plate", "沪C99999", "--out", a.folder.appendingPathComponent("tag.html").path],
            ["visit", "checkin", "--plate", "沪C99999", "--at", "2026-11-20 11:00"], ["visit", "checkout", "--plate", "沪C99999"],
            ["move", "start", "--plate", "沪C99999", "--staff", "王磊", "--purpose", "parking"],
            ["move", "start", "--plate", "京A12345", "--staff", String(staffId), "--purpose", "parking"],
            ["move", "log", "--plate", "京A12345", "--staff", "赵六", "--from", "2026-11-20 12:00", "--to", "2026-11-20 12:10", "--purpose", "parking"],
            ["move", "end", "--plate", "沪C99999"], ["move", "list", "--plate", "沪C99999"], ["move", "list", "--staff", String(staffId)],
            ["who", "--plate", "沪C99999", "--at", "2026-11-20 09:10"],
            ["register", "invite", "--plate", "沪C99999", "--staff", "王磊"], ["register", "invite", "--plate", "京A12345", "--staff", String(staffId)],
            ["register", "print", ref, "--out", a.folder.appendingPathComponent("card.svg").path], ["register", "confirm", ref], ["register", "remove", ref],
            ["violation", "add", "--plate", "沪C99999", "--at", "2026-11-20 09:40", "--code", "1625"], ["violation", "show", String(violationId)],
            ["violation", "assign", String(violationId), "--staff", "王磊", "--reason", "x"], ["violation", "process", String(violationId), "--window"],
            ["violation", "pay", String(violationId), "--method", "cash", "--payer", "shop"], ["violation", "import", csv.path],
        ]
        for arguments in cases {
            let result = try a.run(arguments)
            #expect(result.status == 2, "\(arguments): exit \(result.status) \(result.stdout) \(result.stderr)")
            #expect(!result.stdout.contains("沪C99999") && !result.stdout.contains("赵六"), "\(arguments) showed B's data: \(result.stdout)")
        }
        #expect(try everything() == before, "a command in shop A wrote")
        // A's lists, status, report and audit never show B's rows.
        for arguments in [["staff", "list"], ["vehicle", "list"], ["move", "list"], ["register", "list"], ["violation", "list"], ["status"], ["report"],
                          ["audit"], ["cleanup", "--dry-run"]] {
            let result = try a.run(arguments + ["--json"])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            for secret in ["沪C99999", "赵六", ref, "钱七", "110101199003070134"] {
                #expect(!result.stdout.contains(secret), "\(arguments) showed B's \(secret)")
            }
        }
        // And B still sees its own.
        #expect(try b.ok("violation", "show", String(violationId), "--json").object()["plate"] as? String == "沪C99999")
    }
}

/// The chain manager's view (`report` on `?shop=*`, issue 14): every shop's figures and their total, and every
/// driver with his points across the chain; read only, and only for the chain's roles.
@Suite("Chain report: the manager's view across shops")
struct ChainReportTests {
    @Test("per shop and in total; a driver of two shops has his points from both; a desk's role is refused; nothing is written")
    func report() throws {
        var a = try CLI.shop(.postgres)
        var b = try a.anotherShop(name: "上海店")
        // 王磊 works in both; in B he takes 6 points (a red light) processed at the window; A has an unpaid 200-yuan fine and a car in the shop.
        try b.ok("staff", "add", "--name", "王磊", "--id-number", "110105198803124111", "--license-class", "C1",
                 "--license-first-issued", "2009-05-20", "--license-valid-until", "2031-05-20")
        try b.ok("vehicle", "add", "--plate", "沪C99999", "--owner", "钱七")
        try b.ok("visit", "checkin", "--plate", "沪C99999", "--at", "2026-11-20 08:00")
        try b.ok("move", "log", "--plate", "沪C99999", "--staff", "王磊", "--from", "2026-11-20 09:00", "--to", "2026-11-20 09:30", "--purpose", "road-test")
        let inB = try b.ok("violation", "add", "--plate", "沪C99999", "--at", "2026-11-20 09:10", "--code", "1625", "--json").object()
        try b.ok("violation", "process", String(try #require(inB["id"] as? Int)), "--window", "--at", "2026-11-20 12:00")
        try a.ok("violation", "add", "--plate", "沪B88888", "--at", "2026-11-20 10:00", "--code", "1625")
        a.now = "2026-11-20 20:00"
        b.now = a.now

        let chain = try SharedChain.server()
        let manager = chain.address(as: "driverdesk_chain", shop: "*", database: a.chainDatabase)
        let before = try chain.shopDigest(code: a.shopCode!, database: a.chainDatabase) + chain.shopDigest(code: b.shopCode!, database: b.chainDatabase)
        let result = try a.run(["report", "--db", manager, "--now", a.now, "--json"], withDefaults: false)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try result.object()
        let shops = try #require(report["shops"] as? [[String: Any]])
        #expect(shops.compactMap { $0["code"] as? String } == [a.shopCode!, b.shopCode!].sorted())
        let shopA = try #require(shops.first { $0["code"] as? String == a.shopCode })
        let shopB = try #require(shops.first { $0["code"] as? String == b.shopCode })
        #expect(shopA["activeStaff"] as? Int == 2 && shopA["carsInShop"] as? Int == 2 && shopA["unpaid"] as? Int == 1 && shopA["unpaidFinesYuan"] as? Int == 200,
                "\(shopA)")
        #expect(shopB["activeStaff"] as? Int == 1 && shopB["movements"] as? Int == 1 && shopB["unpaid"] as? Int == 1, "\(shopB)")
        let total = try #require(report["total"] as? [String: Any])
        #expect(total["activeStaff"] as? Int == 3 && total["unpaid"] as? Int == 2 && total["unpaidFinesYuan"] as? Int == 400 && total["vehicles"] as? Int == 3, "\(total)")
        let drivers = try #require(report["drivers"] as? [[String: Any]])
        let wang = try #require(drivers.first { $0["name"] as? String == "王磊" })
        #expect(wang["shops"] as? [String] == [a.shopCode!, b.shopCode!].sorted() && wang["pointsThisCycle"] as? Int == 6
                && wang["pointsRemaining"] as? Int == 6 && wang["idNumber"] as? String == "110105********4111", "\(wang)")
        #expect(drivers.count == 2, "王磊 once, and 李强")
        // The text names the total and masks ID numbers.
        let text = try a.run(["report", "--db", manager, "--now", a.now], withDefaults: false)
        #expect(text.status == 0 && text.stdout.contains("合计") && text.stdout.contains("驾驶人（整个连锁）") && !text.stdout.contains("110105198803124111"),
                "\(text.stdout)")
        // Paged and sorted (issue 28): which page of how many, in which order; the keys above keep their meaning.
        #expect(report["page"] as? Int == 1 && report["pages"] as? Int == 1 && report["shopCount"] as? Int == 2 && report["sort"] as? String == "code"
                && report["driverPage"] as? Int == 1 && report["driverPages"] as? Int == 1 && report["driverCount"] as? Int == 2
                && report["driverSort"] as? String == "name" && report["pageSize"] as? Int == 50, "\(report)")
        let sorted = try a.run(["report", "--db", manager, "--now", a.now, "--json", "--sort", "unpaid", "--page", "1", "--driver-sort", "points",
                                "--driver-page", "7"], withDefaults: false)
        #expect(sorted.status == 0, "\(sorted.stderr)")
        let byMoney = try sorted.object()
        #expect((byMoney["shops"] as? [[String: Any]])?.compactMap { $0["unpaidFinesYuan"] as? Int } == [200, 200]
                && byMoney["sort"] as? String == "unpaid" && byMoney["driverSort"] as? String == "points" && byMoney["driverPage"] as? Int == 1,
                "a page past the last shows the last: \(byMoney)")
        #expect((byMoney["drivers"] as? [[String: Any]])?.first?["name"] as? String == "王磊"
                && (byMoney["drivers"] as? [[String: Any]])?.first?["unpaidFinesYuan"] as? Int == 200, "the most points first: \(byMoney)")
        // Bad values: refused (exit 2), naming the option, nothing on stdout; a shop's own report has no pages.
        for (arguments, field) in [(["--sort", "money"], "sort"), (["--page", "0"], "page"), (["--driver-sort", "code"], "driver-sort"),
                                   (["--driver-page", "two"], "driver-page")] {
            let bad = try a.run(["report", "--db", manager, "--now", a.now, "--json"] + arguments, withDefaults: false)
            #expect(bad.status == 2 && bad.stderr.contains("（\(field)）") && bad.stdout.isEmpty, "\(arguments): \(bad.status) \(bad.stderr)")
        }
        let onShop = try a.run(["report", "--page", "2"])
        #expect(onShop.status == 2 && onShop.stderr.contains("--page") && onShop.stdout.isEmpty, "\(onShop.status) \(onShop.stderr)")
        // The text says which page, how many and in which order.
        let paged = try a.run(["report", "--db", manager, "--now", a.now, "--driver-sort", "points"], withDefaults: false)
        #expect(paged.stdout.contains("第 1/1 页，共 2 家门店（排序：code）") && paged.stdout.contains("第 1/1 页，共 2 名驾驶人（排序：points）"), "\(paged.stdout)")
        // The chain's report has no CSV: refused, naming the field, with nothing on stdout.
        let csv = try a.run(["report", "--db", manager, "--now", a.now, "--csv"], withDefaults: false)
        #expect(csv.status == 2 && csv.stderr.contains("csv") && csv.stderr.contains("CSV") && csv.stdout.isEmpty, "\(csv.status) \(csv.stderr) \(csv.stdout)")
        // A desk's role sees its own shop only: refused, naming the role to use.
        let desk = try a.run(["report", "--db", chain.address(as: chain.shopRole(a.shopCode!, database: a.chainDatabase), shop: "*", database: a.chainDatabase)], withDefaults: false)
        #expect(desk.status == 2 && desk.stderr.contains("driverdesk_chain"), "\(desk.stderr)")
        // The chain's view is read only: the shop's commands refuse `?shop=*`.
        let write = try a.run(["vehicle", "add", "--plate", "京Z00001", "--owner", "x", "--db", manager], withDefaults: false)
        #expect(write.status == 2, "\(write.stderr)")
        #expect(try chain.shopDigest(code: a.shopCode!, database: a.chainDatabase) + chain.shopDigest(code: b.shopCode!, database: b.chainDatabase) == before)
    }
}

extension ChainIsolationTests {
    @Test("issue 27: a person shared by shops: hiring by ID number with other details is refused by field, showing nothing of the record; nobody rewrites him while two shops employ him; a correction is audited in both")
    func sharedPerson() throws {
        let a = try CLI.shop(.postgres)
        let b = try a.anotherShop(name: "上海店")
        let hire = ["staff", "add", "--id-number", "110101199003070134", "--license-class", "C1", "--license-first-issued", "2012-01-01"]
        try a.ok(hire + ["--name", "赵六", "--license-valid-until", "2032-01-01"])
        let chain = try SharedChain.server()
        func people() throws -> [String] { try chain.rows("SELECT count(*) FROM person", as: "postgres", database: a.chainDatabase) }
        let before = try people()
        // Shop B knows his ID number and guesses the rest: told which field differs, never A's record of him.
        let name = try b.refused(2, hire + ["--name", "张三", "--license-valid-until", "2032-01-01"])
        #expect(name.contains("姓名（name）：和连锁里持这个身份证号的人的记录不一致") && !name.contains("赵六"), "\(name)")
        let licence = try b.refused(2, hire + ["--name", "赵六", "--license-valid-until", "2033-01-01", "--lang", "en"])
        #expect(licence.contains("license-valid-until") && licence.contains("differs from the chain's record") && !licence.contains("2032"), "\(licence)")
        #expect(try people() == before, "a refused hire made a person")
        // Typed as the chain holds him: hired, the same person.
        try b.ok(hire + ["--name", "赵六", "--license-valid-until", "2032-01-01"])
        #expect(try people() == before)
        // While both shops employ him, neither renames him nor changes his licence; the refusal says who may.
        let rename = try a.refused(1, "staff", "update", "赵六", "--name", "赵大六")
        #expect(rename.contains("也在连锁的其他门店工作") && rename.contains("连锁管理员"), "\(rename)")
        #expect(try b.refused(1, "staff", "update", "赵六", "--license-valid-until", "2040-01-01", "--lang", "en").contains("chain's administrator"))
        // His phone is the shop's own.
        try a.ok("staff", "update", "赵六", "--phone", "13911020099")
        // Once B no longer employs him, A corrects him: the database audits it in both shops, B's included.
        try b.ok("staff", "deactivate", "赵六")
        try a.ok("staff", "update", "赵六", "--name", "赵大六")
        for shop in [a, b] {
            let entries = try shop.ok("audit", "--json").array().filter { $0["action"] as? String == "person.update" }
            #expect(entries.count == 1 && (entries.first?["subject"] as? String)?.contains("赵大六") == true
                    && (entries.first?["operator"] as? String)?.hasPrefix(a.shopCode!) == true, "\(entries)")
        }
        #expect(try b.ok("staff", "list", "--json").array().first { ($0["idNumber"] as? String)?.hasPrefix("110101") == true }?["name"] as? String == "赵大六")
        // The audit says who (A's code and operator) changed what.
        let text = try b.ok("audit").stdout
        #expect(text.contains("\(a.shopCode!) e2e") && text.contains("person.update") && text.contains("赵六 → 赵大六"), "\(text)")
    }
}
