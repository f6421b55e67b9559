// A worker process's lanes across its tenants: never more taken than the limit, the free ones handed out in
// the order asked, and a waiter that gives up leaves the line.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { laneBudget } from './lane-budget.ts'

test('takes up to what is free, waits when none is, serves waiters in order', async () => {
  const lanes = laneBudget(3)
  assert.equal(await lanes.take(2), 2)
  assert.equal(await lanes.take(4), 1, 'only one was free')
  assert.equal(lanes.inUse, 3)
  const got: string[] = []
  const a = lanes.take(2).then((n) => got.push(`a${n}`))
  const b = lanes.take(1).then((n) => got.push(`b${n}`))
  await new Promise((r) => setImmediate(r))
  assert.deepEqual(got, [], 'nothing free')
  lanes.give(1)
  await a
  assert.deepEqual(got, ['a1'], 'the first waiter gets the lane that came free')
  lanes.give(2)
  await b
  assert.deepEqual(got, ['a1', 'b1'])
  assert.equal(lanes.inUse, 2)
  assert.throws(() => laneBudget(0), /≥ 1/)
})

test('a waiter aborted leaves the line without taking a lane', async () => {
  const lanes = laneBudget(1)
  await lanes.take(1)
  const stop = new AbortController()
  const gone = lanes.take(1, stop.signal)
  const next = lanes.take(1)
  stop.abort(new Error('job expired'))
  await assert.rejects(gone, /job expired/)
  lanes.give(1)
  assert.equal(await next, 1)
  assert.equal(lanes.inUse, 1)
})
