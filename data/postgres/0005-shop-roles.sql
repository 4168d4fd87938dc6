-- DriverDesk on PostgreSQL, migration 5: a shop is a database login of its own (issue 27).
--
-- Until now every desk logged in as driverdesk_desk and said which shop it was with a setting (`driverdesk.shop`) that
-- any client could set to another shop's id. From here on each shop logs in as a role of its own, named
-- `<database>.<code>` (made by `driverdesk init` and `shop add` through the superuser's functions of roles.sql, a
-- member of the group driverdesk_desk, which keeps the grants and logs in no more), and its shop follows from that
-- login: `session_user`, which neither SET ROLE nor SECURITY DEFINER functions change. Nothing a client sets chooses a
-- shop any more; `driverdesk.shop` is ignored.
--
-- A person shared by shops is nobody's to rewrite: a desk hires by ID number only with the name and licence the chain
-- holds for him (hire_staff says whether he is new, and which typed fields differ, never the stored values), and
-- corrects a person only while no other shop employs him (correct_person); every change of a person is audited by the
-- database in every shop that employs him or did. The functions that tell a desk of its driver elsewhere (R1, R3, R6)
-- answer for drivers it employs now, and show another shop's code, not its rows. Change notices go to a channel per
-- shop whose name only that shop's row holds.

-- The shop code this session's login names: `<database>.<code>` gives `<code>`; any other login (the owner, the chain
-- manager, the retired desk role) names none.
CREATE FUNCTION session_shop_code() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN left(session_user::text, length(current_database()) + 1) = current_database() || '.'
                THEN substr(session_user::text, length(current_database()) + 2) END
$$;

-- The shop of this session's login, or NULL (no rows at all). Read by the policies once per statement
-- (`(SELECT current_shop())`), not once per row.
CREATE OR REPLACE FUNCTION current_shop() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT s.id FROM public.shop s WHERE s.code = public.session_shop_code()
$$;

-- A desk sees its own shop's row, found by its login (not through current_shop(), which reads this table).
DROP POLICY desk_own_shop ON shop;
CREATE POLICY desk_own_shop ON shop FOR SELECT TO driverdesk_desk USING (code = session_shop_code());
-- The desk reads its own shop's row; another shop's name and zone are not its business.
REVOKE EXECUTE ON FUNCTION shop_by_code(text) FROM driverdesk_desk;

-- The policies again, with the shop read once per statement: a per-row call would read the shop table for every row.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['setting', 'staff', 'vehicle', 'visit', 'movement', 'registration', 'violation', 'audit', 'account', 'movement_void'] LOOP
        EXECUTE format('DROP POLICY desk_own_shop ON %I', t);
        EXECUTE format('CREATE POLICY desk_own_shop ON %I TO driverdesk_desk USING (shop_id = (SELECT current_shop())) WITH CHECK (shop_id = (SELECT current_shop()))', t);
    END LOOP;
END $$;

-- Staff rows are history: a desk deactivates, never deletes (deleting one was how a desk that had changed a person it
-- shares with another shop covered its tracks).
REVOKE DELETE ON staff FROM driverdesk_desk;

-- A person is changed through correct_person only (below), never by UPDATE.
DROP POLICY desk_updates ON person;
REVOKE UPDATE ON person FROM driverdesk_desk;

-- Change notices: a channel per shop, named by a secret only that shop's row holds (122 random bits). PostgreSQL has no
-- permission on LISTEN: anyone may listen on any channel whose name he knows, so the name is the permission.
ALTER TABLE shop ADD COLUMN notice_channel text NOT NULL UNIQUE DEFAULT ('driverdesk_' || replace(gen_random_uuid()::text, '-', ''));

