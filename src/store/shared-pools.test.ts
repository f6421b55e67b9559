// The process's pool registry: one pg.Pool per database and schema, ended with its last user only. pg.Pool
// connects lazily, so the counting is checked without a server; the PostgreSQL part shows two tenants' stores
// on one pool, the second still working after the first closed.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import {
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '../../test/harness/postgres.ts'
import { openStore } from './open-store.ts'
import { acquirePool, applicationName, DEFAULT_POOL_MAX, openPools } from './shared-pools.ts'

const URL_A = 'postgres://nobody@127.0.0.1:9/a'

describe('shared pools', () => {
  test('users of one database and schema share a pool; it ends with its last user', async () => {
    const before = openPools()
    const first = acquirePool({ url: URL_A })
    const second = acquirePool({ url: URL_A })
    const otherSchema = acquirePool({ url: URL_A, schema: 'board_b' })
    assert.equal(first.pool, second.pool)
    assert.notEqual(first.pool, otherSchema.pool)
    assert.equal(openPools(), before + 2)
    await first.release()
    // a second release of the same user must not take the other user's share
    await first.release()
    assert.equal(second.pool.ending, false, 'the pool another user holds stays open')
    assert.equal(openPools(), before + 2)
    await second.release()
    assert.equal(second.pool.ending, true)
    await otherSchema.release()
    assert.equal(openPools(), before)
    // after its end a new user gets a new pool
    const again = acquirePool({ url: URL_A })
    assert.notEqual(again.pool, first.pool)
    await again.release()
  })

  test('the largest size asked for holds; a user naming none takes the pool as it is', async () => {
    const small = acquirePool({ url: URL_A, max: 3 })
    assert.equal(small.pool.options.max, 3)
    const plain = acquirePool({ url: URL_A })
    assert.equal(plain.pool.options.max, 3)
    const large = acquirePool({ url: URL_A, max: 12 })
    assert.equal(small.pool.options.max, 12)
    await Promise.all([small.release(), plain.release(), large.release()])
    const fresh = acquirePool({ url: URL_A })
    assert.equal(fresh.pool.options.max, DEFAULT_POOL_MAX)
    await fresh.release()
  })

  test('connections carry the process role and purpose', () => {
    assert.equal(applicationName('store'), 'koppel store')
  })
})

describe('shared pools on PostgreSQL', { skip: postgresSkipReason() ?? false }, () => {
  let server: PostgresServer | undefined
  before(async () => {
    server = await startPostgres()
  })
  after(async () => {
    await server?.stop()
  })

  test("two tenants' stores use one pool; closing one leaves the other working", async () => {
    const url = server?.url ?? ''
    const before = openPools()
    const a = await openStore({ kind: 'postgres', url }, { tenant: 'board-a' })
    const b = await openStore({ kind: 'postgres', url }, { tenant: 'board-b' })
    assert.equal(openPools(), before + 1)
    await a.close()
    assert.deepEqual(await b.listAccounts(), [])
    assert.equal(openPools(), before + 1)
    await b.close()
    assert.equal(openPools(), before)
  })

  test('live locks of several tenants share one session; a second holder in the process is refused', async () => {
    const url = server?.url ?? ''
    const a = await openStore({ kind: 'postgres', url }, { tenant: 'board-a' })
    const b = await openStore({ kind: 'postgres', url }, { tenant: 'board-b' })
    try {
      const la = await a.holdLiveLock('apply')
      const lb = await b.holdLiveLock('apply')
      assert.ok(la !== undefined && la !== 'unsupported')
      assert.ok(lb !== undefined && lb !== 'unsupported')
      assert.equal(await a.holdLiveLock('apply'), undefined, 'held already in this process')
      const observer = new pg.Client({ connectionString: url })
      await observer.connect()
      try {
        const { rows } = await observer.query<{ n: number; free: boolean }>(
          `select (select count(*)::int from pg_stat_activity where application_name = 'koppel locks') as n,
             pg_try_advisory_lock(hashtext('koppel board-b'), hashtext('apply')) as free`,
        )
        assert.equal(rows[0]?.n, 1, "one session holds both tenants' locks")
        assert.equal(rows[0]?.free, false, "another session (process) cannot take board-b's lock")
      } finally {
        await observer.end()
      }
      await la.release()
      const again = await a.holdLiveLock('apply')
      assert.ok(again !== undefined && again !== 'unsupported', 'free again after its release')
      await again.release()
      await lb.release()
    } finally {
      await a.close()
      await b.close()
    }
  })
})
