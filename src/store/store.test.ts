// Runs the store suite against embedded SQLite (a temp folder) and a throwaway PostgreSQL cluster.
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { DatabaseSync } from 'node:sqlite'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import pg from 'pg'
import {
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '../../test/harness/postgres.ts'
import { openStore } from './index.ts'
import { acquireApplyLease } from '../engine/apply-lease.ts'
import { storeCases, type StoreHarness } from './store.case.ts'
import { account, plan, run } from './store-fixtures.ts'

describe('store on SQLite (node:sqlite)', () => {
  let dir = ''
  let harness: StoreHarness | undefined
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'koppel-store-'))
    const path = join(dir, 'data', 'koppel.db')
    harness = {
      dialect: 'sqlite',
      open: (tenant, options) => openStore({ kind: 'sqlite', path }, { tenant, ...options }),
      async query(sql) {
        const db = new DatabaseSync(path)
        try {
          return db.prepare(sql).all() as Record<string, unknown>[]
        } finally {
          db.close()
        }
      },
    }
  })
  after(() => rm(dir, { recursive: true, force: true }))

  storeCases(() => harness as StoreHarness)
})

test('the embedded store and its lock file are created 0600 in a folder created 0700, whatever the umask', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'koppel-modes-'))
  const previous = process.umask(0o000)
  try {
    const path = join(dir, 'data', 'board', 'koppel.db')
    const store = await openStore({ kind: 'sqlite', path })
    try {
      await store.appendAudit([{ type: 'plan.created', actor: 'koppel' }])
      const lease = await acquireApplyLease(store)
      assert.ok(lease)
      const mode = async (p: string) => ((await stat(p)).mode & 0o777).toString(8)
      assert.equal(await mode(join(dir, 'data')), '700')
      assert.equal(await mode(join(dir, 'data', 'board')), '700')
      for (const file of ['koppel.db', 'koppel.db-wal', 'koppel.db-shm', 'koppel.db.apply.lock']) {
        assert.equal(await mode(join(dir, 'data', 'board', file)), '600', file)
      }
      await lease.release()
    } finally {
      await store.close()
    }
    // a store an older version created world-readable is tightened when opened
    await chmod(path, 0o644)
    await (await openStore({ kind: 'sqlite', path })).close()
    assert.equal(((await stat(path)).mode & 0o777).toString(8), '600')
  } finally {
    process.umask(previous)
    await rm(dir, { recursive: true, force: true })
  }
})

/** What docs/postgres-audit-role.sql lets koppel_app do where it is not everything a store table needs. */
const APP_PRIVILEGES: Readonly<Record<string, string>> = {
  audit: 'INSERT SELECT',
  audit_head: 'INSERT SELECT UPDATE',
  kysely_migration: 'SELECT',
  kysely_migration_lock: 'SELECT',
}

