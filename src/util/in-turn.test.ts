import assert from 'node:assert/strict'
import { test } from 'node:test'
import { inTurn } from './in-turn.ts'

test('calls run one at a time in the order asked, and a failing one does not stop the next', async () => {
  const turn = inTurn()
  const log: string[] = []
  let running = 0
  const step = (name: string, fail = false) =>
    turn(async () => {
      running++
      assert.equal(running, 1, 'no two at once')
      log.push(`${name} start`)
      await new Promise((r) => setImmediate(r))
      log.push(`${name} end`)
      running--
      if (fail) throw new Error(name)
      return name
    })
  const results = await Promise.allSettled([step('a'), step('b', true), step('c')])
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
    ['a', 'b', 'c'],
  )
  assert.deepEqual(log, ['a start', 'a end', 'b start', 'b end', 'c start', 'c end'])
})
