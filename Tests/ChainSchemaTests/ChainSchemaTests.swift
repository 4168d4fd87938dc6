import Foundation
import PostgresHarness
import Testing

/// The chain's schema on a real PostgreSQL 15 (issue 14): what the database itself guarantees, whatever the
/// application does. Raw SQL through the roles a chain uses, as an attacker with the desk's password would send it.
@Suite("Chain schema on PostgreSQL: shops isolated by the database, R1 held under concurrent writers", .serialized)
struct ChainSchemaTests {
    /// Two shops. 王磊 (person 1) works for both; 李强 (person 2) for shop 2 only. Each shop has a car, a visit, a
    /// movement, a registration, a violation and an audit entry; ids are fixed so that a test can aim at the other shop's.
    static let fixture = """
        INSERT INTO shop (id, code, name, time_zone, created_at) OVERRIDING SYSTEM VALUE VALUES
            (1, 'BJ01', '北京一店', 'Asia/Shanghai', 0), (2, 'SH01', '上海一店', 'Asia/Shanghai', 0);
        INSERT INTO person (id, id_number, name, license_class, license_first_issued, license_valid_until, created_at) OVERRIDING SYSTEM VALUE VALUES
            (1, '110105198803124111', '王磊', 'C1', '2009-05-20', '2031-05-20', 0), (2, '11010519491231002X', '李强', 'C1', '2012-08-03', '2028-08-03', 0);
        INSERT INTO staff (shop_id, id, person_id, created_at) OVERRIDING SYSTEM VALUE VALUES (1, 11, 1, 0), (2, 21, 1, 0), (2, 22, 2, 0);
        INSERT INTO vehicle (shop_id, id, plate, owner_name, created_at) OVERRIDING SYSTEM VALUE VALUES
            (1, 101, '京A12345', '张伟', 0), (2, 201, '沪B88888', '上海某某贸易有限公司', 0), (2, 202, '沪C66666', '陈静', 0);
        INSERT INTO visit (shop_id, id, vehicle_id, checkin_at) OVERRIDING SYSTEM VALUE VALUES (1, 1001, 101, 1000), (2, 2001, 201, 1000);
        INSERT INTO movement (shop_id, id, visit_id, vehicle_id, staff_id, person_id, start_at, end_at, purpose) OVERRIDING SYSTEM VALUE VALUES
            (1, 1101, 1001, 101, 11, 1, 2000, 3000, 'road-test'), (2, 2101, 2001, 201, 22, 2, 2000, 3000, 'parking');
        INSERT INTO movement_void (shop_id, id, visit_id, vehicle_id, staff_id, person_id, start_at, end_at, purpose, voided_at, voided_by, void_reason) VALUES
            (1, 1102, 1001, 101, 11, 1, 3000, 3100, 'parking', 3200, 'a', '扫错'), (2, 2102, 2001, 201, 22, 2, 3000, 3100, 'parking', 3200, 'b', '重复');
        INSERT INTO registration (shop_id, id, ref, vehicle_id, staff_id, person_id, method, status, invited_at, activated_at) OVERRIDING SYSTEM VALUE VALUES
            (1, 1201, 'INV-AAAA-1111', 101, 11, 1, 'qr', 'active', 100, 200), (2, 2201, 'INV-BBBB-2222', 201, 21, 1, 'qr', 'active', 100, 200);
        INSERT INTO violation (shop_id, id, vehicle_id, occurred_at, code, points, fine_fen, record_no, status, driver_id, driver_person_id,
                               attribution, needs_review, reasons, processed_at, recorded_at) OVERRIDING SYSTEM VALUE VALUES
            (1, 1301, 101, 2500, '1625', 6, 20000, 'R-A', 'processed', 11, 1, 'movement', false, '[]', 4000, 4000),
            (2, 2301, 201, 2500, '1117', 1, 20000, 'R-B', 'processed', 21, 1, 'manual', false, '[]', 4000, 4000);
        INSERT INTO audit (shop_id, at, operator, action, subject) VALUES (1, 5000, 'a', 'x', 'shop 1'), (2, 5000, 'b', 'x', 'shop 2');
        INSERT INTO setting (shop_id, key, value) VALUES (1, 'shop.name', '北京一店'), (2, 'shop.name', '上海一店');
        INSERT INTO account (shop_id, id, name, role, staff_id, password_hash, created_at) OVERRIDING SYSTEM VALUE VALUES
            (1, 31, 'anna', 'desk', 11, '$y$j9T$x', 0), (2, 32, 'bob', 'manager', 21, '$y$j9T$y', 0);
        SELECT setval(pg_get_serial_sequence(t, 'id'), 10000) FROM unnest(ARRAY['shop', 'person', 'staff', 'vehicle', 'visit',
            'movement', 'registration', 'violation', 'audit', 'account']) AS t \\g /dev/null
        """

