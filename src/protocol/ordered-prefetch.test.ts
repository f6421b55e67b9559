import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { orderedPrefetch } from './ordered-prefetch.ts'

/** A listing of `n` items, each after `ms`; records how many listings run at once. */
function listings(sizes: readonly number[], ms: (i: number) => number) {
  const state = { running: 0, most: 0, started: [] as number[], aborted: [] as number[] }
  const make = sizes.map(
    (n, i) =>
      async function* (signal: AbortSignal) {
        state.started.push(i)
        state.running++
        state.most = Math.max(state.most, state.running)
        try {
          for (let k = 0; k < n; k++) {
            await sleep(ms(i), undefined, { signal })
            yield `${i}.${k}`
          }
        } catch (e) {
          if (signal.aborted) state.aborted.push(i)
          throw e
        } finally {
          state.running--
        }
      },
  )
  return { make, state }
}

test('items come out in listing order even when later listings answer first', async () => {
  const { make, state } = listings([3, 2, 0, 2, 1], (i) => (i === 0 ? 30 : 1))
  const out: string[] = []
  for await (const x of orderedPrefetch(make, 3)) out.push(x)
  assert.deepEqual(out, ['0.0', '0.1', '0.2', '1.0', '1.1', '3.0', '3.1', '4.0'])
  assert.equal(state.most, 3, 'three listings ran at once')
})

test('never more than the window run or wait to be taken', async () => {
  const { make, state } = listings([2, 2, 2, 2, 2, 2], () => 2)
  let ahead = 0
  for await (const x of orderedPrefetch(make, 2)) {
    // started listings beyond the one being taken
    ahead = Math.max(ahead, state.started.length - 1 - Number(x.split('.')[0]))
    await sleep(5) // a slow consumer: finished listings still hold their slot until taken
  }
  assert.equal(ahead, 1, 'one listing ahead of the consumer at most, and at least once')
  assert.equal(state.most, 2)
})

test('a failing listing fails the iteration when reached; leaving early aborts the running ones', async () => {
  const failing = async function* () {
    await sleep(1)
    yield 'a'
    throw new Error('page 2 failed for good')
  }
  const { make, state } = listings([1, 5, 5], () => 20)
  await assert.rejects(async () => {
    for await (const x of orderedPrefetch([failing, ...make], 3)) assert.ok(x !== '')
  }, /page 2 failed for good/)
  await sleep(5)
  assert.deepEqual(state.aborted.sort(), [0, 1], 'the two listings still running were aborted')

  const more = listings([5, 5, 5], () => 20)
  for await (const x of orderedPrefetch(more.make, 3)) if (x === '0.0') break
  await sleep(5)
  assert.deepEqual(more.state.aborted.sort(), [0, 1, 2])
})

test('a listing reads at most `ahead` items ahead of the consumer, and one left waiting ends', async () => {
  const asked: string[] = []
  let ended = 0
  const long = (i: number) =>
    async function* () {
      try {
        for (let k = 0; k < 50; k++) {
          asked.push(`${i}.${k}`)
          await sleep(1)
          yield `${i}.${k}`
        }
      } finally {
        ended++
      }
    }
  let most = 0
  let taken = 0
  for await (const x of orderedPrefetch([long(0), long(1)], 2, undefined, 2)) {
    taken++
    await sleep(3) // a slow consumer
    // listing 1 waits with two pages read; listing 0 has at most two read beyond what was taken
    most = Math.max(most, asked.filter((a) => a.startsWith('0.')).length - taken)
    if (x === '0.10') break
  }
  assert.ok(most <= 2, `listing 0 ran ${most} items ahead`)
  assert.equal(asked.filter((a) => a.startsWith('1.')).length, 2, 'listing 1 read two and waited')
  await sleep(5)
  assert.equal(ended, 2, 'both listings ended when the consumer left')
})

test('a signal aborted before the start reaches every listing', async () => {
  const gone = new AbortController()
  gone.abort(new Error('read cancelled'))
  const { make } = listings([3, 3], () => 50)
  await assert.rejects(async () => {
    for await (const x of orderedPrefetch(make, 2, gone.signal)) assert.ok(x !== '')
  }, /abort/i)
})

test('a window below 1 is refused', async () => {
  await assert.rejects(async () => {
    for await (const _ of orderedPrefetch([], 0)) void _
  }, RangeError)
})
