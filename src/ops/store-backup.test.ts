// Backup and restore with the real tools: VACUUM INTO for SQLite, pg_dump / pg_restore against a throwaway
// PostgreSQL cluster. A restored store must hold what the backup held and its audit chain must verify.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
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
import { openStore, type StoreOptions } from '../store/index.ts'
import { account } from '../store/store-fixtures.ts'
import { backupStore, restoreStore } from './store-backup.ts'

const AUDIT_KEY = 'backup-test-key-0123456789'
const TENANT = 'board-a'
const clock = () => new Date('2026-09-01T06:00:00.000Z')

/** Writes ledger rows and audit events; returns the number of audit events the tenant then has. */
async function fill(options: StoreOptions, persons: string[]): Promise<number> {
  const store = await openStore(options, { tenant: TENANT, auditKey: AUDIT_KEY, now: clock })
  try {
    await store.upsertAccounts(persons.map((p) => account(p)))
    await store.appendAudit(
      persons.map((p) => ({ type: 'action.done', actor: 'koppel', person: p, target: 'ad' })),
    )
    const v = await store.verifyAudit()
    assert.ok(v.ok)
    return v.events
  } finally {
    await store.close()
  }
}

async function contents(options: StoreOptions): Promise<{ persons: string[]; events: number }> {
  const store = await openStore(options, { tenant: TENANT, auditKey: AUDIT_KEY, now: clock })
  try {
    const persons = (await store.listAccounts()).map((a) => a.person)
    const v = await store.verifyAudit()
    return { persons, events: v.events }
  } finally {
    await store.close()
  }
}

describe('SQLite backup and restore', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'koppel-backup-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  test('restore brings back the ledger and audit of the backup, chain verified', async () => {
    const store: StoreOptions = { kind: 'sqlite', path: join(dir, 'data', 'koppel.db') }
    const events = await fill(store, ['p1', 'p2'])
    const file = join(dir, 'backups', 'koppel-1.db')
    const result = await backupStore(store, file)
    assert.ok(result.bytes > 0)
    await assert.rejects(backupStore(store, file), /exists already/)

    await fill(store, ['p3'])
    await assert.rejects(
      restoreStore(store, file, { tenant: TENANT, auditKey: AUDIT_KEY }),
      /--force replaces it/,
    )
    const restored = await restoreStore(store, file, {
      tenant: TENANT,
      auditKey: AUDIT_KEY,
      force: true,
    })
    assert.equal(restored.verification.ok, true)
    assert.deepEqual(await contents(store), { persons: ['p1', 'p2'], events })

    // into an empty place: a new machine
    const elsewhere: StoreOptions = { kind: 'sqlite', path: join(dir, 'new', 'koppel.db') }
    const fresh = await restoreStore(elsewhere, file, { tenant: TENANT, auditKey: AUDIT_KEY })
    assert.equal(fresh.verification.ok && fresh.verification.keyed, true)
    assert.deepEqual(await contents(elsewhere), { persons: ['p1', 'p2'], events })
  })

  test('a backup whose audit was edited restores but reports the chain broken', async () => {
    const store: StoreOptions = { kind: 'sqlite', path: join(dir, 'tamper', 'koppel.db') }
    await fill(store, ['p1', 'p2', 'p3'])
    const file = join(dir, 'tamper-backup.db')
    await backupStore(store, file)
    const db = new DatabaseSync(file)
    db.exec(`update audit set actor = 'someone else' where seq = 2`)
    db.close()
    const restored = await restoreStore(
      { kind: 'sqlite', path: join(dir, 'tamper-restored', 'koppel.db') },
      file,
      {
        tenant: TENANT,
        auditKey: AUDIT_KEY,
      },
    )
    assert.equal(restored.verification.ok, false)
    assert.equal(!restored.verification.ok && restored.verification.firstBadSeq, 2)
  })

  test('a file that is not a store backup is refused and the store is left alone', async () => {
    const store: StoreOptions = { kind: 'sqlite', path: join(dir, 'keep', 'koppel.db') }
    await fill(store, ['p1'])
    const junk = join(dir, 'junk.db')
    await writeFile(
      junk,
      'not a database at all, just text that is long enough to be read as a header',
    )
    await assert.rejects(
      restoreStore(store, junk, { tenant: TENANT, auditKey: AUDIT_KEY, force: true }),
      /not a Koppel store backup/,
    )
    assert.deepEqual((await contents(store)).persons, ['p1'])
  })
})

describe(
  'PostgreSQL backup and restore (pg_dump / pg_restore)',
  { skip: postgresSkipReason() ?? false },
  () => {
    let server: PostgresServer | undefined
    let dir = ''
    before(async () => {
      server = await startPostgres()
      dir = await mkdtemp(join(tmpdir(), 'koppel-pgbackup-'))
    })
    after(async () => {
      await server?.stop()
      await rm(dir, { recursive: true, force: true })
    })

    async function database(name: string): Promise<string> {
      const admin = new pg.Client(server?.url)
      await admin.connect()
      try {
        await admin.query(`create database ${name}`)
      } finally {
        await admin.end()
      }
      return (server?.url ?? '').replace(/\/postgres$/, `/${name}`)
    }

    for (const schema of [undefined, 'board_a']) {
      test(`restore over a changed store and into a fresh database${schema ? ` (schema ${schema})` : ''}`, async () => {
        const store: StoreOptions = {
          kind: 'postgres',
          url: await database(`live_${schema ?? 'public'}`),
          ...(schema ? { schema } : {}),
        }
        const events = await fill(store, ['p1', 'p2'])
        const file = join(dir, `koppel-${schema ?? 'public'}.dump`)
        assert.ok((await backupStore(store, file)).bytes > 0)

        await fill(store, ['p3'])
        await assert.rejects(
          restoreStore(store, file, { tenant: TENANT, auditKey: AUDIT_KEY }),
          /--force replaces it/,
        )
        const restored = await restoreStore(store, file, {
          tenant: TENANT,
          auditKey: AUDIT_KEY,
          force: true,
        })
        assert.equal(restored.verification.ok, true)
        assert.deepEqual(await contents(store), { persons: ['p1', 'p2'], events })

        const fresh: StoreOptions = {
          kind: 'postgres',
          url: await database(`fresh_${schema ?? 'public'}`),
          ...(schema ? { schema } : {}),
        }
        const again = await restoreStore(fresh, file, { tenant: TENANT, auditKey: AUDIT_KEY })
        assert.equal(again.verification.ok && again.verification.keyed, true)
        assert.deepEqual(await contents(fresh), { persons: ['p1', 'p2'], events })
      })
    }
  },
)
