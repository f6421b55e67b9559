// The store's schema as an ordered record of Kysely migrations, written with the schema builder so the same
// migration runs on SQLite and PostgreSQL. Names sort in the order they apply; never edit a released one,
// add the next. The two places where the dialects differ (identity column, binary column) are named here.
import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely'
import type { Migration, MigrationProvider } from 'kysely/migration'

export type SqlDialect = 'sqlite' | 'postgres'

type ColumnBuilder = (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder

const tenantColumn: ColumnBuilder = (col) => col.notNull().defaultTo('default')
const required: ColumnBuilder = (col) => col.notNull()

function initial(dialect: SqlDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('accounts')
        .addColumn('tenant', 'text', tenantColumn)
        .addColumn('target', 'text', required)
        .addColumn('person', 'text', required)
        .addColumn('target_id', 'text', required)
        .addColumn('locator', 'text', required)
        .addColumn('state', 'text', required)
        .addColumn('attributes', 'text', required)
        .addColumn('permissions', 'text', required)
        .addColumn('created_at', 'text', required)
        .addColumn('updated_at', 'text', required)
        .addColumn('disabled_at', 'text')
        .addPrimaryKeyConstraint('accounts_pk', ['tenant', 'target', 'person'])
        .execute()

      await db.schema
        .createTable('plans')
        .addColumn('tenant', 'text', tenantColumn)
        .addColumn('id', 'text', required)
        .addColumn('hash', 'text', required)
        .addColumn('status', 'text', required)
        .addColumn('created_at', 'text', required)
        .addColumn('summary', 'text', required)
        .addColumn('actions', 'integer', required)
        .addColumn('document', 'text', required)
        .addPrimaryKeyConstraint('plans_pk', ['tenant', 'id'])
        .execute()
      await db.schema
        .createIndex('plans_created')
        .on('plans')
        .columns(['tenant', 'created_at'])
        .execute()
      if (dialect === 'postgres') await useLz4(db, 'plans', 'document')

      await db.schema
        .createTable('journal')
        .addColumn('id', dialect === 'postgres' ? 'bigint' : 'integer', (col) =>
          // SQLite's `integer primary key` is the rowid and numbers itself; PostgreSQL needs an identity
          dialect === 'postgres'
            ? col.primaryKey().generatedByDefaultAsIdentity()
            : col.primaryKey(),
        )
        .addColumn('tenant', 'text', tenantColumn)
        .addColumn('plan_id', 'text', required)
        .addColumn('action_id', 'text', required)
        .addColumn('run_id', 'text', required)
        .addColumn('phase', 'text', required)
        .addColumn('at', 'text', required)
        .addColumn('attempts', 'integer', required)
        .addColumn('message', 'text')
        .execute()
      await db.schema
        .createIndex('journal_action')
        .on('journal')
        .columns(['tenant', 'plan_id', 'action_id', 'id'])
        .execute()

      await db.schema
        .createTable('runs')
        .addColumn('tenant', 'text', tenantColumn)
        .addColumn('id', 'text', required)
        .addColumn('plan_id', 'text')
        .addColumn('state', 'text', required)
        .addColumn('started_at', 'text', required)
        .addColumn('finished_at', 'text')
        .addColumn('report', 'text', required)
        .addPrimaryKeyConstraint('runs_pk', ['tenant', 'id'])
        .execute()
      await db.schema
        .createIndex('runs_started')
        .on('runs')
        .columns(['tenant', 'started_at'])
        .execute()

      await db.schema
        .createTable('snapshots')
        .addColumn('tenant', 'text', tenantColumn)
        .addColumn('id', 'text', required)
        .addColumn('source', 'text', required)
        .addColumn('taken_at', 'text', required)
        .addColumn('hash', 'text', required)
        .addColumn('persons', 'integer', required)
        .addColumn('groups', 'integer', required)
        .addColumn('person_keys', 'text', required)
        .addColumn('used', 'integer', required)
        .addColumn('note', 'text')
        .addPrimaryKeyConstraint('snapshots_pk', ['tenant', 'id'])
        .execute()
      await db.schema
        .createIndex('snapshots_used')
        .on('snapshots')
        .columns(['tenant', 'source', 'used', 'taken_at'])
        .execute()

      await db.schema
        .createTable('snapshot_contents')
        .addColumn('tenant', 'text', tenantColumn)
        .addColumn('id', 'text', required)
        .addColumn('content', dialect === 'postgres' ? 'bytea' : 'blob', required)
        .addPrimaryKeyConstraint('snapshot_contents_pk', ['tenant', 'id'])
        .execute()

      await db.schema
        .createTable('audit')
        .addColumn('tenant', 'text', tenantColumn)
        .addColumn('seq', 'bigint', required)
        .addColumn('at', 'text', required)
        .addColumn('type', 'text', required)
        .addColumn('actor', 'text', required)
        .addColumn('plan_id', 'text')
        .addColumn('run_id', 'text')
        .addColumn('target', 'text')
        .addColumn('person', 'text')
        .addColumn('action_id', 'text')
        .addColumn('data', 'text')
        .addColumn('prev_hash', 'text', required)
        .addColumn('hash', 'text', required)
        .addPrimaryKeyConstraint('audit_pk', ['tenant', 'seq'])
        .execute()
      await db.schema
        .createIndex('audit_person')
        .on('audit')
        .columns(['tenant', 'person', 'seq'])
        .execute()
      await db.schema
        .createIndex('audit_plan')
        .on('audit')
        .columns(['tenant', 'plan_id', 'seq'])
        .execute()

      // the chain's head lives apart from the events so that deleting the newest events is detected too
      await db.schema
        .createTable('audit_head')
        .addColumn('tenant', 'text', (col) => col.primaryKey().defaultTo('default'))
        .addColumn('seq', 'bigint', required)
        .addColumn('hash', 'text', required)
        .execute()

      await db.schema
        .createTable('leases')
        .addColumn('tenant', 'text', tenantColumn)
        .addColumn('name', 'text', required)
        .addColumn('holder', 'text', required)
        .addColumn('expires_at', 'bigint', required)
        .addPrimaryKeyConstraint('leases_pk', ['tenant', 'name'])
        .execute()
    },
  }
}

