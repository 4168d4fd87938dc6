import DriverDeskCore
@testable import DriverDeskStore
import Foundation
import PostgresHarness
import Testing

/// The chain's store on a real PostgreSQL 15 (issue 14), through postgres-nio as DriverDesk connects: the schema made
/// on first use under the advisory lock, a newer schema refused, shops added by the owner and found by a desk.
@Suite("Chain store on PostgreSQL: migrations and shops", .serialized)
struct ChainStoreTests {
    static let migrations: [ChainDatabase.Migration] = {
        try! ChainDatabase.Migration.shipped(in: ThrowawayPostgres.root.appendingPathComponent("data/postgres"))
    }()
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    var context: WriteContext { WriteContext(operator: "店长", now: now) }

    func connect(_ pg: ThrowawayPostgres, as role: String, shop: String = "BJ01") throws -> ChainDatabase {
        guard case .postgres(let address) = try DatabaseAddress(parsing: pg.address(as: role, shop: shop)) else { throw ThrowawayPostgres.Failure(description: "not a postgres address") }
        return try ChainDatabase.connect(address)
    }

    @Test("the shipped migrations are numbered files, and the first makes the chain's schema")
    func shipped() {
        #expect(ChainStoreTests.migrations.map(\.name) == ["0001-chain", "0002-desk-facts", "0003-accounts", "0004-corrections", "0005-shop-roles",
                                                                    "0006-chain-report", "0007-custody", "0008-checkin-plan", "0009-driver-accounts"])
        #expect(ChainStoreTests.migrations.first?.sql.contains("CREATE TABLE movement") == true)
    }

    @Test("the owner makes the schema on first use, once; a second migrator finds nothing to do")
    func migratesOnce() throws {
        let pg = try ThrowawayPostgres(migrated: false)
        let owner = try connect(pg, as: "driverdesk_owner")
        defer { owner.close() }
        #expect(try owner.isCurrent(ChainStoreTests.migrations) == false)
        try owner.migrate(ChainStoreTests.migrations, now: now)
        #expect(try owner.isCurrent(ChainStoreTests.migrations))
        try owner.migrate(ChainStoreTests.migrations, now: now)
        #expect(try pg.rows("SELECT name, applied_at FROM driverdesk_migration", as: "postgres") == ["0001-chain|1795000000", "0002-desk-facts|1795000000", "0003-accounts|1795000000", "0004-corrections|1795000000",
                                                                                           "0005-shop-roles|1795000000", "0006-chain-report|1795000000", "0007-custody|1795000000",
                                                                                           "0008-checkin-plan|1795000000", "0009-driver-accounts|1795000000"])
        // What psql makes of the same file: the same tables, all forced under row-level security.
        let forced = try pg.rows("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relforcerowsecurity", as: "postgres")
        #expect(forced == ["14"])
    }

    @Test("four owners opening a new database at once: each migration applied exactly once")
    func concurrentMigrators() async throws {
        let pg = try ThrowawayPostgres(migrated: false)
        let addresses = (0..<4).map { _ in pg.address(as: "driverdesk_owner", shop: "BJ01") }
        let migrations = ChainStoreTests.migrations, now = self.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for raw in addresses {
                group.addTask {
                    guard case .postgres(let address) = try DatabaseAddress(parsing: raw) else { return }
                    let database = try ChainDatabase.connect(address)
                    defer { database.close() }
                    try database.migrate(migrations, now: now)
                }
            }
            try await group.waitForAll()
        }
        #expect(try pg.rows("SELECT name FROM driverdesk_migration ORDER BY name", as: "postgres") == ["0001-chain", "0002-desk-facts", "0003-accounts", "0004-corrections",
                                                                                                 "0005-shop-roles", "0006-chain-report", "0007-custody", "0008-checkin-plan", "0009-driver-accounts"])
    }

    @Test("a desk cannot make the schema: the error says so and nothing is made")
    func deskCannotMigrate() throws {
        let pg = try ThrowawayPostgres(migrated: false)
        // A shop's role may exist before the schema does (the superuser's function needs none).
        try pg.must(pg.sql("SELECT driverdesk_roles.make_shop_role('BJ01')", as: "driverdesk_owner"))
        let desk = try connect(pg, as: pg.shopRole("BJ01"))
        defer { desk.close() }
        #expect(throws: DeskError.self) { try desk.migrate(ChainStoreTests.migrations, now: now) }
        #expect(try pg.rows("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", as: "postgres") == ["0"])
    }

    @Test("a schema with a migration this build does not know is refused, as on SQLite, and left as it is")
    func newerSchema() throws {
        let pg = try ThrowawayPostgres(migrated: false)
        let owner = try connect(pg, as: "driverdesk_owner")
        defer { owner.close() }
        try owner.migrate(ChainStoreTests.migrations, now: now)
        try pg.must(pg.sql("INSERT INTO driverdesk_migration VALUES ('0099-from-the-future', 0)", as: "postgres"))
        for attempt in [{ try owner.migrate(ChainStoreTests.migrations, now: now) }, { _ = try owner.isCurrent(ChainStoreTests.migrations) }] {
            let error = #expect(throws: DeskError.self) { try attempt() }
            guard case .storage(let message)? = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(message.contains("newer DriverDesk") && message.contains("postgres://driverdesk_owner@/chain"), "\(message)")
        }
        #expect(try pg.rows("SELECT count(*) FROM driverdesk_migration", as: "postgres") == [String(ChainStoreTests.migrations.count + 1)])
    }

    @Test("the owner adds shops with their roles (a code twice is one shop); a shop's login finds its own shop and no other, and cannot add one")
    func shops() throws {
        let pg = try ThrowawayPostgres(migrated: false)
        let owner = try connect(pg, as: "driverdesk_owner")
        defer { owner.close() }
        try owner.migrate(ChainStoreTests.migrations, now: now)
        let first = try owner.addShop(code: "BJ01", name: "北京一店", timeZone: "Asia/Shanghai", context: context)
        #expect(first.created && first.shop.code == "BJ01" && first.shop.name == "北京一店")
        let again = try owner.addShop(code: "BJ01", name: "别的名字", timeZone: "Asia/Urumqi", context: context)
        #expect(!again.created && again.shop == first.shop)
        let second = try owner.addShop(code: "SH01", name: "上海一店", timeZone: "Asia/Shanghai", context: context).shop
        #expect(try owner.shops().map(\.shop.code) == ["BJ01", "SH01"])

        #expect(try owner.shops().map(\.role) == ["chain.BJ01", "chain.SH01"])
        #expect(try pg.rows("SELECT rolname FROM pg_roles WHERE rolname LIKE 'chain.%' ORDER BY 1", as: "postgres") == ["chain.BJ01", "chain.SH01"])

        let desk = try connect(pg, as: pg.shopRole("SH01"), shop: "SH01")
        defer { desk.close() }
        let own = try desk.ownShop()
        #expect(own.shop == second && own.login == "chain.SH01" && second.name == "上海一店" && second.timeZone == "Asia/Shanghai")
        #expect(try desk.shop(code: "BJ01") == nil && desk.shop(code: "GZ01") == nil)
        #expect(try desk.shops().map(\.shop) == [second], "a shop's login sees its own shop's row only")
        #expect(try owner.ownShop().shop == nil, "the owner's login is no shop's")
        #expect(throws: DeskError.self) { try desk.addShop(code: "GZ01", name: "广州一店", timeZone: "Asia/Shanghai", context: context) }
        #expect(try pg.rows("SELECT count(*) FROM shop", as: "postgres") == ["2"])
        // Each new shop starts with its name and time zone as settings, and its own audit says who added it.
        #expect(try pg.rows("SELECT shop_id || ' ' || key || ' ' || value FROM setting ORDER BY shop_id, key", as: "postgres")
                == ["\(first.shop.id) shop.name 北京一店", "\(first.shop.id) shop.timeZone Asia/Shanghai", "\(second.id) shop.name 上海一店", "\(second.id) shop.timeZone Asia/Shanghai"])
        #expect(try pg.rows("SELECT shop_id || ' ' || operator || ' ' || action || ' ' || subject FROM audit ORDER BY id", as: "postgres")
                == ["\(first.shop.id) 店长 shop.add shop BJ01", "\(second.id) 店长 shop.add shop SH01"])
    }

    @Test("over TCP by password: in the address, or from $PGPASSWORD; a wrong one is refused without being repeated; a shop's password set by the owner as its SCRAM verifier")
    func passwords() throws {
        let pg = try ThrowawayPostgres(migrated: false, tcp: true)
        try pg.must(pg.sql("ALTER ROLE driverdesk_owner PASSWORD 'Owner-pass-1';", as: "postgres"))
        func open(_ raw: String, environment: [String: String] = [:]) throws -> ChainDatabase {
            guard case .postgres(let address) = try DatabaseAddress(parsing: raw, environment: environment) else { throw ThrowawayPostgres.Failure(description: raw) }
            return try ChainDatabase.connect(address)
        }
        let owner = try open(pg.tcpAddress(as: "driverdesk_owner", password: "Owner-pass-1", shop: "*"))
        try owner.migrate(ChainStoreTests.migrations, now: now)
        try owner.addShop(code: "BJ01", name: "北京一店", timeZone: "Asia/Shanghai", context: context)
        #expect(try owner.setShopPassword(code: "BJ01", password: "Desk-pass-2", context: context) == "chain.BJ01")
        #expect(try owner.setShopPassword(code: "GZ01", password: "Desk-pass-2", context: context) == nil)
        owner.close()
        // The server keeps the verifier made here; the chain's log says who set it, and nothing of it.
        #expect(try pg.rows("SELECT rolpassword LIKE 'SCRAM-SHA-256$4096:%' FROM pg_authid WHERE rolname = 'chain.BJ01'", as: "postgres") == ["t"])
        #expect(try pg.rows("SELECT operator || ' ' || action || ' ' || subject || ' ' || after FROM chain_audit", as: "postgres")
                == [#"店长 shop.password shop BJ01 {"databaseRole":"chain.BJ01"}"#])
        let desk = try open(pg.tcpAddress(as: pg.shopRole("BJ01"), shop: "BJ01"), environment: ["PGPASSWORD": "Desk-pass-2"])
        #expect(try desk.ownShop().shop?.name == "北京一店")
        desk.close()
        for (raw, environment) in [(pg.tcpAddress(as: pg.shopRole("BJ01"), password: "Wrong-pass-3", shop: "BJ01"), [String: String]()),
                                   (pg.tcpAddress(as: pg.shopRole("BJ01"), shop: "BJ01"), ["PGPASSWORD": "Wrong-pass-3"]),
                                   (pg.tcpAddress(as: "driverdesk_desk", shop: "BJ01"), ["PGPASSWORD": "Desk-pass-2"])] {
            let error = #expect(throws: DeskError.self) { _ = try open(raw, environment: environment) }
            guard case .storage(let message)? = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(message.contains("password authentication failed") && !message.contains("Wrong-pass-3") && message.contains("127.0.0.1:\(pg.port!)"), "\(message)")
        }
    }

    @Test("an error from the server carries its message, not the statement (which may hold a person's data)")
    func errorsWithoutStatements() throws {
        let pg = try ThrowawayPostgres(migrated: false)
        let owner = try connect(pg, as: "driverdesk_owner")
        defer { owner.close() }
        let error = #expect(throws: DeskError.self) { try owner.query("SELECT '110105198803124111'::int") }
        guard case .storage(let message)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(message.contains("out of range for type integer") && !message.contains("SELECT") && !message.contains("110105198803124111")
                && message.contains("110105********4111") && !message.contains("server:"), "\(message)")
    }
}