DROP TRIGGER audit_notifies ON audit;
DROP FUNCTION notify_change();
-- Every audited change notifies the channel of each shop whose audit it wrote, when its transaction commits, with
-- nothing in the notice. A desk's trigger sees its own shop's row only; the owner's (a correction of a person, written
-- into every shop that employs him) sees each.
CREATE FUNCTION notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE channel text;
BEGIN
    FOR channel IN SELECT DISTINCT s.notice_channel FROM added a JOIN public.shop s ON s.id = a.shop_id LOOP
        PERFORM pg_notify(channel, '');
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_notifies AFTER INSERT ON audit REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION notify_change();

-- Every change of a person is audited, in every shop that employs him or did, whoever makes it (a desk through
-- correct_person, the chain's administrator by hand): who (the desk's shop and operator, else the login), when, and his
-- record before and after, the ID number masked (R12).
CREATE FUNCTION person_audited() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    v_shop text := (SELECT code FROM shop WHERE id = current_shop());
    v_who text := left(coalesce(v_shop || ' ', '') || coalesce(nullif(current_setting('driverdesk.operator', true), ''), session_user::text), 64);
    v_at bigint := coalesce(nullif(current_setting('driverdesk.at', true), '')::bigint, extract(epoch FROM now())::bigint);
    v_before text := json_build_object('name', OLD.name, 'idNumber', left(OLD.id_number, 6) || '********' || right(OLD.id_number, 4),
        'licenseClass', OLD.license_class, 'licenseFirstIssued', OLD.license_first_issued, 'licenseValidUntil', OLD.license_valid_until)::text;
    v_after text := json_build_object('name', NEW.name, 'idNumber', left(NEW.id_number, 6) || '********' || right(NEW.id_number, 4),
        'licenseClass', NEW.license_class, 'licenseFirstIssued', NEW.license_first_issued, 'licenseValidUntil', NEW.license_valid_until)::text;
BEGIN
    IF v_before = v_after AND OLD.id_number = NEW.id_number THEN RETURN NULL; END IF;
    INSERT INTO audit (shop_id, at, operator, action, subject, before, after)
    SELECT s.shop_id, v_at, v_who, 'person.update', 'staff #' || s.id || ' ' || NEW.name, v_before, v_after
    FROM staff s WHERE s.person_id = NEW.id ORDER BY s.shop_id;
    RETURN NULL;
END $$;
CREATE TRIGGER person_audited AFTER UPDATE ON person FOR EACH ROW EXECUTE FUNCTION person_audited();

