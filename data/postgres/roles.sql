-- The roles of a DriverDesk chain, made once per PostgreSQL server by a superuser (psql -f roles.sql); passwords are
-- set afterwards with \password. None of them is a superuser or may bypass row-level security, and the desk is not a
-- member of the owner (it could SET ROLE to it and read across shops).
--   driverdesk_owner  owns the tables: the chain's administrator connects as it to make or migrate the schema and to
--                     add shops (`driverdesk init`, `driverdesk shop add`).
--   driverdesk_desk   what every front desk and `driverdesk serve` connect as: one shop at a time, by row-level security.
--   driverdesk_chain  the chain manager's read-only view across every shop.
-- Run again, it leaves the roles that exist as they are.
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['driverdesk_owner', 'driverdesk_desk', 'driverdesk_chain'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB', r);
        END IF;
    END LOOP;
END $$;
