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
