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

-- The chain's own log: its managers' accounts (added, new password, disabled), written by the owner, and their logins
-- to the chain's page, written through record_chain_login only. Append-only, as every shop's audit is.
CREATE TABLE chain_audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at bigint NOT NULL,
    operator text NOT NULL,
    action text NOT NULL,
    subject text NOT NULL,
    before text,
    after text
);
CREATE TRIGGER chain_audit_is_append_only BEFORE UPDATE OR DELETE ON chain_audit FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
CREATE TRIGGER chain_audit_is_not_truncated BEFORE TRUNCATE ON chain_audit FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();
ALTER TABLE chain_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE chain_audit FORCE ROW LEVEL SECURITY;
CREATE POLICY chain_reads ON chain_audit FOR SELECT TO driverdesk_chain USING (true);
CREATE POLICY owner_all ON chain_audit TO driverdesk_owner USING (true) WITH CHECK (true);
GRANT SELECT ON chain_audit TO driverdesk_chain;

-- The chain's page (as the chain manager's read-only role) records a login, a failed one or a logout of a chain
-- account, and nothing else. An unknown name is not written down (it may be a password typed in the wrong field).
CREATE FUNCTION record_chain_login(p_action text, p_name text, p_operator text, p_address text, p_at bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF p_action NOT IN ('login', 'login.failed', 'logout') THEN RAISE EXCEPTION 'not a login: %', p_action; END IF;
    IF p_name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM account WHERE shop_id IS NULL AND lower(name) = lower(p_name)) THEN
        RAISE EXCEPTION 'no chain account %', p_name;
    END IF;
    INSERT INTO chain_audit (at, operator, action, subject, after)
    VALUES (p_at, left(p_operator, 64), p_action, coalesce('account ' || p_name, 'account (unknown name)'),
            json_build_object('address', left(p_address, 64))::text);
END $$;
REVOKE ALL ON FUNCTION record_chain_login(text, text, text, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION record_chain_login(text, text, text, text, bigint) TO driverdesk_chain, driverdesk_owner;