/**
 * The source fingerprint a snapshot was read under (SourceConnector.fingerprint): lets a plan whose sources did
 * not change skip reading them. Nullable: older rows and sources without a fingerprint have none.
 */
const snapshotFingerprint: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('snapshots').addColumn('fingerprint', 'text').execute()
  },
}

/** An approved snapshot restarts the shrink check's longer baseline (source-safety.ts). */
const snapshotApproved: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('snapshots').addColumn('approved_at', 'text').execute()
  },
}

/**
 * Plans keep their actions apart, gzipped (plan-document.ts): `document` then holds the plan with `actions: []`.
 * Existing rows keep their whole document and a null `actions_gz`, and are read as before. The column is not
 * compressed again on PostgreSQL (storage external: out of line, no lz4/pglz over gzip).
 */
function planActionsGz(dialect: SqlDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('plans')
        .addColumn('actions_gz', dialect === 'postgres' ? 'bytea' : 'blob')
        .execute()
      if (dialect === 'postgres')
        await sql`alter table plans alter column actions_gz set storage external`.execute(db)
    },
  }
}

/** Holds on persons (`koppel hold`): one row per held person, removed when the hold is lifted. */
const personHolds: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('holds')
      .addColumn('tenant', 'text', tenantColumn)
      .addColumn('person', 'text', required)
      .addColumn('label', 'text', required)
      .addColumn('reason', 'text', required)
      .addColumn('until', 'text', required)
      .addColumn('placed_by', 'text', required)
      .addColumn('placed_at', 'text', required)
      .addPrimaryKeyConstraint('holds_pk', ['tenant', 'person'])
      .execute()
  },
}

/** Groups Koppel provisions as objects of their own (issue 14): one ledger row per target and sync key. */
const provisionedGroups: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('groups')
      .addColumn('tenant', 'text', tenantColumn)
      .addColumn('target', 'text', required)
      .addColumn('key', 'text', required)
      .addColumn('set_name', 'text', required)
      .addColumn('target_id', 'text', required)
      .addColumn('locator', 'text', required)
      .addColumn('state', 'text', required)
      .addColumn('attributes', 'text', required)
      .addColumn('created_at', 'text', required)
      .addColumn('updated_at', 'text', required)
      .addColumn('archived_at', 'text')
      .addPrimaryKeyConstraint('groups_pk', ['tenant', 'target', 'key'])
      .execute()
  },
}

/**
 * A 50 MB plan document compresses to ~4 MB either way, but PostgreSQL's default pglz takes about twice as
 * long as lz4 to write it. Builds without lz4 keep pglz.
 */
async function useLz4(db: Kysely<unknown>, table: string, column: string): Promise<void> {
  const alter = `alter table ${table} alter column ${column} set compression lz4`
  await sql`do $$ begin execute ${sql.lit(alter)}; exception when feature_not_supported then null; end $$`.execute(
    db,
  )
}

/**
 * Who may use the dashboard and the HTTP API (src/http/access): local users with an argon2id hash, sessions and
 * API tokens. Sessions and tokens are stored as the SHA-256 of the secret the client holds, never the secret.
 */