@Suite("SQL scripts cut into statements")
struct SQLScriptTests {
    @Test("semicolons inside quotes, names, dollar-quoted bodies and comments do not end a statement")
    func quoting() throws {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE "a;b" (x text DEFAULT 'it''s; fine');
            /* block; /* nested; */ still */ SELECT 1;
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
            DO $body$ BEGIN PERFORM 1; END $body$;
            SELECT E'a\\'; b', 'c\\' || 'd', e'\\\\';
            SELECT $1::int
            """
        #expect(try SQLScript.statements(script) == [
            #"CREATE TABLE "a;b" (x text DEFAULT 'it''s; fine')"#,
            "SELECT 1",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$",
            "DO $body$ BEGIN PERFORM 1; END $body$",
            #"SELECT E'a\'; b', 'c\' || 'd', e'\\'"#,
            "SELECT $1::int",
        ])
    }

    @Test("an unfinished quote, body or comment names its line; a psql command is refused")
    func unfinished() {
        #expect(throws: SQLScript.Unfinished(line: 2)) { try SQLScript.statements("SELECT 1;\nSELECT 'open;\n") }
        #expect(throws: SQLScript.Unfinished(line: 1)) { try SQLScript.statements("DO $$ BEGIN") }
        #expect(throws: SQLScript.Unfinished(line: 3)) { try SQLScript.statements("\n\n/* never closed") }
        #expect(throws: SQLScript.BackslashCommand(line: 2)) { try SQLScript.statements("SELECT 1;\n\\i other.sql") }
        #expect(throws: SQLScript.BackslashCommand(line: 1)) { try SQLScript.statements("SELECT 1 \\gset") }
    }
}