    static let tables = ["shop", "setting", "person", "staff", "vehicle", "visit", "movement", "registration", "violation", "audit", "account", "movement_void"]

    func server() throws -> ThrowawayPostgres {
        let server = try ThrowawayPostgres()
        try server.must(server.sql(ChainSchemaTests.fixture, as: "driverdesk_owner"))
        return server
    }

    @Test("the desk and chain roles are no superusers, cannot bypass row-level security, own nothing and cannot become the owner")
    func roles() throws {
        let pg = try server()
        let flags = try pg.rows("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname LIKE 'driverdesk_%' ORDER BY rolname", as: "postgres")
        #expect(flags == ["driverdesk_chain|f|f", "driverdesk_desk|f|f", "driverdesk_owner|f|f"])
        let owners = Set(try pg.rows("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'", as: "postgres"))
        #expect(owners == ["driverdesk_owner"])
        let forced = try pg.rows("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relrowsecurity AND relforcerowsecurity ORDER BY relname", as: "postgres")
        let all = ChainSchemaTests.tables + ["chain_audit"]
        #expect(forced == all.sorted(), "tables without forced row-level security: \(Set(all).subtracting(forced))")
        let becomeOwner = try pg.sql("SET ROLE driverdesk_owner; SELECT count(*) FROM vehicle;", as: "driverdesk_desk", shop: 1)
        #expect(becomeOwner.status != 0 && becomeOwner.stderr.contains("permission denied"), "\(becomeOwner)")
        let becomeChain = try pg.sql("SET ROLE driverdesk_chain;", as: "driverdesk_desk", shop: 1)
        #expect(becomeChain.status != 0, "\(becomeChain)")
    }

    @Test("a desk sees only its own shop; without a shop it sees nothing")
    func reading() throws {
        let pg = try server()
        let counts = ChainSchemaTests.tables.map { "SELECT '\($0)', count(*) FROM \($0);" }.joined(separator: "\n")
        let own = try pg.rows(counts, as: "driverdesk_desk", shop: 1)
        #expect(own == ["shop|1", "setting|1", "person|1", "staff|1", "vehicle|1", "visit|1", "movement|1", "registration|1", "violation|1", "audit|1", "account|1", "movement_void|1"])
        // Shop 2 holds 2 cars: the chain's manager sees them below.
        let none = try pg.rows(counts, as: "driverdesk_desk")
        #expect(none == ChainSchemaTests.tables.map { "\($0)|0" }, "no shop set: \(none)")
        // Shop 2's ids, plate, ref and record number, aimed at from shop 1.
        let aimed = try pg.rows("""
            SELECT count(*) FROM vehicle WHERE id = 201 OR plate = '沪B88888';
            SELECT count(*) FROM registration WHERE id = 2201 OR ref = 'INV-BBBB-2222';
            SELECT count(*) FROM violation WHERE id = 2301 OR record_no = 'R-B';
            SELECT count(*) FROM movement WHERE id = 2101;
            SELECT count(*) FROM visit WHERE id = 2001;
            SELECT count(*) FROM staff WHERE id IN (21, 22);
            SELECT count(*) FROM person WHERE id = 2 OR id_number = '11010519491231002X';
            SELECT count(*) FROM shop WHERE code = 'SH01';
            """, as: "driverdesk_desk", shop: 1)
        #expect(aimed == Array(repeating: "0", count: 8))
        // The chain's manager reads every shop.
        #expect(try pg.rows("SELECT count(*) FROM vehicle; SELECT count(*) FROM person; SELECT count(*) FROM audit;", as: "driverdesk_chain") == ["3", "2", "2"])
    }

