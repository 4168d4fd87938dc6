-- DriverDesk on PostgreSQL, migration 7: the custody report (docs/rulebook.md, R14).
--
-- The odometer (km) and the fuel gauge (percent) read at check-in and check-out, each optional; the manager's list of
-- visits with kilometres their movements cannot explain reads the visits checked out lately that have both readings.
ALTER TABLE visit
    ADD COLUMN odometer_in bigint CHECK (odometer_in IS NULL OR odometer_in BETWEEN 0 AND 9999999),
    ADD COLUMN odometer_out bigint CHECK (odometer_out IS NULL OR odometer_out BETWEEN 0 AND 9999999),
    ADD COLUMN fuel_in integer CHECK (fuel_in IS NULL OR fuel_in BETWEEN 0 AND 100),
    ADD COLUMN fuel_out integer CHECK (fuel_out IS NULL OR fuel_out BETWEEN 0 AND 100);
CREATE INDEX visit_by_checkout ON visit (shop_id, checkout_at) WHERE odometer_out IS NOT NULL;
