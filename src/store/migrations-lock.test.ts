// Several Koppel processes (serve, workers, a CLI run) may start at once against a fresh database after an
// install or upgrade: the migrations must run exactly once and every process must open the store.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { DatabaseSync } from 'node:sqlite'
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import pg from 'pg'
import {
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '../../test/harness/postgres.ts'
import { openStore, type StoreOptions } from './open-store.ts'
import { migrationProvider } from './migrations.ts'

const run = promisify(execFile)
const OPENER = join(import.meta.dirname, '../../test/support/store-opener.ts')
const OPENERS = 5

async function openAtOnce(options: StoreOptions): Promise<string[]> {
  const args = ['--no-warnings=ExperimentalWarning', OPENER, JSON.stringify(options)]
  const results = await Promise.allSettled(
    Array.from({ length: OPENERS }, () => run(process.execPath, args)),
  )
  return results.map((r) =>
    r.status === 'fulfilled' ? r.value.stdout.trim() : `failed: ${String(r.reason)}`,
  )
}

async function migrationNames(): Promise<string[]> {
  return Object.keys(await migrationProvider('postgres').getMigrations()).sort()
}

describe('migrations when several processes start at once', () => {
  test('SQLite: every opener opens, each migration is recorded once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koppel-migrate-'))
    try {
      const path = join(dir, 'data', 'koppel.db')
      assert.deepEqual(await openAtOnce({ kind: 'sqlite', path }), Array(OPENERS).fill('opened'))
      const db = new DatabaseSync(path)
      try {
        const rows = db.prepare('select name from kysely_migration order by name').all() as {
          name: string
        }[]
        assert.deepEqual(
          rows.map((r) => r.name),
          await migrationNames(),
        )
      } finally {
        db.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  describe('PostgreSQL', { skip: postgresSkipReason() ?? false }, () => {
    let server: PostgresServer | undefined
    before(async () => {
      server = await startPostgres()
    })
    after(() => server?.stop())

    test('a store schema created by many openers at once: none fails on the race in CREATE SCHEMA IF NOT EXISTS', async () => {
      // PostgreSQL checks IF NOT EXISTS before it inserts the catalog row, so two creators can both pass the
      // check; the loser fails on pg_namespace's unique index. Rounds make the race likely, not certain.
      const admin = new pg.Client(server?.url)
      await admin.connect()
      try {
        for (let round = 0; round < 20; round++) {
          await admin.query(`create database koppel_schema_race_${round}`)
          const url = (server?.url ?? '').replace(/\/postgres$/, `/koppel_schema_race_${round}`)
          const opened = await Promise.allSettled(
            Array.from({ length: 12 }, () =>
              openStore({ kind: 'postgres', url, schema: 'board_x' }),
            ),
          )
          for (const r of opened) if (r.status === 'fulfilled') await r.value.close()
          const failed = opened.filter((r) => r.status === 'rejected').map((r) => String(r.reason))
          assert.deepEqual(failed, [], `round ${round}`)
        }
      } finally {
        await admin.end()
      }
    })

    for (const schema of [undefined, 'board_a']) {
      test(`fresh database${schema ? `, schema ${schema}` : ''}: every opener opens, each migration once`, async () => {
        const admin = new pg.Client(server?.url)
        await admin.connect()
        const database = `koppel_fresh_${schema ?? 'public'}`
        try {
          await admin.query(`create database ${database}`)
          const url = (server?.url ?? '').replace(/\/postgres$/, `/${database}`)
          const options: StoreOptions = { kind: 'postgres', url, ...(schema ? { schema } : {}) }
          assert.deepEqual(await openAtOnce(options), Array(OPENERS).fill('opened'))
          const client = new pg.Client(url)
          await client.connect()
          try {
            const table = schema ? `${schema}.kysely_migration` : 'kysely_migration'
            const { rows } = await client.query<{ name: string }>(
              `select name from ${table} order by name`,
            )
            assert.deepEqual(
              rows.map((r) => r.name),
              await migrationNames(),
            )
            const { rows: tables } = await client.query<{ n: string }>(
              `select count(*) as n from information_schema.tables where table_name = 'accounts'`,
            )
            assert.equal(Number(tables[0]?.n), 1)
          } finally {
            await client.end()
          }
        } finally {
          await admin.end()
        }
      })
    }
  })
})
