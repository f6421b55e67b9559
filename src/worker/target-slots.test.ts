// Target slots on a real PostgreSQL: a process holds many batches' slots on one session, and a session's own
// advisory locks (re-entrant) never let two of its batches hold the same slot.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import {
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '../../test/harness/postgres.ts'
import { targetSlots } from './target-slots.ts'

describe('target slots', { skip: postgresSkipReason() ?? false }, () => {
  let server: PostgresServer | undefined
  before(async () => {
    server = await startPostgres()
  })
  after(async () => {
    await server?.stop()
  })

  test('batches on one session share it but never a slot; the limit holds', async () => {
    const url = server?.url ?? ''
    const slots = targetSlots(url, 1)
    const observer = new pg.Client({ connectionString: url })
    await observer.connect()
    try {
      const first = await slots.take('board a', 'app', 3, undefined, 2)
      const second = await slots.take('board a', 'app', 3, undefined, 2)
      assert.equal(first.count + second.count, 3, 'three slots, whatever the batches asked for')
      // a third batch waits: every slot of the target is held, on this very session
      const third = slots.take('board a', 'app', 3, AbortSignal.timeout(400))
      await assert.rejects(third, /abort|timeout/i)
      // other targets and tenants on the same session are not limited by this one
      const other = await slots.take('board b', 'app', 3, undefined, 3)
      assert.equal(other.count, 3)
      const { rows } = await observer.query<{ sessions: number; locks: number }>(
        `select count(distinct pid)::int as sessions, count(*)::int as locks from pg_locks
          where locktype = 'advisory' and granted`,
      )
      assert.deepEqual(rows[0], { sessions: 1, locks: 6 })
      await first.release()
      const again = await slots.take('board a', 'app', 3, undefined, 3)
      assert.equal(again.count, first.count, 'the released slots, and only those, are free again')
      await Promise.all([second.release(), other.release(), again.release()])
    } finally {
      await observer.end()
      await slots.close()
    }
  })
})
