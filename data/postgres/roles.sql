-- The roles of a DriverDesk chain, made by a superuser with psql in the chain's database, when setting a chain up and
-- again to upgrade one (docs/chain.md):
--
--   sudo -u postgres psql -d driverdesk -f roles.sql
--
-- None of the roles is a superuser or may bypass row-level security:
--   driverdesk_owner  owns the tables: the chain's administrator connects as it to make or migrate the schema, to add
--                     shops and to set their passwords (`driverdesk init`, `shop add`, `shop password`).
--   driverdesk_chain  the chain manager's read-only view across every shop.
--   driverdesk_desk   a group that logs in no more: it holds what every shop's front desk may do. Each shop logs in as
--                     a role of its own, `<database>.<code>` (e.g. driverdesk.BJ01), a member of this group, and its
--                     shop follows from that login.
--
-- In the chain's database it also installs, owned by the superuser who runs it, the only two ways the owner has to
-- make roles: driverdesk_roles.make_shop_role(code) and driverdesk_roles.set_shop_password(code, verifier). They touch
-- nothing but the catalog and roles named `<this database>.<code>` that are members of driverdesk_desk and nothing
-- else, so the owner's password (already the chain's master key) gives no power over other roles of the server; the
-- owner gets no CREATEROLE (on PostgreSQL 15 that could grant itself pg_execute_server_program and more).
--
-- Run again, it leaves what exists as it is, makes the role of every shop that lacks one, and retires the old shared
-- desk login (NOLOGIN, no password). It gives the database to driverdesk_owner when it is not already.
\set ON_ERROR_STOP on
SET search_path = pg_catalog, pg_temp;

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['driverdesk_owner', 'driverdesk_chain'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB', r);
        END IF;
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'driverdesk_desk') THEN
        CREATE ROLE driverdesk_desk NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
    END IF;
    -- Every desk shared this login and chose its shop by a setting: retired (once: a second run, or several databases
    -- set up at once, leave the role's row alone).
    IF EXISTS (SELECT 1 FROM pg_authid WHERE rolname = 'driverdesk_desk' AND (rolcanlogin OR rolpassword IS NOT NULL)) THEN
        ALTER ROLE driverdesk_desk NOLOGIN PASSWORD NULL;
    END IF;
END $$;

SELECT current_database() NOT IN ('postgres', 'template0', 'template1') AS driverdesk_in_chain \gset
\if :driverdesk_in_chain

DO $$
BEGIN
    IF (SELECT datdba FROM pg_database WHERE datname = current_database()) <> 'driverdesk_owner'::regrole THEN
        EXECUTE format('ALTER DATABASE %I OWNER TO driverdesk_owner', current_database());
    END IF;
    -- A schema of that name made by anyone but a superuser would hold functions its maker could change.
    IF EXISTS (SELECT 1 FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = 'driverdesk_roles' AND NOT r.rolsuper) THEN
        RAISE EXCEPTION 'the schema driverdesk_roles exists and does not belong to a superuser: drop it first';
    END IF;
END $$;
CREATE SCHEMA IF NOT EXISTS driverdesk_roles;
REVOKE ALL ON SCHEMA driverdesk_roles FROM PUBLIC;
GRANT USAGE ON SCHEMA driverdesk_roles TO driverdesk_owner;

-- A role DriverDesk made for a shop: a member of driverdesk_desk and of nothing else, no role a member of it, and no
-- power of its own (a role someone else made, or changed, is not touched).
CREATE OR REPLACE FUNCTION driverdesk_roles.is_shop_role(p_role text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_catalog.pg_roles r
        WHERE r.rolname = p_role AND NOT r.rolsuper AND NOT r.rolcreaterole AND NOT r.rolcreatedb AND NOT r.rolreplication AND NOT r.rolbypassrls
          AND (SELECT array_agg(m.roleid) FROM pg_catalog.pg_auth_members m WHERE m.member = r.oid) = ARRAY['driverdesk_desk'::regrole::oid]
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m WHERE m.roleid = r.oid))
$$;

-- The role of shop p_code of this database, `<database>.<code>`, made when it is not there; its name. A code holds no
-- dot, so no two (database, code) pairs share a name.
CREATE OR REPLACE FUNCTION driverdesk_roles.make_shop_role(p_code text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE r text := current_database() || '.' || p_code;
BEGIN
    IF p_code IS NULL OR p_code !~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$' THEN RAISE EXCEPTION 'not a shop code: %', p_code; END IF;
    IF octet_length(r) > 63 THEN
        RAISE EXCEPTION 'the shop''s role % would be longer than the 63 bytes PostgreSQL allows: use a shorter shop code', r;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
        IF NOT driverdesk_roles.is_shop_role(r) THEN RAISE EXCEPTION 'the role % exists and is not a shop''s role made by DriverDesk', r; END IF;
        RETURN r;
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT IN ROLE driverdesk_desk', r);
    RETURN r;
END $$;

-- Sets the password of shop p_code's role from its SCRAM-SHA-256 verifier (made on the administrator's machine, as
-- psql's \password does: the password itself never reaches the server, its log or this function); the role's name.
CREATE OR REPLACE FUNCTION driverdesk_roles.set_shop_password(p_code text, p_verifier text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE r text := current_database() || '.' || p_code;
BEGIN
    IF p_code IS NULL OR p_code !~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$' THEN RAISE EXCEPTION 'not a shop code: %', p_code; END IF;
    IF NOT driverdesk_roles.is_shop_role(r) THEN RAISE EXCEPTION 'shop % has no role of its own (%) in this database', p_code, r; END IF;
    IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\$[0-9]{4,7}:[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$' THEN
        RAISE EXCEPTION 'not a SCRAM-SHA-256 verifier';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L', r, p_verifier);
    RETURN r;
END $$;

REVOKE ALL ON FUNCTION driverdesk_roles.is_shop_role(text), driverdesk_roles.make_shop_role(text), driverdesk_roles.set_shop_password(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION driverdesk_roles.make_shop_role(text), driverdesk_roles.set_shop_password(text, text) TO driverdesk_owner;

-- The shops already there (an upgrade) get their roles: their codes read as the owner (reading the owner's tables as
-- the superuser would run whatever the owner put behind them), the roles made as the superuser.
SELECT to_regclass('public.shop') IS NOT NULL AS driverdesk_has_shops \gset
\if :driverdesk_has_shops
SET ROLE driverdesk_owner;
SELECT coalesce(string_agg(code, ' ' ORDER BY code), '') AS driverdesk_codes FROM public.shop \gset
RESET ROLE;
SELECT driverdesk_roles.make_shop_role(c) AS shop_role FROM unnest(string_to_array(:'driverdesk_codes', ' ')) AS c;
\endif

\endif