    @Test("a desk cannot change, delete, or write into another shop, nor point a row of its own at another shop's")
    func writing() throws {
        let pg = try server()
        let before = try pg.rows(ChainSchemaTests.tables.map { "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM \($0) t;" }.joined(separator: "\n"), as: "postgres")
        let changed = try pg.rows("""
            WITH a AS (UPDATE vehicle SET owner_name = 'x' WHERE id = 201 RETURNING 1) SELECT count(*) FROM a;
            WITH a AS (UPDATE staff SET active = false WHERE id = 22 RETURNING 1) SELECT count(*) FROM a;
            WITH a AS (UPDATE registration SET status = 'removed', removed_at = 9000 WHERE ref = 'INV-BBBB-2222' RETURNING 1) SELECT count(*) FROM a;
            WITH a AS (UPDATE violation SET status = 'void' WHERE id = 2301 RETURNING 1) SELECT count(*) FROM a;
            WITH a AS (DELETE FROM movement WHERE id = 2101 RETURNING 1) SELECT count(*) FROM a;
            WITH a AS (UPDATE person SET name = 'x' WHERE id = 2 RETURNING 1) SELECT count(*) FROM a;
            WITH a AS (UPDATE setting SET value = 'x' WHERE shop_id = 2 RETURNING 1) SELECT count(*) FROM a;
            WITH a AS (UPDATE account SET password_hash = '$y$j9T$z', epoch = 9 WHERE name = 'bob' RETURNING 1) SELECT count(*) FROM a;
            """, as: "driverdesk_desk", shop: 1)
        #expect(changed == Array(repeating: "0", count: 8))
        // Each refused for the reason given, named by the error (a refusal for another reason proves nothing).
        let refused: [(String, String)] = [
            // A row of shop 2 written from shop 1.
            ("INSERT INTO vehicle (shop_id, plate, owner_name, created_at) VALUES (2, '沪C11111', 'x', 0);", "row-level security"),
            ("INSERT INTO audit (shop_id, at, operator, action, subject) VALUES (2, 1, 'x', 'x', 'x');", "row-level security"),
            ("UPDATE vehicle SET shop_id = 2 WHERE id = 101;", "row-level security"),
            // A row of shop 1 that points at shop 2's car (202: no visit, no registration, so only the key can refuse).
            ("INSERT INTO visit (shop_id, vehicle_id, checkin_at) VALUES (1, 202, 9000);", "foreign key"),
            ("INSERT INTO movement (shop_id, visit_id, vehicle_id, staff_id, person_id, start_at, purpose) VALUES (1, 1001, 101, 22, 2, 9000, 'other');", "foreign key"),
            ("INSERT INTO registration (shop_id, ref, vehicle_id, staff_id, person_id, method, status, invited_at) VALUES (1, 'INV-CCCC-3333', 202, 11, 1, 'qr', 'invited', 9000);", "foreign key"),
            // The audit is append-only, and the shop list is not the desk's to change.
            ("UPDATE audit SET subject = 'x';", "permission denied"), ("DELETE FROM audit;", "permission denied"), ("TRUNCATE audit;", "permission denied"),
            ("INSERT INTO shop (code, name, time_zone, created_at) VALUES ('X', 'x', 'UTC', 0);", "permission denied"),
            // People are hired through hire_staff; a staff row never points at another person; an ID number stays.
            ("INSERT INTO person (id_number, name, license_class, license_first_issued, license_valid_until, created_at) VALUES ('110101199003070134', 'x', 'C1', '2010-01-01', '2030-01-01', 0);", "permission denied"),
            ("INSERT INTO staff (shop_id, person_id, created_at) VALUES (1, 2, 0);", "permission denied"),
            ("UPDATE staff SET person_id = 2 WHERE id = 11;", "permission denied"),
            ("UPDATE person SET id_number = '110101199003070134' WHERE id = 1;", "permission denied"),
            // Accounts: another shop's, a staff member of another shop, a chain's account, a name or role changed, one deleted.
            ("INSERT INTO account (shop_id, name, role, password_hash, created_at) VALUES (2, 'eve', 'manager', '$y$j9T$e', 0);", "row-level security"),
            ("INSERT INTO account (shop_id, name, role, staff_id, password_hash, created_at) VALUES (1, 'eve', 'desk', 21, '$y$j9T$e', 0);", "foreign key"),
            ("INSERT INTO account (shop_id, name, role, password_hash, created_at) VALUES (1, 'eve', 'chain', '$y$j9T$e', 0);", "check constraint"),
            ("INSERT INTO account (shop_id, name, role, password_hash, created_at) VALUES (1, 'ANNA', 'desk', '$y$j9T$e', 0);", "duplicate key"),
            ("UPDATE account SET role = 'manager' WHERE id = 31;", "permission denied"),
            ("UPDATE account SET shop_id = 2 WHERE id = 31;", "permission denied"),
            ("DELETE FROM account WHERE id = 31;", "permission denied"),
            // The chain's own log is the owner's, and the chain page's logins only.
            ("SELECT count(*) FROM chain_audit;", "permission denied"),
            ("INSERT INTO chain_audit (at, operator, action, subject) VALUES (0, 'x', 'x', 'x');", "permission denied"),
            ("SELECT record_chain_login('login', NULL, 'x', 'x', 0);", "permission denied"),
            // Nothing of its own to shadow the functions' tables with.
            ("CREATE TEMP TABLE staff (person_id bigint, shop_id bigint);", "permission denied"),
            ("CREATE TABLE staff2 (x int);", "permission denied"),
        ]
        for (statement, reason) in refused {
            let result = try pg.sql(statement, as: "driverdesk_desk", shop: 1)
            #expect(result.status != 0 && result.stderr.contains(reason), "\(statement): exit \(result.status): \(result.stderr)")
        }
        for statement in ["UPDATE audit SET subject = 'x';", "DELETE FROM audit;", "TRUNCATE audit;"] {
            let result = try pg.sql(statement, as: "driverdesk_owner")
            #expect(result.status != 0 && result.stderr.contains("append-only"), "as the owner: \(statement): \(result.stderr)")
        }
        let chainWrites = try pg.sql("UPDATE vehicle SET owner_name = 'x';", as: "driverdesk_chain")
        #expect(chainWrites.status != 0 && chainWrites.stderr.contains("permission denied"), "\(chainWrites.stderr)")
        // The chain manager's role writes its logins through record_chain_login, and nothing else there.
        for (statement, reason) in [("INSERT INTO chain_audit (at, operator, action, subject) VALUES (0, 'x', 'x', 'x');", "permission denied"),
                                    ("INSERT INTO account (name, role, password_hash, created_at) VALUES ('x', 'chain', '$y$x', 0);", "permission denied"),
                                    ("SELECT record_chain_login('account.add', NULL, 'x', 'x', 0);", "not a login"),
                                    ("SELECT record_chain_login('login', 'nobody', 'x', 'x', 0);", "no chain account")] {
            let result = try pg.sql(statement, as: "driverdesk_chain")
            #expect(result.status != 0 && result.stderr.contains(reason), "as the chain: \(statement): \(result.stderr)")
        }
        let after = try pg.rows(ChainSchemaTests.tables.map { "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM \($0) t;" }.joined(separator: "\n"), as: "postgres")
        #expect(after == before, "something was written")
    }

