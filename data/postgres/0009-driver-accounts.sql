-- DriverDesk on PostgreSQL, migration 9: a driver's account.
--
-- A mechanic logs in on his own phone with an account of role `driver`, tied to his staff record in his shop: he
-- starts and ends only his own movements and sees only his own record. The role's CHECK gains the new role, and a
-- driver's account always names its staff member.
ALTER TABLE account DROP CONSTRAINT account_role_check;
ALTER TABLE account ADD CONSTRAINT account_role_check CHECK (role IN ('desk', 'manager', 'chain', 'driver'));
ALTER TABLE account ADD CONSTRAINT account_driver_staff CHECK (role <> 'driver' OR staff_id IS NOT NULL);
