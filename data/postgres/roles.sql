-- The roles of a DriverDesk chain, made once per PostgreSQL server by a superuser (psql -f roles.sql); passwords are
-- set afterwards with \password. None of them is a superuser or may bypass row-level security, and the desk is not a
-- member of the owner (it could SET ROLE to it and read across shops).
--   driverdesk_owner  owns the tables: the chain's administrator connects as it to make or migrate the schema and to
--                     add shops (`driverdesk init`, `driverdesk shop add`).
--   driverdesk_desk   what every front desk and `driverdesk serve` connect as: one shop at a time, by row-level security.
--   driverdesk_chain  the chain manager's read-only view across every shop.
CREATE ROLE driverdesk_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
CREATE ROLE driverdesk_desk LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
CREATE ROLE driverdesk_chain LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