-- Hiring: a new person of the chain, or the one with that ID number when what was typed at this desk is the chain's
-- record of him; either way a staff row of the calling shop. It answers with the staff id and whether the person is
-- new, or, when the record differs, with the typed fields that differ (`name`, `license-class`, `license-first-issued`,
-- `license-valid-until`) and no staff id: nothing is written and nothing of the record is shown.
DROP FUNCTION hire_staff(text, text, text, date, date, text, bigint);
CREATE FUNCTION hire_staff(p_id_number text, p_name text, p_class text, p_first date, p_until date, p_phone text, p_now bigint)
RETURNS TABLE (staff_id bigint, new_person boolean, differs text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    me bigint := current_shop();
    the_person bigint;
    stored person%ROWTYPE;
    the_staff bigint;
    fresh boolean := false;
    diff text[] := '{}';
BEGIN
    IF me IS NULL THEN RAISE EXCEPTION 'no shop: connect as a shop''s own role'; END IF;
    INSERT INTO person (id_number, name, license_class, license_first_issued, license_valid_until, created_at)
        VALUES (p_id_number, p_name, p_class, p_first, p_until, p_now)
        ON CONFLICT (id_number) DO NOTHING RETURNING id INTO the_person;
    IF the_person IS NOT NULL THEN
        fresh := true;
    ELSE
        -- Held until the hire commits: a correction of him waits, then sees this shop employing him.
        SELECT * INTO stored FROM person WHERE id_number = p_id_number FOR SHARE;
        the_person := stored.id;
        IF stored.name IS DISTINCT FROM p_name THEN diff := diff || 'name'::text; END IF;
        IF stored.license_class IS DISTINCT FROM p_class THEN diff := diff || 'license-class'::text; END IF;
        IF stored.license_first_issued IS DISTINCT FROM p_first THEN diff := diff || 'license-first-issued'::text; END IF;
        IF stored.license_valid_until IS DISTINCT FROM p_until THEN diff := diff || 'license-valid-until'::text; END IF;
        IF cardinality(diff) > 0 THEN
            RETURN QUERY SELECT NULL::bigint, false, diff;
            RETURN;
        END IF;
    END IF;
    INSERT INTO staff (shop_id, person_id, phone, created_at) VALUES (me, the_person, p_phone, p_now)
        ON CONFLICT (shop_id, person_id) DO NOTHING RETURNING id INTO the_staff;
    IF the_staff IS NULL THEN SELECT id INTO the_staff FROM staff WHERE shop_id = me AND person_id = the_person; END IF;
    RETURN QUERY SELECT the_staff, fresh, diff;
END $$;
REVOKE ALL ON FUNCTION hire_staff(text, text, text, date, date, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hire_staff(text, text, text, date, date, text, bigint) TO driverdesk_desk;

-- Correcting a person's name or licence (`staff update`): only by a shop that employs him, and only while no other
-- shop employs him (an active staff row elsewhere); otherwise the chain's administrator corrects him (as the owner:
-- UPDATE person ..., audited in every shop that employs him). Answers 'corrected', 'unchanged' or 'employedElsewhere';
-- NULL when the staff id is not this shop's. The operator and time go into the audit entries person_audited writes.
CREATE FUNCTION correct_person(p_staff bigint, p_name text, p_class text, p_first date, p_until date, p_operator text, p_at bigint)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    me bigint := current_shop();
    who bigint;
BEGIN
    IF me IS NULL THEN RAISE EXCEPTION 'no shop: connect as a shop''s own role'; END IF;
    SELECT person_id INTO who FROM staff WHERE id = p_staff AND shop_id = me;
    IF who IS NULL THEN RETURN NULL; END IF;
    PERFORM 1 FROM person WHERE id = who FOR UPDATE;
    IF NOT EXISTS (SELECT 1 FROM person WHERE id = who
                   AND (name, license_class, license_first_issued, license_valid_until) IS DISTINCT FROM (p_name, p_class, p_first, p_until)) THEN
        RETURN 'unchanged';
    END IF;
    IF EXISTS (SELECT 1 FROM staff WHERE person_id = who AND shop_id <> me AND active) THEN RETURN 'employedElsewhere'; END IF;
    PERFORM set_config('driverdesk.operator', coalesce(p_operator, ''), true);
    PERFORM set_config('driverdesk.at', coalesce(p_at::text, ''), true);
    UPDATE person SET name = p_name, license_class = p_class, license_first_issued = p_first, license_valid_until = p_until WHERE id = who;
    PERFORM set_config('driverdesk.operator', '', true);
    PERFORM set_config('driverdesk.at', '', true);
    RETURN 'corrected';
END $$;
REVOKE ALL ON FUNCTION correct_person(bigint, text, text, date, date, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION correct_person(bigint, text, text, date, date, text, bigint) TO driverdesk_desk;

-- R3 when two desks decide at once: holds the person of a staff member of this shop until the transaction ends (the
-- desk may no longer lock the person row itself: SELECT … FOR UPDATE needs UPDATE on the table).
CREATE FUNCTION lock_driver(p_staff bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM 1 FROM person WHERE id = (SELECT person_id FROM staff WHERE id = p_staff AND shop_id = current_shop()) FOR UPDATE;
END $$;
REVOKE ALL ON FUNCTION lock_driver(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lock_driver(bigint) TO driverdesk_desk;

-- What a desk learns of its driver elsewhere answers for the drivers it employs now (an active staff row); of a former
-- one, only its own shop's rows.

-- R3: his live registrations and those activated in [p_start, p_end), in every shop. Of another shop's: its code, the
-- status, and the day of activation (the start of that day in p_zone, the calling shop's zone), which is what the
-- limits count; never its car, its reference or its times.
DROP FUNCTION driver_registrations(bigint, bigint, bigint);
CREATE FUNCTION driver_registrations(p_staff bigint, p_start bigint, p_end bigint, p_zone text)
RETURNS TABLE (ref text, plate text, shop_code text, status text, invited_at bigint, activated_at bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE WHEN r.shop_id = me.shop_id THEN r.ref END,
           CASE WHEN r.shop_id = me.shop_id THEN v.plate END,
           sh.code, r.status,
           CASE WHEN r.shop_id = me.shop_id THEN r.invited_at END,
           CASE WHEN r.shop_id = me.shop_id OR r.activated_at IS NULL THEN r.activated_at
                ELSE extract(epoch FROM date_trunc('day', to_timestamp(r.activated_at) AT TIME ZONE p_zone) AT TIME ZONE p_zone)::bigint END
    FROM staff me
    JOIN registration r ON r.person_id = me.person_id
    JOIN vehicle v ON v.shop_id = r.shop_id AND v.id = r.vehicle_id
    JOIN shop sh ON sh.id = r.shop_id
    WHERE me.id = p_staff AND me.shop_id = current_shop() AND (r.shop_id = me.shop_id OR me.active)
      AND (r.status IN ('invited', 'active', 'removalDue') OR (r.activated_at >= p_start AND r.activated_at < p_end))
    ORDER BY r.shop_id <> me.shop_id, r.invited_at DESC, r.id DESC
$$;
REVOKE ALL ON FUNCTION driver_registrations(bigint, bigint, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION driver_registrations(bigint, bigint, bigint, text) TO driverdesk_desk;

-- R6: his points processed in [p_start, p_end), in every shop, leaving out one violation of this shop.
CREATE OR REPLACE FUNCTION driver_points(p_staff bigint, p_start bigint, p_end bigint, p_excluding bigint)
RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(sum(x.points), 0)
    FROM staff me JOIN violation x ON x.driver_person_id = me.person_id
    WHERE me.id = p_staff AND me.shop_id = current_shop() AND (x.shop_id = me.shop_id OR me.active)
      AND x.status IN ('processed', 'paid') AND x.processed_at >= p_start AND x.processed_at < p_end
      AND NOT (x.shop_id = me.shop_id AND x.id IS NOT DISTINCT FROM p_excluding)
$$;

-- R1: the stretches of [p_start, p_end) (p_end NULL: open-ended) in which he drives in another shop, with that shop's
-- code: no movement id, no purpose, no times outside the asked span.
DROP FUNCTION driver_movements_elsewhere(bigint, bigint, bigint);
CREATE FUNCTION driver_movements_elsewhere(p_staff bigint, p_start bigint, p_end bigint)
RETURNS TABLE (shop_code text, start_at bigint, end_at bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT sh.code, greatest(m.start_at, p_start),
           CASE WHEN m.end_at IS NULL THEN p_end WHEN p_end IS NULL THEN m.end_at ELSE least(m.end_at, p_end) END
    FROM staff me
    JOIN movement m ON m.person_id = me.person_id AND m.shop_id <> me.shop_id
    JOIN shop sh ON sh.id = m.shop_id
    WHERE me.id = p_staff AND me.shop_id = current_shop() AND me.active
      AND int8range(m.start_at, m.end_at) && int8range(p_start, p_end)
    ORDER BY 2, 1
$$;
REVOKE ALL ON FUNCTION driver_movements_elsewhere(bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION driver_movements_elsewhere(bigint, bigint, bigint) TO driverdesk_desk;

-- Unused since migration 2, and it answered for any person a desk had ever employed: gone.
DROP FUNCTION person_chain_facts(bigint, bigint, bigint, bigint, bigint);
