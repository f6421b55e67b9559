// Runs the store suite against embedded SQLite (a temp folder) and a throwaway PostgreSQL cluster.
import { mkdtemp, rm } from 'node:fs/promises'
import { DatabaseSync } from 'node:sqlite'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import pg from 'pg'
import { postgresSkipReason, startPostgres, type PostgresServer } from '../../test/harness/postgres.ts'
import { openStore } from './index.ts'
import { storeCases, type StoreHarness } from './store.case.ts'

describe('store on SQLite (node:sqlite)', () => {
  let dir = ''
  let harness: StoreHarness | undefined
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'koppel-store-'))
    const path = join(dir, 'data', 'koppel.db')
    harness = {
      dialect: 'sqlite',
      open: (tenant) => openStore({ kind: 'sqlite', path }, { tenant }),
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
      open: (tenant) => openStore({ kind: 'postgres', url }, { tenant }),
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
    await assert.rejects(openStore({ kind: 'postgres', url, schema: 'x; drop table audit' }), /schema must be/)
  })
})
