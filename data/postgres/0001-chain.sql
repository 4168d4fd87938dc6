-- DriverDesk on PostgreSQL: a chain of shops in one database (issue 14). Migration 1: the chain's schema.
--
-- Run as the owner role (driverdesk_owner) in one transaction under an advisory lock; never edit a migration that has
-- shipped, add the next one. The three roles are made once per server by roles.sql. Times are seconds since 1970 (bigint), money is fen, as in the SQLite schema.
--
-- Every row belongs to a shop. A desk connects as driverdesk_desk and sets `driverdesk.shop` to its shop's id at the
-- start of each transaction (set_config(..., true)); row-level security, forced on every table, shows it only that
-- shop's rows and refuses any other shop's. driverdesk_chain reads every shop and writes nothing. No reference crosses
-- shops: every foreign key between shop rows includes shop_id.
--
-- A driver is a person of the chain (person, by ID number): his 12123 limits (R3) and scoring cycle (R6) are his own,
-- whichever shop employs him. A shop employs him through a staff row of its own; moving to another shop is a new staff
-- row there, and the history stays with the shop it happened in.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE shop (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    time_zone text NOT NULL,
    created_at bigint NOT NULL
);

CREATE TABLE setting (
    shop_id bigint NOT NULL REFERENCES shop(id),
    key text NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (shop_id, key)
);

CREATE TABLE person (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id_number text NOT NULL UNIQUE CHECK (length(id_number) = 18),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    license_class text NOT NULL CHECK (license_class IN ('A1','A2','A3','B1','B2','C1','C2','C3','C4','C5','C6','D','E','F','M','N','P')),
    license_first_issued date NOT NULL,
    license_valid_until date NOT NULL CHECK (license_valid_until > license_first_issued),
    created_at bigint NOT NULL
);

CREATE TABLE staff (
    shop_id bigint NOT NULL REFERENCES shop(id),
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES person(id),
    phone text,
    active boolean NOT NULL DEFAULT true,
    created_at bigint NOT NULL,
    UNIQUE (shop_id, id),
    UNIQUE (shop_id, id, person_id),
    UNIQUE (shop_id, person_id)
);

CREATE TABLE vehicle (
    shop_id bigint NOT NULL REFERENCES shop(id),
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plate text NOT NULL CHECK (length(plate) BETWEEN 7 AND 8),
    owner_name text NOT NULL CHECK (length(owner_name) BETWEEN 1 AND 80),
    owner_phone text,
    engine_last6 text CHECK (engine_last6 IS NULL OR length(engine_last6) = 6),
    usage text NOT NULL DEFAULT 'private' CHECK (usage IN ('private', 'commercial')),
    size text NOT NULL DEFAULT 'small' CHECK (size IN ('small', 'large')),
    created_at bigint NOT NULL,
    UNIQUE (shop_id, id),
    UNIQUE (shop_id, plate)
);

CREATE TABLE visit (
    shop_id bigint NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vehicle_id bigint NOT NULL,
    checkin_at bigint NOT NULL,
    checkout_at bigint CHECK (checkout_at IS NULL OR checkout_at > checkin_at),
    order_no text,
    UNIQUE (shop_id, id),
    UNIQUE (shop_id, id, vehicle_id),
    FOREIGN KEY (shop_id, vehicle_id) REFERENCES vehicle(shop_id, id),
    -- R1: a car is in the shop once at a time; an open visit (no check-out) reaches to the end of time.
    EXCLUDE USING gist (vehicle_id WITH =, int8range(checkin_at, checkout_at) WITH &&)
);

