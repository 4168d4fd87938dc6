import Foundation
import PostgresHarness
import Testing

/// `driverdesk shop add` and `shop list` on a throwaway PostgreSQL 15, through the built binary (issue 14): the chain's
/// owner makes the schema on first use and adds shops; a desk's role can do neither; a shop's commands refuse the owner's
/// and the chain manager's roles and a shop the chain lacks, and nothing is written on any refusal.
@Suite("Chain commands on PostgreSQL: shop add, shop list", .serialized)
struct ChainCommandTests {
    func dump(_ pg: ThrowawayPostgres) throws -> [String] {
        let tables = try pg.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", as: "postgres")
        return try tables.map { table in try pg.rows("SELECT '\(table)', md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \(table) t", as: "postgres").joined() }
    }

    @Test("the owner makes the schema on first use and adds shops, once each; the list shows them; --json has their ids")
    func addAndList() throws {
        let pg = try ThrowawayPostgres(migrated: false)
        let cli = try CLI()
        let owner = pg.address(as: "driverdesk_owner", shop: "*")
        let added = try cli.run(["shop", "add", "BJ01", "--name", "北京朝阳店", "--db", owner, "--now", "2026-11-20 09:00", "--json"], withDefaults: false)
        #expect(added.status == 0, "\(added.stderr)")
        let shop = try added.object()
        #expect(shop["code"] as? String == "BJ01" && shop["name"] as? String == "北京朝阳店" && shop["timeZone"] as? String == "Asia/Shanghai"
                && shop["created"] as? Bool == true && (shop["id"] as? Int ?? 0) > 0, "\(shop)")
        let text = try cli.run(["shop", "add", "SH01", "--name", "上海浦东店", "--time-zone", "Asia/Shanghai", "--db", owner], withDefaults: false)
        #expect(text.status == 0 && text.stdout == "已添加门店 SH01：上海浦东店（Asia/Shanghai）\n", "\(text.stdout)\(text.stderr)")
        let again = try cli.run(["shop", "add", "BJ01", "--name", "别的名字", "--db", owner, "--lang", "en"], withDefaults: false)
        #expect(again.status == 0 && again.stdout == "Shop BJ01 exists already: 北京朝阳店 (Asia/Shanghai); nothing changed\n", "\(again.stdout)\(again.stderr)")

