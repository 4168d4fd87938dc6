-- DriverDesk on PostgreSQL, migration 4: corrections (docs/rulebook.md, "Corrections").
--
-- A violation outside the shop's custody can be handed back to the owner as his own (status handedBack, with when
-- and why). A movement recorded by mistake is voided: it leaves `movement` (and so R1's exclusion constraints and R2)
-- for `movement_void`, with who voided it, when and why; the audit keeps the entry too.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'violation'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%status%'
               AND (pg_get_constraintdef(oid) LIKE '%''void''%') LOOP
        EXECUTE format('ALTER TABLE violation DROP CONSTRAINT %I', c.conname);
    END LOOP;
END $$;
ALTER TABLE violation
    ADD COLUMN handed_back_at bigint,
    ADD COLUMN hand_back_reason text CHECK (hand_back_reason IS NULL OR length(hand_back_reason) BETWEEN 1 AND 200),
    ADD CONSTRAINT violation_status_check CHECK (status IN ('open', 'processed', 'paid', 'void', 'handedBack')),
    ADD CONSTRAINT violation_settled_has_driver
        CHECK (status IN ('open', 'void', 'handedBack') OR (processed_at IS NOT NULL AND driver_id IS NOT NULL)),
    ADD CONSTRAINT violation_handed_back_when CHECK ((status = 'handedBack') = (handed_back_at IS NOT NULL));

CREATE TABLE movement_void (
    shop_id bigint NOT NULL DEFAULT current_shop() REFERENCES shop(id),
    id bigint PRIMARY KEY,
    visit_id bigint NOT NULL,
    vehicle_id bigint NOT NULL,
    staff_id bigint NOT NULL,
    person_id bigint NOT NULL,
    start_at bigint NOT NULL,
    end_at bigint,
    purpose text NOT NULL CHECK (purpose IN ('road-test', 'parking', 'delivery', 'pickup', 'other')),
    voided_at bigint NOT NULL,
    voided_by text NOT NULL,
    void_reason text NOT NULL CHECK (length(void_reason) BETWEEN 1 AND 200),
    FOREIGN KEY (shop_id, vehicle_id) REFERENCES vehicle(shop_id, id),
    FOREIGN KEY (shop_id, staff_id, person_id) REFERENCES staff(shop_id, id, person_id)
);
CREATE INDEX movement_void_by_start ON movement_void (shop_id, start_at);

ALTER TABLE movement_void ENABLE ROW LEVEL SECURITY;
ALTER TABLE movement_void FORCE ROW LEVEL SECURITY;
CREATE POLICY desk_own_shop ON movement_void TO driverdesk_desk USING (shop_id = current_shop()) WITH CHECK (shop_id = current_shop());
CREATE POLICY chain_reads ON movement_void FOR SELECT TO driverdesk_chain USING (true);
CREATE POLICY owner_all ON movement_void TO driverdesk_owner USING (true) WITH CHECK (true);
-- Voided movements are history: a desk adds them and reads them, never changes or deletes one.
GRANT SELECT, INSERT ON movement_void TO driverdesk_desk;
GRANT SELECT ON movement_void TO driverdesk_chain;
