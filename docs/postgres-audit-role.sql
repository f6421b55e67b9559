-- Koppel on PostgreSQL with an audit log its own database user cannot cut or edit.
--
-- Two roles: koppel_owner owns the tables (it runs the migrations: start Koppel once with its URL after
-- installing or upgrading), koppel_app is the user in Koppel's everyday store URL. koppel_app may read and
-- append the audit log but not change or delete an event: DELETE, UPDATE and TRUNCATE on `audit` are denied.
-- It must move `audit_head` forward, so it could also move it back; `koppel audit verify` then reports the
-- events that lie beyond the head. Run this as a superuser (or as koppel_owner for the grants) in Koppel's
-- database, after the first start as koppel_owner created the tables. Tested by src/store/store.test.ts
-- (against a real PostgreSQL: koppel_app can do what an everyday run and the dashboard do, and no more) and
-- src/store/audit-role-script.test.ts (every table the migrations create is named here).
--
-- Workers (`store.workers.enabled`): the job queue's schema koppel_jobs (pg-boss's tables, and the workers'
-- target_pause and target_rate rows) holds apply jobs (tenant, plan, pass and action ids, no person data) and
-- no audit events, so koppel_app may read and change everything in it and create the workers' two tables
-- there. Its tables are made by koppel_owner: start `koppel worker` once as koppel_owner (after the store's
-- first start), then run this script (again); the block at the end grants nothing while koppel_jobs is not
-- there. Tested by src/worker/job-queue.test.ts (a worker's queue work as koppel_app).

-- CREATE ROLE koppel_owner LOGIN PASSWORD '…';   -- once; passwords by your usual means, not in this file
-- CREATE ROLE koppel_app LOGIN PASSWORD '…';

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM koppel_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM koppel_app;
GRANT USAGE ON SCHEMA public TO koppel_app;
-- every table a migration creates is named below (a test fails when one is not): after an upgrade whose
-- migrations add a table, run this script again
-- the ledger, plans, runs, snapshots, holds, leases and the index of each plan's stored actions (0010)
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, plans, journal, runs, snapshots, snapshot_contents, leases, holds, plan_action_index TO koppel_app;
-- the ledger of provisioned groups (0006) and the change marker of each polled source (0011)
GRANT SELECT, INSERT, UPDATE, DELETE ON groups, change_markers TO koppel_app;
-- who may use the dashboard and the API (0007, 0008): users are added, granted and revoked, sessions end
GRANT SELECT, INSERT, UPDATE, DELETE ON logins, tenant_roles, sessions, api_tokens TO koppel_app;
GRANT SELECT, INSERT, UPDATE ON audit_head TO koppel_app;
GRANT SELECT, INSERT ON audit TO koppel_app;
-- the migrator only reads these when nothing is pending
GRANT SELECT ON kysely_migration, kysely_migration_lock TO koppel_app;
-- the journal's id column
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO koppel_app;
-- the job queue (see the top): everything in koppel_jobs, once koppel_owner's first worker created it
DO $$
BEGIN
  IF to_regnamespace('koppel_jobs') IS NOT NULL THEN
    GRANT USAGE, CREATE ON SCHEMA koppel_jobs TO koppel_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA koppel_jobs TO koppel_app;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA koppel_jobs TO koppel_app;
  END IF;
END $$;
