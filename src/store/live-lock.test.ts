// The live locks of many tenants on the process's one PostgreSQL lock session: taken and given back at once, as
// when a schedule window opens for every board, the session runs their statements one after another. pg@8
// queues overlapping queries itself and warns that pg@9 will not; this fails on that warning.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '../../test/harness/postgres.ts'
import { overlappingQueryWarnings } from '../../test/harness/pg-overlap-warnings.ts'
import { postgresLiveLock } from './live-lock.ts'

describe('postgres live locks', { skip: postgresSkipReason() ?? false }, () => {
  let server: PostgresServer | undefined
  before(async () => {
    server = await startPostgres()
  })
  after(async () => {
    await server?.stop()
  })

  test('many tenants take and release their locks at once on the one session, one query at a time', async () => {
    const warnings = overlappingQueryWarnings()
    try {
      const config = { connectionString: server?.url ?? '' }
      const tenants = Array.from({ length: 8 }, (_, i) => `board-${i}`)
      const locks = await Promise.all(tenants.map((t) => postgresLiveLock(config, t)('apply')))
      assert.equal(locks.filter((l) => l !== undefined).length, 8, 'each tenant holds its own lock')
      // the same tenant's lock is refused while held, also when asked for several times at once
      const again = await Promise.all(
        tenants.slice(0, 3).map((t) => postgresLiveLock(config, t)('apply')),
      )
      assert.deepEqual(again, [undefined, undefined, undefined])
      await Promise.all(locks.map((l) => l?.release()))
      const retaken = await Promise.all(tenants.map((t) => postgresLiveLock(config, t)('apply')))
      assert.equal(retaken.filter((l) => l !== undefined).length, 8, 'released locks are free')
      await Promise.all(retaken.map((l) => l?.release()))
      // process warnings are emitted on the next tick
      await new Promise((r) => setImmediate(r))
      assert.deepEqual(warnings.seen(), [])
    } finally {
      warnings.stop()
    }
  })
})
