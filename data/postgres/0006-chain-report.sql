-- DriverDesk on PostgreSQL, migration 6: the indexes of the chain manager's view (issue 28).
--
-- The view is aggregated by the database and shown 50 shops and 50 drivers at a time, sorted by code, unpaid money,
-- violations to review (shops) or by name, points this cycle, unpaid money (drivers), with the whole chain's total. At
-- 5,000 shops and 4.5 million movements a month, what it counts across every shop must come from an index:
-- the violations of a period by their time whatever the shop, the unpaid violations (by shop and by
-- driver, with their fines, so no row is read), the points processed since a day, the cars in the shops now and the
-- registrations due for removal; and a person's staff rows, for his shops and movements. The chain's movements of a
-- period are counted by a scan of the table (a year is nearly all of them: the planner scans even with an index of
-- their time alone, which would only slow every movement's insert).
CREATE INDEX violation_by_time ON violation (occurred_at) WHERE status <> 'void';
CREATE INDEX violation_unpaid_by_shop ON violation (shop_id) INCLUDE (fine_fen, needs_review, status) WHERE status IN ('open', 'processed');
CREATE INDEX violation_unpaid_by_driver ON violation (driver_person_id) INCLUDE (fine_fen) WHERE status IN ('open', 'processed');
CREATE INDEX violation_points_by_time ON violation (processed_at) INCLUDE (driver_person_id, points)
    WHERE points > 0 AND status IN ('processed', 'paid');
CREATE INDEX visit_open_by_shop ON visit (shop_id) WHERE checkout_at IS NULL;
CREATE INDEX registration_removal_due_by_shop ON registration (shop_id) WHERE status = 'removalDue';
CREATE INDEX staff_active_by_shop ON staff (shop_id) WHERE active;
CREATE INDEX staff_by_person ON staff (person_id);

-- The shop of this session's login, as migration 5 made it, in PL/pgSQL: a shop's every statement reads it once per
-- table under row-level security, and a SQL function's query was planned again at each of those reads (some 80 µs
-- each, six to eight of them in "who drove"), where PL/pgSQL keeps its plan for the session.
-- The same answer: the shop whose code the login names, or NULL.
CREATE OR REPLACE FUNCTION current_shop() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT s.id FROM public.shop s WHERE s.code = public.session_shop_code());
END
$$;

-- A car's movements in its shop, in time order: "who drove" asks for the last one before a time. On a connection that
-- has run it a few times PostgreSQL keeps one plan for any values, and at 5,000 shops that plan guessed a shop holds a
-- 5,000th of the chain's movements and read the shop's movements before the time by (shop, start) (62,672 rows for a
-- flagship of 100,000, 1.5 ms). With the shop, the car and the time in one index, every condition is the index's.
CREATE INDEX movement_by_shop_vehicle ON movement (shop_id, vehicle_id, start_at, id);
