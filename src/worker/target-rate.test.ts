// apply.operationsPerSecond across workers: three schedules on their own connections (as three worker processes
// have) against one PostgreSQL together start no more operations per second than the limit; the in-memory
// schedule of a single process does the same.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { memoryRate, type TargetRate } from '../engine/index.ts'
import {
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '../../test/harness/postgres.ts'
import { pgTargetRate, type PgTargetRate } from './target-rate.ts'

const RATE = 20

/** Runs `each` operations from every taker, four at a time each, and returns their start times (ms). */
async function starts(takers: readonly TargetRate[], each: number): Promise<number[]> {
  const at: number[] = []
  await Promise.all(
    takers.flatMap((t) =>
      Array.from({ length: 4 }, async (_, lane) => {
        for (let i = lane; i < each; i += 4) {
          await t.take('app', RATE)
          at.push(performance.now())
        }
      }),
    ),
  )
  return at.sort((a, b) => a - b)
}

/**
 * The most starts that came earlier than a shared schedule of `rate` per second allows: the k-th start may not be
 * sooner than k/rate after the first. A start is never earlier than the moment it reserved, only later (a late
 * timer on a loaded machine), so lateness cannot break this; a limit per worker would start three at a time.
 * `slackMs` absorbs the first start's own lateness: at load 15 on 2 cores it was seen 100+ ms later than the
 * starts after it. 600 ms still tells one shared schedule (60 starts over 2.95 s) from one per worker (over 1 s).
 */
function earlierThanSchedule(at: readonly number[], rate: number, slackMs: number): number {
  const first = at[0] ?? 0
  return at.filter((t, k) => t - first < (k * 1000) / rate - slackMs).length
}

test('one process: operations start 1/rate apart', async () => {
  const at = await starts([memoryRate()], 30)
  assert.equal(earlierThanSchedule(at, RATE, 600), 0)
  assert.ok((at.at(-1) ?? 0) - (at[0] ?? 0) >= ((30 - 1) * 1000) / RATE - 300)
})

describe('PostgreSQL: the limit is shared', { skip: postgresSkipReason() ?? false }, () => {
  let server: PostgresServer | undefined
  const rates: PgTargetRate[] = []
  before(async () => {
    server = await startPostgres()
  })
  after(async () => {
    await Promise.all(rates.map((r) => r.close()))
    await server?.stop()
  })

  test('three workers together stay under operationsPerSecond', async () => {
    for (let i = 0; i < 3; i++) rates.push(pgTargetRate(server?.url ?? '', 'board a'))
    const at = await starts(rates, 20)
    assert.equal(at.length, 60)
    // a limit per worker would let three start at each moment: two thirds of them earlier than one shared
    // schedule allows. Late timers (a loaded machine) bunch starts in a second-wide window but never move a start
    // earlier than its reserved moment, so this does not count them (the busiest-second count once failed at
    // load 6 on 2 cores).
    assert.equal(earlierThanSchedule(at, RATE, 600), 0, 'no start earlier than the shared schedule')
    assert.ok(
      (at.at(-1) ?? 0) - (at[0] ?? 0) >= ((60 - 1) * 1000) / RATE - 600,
      'sixty operations at twenty per second take about three seconds',
    )
    // another tenant's target of the same name has its own schedule
    const other = pgTargetRate(server?.url ?? '', 'board b')
    rates.push(other)
    const t0 = performance.now()
    await other.take('app', RATE)
    assert.ok(performance.now() - t0 < 500, 'not queued behind board a')
  })
})