        let list = try cli.run(["shop", "list", "--db", owner], withDefaults: false)
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3 && lines[0].contains("门店代码") && lines[1].contains("BJ01") && lines[1].contains("北京朝阳店") && lines[2].contains("SH01"), "\(list.stdout)")
        #expect(lines[1].contains("chain.BJ01") && lines[0].contains("数据库角色"), "\(list.stdout)")
        let json = try cli.run(["shop", "list", "--db", owner, "--json"], withDefaults: false).array()
        #expect(json.map { $0["code"] as? String } == ["BJ01", "SH01"] && json.allSatisfy { ($0["created"] as? Bool) == nil })
        #expect(json.map { $0["databaseRole"] as? String } == [pg.shopRole("BJ01"), pg.shopRole("SH01")] && shop["databaseRole"] as? String == "chain.BJ01", "\(json)")
        #expect(try pg.rows("SELECT operator || ' ' || action || ' ' || subject FROM audit ORDER BY id", as: "postgres") == ["e2e shop.add shop BJ01", "e2e shop.add shop SH01"])
    }

    @Test("refusals write nothing: bad code, name or zone; a desk adding a shop; a SQLite file; the shop's commands on a chain")
    func refusals() throws {
        let pg = try ThrowawayPostgres(migrated: false)
        let cli = try CLI()
        let owner = pg.address(as: "driverdesk_owner", shop: "*")
        #expect(try cli.run(["shop", "add", "BJ01", "--name", "北京朝阳店", "--db", owner], withDefaults: false).status == 0)
        try pg.must(pg.sql("SELECT driverdesk_roles.make_shop_role('XX01')", as: "driverdesk_owner"))
        let before = try dump(pg)
        let cases: [([String], Int32, String)] = [
            (["shop", "add", "北京", "--name", "x", "--db", owner], 2, "门店代码（shop-code）：“北京”不是店铺代码"),
            (["shop", "add", "GZ01", "--name", "", "--db", owner], 2, "店名（shop-name）"),
            (["shop", "add", "GZ01", "--name", "广州店", "--time-zone", "Mars/Olympus", "--db", owner], 2, "时区（time-zone）"),
            // chain. + 58 characters: the shop's role would not fit PostgreSQL's 63 bytes.
            (["shop", "add", String(repeating: "A", count: 32), "--name", "长代码店", "--db", owner.replacingOccurrences(of: "/chain?", with: "/\(String(repeating: "c", count: 31))?")],
             2, "门店代码（shop-code）：门店的数据库角色"),
            (["shop", "add", "GZ01", "--name", "广州店", "--db", pg.shopAddress("BJ01")], 3, "permission denied"),
            (["shop", "list", "--db", cli.db], 2, "数据库（db）：门店只在连锁的 PostgreSQL 数据库里添加和列出"),
            // A shop's login opens its own shop and no other.
            (["status", "--db", pg.address(as: pg.shopRole("BJ01"), shop: "GZ01")], 2, "数据库（db）：chain.BJ01 是门店 BJ01 的数据库角色，地址写的却是门店 GZ01"),
            (["status", "--db", pg.address(as: pg.shopRole("BJ01"), shop: "GZ01"), "--lang", "en"], 2, "chain.BJ01 is the database role of shop BJ01, but the address names shop GZ01"),
            // A login of the group that no shop has (its shop never added).
            (["status", "--db", pg.address(as: pg.shopRole("XX01"), shop: "XX01")], 2, "chain.XX01 不是哪一家门店的数据库角色"),
            // The owner's and the chain manager's roles read every shop: a shop's commands refuse them.
            (["staff", "list", "--db", pg.address(as: "driverdesk_owner", shop: "BJ01")], 2, "门店的命令要以前台的角色 chain.BJ01 连接，这个地址登录的是 driverdesk_owner"),
            (["status", "--db", pg.address(as: "driverdesk_chain", shop: "BJ01")], 2, "这个地址登录的是 driverdesk_chain"),
            (["shop", "list", "--db", "postgres://driverdesk_owner@/chain?host=\(pg.folder)"], 2, "?shop=代码"),
            (["backup", "/tmp/never-written.sqlite", "--db", owner], 2, "用 PostgreSQL 自己的工具备份和恢复：pg_dump"),
            (["restore", "/tmp/never-read.sqlite", "--db", owner, "--lang", "en"], 2, "backed up and restored with PostgreSQL's own tools: pg_restore"),
        ]
        for (arguments, status, says) in cases {
            let result = try cli.run(arguments, withDefaults: false)
            #expect(result.status == status && result.stderr.contains(says), "\(arguments): exit \(result.status): \(result.stderr)")
        }
        // A chain's address from $DRIVERDESK_DB: the error names the variable, not --db.
        var fromEnvironment = cli
        fromEnvironment.environment["DRIVERDESK_DB"] = pg.address(as: pg.shopRole("BJ01"), shop: "GZ01")
        let named = try fromEnvironment.run(["status"], withDefaults: false)
        #expect(named.status == 2 && named.stderr.contains("（DRIVERDESK_DB）：chain.BJ01 是门店 BJ01"), "\(named.stderr)")
        #expect(try dump(pg) == before)
        #expect(!FileManager.default.fileExists(atPath: cli.db), "no SQLite file made for a refused command")
    }

    @Test("user add/list/passwd/disable on the chain's address: the owner makes a chain manager; a shop's account is made on the shop's address; refusals write nothing")
    func chainUsers() throws {
        let pg = try ThrowawayPostgres(migrated: false)
        let cli = try CLI()
        let owner = pg.address(as: "driverdesk_owner", shop: "*"), reader = pg.address(as: "driverdesk_chain", shop: "*")
        #expect(try cli.run(["shop", "add", "BJ01", "--name", "北京朝阳店", "--db", owner], withDefaults: false).status == 0)
        let desk = pg.shopAddress("BJ01")
        let anna = try cli.run(["user", "add", "anna", "--role", "desk", "--password-stdin", "--db", desk], withDefaults: false, stdin: "Anna-front-2026\n")
        #expect(anna.status == 0, "\(anna.stderr)")
        let cm = try cli.run(["user", "add", "cm", "--role", "chain", "--password-stdin", "--db", owner, "--json"], withDefaults: false, stdin: "Chain-manager-2026\n")
        #expect(cm.status == 0, "\(cm.stderr)")
        #expect(try cm.object()["role"] as? String == "chain" && cm.object()["shop"] is NSNull)
        let before = try dump(pg)
        for (arguments, code, says) in [
            (["user", "add", "eve", "--role", "chain", "--db", desk], 2, "?shop=*"),
            (["user", "add", "eve", "--role", "manager", "--db", owner], 2, "?shop=门店代码"),
            (["user", "add", "eve", "--role", "chain", "--staff", "王磊", "--db", owner], 2, "staff"),
            (["user", "add", "eve", "--role", "chain", "--password-stdin", "--db", reader], 2, "driverdesk_owner"),
            (["user", "add", "CM", "--role", "chain", "--password-stdin", "--db", owner], 2, "CM"),
            (["user", "passwd", "anna", "--db", owner], 2, "anna"),
        ] {
            let result = try cli.run(arguments, withDefaults: false, stdin: "Eve-manager-2026\n")
            #expect(result.status == Int32(code) && result.stderr.contains(says), "\(arguments.joined(separator: " ")): \(result.status) \(result.stderr)")
        }
        #expect(try dump(pg) == before, "a refusal wrote something")
        let list = try cli.run(["user", "list", "--db", reader, "--json"], withDefaults: false).array()
        #expect(list.map { "\($0["shop"] as? String ?? "-") \($0["name"] as? String ?? "?")" } == ["- cm", "BJ01 anna"])
        #expect(try cli.run(["user", "list", "--db", reader], withDefaults: false).stdout.contains("连锁经理"))
        #expect(try cli.run(["user", "passwd", "cm", "--password-stdin", "--db", owner], withDefaults: false, stdin: "Chain-manager-2027\n").status == 0)
        #expect(try cli.run(["user", "disable", "cm", "--db", owner], withDefaults: false).status == 0)
        #expect(try cli.run(["user", "disable", "cm", "--db", owner], withDefaults: false).status == 1)
        let log = try pg.rows("SELECT action FROM chain_audit ORDER BY id", as: "postgres")
        #expect(log == ["account.add", "account.passwd", "account.disable"])
        #expect(try pg.rows("SELECT count(*) FROM chain_audit WHERE concat(before, after) LIKE '%$y$%' OR concat(before, after) LIKE '%Chain-manager%'", as: "postgres") == ["0"])
    }

    @Test("init on a chain's address makes the schema and the address's shop, once; the password is never printed")
    func initOnAChain() throws {
        let pg = try ThrowawayPostgres(migrated: false)
        let cli = try CLI()
        let address = pg.address(as: "driverdesk_owner", shop: "BJ01").replacingOccurrences(of: "driverdesk_owner@", with: "driverdesk_owner:s3cret-word@")
        let first = try cli.run(["init", "--shop-name", "北京朝阳店", "--db", address], withDefaults: false)
        #expect(first.status == 0 && first.stdout.contains("已就绪：北京朝阳店（Asia/Shanghai）") && first.stdout.contains("shop=BJ01"), "\(first.stdout)\(first.stderr)")
        #expect(!(first.stdout + first.stderr).contains("s3cret-word"))
        let second = try cli.run(["init", "--db", address, "--json"], withDefaults: false)
        let secondShop = try second.object()
        #expect(second.status == 0 && secondShop["created"] as? Bool == false, "\(second.stdout)\(second.stderr)")
        #expect(try pg.rows("SELECT code || ' ' || name FROM shop", as: "postgres") == ["BJ01 北京朝阳店"])
        let chainWide = try cli.run(["init", "--db", pg.address(as: "driverdesk_owner", shop: "*")], withDefaults: false)
        #expect(chainWide.status == 2 && chainWide.stderr.contains("?shop=代码"), "\(chainWide.stderr)")
    }

    @Test("over TCP by password, from $PGPASSWORD as psql takes it; a wrong password is exit 3 and never printed")
    func passwordOverTCP() throws {
        let pg = try ThrowawayPostgres(migrated: false, tcp: true)
        try pg.must(pg.sql("ALTER ROLE driverdesk_owner PASSWORD 'Owner-pass-1';", as: "postgres"))
        var cli = try CLI()
        cli.environment["PGPASSWORD"] = "Owner-pass-1"
        let added = try cli.run(["shop", "add", "BJ01", "--name", "北京朝阳店", "--db", pg.tcpAddress(as: "driverdesk_owner", shop: "*")], withDefaults: false)
        #expect(added.status == 0 && added.stdout.contains("已添加门店 BJ01"), "\(added.stdout)\(added.stderr)")
        cli.environment["PGPASSWORD"] = "Wrong-pass-3"
        let refused = try cli.run(["shop", "list", "--db", pg.tcpAddress(as: "driverdesk_owner", shop: "*")], withDefaults: false)
        #expect(refused.status == 3 && refused.stderr.contains("password authentication failed"), "\(refused.stderr)")
        let typed = try cli.run(["shop", "list", "--db", pg.tcpAddress(as: "driverdesk_owner", password: "Typed-pass-4", shop: "*")], withDefaults: false)
        #expect(typed.status == 3 && !(typed.stdout + typed.stderr + refused.stdout + refused.stderr).contains("pass-"), "\(typed.stderr)")
    }

    @Test("issue 27: shop password sets a shop's database login from standard input (never printed); its desks then log in with it, to their shop only; refusals")
    func shopPassword() throws {
        let pg = try ThrowawayPostgres(migrated: false, tcp: true)
        try pg.must(pg.sql("ALTER ROLE driverdesk_owner PASSWORD 'Owner-pass-1';", as: "postgres"))
        var cli = try CLI()
        cli.environment["PGPASSWORD"] = "Owner-pass-1"
        let owner = pg.tcpAddress(as: "driverdesk_owner", shop: "*")
        for code in ["BJ01", "SH01"] {
            #expect(try cli.run(["shop", "add", code, "--name", "店\(code)", "--db", owner], withDefaults: false).status == 0)
        }
        let set = try cli.run(["shop", "password", "BJ01", "--password-stdin", "--db", owner], withDefaults: false, stdin: "Bj01-desk-Secret\n")
        #expect(set.status == 0 && set.stdout == "已设置门店 BJ01 的数据库密码（数据库角色 chain.BJ01）\n", "\(set.stdout)\(set.stderr)")
        let json = try cli.run(["shop", "password", "SH01", "--password-stdin", "--db", owner, "--json"], withDefaults: false, stdin: "Sh01-desk-Secret\n")
        let setJSON = try json.object()
        #expect(json.status == 0 && setJSON["databaseRole"] as? String == "chain.SH01" && setJSON["code"] as? String == "SH01", "\(json.stdout)\(json.stderr)")
        #expect(!(set.stdout + set.stderr + json.stdout + json.stderr).contains("Secret"))
        // The shop's desk logs in with its password, to its shop; not to the other's, nor with the other's password.
        cli.environment["PGPASSWORD"] = "Bj01-desk-Secret"
        let desk = try cli.run(["staff", "list", "--db", pg.tcpAddress(as: pg.shopRole("BJ01"), shop: "BJ01")], withDefaults: false)
        #expect(desk.status == 0, "\(desk.stderr)")
        let other = try cli.run(["staff", "list", "--db", pg.tcpAddress(as: pg.shopRole("BJ01"), shop: "SH01")], withDefaults: false)
        #expect(other.status == 2 && other.stderr.contains("数据库（db）") && other.stderr.contains("chain.BJ01 是门店 BJ01 的数据库角色"), "\(other.stderr)")
        let wrong = try cli.run(["staff", "list", "--db", pg.tcpAddress(as: pg.shopRole("SH01"), shop: "SH01")], withDefaults: false)
        #expect(wrong.status == 3 && wrong.stderr.contains("password authentication failed") && !wrong.stderr.contains("Secret"), "\(wrong.stderr)")
        // The old shared login logs in no more.
        let shared = try cli.run(["staff", "list", "--db", pg.tcpAddress(as: "driverdesk_desk", shop: "BJ01")], withDefaults: false)
        #expect(shared.status == 3, "\(shared.stderr)")
        // Refusals: no such shop, a weak password, a shop's own login, no terminal to ask on; nothing in the chain's log.
        cli.environment["PGPASSWORD"] = "Owner-pass-1"
        for (arguments, stdin, status, says) in [
            (["shop", "password", "GZ01", "--password-stdin", "--db", owner], "Gz01-desk-Secret\n", 2, "门店代码（shop-code）：连锁数据库里没有门店 GZ01"),
            (["shop", "password", "BJ01", "--password-stdin", "--db", owner], "short\n", 2, "密码（password）"),
            (["shop", "password", "BJ01", "--password-stdin", "--db", owner], "一二三四五六七八九十-Secret\n", 2, "密码（password）：数据库密码只能用"),
            (["shop", "password", "北京", "--password-stdin", "--db", owner], "Bj01-desk-Secret\n", 2, "门店代码（shop-code）"),
            (["shop", "password", "BJ01", "--db", owner], "", 2, "password-stdin"),
        ] as [([String], String, Int32, String)] {
            let result = try cli.run(arguments, withDefaults: false, stdin: stdin)
            #expect(result.status == status && result.stderr.contains(says) && !result.stderr.contains("Secret"), "\(arguments): \(result.status) \(result.stderr)")
        }
        cli.environment["PGPASSWORD"] = "Bj01-desk-Secret"
        let byDesk = try cli.run(["shop", "password", "SH01", "--password-stdin", "--db", pg.tcpAddress(as: pg.shopRole("BJ01"), shop: "*")], withDefaults: false,
                                 stdin: "Sh01-stolen-Secret\n")
        #expect(byDesk.status == 2 && byDesk.stderr.contains("只有连锁的所有者（driverdesk_owner）能设置门店的数据库密码"), "\(byDesk.stderr)")
        #expect(try pg.rows("SELECT action || ' ' || subject FROM chain_audit ORDER BY id", as: "postgres") == ["shop.password shop BJ01", "shop.password shop SH01"])
    }

    @Test("refused input makes nothing, not even the schema; a desk's role cannot make a new chain's schema, and is told to run init as the owner")
    func deskCannotMakeTheSchema() throws {
        let pg = try ThrowawayPostgres(migrated: false)
        let cli = try CLI()
        // Refused input is refused before the database is touched: not even the schema is made.
        let owner = pg.address(as: "driverdesk_owner", shop: "*")
        for arguments in [["shop", "add", "北京", "--name", "x", "--db", owner], ["shop", "add", "BJ01", "--name", "x", "--time-zone", "Mars/Olympus", "--db", owner],
                          ["init", "--db", owner], ["init", "--time-zone", "nowhere", "--db", pg.address(as: "driverdesk_owner", shop: "BJ01")]] {
            let refused = try cli.run(arguments, withDefaults: false)
            #expect(refused.status == 2, "\(arguments): \(refused.stderr)")
        }
        #expect(try pg.rows("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", as: "postgres") == ["0"])
        try pg.must(pg.sql("SELECT driverdesk_roles.make_shop_role('BJ01')", as: "driverdesk_owner"))
        let result = try cli.run(["shop", "list", "--db", pg.address(as: pg.shopRole("BJ01"), shop: "*")], withDefaults: false)
        #expect(result.status == 3 && result.stderr.contains("driverdesk_owner") && result.stderr.contains("driverdesk init"), "\(result.stderr)")
        #expect(try pg.rows("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", as: "postgres") == ["0"])
    }
}