    @Test("R1 in the database: no two drivers on one car, and no driver on two cars at once, even across shops")
    func exclusion() throws {
        let pg = try server()
        func move(_ shop: Int, visit: Int, vehicle: Int, staff: Int, person: Int, _ start: Int, _ end: Int?) throws -> ThrowawayPostgres.Result {
            try pg.sql("INSERT INTO movement (shop_id, visit_id, vehicle_id, staff_id, person_id, start_at, end_at, purpose) VALUES (\(shop), \(visit), \(vehicle), \(staff), \(person), \(start), \(end.map(String.init) ?? "NULL"), 'other');",
                       as: "driverdesk_desk", shop: shop)
        }
        // Shop 1's car is driven by 王磊 2000–3000; shop 2's car by 李强 2000–3000.
        #expect(try move(1, visit: 1001, vehicle: 101, staff: 11, person: 1, 2500, 2600).stderr.contains("exclusion constraint"))  // same car
        #expect(try move(1, visit: 1001, vehicle: 101, staff: 11, person: 1, 3000, 3100).status == 0)  // touching: may start when the last ended
        #expect(try move(2, visit: 2001, vehicle: 201, staff: 21, person: 1, 3050, 3200).stderr.contains("exclusion constraint"))  // 王磊 in shop 1 at 3050
        #expect(try move(2, visit: 2001, vehicle: 201, staff: 21, person: 1, 3100, nil).status == 0)  // and free after 3100, in shop 2
        #expect(try move(1, visit: 1001, vehicle: 101, staff: 11, person: 1, 5000, 5100).stderr.contains("exclusion constraint"))  // still driving in shop 2
        let visit = try pg.sql("INSERT INTO visit (shop_id, vehicle_id, checkin_at) VALUES (1, 101, 7000);", as: "driverdesk_desk", shop: 1)
        #expect(visit.stderr.contains("exclusion constraint"), "a second visit of a car in the shop: \(visit.stderr)")
    }