CREATE TABLE movement (
    shop_id bigint NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    visit_id bigint NOT NULL,
    vehicle_id bigint NOT NULL,
    staff_id bigint NOT NULL,
    person_id bigint NOT NULL,
    start_at bigint NOT NULL,
    end_at bigint CHECK (end_at IS NULL OR end_at > start_at),
    purpose text NOT NULL CHECK (purpose IN ('road-test', 'parking', 'delivery', 'pickup', 'other')),
    FOREIGN KEY (shop_id, visit_id, vehicle_id) REFERENCES visit(shop_id, id, vehicle_id),
    FOREIGN KEY (shop_id, staff_id, person_id) REFERENCES staff(shop_id, id, person_id),
    -- R1, held by the database under concurrent writers: one driver per car at a time, and one car per driver at a
    -- time across the whole chain (a driver is a person, whichever shop he drives for). [start, end) ranges: a
    -- movement may start when the last one ended; an open one overlaps everything after its start.
    EXCLUDE USING gist (vehicle_id WITH =, int8range(start_at, end_at) WITH &&),
    EXCLUDE USING gist (person_id WITH =, int8range(start_at, end_at) WITH &&)
);
CREATE INDEX movement_by_start ON movement (shop_id, start_at);

CREATE TABLE registration (
    shop_id bigint NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ref text NOT NULL CHECK (ref ~ '^INV-[0-9A-Z]{4}-[0-9A-Z]{4}$'),
    vehicle_id bigint NOT NULL,
    staff_id bigint NOT NULL,
    person_id bigint NOT NULL,
    method text NOT NULL CHECK (method IN ('qr', 'sms', 'window')),
    status text NOT NULL CHECK (status IN ('invited', 'active', 'removalDue', 'removed', 'expired', 'cancelled')),
    invited_at bigint NOT NULL,
    activated_at bigint CHECK (activated_at IS NULL OR activated_at >= invited_at),
    removal_due_at bigint,
    removed_at bigint,
    expired_at bigint,
    cancelled_at bigint,
    CHECK (status = 'invited' OR activated_at IS NOT NULL OR status IN ('expired', 'cancelled')),
    UNIQUE (shop_id, ref),
    FOREIGN KEY (shop_id, vehicle_id) REFERENCES vehicle(shop_id, id),
    FOREIGN KEY (shop_id, staff_id, person_id) REFERENCES staff(shop_id, id, person_id)
);
CREATE UNIQUE INDEX registration_one_live_per_pair ON registration (vehicle_id, person_id) WHERE status IN ('invited', 'active', 'removalDue');
CREATE INDEX registration_by_person ON registration (person_id, activated_at);

CREATE TABLE violation (
    shop_id bigint NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vehicle_id bigint NOT NULL,
    occurred_at bigint NOT NULL,
    code text NOT NULL CHECK (length(code) BETWEEN 4 AND 5),
    description_text text,
    category text,
    location text,
    points integer NOT NULL CHECK (points IN (0, 1, 3, 6, 9, 12)),
    fine_fen bigint NOT NULL CHECK (fine_fen >= 0),
    record_no text,
    status text NOT NULL CHECK (status IN ('open', 'processed', 'paid', 'void')),
    driver_id bigint,
    driver_person_id bigint,
    attribution text NOT NULL CHECK (attribution IN ('movement', 'parked', 'manual', 'outsideCustody', 'unattributed')),
    needs_review boolean NOT NULL,
    reasons text NOT NULL,
    movement_id bigint,
    assigned_by text,
    assign_reason text,
    assigned_at bigint,
    processed_at bigint,
    processed_channel text CHECK (processed_channel IN ('online', 'window')),
    paid_at bigint,
    paid_fen bigint CHECK (paid_fen >= 0),
    late_fee_fen bigint CHECK (late_fee_fen >= 0),
    pay_method text CHECK (pay_method IN ('wechat', 'alipay', 'bank-card', 'cash')),
    payer text CHECK (payer IN ('shop', 'driver', 'owner')),
    recorded_at bigint NOT NULL,
    CHECK (status = 'open' OR status = 'void' OR (processed_at IS NOT NULL AND driver_id IS NOT NULL)),
    CHECK (status <> 'paid' OR paid_at IS NOT NULL),
    CHECK ((driver_id IS NULL) = (driver_person_id IS NULL)),
    UNIQUE (shop_id, vehicle_id, occurred_at, code),
    FOREIGN KEY (shop_id, vehicle_id) REFERENCES vehicle(shop_id, id),
    FOREIGN KEY (shop_id, driver_id, driver_person_id) REFERENCES staff(shop_id, id, person_id)
);
CREATE UNIQUE INDEX violation_by_record_no ON violation (shop_id, record_no) WHERE record_no IS NOT NULL;
CREATE INDEX violation_by_person ON violation (driver_person_id, processed_at);
CREATE INDEX violation_by_vehicle_driver ON violation (vehicle_id, driver_id, status);

