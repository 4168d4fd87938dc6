-- DriverDesk on PostgreSQL, migration 3: the web front desk's accounts.
--
-- A person logs in with an account of his own. A desk's or a manager's account belongs to one shop, and its name is
-- unique in that shop; the chain manager's account belongs to the chain (no shop), and its name is unique among the
-- chain's. Only the slow salted hash of a password is kept. `epoch` goes up with every new password and when the
-- account is disabled: a web session made before that is over.
CREATE TABLE account (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop_id bigint REFERENCES shop(id) DEFAULT current_shop(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 32),
    role text NOT NULL CHECK (role IN ('desk', 'manager', 'chain')),
    staff_id bigint,
    password_hash text NOT NULL CHECK (password_hash LIKE '$%'),
    active boolean NOT NULL DEFAULT true,
    epoch integer NOT NULL DEFAULT 1 CHECK (epoch >= 1),
    created_at bigint NOT NULL,
    CHECK ((role = 'chain') = (shop_id IS NULL)),
    CHECK (staff_id IS NULL OR shop_id IS NOT NULL),
    FOREIGN KEY (shop_id, staff_id) REFERENCES staff (shop_id, id)
);
CREATE UNIQUE INDEX account_name_in_shop ON account (shop_id, lower(name)) WHERE shop_id IS NOT NULL;
CREATE UNIQUE INDEX account_name_in_chain ON account (lower(name)) WHERE shop_id IS NULL;

ALTER TABLE account ENABLE ROW LEVEL SECURITY;
ALTER TABLE account FORCE ROW LEVEL SECURITY;
CREATE POLICY desk_own_shop ON account TO driverdesk_desk USING (shop_id = current_shop()) WITH CHECK (shop_id = current_shop());
CREATE POLICY chain_reads ON account FOR SELECT TO driverdesk_chain USING (true);
CREATE POLICY owner_all ON account TO driverdesk_owner USING (true) WITH CHECK (true);
-- A desk adds its shop's accounts and changes their password, whether they are active and their epoch; never their
-- shop, name or role, and it deletes none (the audit names them).
GRANT SELECT, INSERT ON account TO driverdesk_desk;
GRANT UPDATE (password_hash, active, epoch, staff_id) ON account TO driverdesk_desk;
GRANT SELECT ON account TO driverdesk_chain;
