-- DriverDesk on PostgreSQL, migration 2: what a desk may know of its driver across the chain, and defaults for the
-- desk's inserts.
--
-- R3 (registration limits) and R6 (the scoring cycle) are the driver's own, whichever shop of the chain he drove for.
-- A desk sees only its own shop's rows; these functions (SECURITY DEFINER, run as the owner) answer for a driver the
-- calling desk employs, and nobody else: another shop's registrations come with that shop's code, never its
-- customer's plate.

-- The registrations R3 counts for the person of a staff member of this shop: live ones, and those activated in
-- [p_start, p_end), in every shop of the chain. `plate` is NULL for another shop's car.
CREATE FUNCTION driver_registrations(p_staff bigint, p_start bigint, p_end bigint)
RETURNS TABLE (ref text, plate text, shop_code text, status text, invited_at bigint, activated_at bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT r.ref, CASE WHEN r.shop_id = me.shop_id THEN v.plate END, sh.code, r.status, r.invited_at, r.activated_at
    FROM staff me
    JOIN registration r ON r.person_id = me.person_id
    JOIN vehicle v ON v.shop_id = r.shop_id AND v.id = r.vehicle_id
    JOIN shop sh ON sh.id = r.shop_id
    WHERE me.id = p_staff AND me.shop_id = current_shop()
      AND (r.status IN ('invited', 'active', 'removalDue') OR (r.activated_at >= p_start AND r.activated_at < p_end))
    ORDER BY r.invited_at DESC, r.id DESC
$$;
REVOKE ALL ON FUNCTION driver_registrations(bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION driver_registrations(bigint, bigint, bigint) TO driverdesk_desk;

-- R6: the points of the person of a staff member of this shop, processed in [p_start, p_end), in every shop of the
-- chain, leaving out one violation of this shop (the one being decided on).
CREATE FUNCTION driver_points(p_staff bigint, p_start bigint, p_end bigint, p_excluding bigint)
RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(sum(x.points), 0)
    FROM staff me JOIN violation x ON x.driver_person_id = me.person_id
    WHERE me.id = p_staff AND me.shop_id = current_shop()
      AND x.status IN ('processed', 'paid') AND x.processed_at >= p_start AND x.processed_at < p_end
      AND NOT (x.shop_id = me.shop_id AND x.id IS NOT DISTINCT FROM p_excluding)
$$;
REVOKE ALL ON FUNCTION driver_points(bigint, bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION driver_points(bigint, bigint, bigint, bigint) TO driverdesk_desk;

-- R1 across the chain: the movements of the person of a staff member of this shop, in the other shops, that overlap
-- [p_start, p_end) (p_end NULL: open-ended). A driver drives one car at a time, whichever shop it is in; another shop's
-- car is named by that shop's code.
CREATE FUNCTION driver_movements_elsewhere(p_staff bigint, p_start bigint, p_end bigint)
RETURNS TABLE (id bigint, shop_code text, start_at bigint, end_at bigint, purpose text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT m.id, sh.code, m.start_at, m.end_at, m.purpose
    FROM staff me
    JOIN movement m ON m.person_id = me.person_id AND m.shop_id <> me.shop_id
    JOIN shop sh ON sh.id = m.shop_id
    WHERE me.id = p_staff AND me.shop_id = current_shop()
      AND int8range(m.start_at, m.end_at) && int8range(p_start, p_end)
    ORDER BY m.start_at, m.id
$$;
REVOKE ALL ON FUNCTION driver_movements_elsewhere(bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION driver_movements_elsewhere(bigint, bigint, bigint) TO driverdesk_desk;

-- A desk's rows belong to its transaction's shop unless it says otherwise (the policies refuse any other).
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['setting', 'vehicle', 'visit', 'movement', 'registration', 'violation', 'audit'] LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN shop_id SET DEFAULT current_shop()', t);
    END LOOP;
END $$;

-- The lookups a desk makes most: a car's visits and movements by time, a driver's movements, registrations by ref and
-- by car, violations by car and time.
CREATE INDEX visit_by_vehicle ON visit (vehicle_id, checkin_at);
CREATE INDEX movement_by_vehicle ON movement (vehicle_id, start_at);
CREATE INDEX movement_by_staff ON movement (staff_id, start_at);
CREATE INDEX movement_by_visit ON movement (visit_id);
CREATE INDEX registration_by_vehicle ON registration (vehicle_id, status);
CREATE INDEX registration_by_staff ON registration (staff_id, status);
CREATE INDEX violation_by_status ON violation (shop_id, status, processed_at);
CREATE INDEX violation_by_occurred ON violation (shop_id, occurred_at);

-- Change notices for the web's caches: every change is audited (R11), so a new audit entry says that a shop's data
-- changed. The notice names the shop (its id), and is delivered when the transaction commits, to every connection that
-- listens (`LISTEN driverdesk_change`: `driverdesk serve`, which then draws the dashboard afresh).
CREATE FUNCTION notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('driverdesk_change', coalesce(current_shop()::text, ''));
    RETURN NULL;
END $$;
CREATE TRIGGER audit_notifies AFTER INSERT ON audit FOR EACH STATEMENT EXECUTE FUNCTION notify_change();

-- Imports: a desk streams a camera file's rows with COPY into a staging table of its own session, then moves them into
-- violation with one statement. The desk may make no table itself (and COPY FROM refuses tables under row-level
-- security): this function makes the staging table for it, temporary (no other session can read it) and dropped when the
-- transaction ends.
CREATE FUNCTION begin_violation_import() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF current_shop() IS NULL THEN RAISE EXCEPTION 'no shop is set for this transaction'; END IF;
    CREATE TEMP TABLE violation_import (
        line integer NOT NULL, vehicle_id bigint NOT NULL, occurred_at bigint NOT NULL, code text NOT NULL, description_text text,
        category text, location text, points integer NOT NULL, fine_fen bigint NOT NULL, record_no text, status text NOT NULL,
        driver_id bigint, attribution text NOT NULL, needs_review boolean NOT NULL, reasons text NOT NULL, movement_id bigint,
        recorded_at bigint NOT NULL
    ) ON COMMIT DROP;
    GRANT INSERT, SELECT ON pg_temp.violation_import TO driverdesk_desk;
END $$;
REVOKE ALL ON FUNCTION begin_violation_import() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION begin_violation_import() TO driverdesk_desk;