const dashboardAccess: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('users')
      .addColumn('tenant', 'text', tenantColumn)
      .addColumn('name', 'text', required)
      .addColumn('role', 'text', required)
      .addColumn('password_hash', 'text')
      .addColumn('created_at', 'text', required)
      .addPrimaryKeyConstraint('users_pk', ['tenant', 'name'])
      .execute()
    for (const table of ['sessions', 'api_tokens']) {
      await db.schema
        .createTable(table)
        .addColumn('tenant', 'text', tenantColumn)
        .addColumn('secret_hash', 'text', required)
        .addColumn('user_name', 'text', required)
        .addColumn('role', 'text', required)
        .addColumn('label', 'text', required)
        .addColumn('created_at', 'text', required)
        .addColumn('expires_at', 'text', required)
        .addPrimaryKeyConstraint(`${table}_pk`, ['tenant', 'secret_hash'])
        .execute()
    }
  },
}

/**
 * One login per person across the store, and their role per tenant: a service provider's helpdesk user is
 * granted several school boards without a second password. Sessions and API tokens stay per tenant (0007).
 * The users of 0007 move over; a name in several tenants keeps the password of its oldest row.
 */
const userTenantRoles: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('logins')
      .addColumn('name', 'text', (col) => col.primaryKey())
      .addColumn('password_hash', 'text')
      .addColumn('created_at', 'text', required)
      .execute()
    await db.schema
      .createTable('tenant_roles')
      .addColumn('tenant', 'text', required)
      .addColumn('user_name', 'text', required)
      .addColumn('role', 'text', required)
      .addColumn('created_at', 'text', required)
      .addPrimaryKeyConstraint('tenant_roles_pk', ['tenant', 'user_name'])
      .execute()
    await db.schema
      .createIndex('tenant_roles_user')
      .on('tenant_roles')
      .columns(['user_name'])
      .execute()
    const old = await sql<{
      tenant: string
      name: string
      role: string
      password_hash: string | null
      created_at: string
    }>`select tenant, name, role, password_hash, created_at from users order by created_at, tenant`.execute(
      db,
    )
    const logins = new Map<string, { password_hash: string | null; created_at: string }>()
    for (const u of old.rows)
      if (!logins.has(u.name))
        logins.set(u.name, { password_hash: u.password_hash, created_at: u.created_at })
    for (const [name, l] of logins)
      await sql`insert into logins (name, password_hash, created_at)
        values (${name}, ${l.password_hash}, ${l.created_at})`.execute(db)
    for (const u of old.rows)
      await sql`insert into tenant_roles (tenant, user_name, role, created_at)
        values (${u.tenant}, ${u.name}, ${u.role}, ${u.created_at})`.execute(db)
    await db.schema.dropTable('users').execute()
  },
}

/** The ledger by person across targets: the persons list of the API pages by this key (`pagePersons`). */
const accountsByPerson: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('accounts_person')
      .on('accounts')
      .columns(['tenant', 'person'])
      .execute()
  },
}

/**
 * Where each gzip member of a plan's actions starts and what it holds, so a page of actions reads one member
 * (plan-action-index.ts). Rows stored before are indexed on their first paged read (sql-store.ts), not here:
 * that means recompressing every stored plan, seconds each at 100,000 persons, at every upgrade's start.
 */
const planActionIndex: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('plan_action_index')
      .addColumn('tenant', 'text', tenantColumn)
      .addColumn('plan_id', 'text', required)
      .addColumn('members', 'text', required)
      .addPrimaryKeyConstraint('plan_action_index_pk', ['tenant', 'plan_id'])
      .execute()
  },
}

/**
 * The change marker of each source `koppel serve` polls (issue 15): kept across restarts, so changes made while
 * serve was down are found by its first poll instead of waiting for the nightly run.
 */
const changeMarkers: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('change_markers')
      .addColumn('tenant', 'text', tenantColumn)
      .addColumn('source', 'text', required)
      .addColumn('marker', 'text', required)
      .addColumn('updated_at', 'text', required)
      .addPrimaryKeyConstraint('change_markers_pk', ['tenant', 'source'])
      .execute()
  },
}

/** In-code provider: migrations ship inside the package, no folder to find at run time. */
export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001-initial': initial(dialect),
        '0002-snapshot-fingerprint': snapshotFingerprint,
        '0003-plan-actions-gz': planActionsGz(dialect),
        '0004-snapshot-approved': snapshotApproved,
        '0005-person-holds': personHolds,
        '0006-provisioned-groups': provisionedGroups,
        '0007-dashboard-access': dashboardAccess,
        '0008-user-tenant-roles': userTenantRoles,
        '0009-accounts-by-person': accountsByPerson,
        '0010-plan-action-index': planActionIndex,
        '0011-change-markers': changeMarkers,
      }
    },
  }
}
