-- DriverDesk on PostgreSQL, migration 8: registrations planned at check-in (docs/rulebook.md, "Registrations planned
-- at check-in").
--
-- What a car is checked in for (`visit checkin --plan road-test`): one row per planned purpose of a visit. A table of
-- its own rather than a column of `visit`, so that the visit's own columns stay as they are; the plan of a visit is
-- changed by replacing its rows (`visit plan`, audited with the reason).
CREATE TABLE visit_plan (
    shop_id bigint NOT NULL DEFAULT current_shop() REFERENCES shop(id),
    visit_id bigint NOT NULL,
    purpose text NOT NULL CHECK (purpose IN ('road-test', 'parking', 'delivery', 'pickup', 'other')),
    PRIMARY KEY (shop_id, visit_id, purpose),
    FOREIGN KEY (shop_id, visit_id) REFERENCES visit(shop_id, id)
);

ALTER TABLE visit_plan ENABLE ROW LEVEL SECURITY;
ALTER TABLE visit_plan FORCE ROW LEVEL SECURITY;
CREATE POLICY desk_own_shop ON visit_plan TO driverdesk_desk USING (shop_id = (SELECT current_shop())) WITH CHECK (shop_id = (SELECT current_shop()));
CREATE POLICY chain_reads ON visit_plan FOR SELECT TO driverdesk_chain USING (true);
CREATE POLICY owner_all ON visit_plan TO driverdesk_owner USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON visit_plan TO driverdesk_desk;
GRANT SELECT ON visit_plan TO driverdesk_chain;