CREATE TABLE audit (
    shop_id bigint NOT NULL REFERENCES shop(id),
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at bigint NOT NULL,
    operator text NOT NULL,
    action text NOT NULL,
    subject text NOT NULL,
    before text,
    after text
);
CREATE INDEX audit_by_time ON audit (shop_id, at);

CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit is append-only';
END $$;
CREATE TRIGGER audit_is_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
CREATE TRIGGER audit_is_not_truncated BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();

-- The shop of this transaction, or NULL (no rows) when the desk has not said which.
CREATE FUNCTION current_shop() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('driverdesk.shop', true), '')::bigint
$$;

-- The shop a desk's address names (`?shop=CODE`): a desk sees no shop row before it has said which shop it is.
CREATE FUNCTION shop_by_code(p_code text) RETURNS TABLE (id bigint, name text, time_zone text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT id, name, time_zone FROM shop WHERE code = p_code
$$;
REVOKE ALL ON FUNCTION shop_by_code(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shop_by_code(text) TO driverdesk_desk, driverdesk_chain;

-- Row-level security, forced. The desk's policy keys every row on its transaction's shop; the chain's manager reads
-- all; the owner (migrations, shop add, and the SECURITY DEFINER functions below) reads and writes across shops on purpose.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['setting', 'staff', 'vehicle', 'visit', 'movement', 'registration', 'violation', 'audit'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY desk_own_shop ON %I TO driverdesk_desk USING (shop_id = current_shop()) WITH CHECK (shop_id = current_shop())', t);
        EXECUTE format('CREATE POLICY chain_reads ON %I FOR SELECT TO driverdesk_chain USING (true)', t);
        -- The owner runs the migrations and the SECURITY DEFINER functions below, which read across shops on purpose.
        EXECUTE format('CREATE POLICY owner_all ON %I TO driverdesk_owner USING (true) WITH CHECK (true)', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO driverdesk_desk', t);
        EXECUTE format('GRANT SELECT ON %I TO driverdesk_chain', t);
    END LOOP;
END $$;
REVOKE UPDATE, DELETE ON audit FROM driverdesk_desk;
-- A desk hires through hire_staff (below) and may change a staff row's phone and whether he is active, never whom it
-- points at: a staff row it could point at any person would let it read anyone's ID number.
REVOKE INSERT, UPDATE ON staff FROM driverdesk_desk;
GRANT UPDATE (phone, active) ON staff TO driverdesk_desk;
-- Nobody but the owner makes objects: no temporary tables to shadow a function's tables, nothing new in public.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); END $$;

ALTER TABLE shop ENABLE ROW LEVEL SECURITY;
ALTER TABLE shop FORCE ROW LEVEL SECURITY;
CREATE POLICY desk_own_shop ON shop FOR SELECT TO driverdesk_desk USING (id = current_shop());
CREATE POLICY chain_reads ON shop FOR SELECT TO driverdesk_chain USING (true);
CREATE POLICY owner_all ON shop TO driverdesk_owner USING (true) WITH CHECK (true);
GRANT SELECT ON shop TO driverdesk_desk, driverdesk_chain;

-- A person is seen, and changed, by a desk that employs him. A desk hires through hire_staff: a new person, or
-- the person of the chain with that ID number (a driver who moves from another shop keeps his history, R3 and R6).
ALTER TABLE person ENABLE ROW LEVEL SECURITY;
ALTER TABLE person FORCE ROW LEVEL SECURITY;
CREATE POLICY desk_employs ON person FOR SELECT TO driverdesk_desk USING (EXISTS (SELECT 1 FROM staff WHERE staff.person_id = person.id));
CREATE POLICY desk_updates ON person FOR UPDATE TO driverdesk_desk USING (EXISTS (SELECT 1 FROM staff WHERE staff.person_id = person.id));
CREATE POLICY chain_reads ON person FOR SELECT TO driverdesk_chain USING (true);
CREATE POLICY owner_all ON person TO driverdesk_owner USING (true) WITH CHECK (true);
GRANT SELECT ON person TO driverdesk_desk;
-- A desk that employs a person may correct his name and licence, never his ID number (the chain's key for him).
GRANT UPDATE (name, license_class, license_first_issued, license_valid_until) ON person TO driverdesk_desk;
GRANT SELECT ON person TO driverdesk_chain;

-- Hiring: the person of the chain with that ID number, or a new one (a driver who moves from another shop keeps his
-- history, R3 and R6), and a staff row of the calling desk's shop for him; the staff id is returned (the existing one
-- when the shop employs him already).
CREATE FUNCTION hire_staff(p_id_number text, p_name text, p_class text, p_first date, p_until date, p_phone text, p_now bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE the_person bigint; the_staff bigint;
BEGIN
    IF current_shop() IS NULL THEN RAISE EXCEPTION 'no shop is set for this transaction'; END IF;
    INSERT INTO person (id_number, name, license_class, license_first_issued, license_valid_until, created_at)
        VALUES (p_id_number, p_name, p_class, p_first, p_until, p_now)
        ON CONFLICT (id_number) DO NOTHING RETURNING id INTO the_person;
    IF the_person IS NULL THEN SELECT id INTO the_person FROM person WHERE id_number = p_id_number; END IF;
    INSERT INTO staff (shop_id, person_id, phone, created_at) VALUES (current_shop(), the_person, p_phone, p_now)
        ON CONFLICT (shop_id, person_id) DO NOTHING RETURNING id INTO the_staff;
    IF the_staff IS NULL THEN SELECT id INTO the_staff FROM staff WHERE shop_id = current_shop() AND person_id = the_person; END IF;
    RETURN the_staff;
END $$;
REVOKE ALL ON FUNCTION hire_staff(text, text, text, date, date, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hire_staff(text, text, text, date, date, text, bigint) TO driverdesk_desk;

-- R3 and R6 across the chain: what a desk may know of a person's registrations and points in every shop, without
-- seeing the other shops' rows. Runs as the owner (SECURITY DEFINER), for a person the calling desk employs.
CREATE FUNCTION person_chain_facts(p_person bigint, p_year_start bigint, p_year_end bigint, p_cycle_start bigint, p_cycle_end bigint)
RETURNS TABLE (active_registrations bigint, registrations_this_year bigint, points_this_cycle bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT
        (SELECT count(*) FROM registration r WHERE r.person_id = p_person AND r.status IN ('invited', 'active', 'removalDue')),
        (SELECT count(*) FROM registration r WHERE r.person_id = p_person AND r.activated_at >= p_year_start AND r.activated_at < p_year_end),
        (SELECT coalesce(sum(v.points), 0) FROM violation v WHERE v.driver_person_id = p_person AND v.status IN ('processed', 'paid')
            AND v.processed_at >= p_cycle_start AND v.processed_at < p_cycle_end)
    WHERE EXISTS (SELECT 1 FROM staff s WHERE s.person_id = p_person AND s.shop_id = current_shop())
$$;
REVOKE ALL ON FUNCTION person_chain_facts(bigint, bigint, bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION person_chain_facts(bigint, bigint, bigint, bigint, bigint) TO driverdesk_desk;
