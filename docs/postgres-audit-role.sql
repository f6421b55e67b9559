-- Koppel on PostgreSQL with an audit log its own database user cannot cut or edit.
--
-- Two roles: koppel_owner owns the tables (it runs the migrations: start Koppel once with its URL after
-- installing or upgrading), koppel_app is the user in Koppel's everyday store URL. koppel_app may read and
-- append the audit log but not change or delete an event: DELETE, UPDATE and TRUNCATE on `audit` are denied.
-- It must move `audit_head` forward, so it could also move it back; `koppel audit verify` then reports the
-- events that lie beyond the head. Run this as a superuser (or as koppel_owner for the grants) in Koppel's
-- database, after the first start as koppel_owner created the tables. Tested by src/store/store.test.ts.

-- CREATE ROLE koppel_owner LOGIN PASSWORD '…';   -- once; passwords by your usual means, not in this file
-- CREATE ROLE koppel_app LOGIN PASSWORD '…';

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM koppel_app;
GRANT USAGE ON SCHEMA public TO koppel_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, plans, journal, runs, snapshots, snapshot_contents, leases, holds TO koppel_app;
-- the index of each plan's stored actions (migration 0010): upgrading from before it, run this grant again
GRANT SELECT, INSERT, UPDATE, DELETE ON plan_action_index TO koppel_app;
GRANT SELECT, INSERT, UPDATE ON audit_head TO koppel_app;
GRANT SELECT, INSERT ON audit TO koppel_app;
-- the migrator only reads these when nothing is pending
GRANT SELECT ON kysely_migration, kysely_migration_lock TO koppel_app;
-- the journal's id column
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO koppel_app;