describe('store on PostgreSQL', { skip: postgresSkipReason() ?? false }, () => {
  let server: PostgresServer | undefined
  let client: pg.Client | undefined
  let harness: StoreHarness | undefined
  before(async () => {
    server = await startPostgres()
    const url = server.url
    const sqlClient = new pg.Client(url)
    client = sqlClient
    await sqlClient.connect()
    harness = {
      dialect: 'postgres',
      open: (tenant, options) => openStore({ kind: 'postgres', url }, { tenant, ...options }),
      query: async (sql) => (await sqlClient.query(sql)).rows as Record<string, unknown>[],
    }
  })
  after(async () => {
    await client?.end()
    await server?.stop()
  })

  storeCases(() => harness as StoreHarness)

  test('schema option: tables and migrations live in the named schema', async () => {
    const h = harness as StoreHarness
    const url = (server as PostgresServer).url
    const store = await openStore({ kind: 'postgres', url, schema: 'board_42' }, { tenant: 'x' })
    try {
      await store.appendAudit([{ type: 'plan.created', actor: 'koppel' }])
      const rows = await h.query(`select seq from board_42.audit where tenant = 'x'`)
      assert.deepEqual(
        rows.map((r) => Number(r['seq'])),
        [1],
      )
      const inSchema = await h.query(
        `select table_name from information_schema.tables where table_schema = 'board_42' and table_name like 'kysely%'`,
      )
      assert.equal(inSchema.length, 2)
    } finally {
      await store.close()
    }
    await assert.rejects(
      openStore({ kind: 'postgres', url, schema: 'x; drop table audit' }),
      /schema must be/,
    )
  })

  test('docs/postgres-audit-role.sql: Koppel works as koppel_app, which cannot cut or edit the audit log', async () => {
    const h = harness as StoreHarness
    const url = (server as PostgresServer).url
    // the owner's first start creates the tables
    await (await openStore({ kind: 'postgres', url })).close()
    await h.query(
      `do $$ begin create role koppel_app login; exception when duplicate_object then null; end $$`,
    )
    await h.query(
      await readFile(join(import.meta.dirname, '../../docs/postgres-audit-role.sql'), 'utf8'),
    )
    const appUrl = url.replace('postgres://postgres@', 'postgres://koppel_app@')
    const store = await openStore(
      { kind: 'postgres', url: appUrl },
      { tenant: 'role', auditKey: 'k'.repeat(32) },
    )
    const app = new pg.Client(appUrl)
    await app.connect()
    try {
      // everything an apply does, as koppel_app
      await store.appendAudit([{ type: 'plan.created', actor: 'koppel', planId: 'plan-1' }])
      await store.savePlan(plan('plan-1', '2026-09-01T02:00:00.000Z'))
      await store.journalStart([
        {
          planId: 'plan-1',
          actionId: 'a',
          runId: 'run-1',
          phase: 'started',
          at: '2026-09-01T02:00:00.000Z',
          attempts: 0,
        },
      ])
      await store.journalFinish([
        {
          entry: {
            planId: 'plan-1',
            actionId: 'a',
            runId: 'run-1',
            phase: 'applied',
            at: '2026-09-01T02:00:01.000Z',
            attempts: 1,
          },
          account: account('p1'),
        },
      ])
      const lease = await acquireApplyLease(store)
      assert.ok(lease)
      await lease.release()
      await store.appendAudit([
        { type: 'run.finished', actor: 'koppel', planId: 'plan-1', runId: 'run-1' },
      ])
      await store.saveRun(run('run-1', '2026-09-01T02:00:00.000Z', { planId: 'plan-1' }))
      assert.equal((await store.verifyAudit()).ok, true)
      // the plan page, groups, holds, serve's change poll and the dashboard's users, as koppel_app
      assert.equal((await store.pagePlanActions('plan-1', { filter: {}, limit: 2 }))?.more, true)
      await store.upsertGroups([
        {
          kind: 'provisioned-group',
          target: 'ad',
          key: 'class-1a',
          set: 'classes',
          targetId: 'g1',
          locator: 'cn=1A,ou=groups,dc=school,dc=test',
          state: 'active',
          attributes: { title: '1A' },
          createdAt: '2026-09-01T02:00:00.000Z',
          updatedAt: '2026-09-01T02:00:00.000Z',
        },
      ])
      await store.saveHold({
        kind: 'hold',
        person: 'p1',
        label: 'Jan',
        reason: 'long leave',
        until: '2026-10-01',
        placedBy: 'admin',
        placedAt: '2026-09-01T02:00:00.000Z',
      })
      assert.equal(await store.deleteHold('p1'), true)
      await store.saveChangeMarker('oneroster', 'marker-1')
      await store.saveChangeMarker('oneroster', 'marker-2')
      const at = '2026-09-01T02:00:00.000Z'
      await store.access.putUser({ name: 'op', role: 'operator', passwordHash: 'h', createdAt: at })
      await store.access.putUser({ name: 'op', role: 'admin', passwordHash: 'h2', createdAt: at })
      assert.equal(await store.access.grantTenant('op', 'other', 'viewer', new Date(at)), true)
      const grant = {
        userName: 'op',
        role: 'admin',
        label: 'x',
        createdAt: at,
        expiresAt: at,
      } as const
      for (const kind of ['sessions', 'api_tokens'] as const) {
        await store.access.addGrant(kind, { ...grant, secretHash: `${kind}-hash` })
        await store.access.removeGrant(kind, `${kind}-hash`)
      }
      assert.equal(await store.access.revokeTenant('op', 'other'), true)

      for (const attack of [
        `delete from audit where tenant = 'role'`,
        `update audit set actor = 'mallory'`,
        'truncate audit',
        'delete from audit_head',
      ]) {
        await assert.rejects(app.query(attack), /permission denied/, attack)
      }
      // moving the head back is allowed (appends move it) but the events beyond it give it away
      await app.query(
        `update audit_head set seq = 1, hash = (select hash from audit where tenant = 'role' and seq = 1) where tenant = 'role'`,
      )
      const v = await store.verifyAudit()
      assert.match(v.ok ? '' : v.problem, /event 2 lies beyond the head/)

      // and no more: no schema changes, no truncate, the migrations' record read-only
      for (const attack of [
        'create table koppel_app_own (a int)',
        'drop table holds',
        'alter table accounts add column x text',
        'truncate accounts',
        `delete from kysely_migration`,
        `insert into kysely_migration (name, timestamp) values ('9999-x', 'now')`,
      ]) {
        await assert.rejects(app.query(attack), /permission denied|must be owner/, attack)
      }
    } finally {
      await app.end()
      await store.close()
    }
  })

  test('docs/postgres-audit-role.sql grants koppel_app exactly its privileges on every table the migrations create', async () => {
    const h = harness as StoreHarness
    const url = (server as PostgresServer).url
    await (await openStore({ kind: 'postgres', url })).close()
    await h.query(
      `do $$ begin create role koppel_app login; exception when duplicate_object then null; end $$`,
    )
    await h.query(
      await readFile(join(import.meta.dirname, '../../docs/postgres-audit-role.sql'), 'utf8'),
    )
    const tables = await h.query(
      `select table_name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    )
    const grants = await h.query(
      `select table_name, string_agg(privilege_type, ' ' order by privilege_type) as privileges
         from information_schema.role_table_grants
        where grantee = 'koppel_app' and table_schema = 'public' group by table_name`,
    )
    const granted = new Map(grants.map((g) => [String(g['table_name']), String(g['privileges'])]))
    const names = tables.map((t) => String(t['table_name']))
    assert.ok(names.includes('change_markers') && names.includes('tenant_roles'), names.join())
    for (const table of names) {
      const expected = APP_PRIVILEGES[table] ?? 'DELETE INSERT SELECT UPDATE'
      assert.equal(
        granted.get(table),
        expected,
        `table ${table}: koppel_app should hold ${expected}; a migration that adds a table needs its grant in docs/postgres-audit-role.sql`,
      )
    }
    const sequences = await h.query(
      `select object_name, privilege_type from information_schema.role_usage_grants
        where grantee = 'koppel_app' and object_schema = 'public'`,
    )
    assert.ok(
      sequences.every((s) => s['privilege_type'] === 'USAGE'),
      JSON.stringify(sequences),
    )
  })
})