    @Test("two desks starting overlapping movements of one car at the same moment: exactly one is written")
    func concurrentWriters() throws {
        let pg = try server()
        // Both transactions insert, then hold for a second: the second insert waits for the first to commit, then fails.
        let insert = "INSERT INTO movement (shop_id, visit_id, vehicle_id, staff_id, person_id, start_at, end_at, purpose) VALUES (1, 1001, 101, 11, 1, 8000, NULL, 'other'); SELECT pg_sleep(1);"
        let first = try pg.start(insert, as: "driverdesk_desk", shop: 1)
        let second = try pg.start(insert, as: "driverdesk_desk", shop: 1)
        first.0.waitUntilExit()
        second.0.waitUntilExit()
        let statuses = [first.0.terminationStatus, second.0.terminationStatus].sorted()
        let errors = (try String(contentsOf: first.2, encoding: .utf8)) + (try String(contentsOf: second.2, encoding: .utf8))
        #expect(statuses[0] == 0 && statuses[1] != 0, "exit statuses \(statuses): \(errors)")
        #expect(errors.contains("exclusion constraint"), "\(errors)")
        #expect(try pg.rows("SELECT count(*) FROM movement WHERE start_at = 8000", as: "postgres") == ["1"])
    }

    @Test("R3 and R6 across the chain: a desk counts a driver's registrations and points in every shop without seeing them")
    func chainFacts() throws {
        let pg = try server()
        // 王磊: one active registration in each shop, points 6 (shop 1) + 1 (shop 2) processed in the cycle.
        let facts = try pg.rows("SELECT * FROM person_chain_facts(1, 0, 100000, 0, 100000);", as: "driverdesk_desk", shop: 1)
        #expect(facts == ["2|2|7"])
        // 李强 works for shop 2 only: shop 1 learns nothing of him.
        #expect(try pg.rows("SELECT count(*) FROM person_chain_facts(2, 0, 100000, 0, 100000);", as: "driverdesk_desk", shop: 1) == ["0"])
        // Hiring: the chain's person with that ID number, or a new one, either way not a second person; the staff id
        // of the calling shop is returned, the same one when it employs him already.
        let hired = try pg.rows("""
            SELECT hire_staff('11010519491231002X', '李强', 'C1', '2012-08-03', '2028-08-03', NULL, 0) > 0;
            SELECT person_id FROM staff WHERE shop_id = 1 AND person_id = 2;
            SELECT hire_staff('110105198803124111', '王磊', 'C1', '2009-05-20', '2031-05-20', NULL, 0);
            SELECT count(*) FROM person WHERE id_number = '110101199003070134';
            SELECT hire_staff('110101199003070134', '赵六', 'C1', '2010-01-01', '2030-01-01', '13800000000', 0) > 0;
            """, as: "driverdesk_desk", shop: 1)
        #expect(hired == ["t", "2", "11", "0", "t"])
        #expect(try pg.rows("SELECT count(*) FROM person; SELECT count(*) FROM staff WHERE shop_id = 1;", as: "postgres") == ["3", "3"])
        let noShop = try pg.sql("SELECT hire_staff('110101199003070135', '赵七', 'C1', '2010-01-01', '2030-01-01', NULL, 0);", as: "driverdesk_desk")
        #expect(noShop.status != 0 && noShop.stderr.contains("no shop"), "\(noShop.stderr)")
    }
}
