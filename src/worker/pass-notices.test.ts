// The notices on a real PostgreSQL: a worker's slot release carries the pass's count of finished jobs to the
// applying process's listener, on the tenant's own channel only.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '../../test/harness/postgres.ts'
import { passChannel, passNotice, pgPassNotices, type PassNotices } from './pass-notices.ts'
import { targetSlots } from './target-slots.ts'

describe('pass notices', { skip: postgresSkipReason() ?? false }, () => {
  let server: PostgresServer | undefined
  let notices: PassNotices | undefined
  before(async () => {
    server = await startPostgres()
  })
  after(async () => {
    await notices?.close()
    await server?.stop()
  })

  test("a batch's slot release tells the applying process how many of the pass's jobs ended", async () => {
    const url = server?.url ?? ''
    notices = pgPassNotices(url)
    const heard: [string, number][] = []
    let wake: () => void = () => {}
    const heardAll = new Promise<void>((r) => (wake = r))
    const hear = (pass: string) => (jobs: number) => {
      heard.push([pass, jobs])
      if (heard.length === 2) wake()
    }
    const stop = await notices.subscribe('board a', 'pass-1', hear('pass-1'))
    await notices.subscribe('board a', 'pass-2', hear('pass-2'))
    await notices.subscribe('board b', 'pass-3', hear('pass-3'))
    assert.equal(notices.live, true)
    const slots = targetSlots(url, 2)
    try {
      const held = await slots.take('board a', 'app', 4, undefined, 2)
      await held.release({
        channel: passChannel('board a'),
        payload: passNotice(['pass-1', 'pass-1', 'pass-2', 'pass-x']),
      })
      await heardAll
      assert.deepEqual(heard.sort(), [
        ['pass-1', 2],
        ['pass-2', 1],
      ])
      // the slots were given back: all four can be taken again at once
      const again = await slots.take('board a', 'app', 4, undefined, 4)
      assert.equal(again.count, 4)
      await again.release()
      stop()
      const another = await slots.take('board a', 'app', 4)
      await another.release({ channel: passChannel('board a'), payload: passNotice(['pass-1']) })
      await new Promise((r) => setTimeout(r, 200))
      assert.equal(
        heard.length,
        2,
        'an unsubscribed pass hears nothing more; board b heard nothing',
      )
    } finally {
      await slots.close()
    }
  })

  test('a listener that cannot connect says why, once, and leaves the apply polling', async () => {
    // a port nobody listens on (the server's own, after a stop, would race other tests): the discard port
    const reasons: string[] = []
    const down = pgPassNotices('postgres://nobody@127.0.0.1:9/none', (r) => reasons.push(r))
    try {
      for (const pass of ['p1', 'p2']) {
        await down.subscribe('t', pass, () => {})
        assert.equal(down.live, false)
      }
      assert.equal(reasons.length, 1, reasons.join('\n'))
      assert.match(reasons[0] ?? '', /ECONNREFUSED|connect/)
    } finally {
      await down.close()
    }
  })
})
