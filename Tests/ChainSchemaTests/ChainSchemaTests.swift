import Foundation
import PostgresHarness
import Testing

/// The chain's schema on a real PostgreSQL 15 (issues 14 and 27): what the database itself guarantees, whatever the
/// application does. Raw SQL through the roles a chain uses, as an attacker with one shop's password would send it.
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
        INSERT INTO visit_plan (shop_id, visit_id, purpose) VALUES (1, 1001, 'road-test'), (2, 2001, 'delivery');
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
        SELECT driverdesk_roles.make_shop_role('BJ01'), driverdesk_roles.make_shop_role('SH01') \\g /dev/null
        """

    static let tables = ["shop", "setting", "person", "staff", "vehicle", "visit", "movement", "registration", "violation", "audit", "account", "movement_void", "visit_plan"]

    func server() throws -> ThrowawayPostgres {
        let server = try ThrowawayPostgres()
        try server.must(server.sql(ChainSchemaTests.fixture, as: "driverdesk_owner"))
        return server
    }

    /// Shop 1's and shop 2's own roles: what each shop's desks log in as.
    let bj = "chain.BJ01", sh = "chain.SH01"

    @Test("no role is a superuser or bypasses row-level security; the shared desk role logs in no more; a shop's role cannot become another shop's, the owner or the chain")
    func roles() throws {
        let pg = try server()
        #expect(pg.shopRole("BJ01") == bj)
        let flags = try pg.rows("""
            SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname LIKE 'driverdesk_%' OR rolname LIKE 'chain.%' ORDER BY rolname
            """, as: "postgres")
        #expect(flags == ["chain.BJ01|f|f|f|t", "chain.SH01|f|f|f|t", "driverdesk_chain|f|f|f|t", "driverdesk_desk|f|f|f|f", "driverdesk_owner|f|f|f|t"], "\(flags)")
        let login = try pg.sql("SELECT 1;", as: "driverdesk_desk")
        #expect(login.status != 0 && login.stderr.contains("not permitted to log in"), "\(login.stderr)")
        let owners = Set(try pg.rows("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'", as: "postgres"))
        #expect(owners == ["driverdesk_owner"])
        let forced = try pg.rows("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relrowsecurity AND relforcerowsecurity ORDER BY relname", as: "postgres")
        let all = ChainSchemaTests.tables + ["chain_audit"]
        #expect(forced == all.sorted(), "tables without forced row-level security: \(Set(all).subtracting(forced))")
        for target in ["driverdesk_owner", "driverdesk_chain", sh, "postgres"] {
            let become = try pg.sql("SET ROLE \"\(target)\"; SELECT count(*) FROM vehicle;", as: bj)
            #expect(become.status != 0 && become.stderr.contains("permission denied"), "SET ROLE \(target): \(become)")
            let session = try pg.sql("SET SESSION AUTHORIZATION \"\(target)\"; SELECT count(*) FROM vehicle;", as: bj)
            #expect(session.status != 0 && session.stderr.contains("permission denied"), "SET SESSION AUTHORIZATION \(target): \(session)")
        }
        // The group it belongs to it may become: its shop is still its login's.
        #expect(try pg.rows("SET ROLE driverdesk_desk; SELECT count(*) FROM vehicle; SELECT current_shop();", as: bj) == ["1", "1"])
        // Nobody may make roles but the superuser's two functions, which only the owner may call.
        for statement in ["CREATE ROLE \"chain.GZ01\" LOGIN;", "SELECT driverdesk_roles.make_shop_role('GZ01');", "SELECT driverdesk_roles.set_shop_password('SH01', 'x');"] {
            let result = try pg.sql(statement, as: bj)
            #expect(result.status != 0 && result.stderr.contains("permission denied"), "\(statement): \(result.stderr)")
        }
        let ownerMakes = try pg.sql("CREATE ROLE eve LOGIN;", as: "driverdesk_owner")
        #expect(ownerMakes.status != 0 && ownerMakes.stderr.contains("permission denied"), "\(ownerMakes.stderr)")
        // The owner's functions make only `<database>.<code>` roles of its shop codes, and touch no other role.
        for (statement, reason) in [("SELECT driverdesk_roles.make_shop_role('a.b');", "not a shop code"),
                                    ("SELECT driverdesk_roles.set_shop_password('BJ01', 'plain-password');", "not a SCRAM-SHA-256 verifier")] {
            let result = try pg.sql(statement, as: "driverdesk_owner")
            #expect(result.status != 0 && result.stderr.contains(reason), "\(statement): \(result.stderr)")
        }
        try pg.must(pg.sql("CREATE ROLE \"chain.GZ01\" LOGIN;", as: "postgres"))
        let foreign = try pg.sql("SELECT driverdesk_roles.make_shop_role('GZ01');", as: "driverdesk_owner")
        #expect(foreign.status != 0 && foreign.stderr.contains("is not a shop's role made by DriverDesk"), "\(foreign.stderr)")
    }

    @Test("a shop sees only its own rows; a login that is no shop's sees nothing")
    func reading() throws {
        let pg = try server()
        let counts = ChainSchemaTests.tables.map { "SELECT '\($0)', count(*) FROM \($0);" }.joined(separator: "\n")
        let own = try pg.rows(counts, as: bj)
        #expect(own == ["shop|1", "setting|1", "person|1", "staff|1", "vehicle|1", "visit|1", "movement|1", "registration|1", "violation|1", "audit|1", "account|1", "movement_void|1", "visit_plan|1"])
        // A role of the group without a shop of its code (its shop not added, say) sees nothing.
        try pg.must(pg.sql("SELECT driverdesk_roles.make_shop_role('XX01');", as: "driverdesk_owner"))
        let none = try pg.rows(counts, as: "chain.XX01")
        #expect(none == ChainSchemaTests.tables.map { "\($0)|0" }, "no shop: \(none)")
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
            """, as: bj)
        #expect(aimed == Array(repeating: "0", count: 8))
        // The chain's manager reads every shop.
        #expect(try pg.rows("SELECT count(*) FROM vehicle; SELECT count(*) FROM person; SELECT count(*) FROM audit;", as: "driverdesk_chain") == ["3", "2", "2"])
    }

    @Test("issue 27: no setting chooses another shop; SH01's staff, owners, refs and audit stay out of reach; its manager's account cannot be taken over")
    func noShopBySetting() throws {
        let pg = try server()
        let before = try pg.rows("SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM account t; SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM vehicle t;", as: "postgres")
        // The probe's way in: the old setting, for the session and for the transaction, and as a connection option.
        for choose in ["SELECT set_config('driverdesk.shop', '2', false) \\g /dev/null", "SET driverdesk.shop = '2';",
                       "BEGIN; SELECT set_config('driverdesk.shop', '2', true) \\g /dev/null"] {
            let seen = try pg.rows("""
                \(choose)
                SELECT count(*) FROM staff WHERE id IN (21, 22);
                SELECT count(*) FROM person WHERE id_number = '11010519491231002X';
                SELECT count(*) FROM vehicle WHERE owner_name = '陈静';
                SELECT count(*) FROM registration WHERE ref = 'INV-BBBB-2222';
                SELECT count(*) FROM audit WHERE subject = 'shop 2';
                SELECT count(*) FROM account WHERE name = 'bob';
                SELECT current_shop();
                WITH a AS (UPDATE vehicle SET owner_name = 'x' WHERE id = 201 RETURNING 1) SELECT count(*) FROM a;
                WITH a AS (UPDATE account SET password_hash = '$y$j9T$known-to-shop-1', epoch = epoch + 1 WHERE name = 'bob' RETURNING 1) SELECT count(*) FROM a;
                """, as: bj)
            #expect(seen == ["0", "0", "0", "0", "0", "0", "1", "0", "0"], "\(choose): \(seen)")
        }
        let environment = ["PGOPTIONS": "-c driverdesk.shop=2"]
        let options = try ThrowawayPostgres.run(ThrowawayPostgres.psqlPath, ["-X", "-q", "-A", "-t", "-h", pg.folder, "-U", bj, "-d", pg.database,
                                                                          "-c", "SELECT current_shop(); SELECT count(*) FROM vehicle WHERE id = 201;"], environment: environment)
        #expect(options.status == 0 && options.rows == ["1", "0"], "\(options)")
        #expect(try pg.rows("SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM account t; SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM vehicle t;", as: "postgres") == before)
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
            WITH a AS (UPDATE setting SET value = 'x' WHERE shop_id = 2 RETURNING 1) SELECT count(*) FROM a;
            WITH a AS (UPDATE account SET password_hash = '$y$j9T$z', epoch = 9 WHERE name = 'bob' RETURNING 1) SELECT count(*) FROM a;
            """, as: bj)
        #expect(changed == Array(repeating: "0", count: 7))
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
            // People are hired through hire_staff and corrected through correct_person; a staff row never points at
            // another person, is never deleted; an ID number stays.
            ("INSERT INTO person (id_number, name, license_class, license_first_issued, license_valid_until, created_at) VALUES ('110101199003070134', 'x', 'C1', '2010-01-01', '2030-01-01', 0);", "permission denied"),
            ("INSERT INTO staff (shop_id, person_id, created_at) VALUES (1, 2, 0);", "permission denied"),
            ("UPDATE staff SET person_id = 2 WHERE id = 11;", "permission denied"),
            ("DELETE FROM staff WHERE id = 11;", "permission denied"),
            ("UPDATE person SET id_number = '110101199003070134' WHERE id = 1;", "permission denied"),
            ("UPDATE person SET name = 'x' WHERE id = 1;", "permission denied"),
            ("UPDATE person SET name = 'x' WHERE id = 2;", "permission denied"),
            ("SELECT 1 FROM person WHERE id = 1 FOR UPDATE;", "permission denied"),
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
            let result = try pg.sql(statement, as: bj)
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

    @Test("issue 27: every SECURITY DEFINER function, called from shop 1 with shop 2's ids, answers nothing of shop 2 and changes nothing")
    func definerFunctions() throws {
        let pg = try server()
        // The list is the schema's: a new function must be added here, with what it may answer.
        let definers = try pg.rows("""
            SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.prosecdef AND n.nspname IN ('public', 'driverdesk_roles') ORDER BY 1
            """, as: "postgres")
        #expect(definers == ["driverdesk_roles.make_shop_role", "driverdesk_roles.set_shop_password", "public.begin_violation_import", "public.correct_person",
                             "public.driver_movements_elsewhere", "public.driver_points", "public.driver_registrations", "public.hire_staff", "public.lock_driver",
                             "public.person_audited", "public.record_chain_login", "public.shop_by_code"], "\(definers)")
        // 王磊 drives a car of shop 2 too (as staff 21), from 3500 to 3900.
        try pg.must(pg.sql("""
            INSERT INTO visit (shop_id, id, vehicle_id, checkin_at) OVERRIDING SYSTEM VALUE VALUES (2, 2002, 202, 1000);
            INSERT INTO movement (shop_id, visit_id, vehicle_id, staff_id, person_id, start_at, end_at, purpose) VALUES (2, 2002, 202, 21, 1, 3500, 3900, 'delivery');
            """, as: "driverdesk_owner"))
        let before = try pg.rows(ChainSchemaTests.tables.map { "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM \($0) t;" }.joined(separator: "\n"), as: "postgres")
        // With shop 2's staff ids (21: 王磊 there, 22: 李强, whom shop 2 alone employs): nothing at all.
        let aimed = try pg.rows("""
            SELECT count(*) FROM driver_registrations(21, 0, 100000, 'Asia/Shanghai');
            SELECT count(*) FROM driver_registrations(22, 0, 100000, 'Asia/Shanghai');
            SELECT driver_points(21, 0, 100000, NULL);
            SELECT driver_points(22, 0, 100000, NULL);
            SELECT count(*) FROM driver_movements_elsewhere(21, 0, NULL);
            SELECT count(*) FROM driver_movements_elsewhere(22, 0, NULL);
            SELECT correct_person(22, 'x', 'C1', '2012-08-03', '2028-08-03', 'eve', 9000) IS NULL;
            SELECT correct_person(21, 'x', 'C1', '2009-05-20', '2031-05-20', 'eve', 9000) IS NULL;
            SELECT 'none held' FROM lock_driver(22);
            """, as: bj)
        #expect(aimed == ["0", "0", "0", "0", "0", "0", "t", "t", "none held"], "\(aimed)")
        // For its own 王磊: shop 2's registration by its code and the day it was activated (1970-01-01 in
        // Shanghai began at -28800), without its reference, car or invite time; his points there; his driving there as
        // the stretch of the asked span, without the movement's number, car or purpose.
        let own = try pg.rows("""
            SELECT concat_ws(' ', coalesce(ref, '-'), coalesce(plate, '-'), shop_code, status, coalesce(invited_at::text, '-'), activated_at) FROM driver_registrations(11, 0, 100000, 'Asia/Shanghai');
            SELECT driver_points(11, 0, 100000, NULL);
            SELECT concat_ws(' ', shop_code, start_at, end_at) FROM driver_movements_elsewhere(11, 3600, 3700);
            SELECT pg_get_function_result('driver_movements_elsewhere'::regproc);
            """, as: bj)
        #expect(own == ["INV-AAAA-1111 京A12345 BJ01 active 100 200", "- - SH01 active - -28800", "7", "SH01 3600 3700",
                        "TABLE(shop_code text, start_at bigint, end_at bigint)"], "\(own)")
        // Functions that are not the desk's: refused.
        for statement in ["SELECT * FROM shop_by_code('SH01');", "SELECT record_chain_login('login', NULL, 'x', 'x', 0);",
                          "SELECT driverdesk_roles.make_shop_role('SH01');", "SELECT driverdesk_roles.set_shop_password('SH01', 'SCRAM-SHA-256$4096:YQ==$YQ==:YQ==');"] {
            let result = try pg.sql(statement, as: bj)
            #expect(result.status != 0 && result.stderr.contains("permission denied"), "\(statement): \(result.stderr)")
        }
        // The staging table of an import is the calling session's own, under its own shop's policies.
        #expect(try pg.rows("BEGIN; SELECT 'staged' FROM begin_violation_import(); SELECT count(*) FROM violation_import; ROLLBACK;", as: bj) == ["staged", "0"])
        let after = try pg.rows(ChainSchemaTests.tables.map { "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM \($0) t;" }.joined(separator: "\n"), as: "postgres")
        #expect(after == before, "a function wrote")
        // Of a driver it no longer employs, a shop learns nothing of other shops any more.
        try pg.must(pg.sql("UPDATE staff SET active = false WHERE id = 11;", as: bj))
        #expect(try pg.rows("""
            SELECT count(*) FROM driver_registrations(11, 0, 100000, 'Asia/Shanghai') WHERE shop_code <> 'BJ01';
            SELECT driver_points(11, 0, 100000, NULL);
            SELECT count(*) FROM driver_movements_elsewhere(11, 0, NULL);
            """, as: bj) == ["0", "6", "0"])
    }

    @Test("issue 27: hiring by ID number says only whether the person is new; a record that differs is refused by field, showing nothing of it")
    func hiringRevealsNothing() throws {
        let pg = try server()
        // 李强 works for shop 2 only. Shop 1 knows his ID number, and guesses the rest wrong: told which fields, not his.
        let guessed = try pg.sql("SELECT staff_id, new_person, differs FROM hire_staff('11010519491231002X', '张三', 'C2', '2012-08-03', '2029-01-01', NULL, 0);", as: bj)
        #expect(guessed.status == 0 && guessed.rows == ["|f|{name,license-class,license-valid-until}"], "\(guessed)")
        #expect(!guessed.stdout.contains("李强") && !guessed.stdout.contains("2028"))
        #expect(try pg.rows("SELECT count(*) FROM staff WHERE person_id = 2", as: "postgres") == ["1"], "a refused hire wrote a staff row")
        // Typed as the chain holds him: hired, an existing person; a new ID number: a new person.
        #expect(try pg.rows("""
            SELECT staff_id > 0, new_person, differs FROM hire_staff('11010519491231002X', '李强', 'C1', '2012-08-03', '2028-08-03', NULL, 0);
            SELECT staff_id > 0, new_person, differs FROM hire_staff('110101199003070134', '赵六', 'C1', '2010-01-01', '2030-01-01', '13800000000', 0);
            """, as: bj) == ["t|f|{}", "t|t|{}"])
        #expect(try pg.rows("SELECT count(*) FROM person; SELECT count(*) FROM staff WHERE shop_id = 1;", as: "postgres") == ["3", "3"])
        // Now that shop 1 employs 李强 it sees his record, and of shop 2 still nothing.
        #expect(try pg.rows("SELECT name FROM person WHERE id = 2; SELECT count(*) FROM staff WHERE person_id = 2;", as: bj) == ["李强", "1"])
        let noShop = try pg.sql("SELECT * FROM hire_staff('110101199003070151', '赵七', 'C1', '2010-01-01', '2030-01-01', NULL, 0);", as: "driverdesk_owner")
        #expect(noShop.status != 0 && noShop.stderr.contains("no shop"), "\(noShop.stderr)")
    }

    @Test("issue 27: a person another shop employs is nobody's to rewrite; a correction of one it alone employs is audited in every shop that has had him")
    func personRewrite() throws {
        let pg = try server()
        // The probe: hire 王磊 into shop 1 (it does already), change him, delete the staff row, commit.
        let probe = try pg.sql("UPDATE person SET name = '王大磊' WHERE id = 1;", as: bj)
        #expect(probe.status != 0 && probe.stderr.contains("permission denied"), "\(probe.stderr)")
        // Through the function: shop 2 employs him too, so no.
        #expect(try pg.rows("SELECT correct_person(11, '王大磊', 'C1', '2009-05-20', '2031-05-20', 'anna', 9000);", as: bj) == ["employedElsewhere"])
        #expect(try pg.rows("SELECT name FROM person WHERE id = 1; SELECT count(*) FROM audit WHERE action = 'person.update';", as: "postgres") == ["王磊", "0"])
        // Once shop 2 no longer employs him, shop 1 may, and both shops' audits say so (shop 2 had him).
        try pg.must(pg.sql("UPDATE staff SET active = false WHERE id = 21;", as: sh))
        #expect(try pg.rows("SELECT correct_person(11, '王大磊', 'C1', '2009-05-20', '2031-05-20', 'anna', 9000);", as: bj) == ["corrected"])
        #expect(try pg.rows("SELECT correct_person(11, '王大磊', 'C1', '2009-05-20', '2031-05-20', 'anna', 9000);", as: bj) == ["unchanged"])
        let audit = try pg.rows("SELECT shop_id || ' ' || at || ' ' || operator || ' ' || subject || ' ' || before || ' ' || after FROM audit WHERE action = 'person.update' ORDER BY shop_id",
                                as: "postgres")
        let change = #"{"name" : "王磊", "idNumber" : "110105********4111", "licenseClass" : "C1", "licenseFirstIssued" : "2009-05-20", "licenseValidUntil" : "2031-05-20"} {"name" : "王大磊", "idNumber" : "110105********4111", "licenseClass" : "C1", "licenseFirstIssued" : "2009-05-20", "licenseValidUntil" : "2031-05-20"}"#
        #expect(audit == ["1 9000 BJ01 anna staff #11 王大磊 \(change)", "2 9000 BJ01 anna staff #21 王大磊 \(change)"], "\(audit)")
        // The chain's administrator corrects anyone, by hand, audited as himself in every shop that has had him.
        try pg.must(pg.sql("UPDATE person SET license_valid_until = '2035-05-20' WHERE id = 1;", as: "driverdesk_owner"))
        #expect(try pg.rows("SELECT shop_id || ' ' || operator FROM audit WHERE action = 'person.update' AND after LIKE '%2035-05-20%' ORDER BY shop_id", as: "postgres")
                == ["1 driverdesk_owner", "2 driverdesk_owner"])
    }

    @Test("issue 27: a LISTEN hears its own shop's changes only; the old shared channel and another shop's hear nothing")
    func changeNotices() throws {
        let pg = try server()
        let channels = try pg.rows("SELECT notice_channel FROM shop", as: bj)
        #expect(channels.count == 1 && channels[0].hasPrefix("driverdesk_") && channels[0].count == 43, "\(channels)")
        let others = try pg.rows("SELECT notice_channel FROM shop WHERE code = 'SH01'", as: "postgres")
        #expect(others != channels)
        // Shop 1 listens on its channel and the old shared one (and on shop 2's, as if it had learned it: the control).
        let listener = try pg.startScript("""
            LISTEN "\(channels[0])";
            LISTEN driverdesk_change;
            SELECT pg_sleep(4.5);
            SELECT 'done';
            """, as: bj)
        let spy = try pg.startScript("LISTEN \"\(others[0])\";\nSELECT pg_sleep(4.5);\nSELECT 'done';\n", as: "driverdesk_chain")
        // Both listen once their sleep has begun (a loaded machine starts psql slowly: a fixed second was once too short).
        for _ in 0..<100 {
            if try pg.rows("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(4.5);'", as: "postgres") == ["2"] { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        // Shop 2 changes something (its audit says so), and so, a moment later, does shop 1.
        try pg.must(pg.sql("INSERT INTO audit (at, operator, action, subject) VALUES (9000, 'b', 'x', 'shop 2 again');", as: sh))
        Thread.sleep(forTimeInterval: 0.3)
        try pg.must(pg.sql("INSERT INTO audit (at, operator, action, subject) VALUES (9000, 'a', 'x', 'shop 1 again');", as: bj))
        listener.0.waitUntilExit()
        spy.0.waitUntilExit()
        let heard = try String(contentsOf: listener.1, encoding: .utf8), spied = try String(contentsOf: spy.1, encoding: .utf8)
        let notices = heard.split(separator: "\n").filter { $0.contains("Asynchronous notification") }
        #expect(listener.0.terminationStatus == 0 && notices.count == 1 && notices[0].contains(channels[0]) && !notices[0].contains("payload"),
                "\(heard) \((try? String(contentsOf: listener.2, encoding: .utf8)) ?? "")")
        // Whoever knows a shop's channel hears it (the chain's manager reads every shop's row): the name is the secret.
        #expect(spied.contains("Asynchronous notification \"\(others[0])\""), "\(spied)")
    }

    @Test("R1 in the database: no two drivers on one car, and no driver on two cars at once, even across shops")
    func exclusion() throws {
        let pg = try server()
        func move(_ shop: Int, visit: Int, vehicle: Int, staff: Int, person: Int, _ start: Int, _ end: Int?) throws -> ThrowawayPostgres.Result {
            try pg.sql("INSERT INTO movement (shop_id, visit_id, vehicle_id, staff_id, person_id, start_at, end_at, purpose) VALUES (\(shop), \(visit), \(vehicle), \(staff), \(person), \(start), \(end.map(String.init) ?? "NULL"), 'other');",
                       as: shop == 1 ? bj : sh)
        }
        // Shop 1's car is driven by 王磊 2000–3000; shop 2's car by 李强 2000–3000.
        #expect(try move(1, visit: 1001, vehicle: 101, staff: 11, person: 1, 2500, 2600).stderr.contains("exclusion constraint"))  // same car
        #expect(try move(1, visit: 1001, vehicle: 101, staff: 11, person: 1, 3000, 3100).status == 0)  // touching: may start when the last ended
        #expect(try move(2, visit: 2001, vehicle: 201, staff: 21, person: 1, 3050, 3200).stderr.contains("exclusion constraint"))  // 王磊 in shop 1 at 3050
        #expect(try move(2, visit: 2001, vehicle: 201, staff: 21, person: 1, 3100, nil).status == 0)  // and free after 3100, in shop 2
        #expect(try move(1, visit: 1001, vehicle: 101, staff: 11, person: 1, 5000, 5100).stderr.contains("exclusion constraint"))  // still driving in shop 2
        let visit = try pg.sql("INSERT INTO visit (shop_id, vehicle_id, checkin_at) VALUES (1, 101, 7000);", as: bj)
        #expect(visit.stderr.contains("exclusion constraint"), "a second visit of a car in the shop: \(visit.stderr)")
    }

    @Test("two desks starting overlapping movements of one car at the same moment: exactly one is written")
    func concurrentWriters() throws {
        let pg = try server()
        // Both transactions insert, then hold for a second: the second insert waits for the first to commit, then fails.
        let insert = "INSERT INTO movement (shop_id, visit_id, vehicle_id, staff_id, person_id, start_at, end_at, purpose) VALUES (1, 1001, 101, 11, 1, 8000, NULL, 'other'); SELECT pg_sleep(1);"
        let first = try pg.start(insert, as: bj)
        let second = try pg.start(insert, as: bj)
        first.0.waitUntilExit()
        second.0.waitUntilExit()
        let statuses = [first.0.terminationStatus, second.0.terminationStatus].sorted()
        let errors = (try String(contentsOf: first.2, encoding: .utf8)) + (try String(contentsOf: second.2, encoding: .utf8))
        #expect(statuses[0] == 0 && statuses[1] != 0, "exit statuses \(statuses): \(errors)")
        #expect(errors.contains("exclusion constraint"), "\(errors)")
        #expect(try pg.rows("SELECT count(*) FROM movement WHERE start_at = 8000", as: "postgres") == ["1"])
    }

    @Test("issue 27: an existing chain upgrades with roles.sql: a role for every shop, the shared desk login retired; run again it changes nothing")
    func upgrade() throws {
        let pg = try ThrowawayPostgres(migrated: false)
        // As issue 14's chain was: the desk role logging in, migrations 1 to 4, two shops and no shop roles.
        try pg.must(pg.sql("ALTER ROLE driverdesk_desk LOGIN;", as: "postgres"))
        let folder = ThrowawayPostgres.root.appendingPathComponent("data/postgres")
        // The migrations up to 0005 (later ones come after the upgrade, as on a real chain).
        let migrations = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.first?.isNumber == true && $0.hasSuffix(".sql") }.sorted()
            .filter { $0 <= "0005-shop-roles.sql" }
        #expect(migrations.last == "0005-shop-roles.sql")
        for migration in migrations.dropLast() {
            try pg.must(pg.sql("\\i \(folder.path)/\(migration)", as: "driverdesk_owner", singleTransaction: true))
        }
        try pg.must(pg.sql("INSERT INTO shop (code, name, time_zone, created_at) VALUES ('BJ01', '北京一店', 'Asia/Shanghai', 0), ('SH01', '上海一店', 'Asia/Shanghai', 0);",
                           as: "driverdesk_owner"))
        #expect(try pg.rows("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'chain.%'", as: "postgres") == ["0"])
        // The one command, twice.
        for _ in 0..<2 { try pg.installRoles(database: pg.database) }
        #expect(try pg.rows("SELECT rolname || ' ' || rolcanlogin FROM pg_roles WHERE rolname LIKE 'chain.%' OR rolname = 'driverdesk_desk' ORDER BY rolname", as: "postgres")
                == ["chain.BJ01 true", "chain.SH01 true", "driverdesk_desk false"])
        // The schema's own step comes with the next command of the owner (the last migration).
        try pg.must(pg.sql("\\i \(folder.path)/\(migrations.last!)", as: "driverdesk_owner", singleTransaction: true))
        #expect(try pg.rows("SELECT code FROM shop; SELECT current_shop() > 0;", as: bj) == ["BJ01", "t"])
    }
}
