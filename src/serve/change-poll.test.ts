import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConnectorError, type SourceChanges, type SourceConnector } from '../contract/index.ts'
import type { Change } from './change-queue.ts'
import { nextWaitMs, pollChanges, type PollClock } from './change-poll.ts'

/** A source answering from a script: each ask records its cursor and takes the next answer (or error). */
function scripted(answers: (SourceChanges | Error)[]): {
  source: SourceConnector
  asked: (string | undefined)[]
} {
  const asked: (string | undefined)[] = []
  const source: SourceConnector = {
    name: 'rooster',
    type: 'scripted',
    capabilities: { delta: true, writeBack: false },
    read: () => Promise.reject(new Error('not read here')),
    changesSince(cursor) {
      asked.push(cursor)
      const next = answers.shift() ?? { ids: [], cursor }
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next)
    },
  }
  return { source, asked }
}

function recordInto(changes: Change[]): (c: Change) => Promise<void> {
  return (c) => {
    changes.push(c)
    return Promise.resolve()
  }
}

/**
 * A simulated clock: a sleep moves time on by its length at once (and lets the event loop turn), so the waits the
 * loop chose are read off `sleeps` without the test waiting for them.
 */
function simulatedClock(): { clock: PollClock; sleeps: number[]; at: () => number } {
  let t = 0
  const sleeps: number[] = []
  return {
    sleeps,
    at: () => t,
    clock: {
      now: () => t,
      async sleep(ms) {
        sleeps.push(ms)
        t += ms
        await new Promise((r) => setImmediate(r))
      },
    },
  }
}

async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 5000
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 5))
  }
}

test('starts from the newest marker, passes each answer on as the next cursor, and queues only named records', async () => {
  const { source, asked } = scripted([
    { ids: [], cursor: 't0' },
    { ids: [], cursor: 't0' },
    { ids: ['u2', 'u1'], cursor: 't1' },
  ])
  const changes: Change[] = []
  const stop = new AbortController()
  const poller = pollChanges({
    source,
    everyMs: 10,
    changed: recordInto(changes),
    warn: () => {},
    signal: stop.signal,
  })
  await poller.started
  assert.deepEqual(asked, [undefined])
  await until(() => asked.length >= 4)
  await poller.stop()
  assert.deepEqual(asked.slice(0, 4), [undefined, 't0', 't0', 't1'])
  assert.deepEqual(changes, [{ source: 'rooster', ids: ['u2', 'u1'] }])
})

test('a failed ask keeps the cursor and is logged; the next ask covers its changes', async () => {
  const { source, asked } = scripted([
    { ids: [], cursor: 't0' },
    new Error('503 server_busy'),
    { ids: ['u1'], cursor: 't1' },
  ])
  const warnings: string[] = []
  const changes: Change[] = []
  const poller = pollChanges({
    source,
    everyMs: 10,
    changed: recordInto(changes),
    warn: (f) => warnings.push(String(f['err'])),
    clock: simulatedClock().clock,
    signal: new AbortController().signal,
  })
  await until(() => asked.length >= 3)
  await poller.stop()
  assert.deepEqual(asked.slice(0, 3), [undefined, 't0', 't0'])
  assert.deepEqual(warnings, ['503 server_busy'])
  assert.deepEqual(changes, [{ source: 'rooster', ids: ['u1'] }])
})

test('a source that cannot say what changed is refused by name', () => {
  const { source } = scripted([])
  const { changesSince: _, ...without } = source
  assert.throws(
    () =>
      pollChanges({
        source: without,
        everyMs: 10,
        changed: () => Promise.resolve(),
        warn: () => {},
        signal: new AbortController().signal,
      }),
    /source rooster \(scripted\) cannot say which records changed/,
  )
})

test('a slow source sets the pace: one ask at a time, and the next waits at least as long as the last took', async () => {
  const sim = simulatedClock()
  let inFlight = 0
  let most = 0
  const starts: number[] = []
  const source: SourceConnector = {
    name: 'rooster',
    type: 'scripted',
    capabilities: { delta: true, writeBack: false },
    read: () => Promise.reject(new Error('not read here')),
    async changesSince() {
      starts.push(sim.at())
      most = Math.max(most, ++inFlight)
      // the SIS takes 3 s to answer (simulated) while polls are due every second
      await sim.clock.sleep(3000, new AbortController().signal)
      inFlight -= 1
      return { ids: [], cursor: 't0' }
    },
  }
  const poller = pollChanges({
    source,
    everyMs: 1000,
    changed: () => Promise.resolve(),
    warn: () => {},
    signal: new AbortController().signal,
    clock: sim.clock,
  })
  await until(() => starts.length >= 4)
  await poller.stop()
  assert.equal(most, 1, 'never two asks at once')
  // each ask 3 s, then 3 s of rest: a start every 6 s, not every second
  assert.deepEqual(starts.slice(0, 4), [0, 6000, 12000, 18000])
})

test('a failing source is backed off (doubling up to the cap, or its Retry-After); an answer resets the pace', async () => {
  const sim = simulatedClock()
  const busy = Object.assign(new Error('429 server_busy'), { retryAfterMs: 90_000 })
  const { source, asked } = scripted([
    { ids: [], cursor: 't0' },
    new Error('503'),
    new Error('503'),
    new Error('503'),
    new Error('503'),
    new Error('503'),
    busy,
    { ids: [], cursor: 't0' },
  ])
  const warnings: unknown[] = []
  const poller = pollChanges({
    source,
    everyMs: 1000,
    changed: () => Promise.resolve(),
    warn: (f) => warnings.push(f['failures']),
    signal: new AbortController().signal,
    clock: sim.clock,
    maxBackoffMs: 20_000,
  })
  await until(() => asked.length >= 9)
  await poller.stop()
  // ok, then five 503s: 2 s, 4 s, 8 s, 16 s, 20 s (the cap); a 429 asking for 90 s; then every second again
  assert.deepEqual(sim.sleeps.slice(0, 8), [1000, 2000, 4000, 8000, 16000, 20000, 90000, 1000])
  assert.deepEqual(warnings, [1, 2, 3, 4, 5, 6])
})

test("nextWaitMs: the interval's rest after a quick answer, the answer's own time after a slow one", () => {
  assert.equal(nextWaitMs(1000, 100, 0, 300_000), 900)
  assert.equal(nextWaitMs(1000, 2500, 0, 300_000), 2500)
  assert.equal(nextWaitMs(1000, 0, 1, 300_000), 2000)
  assert.equal(nextWaitMs(1000, 0, 30, 300_000), 300_000)
})

test('the marker is read from the store at start and kept only once the records it names were run', async () => {
  const { source, asked } = scripted([
    { ids: ['u1'], cursor: 't5' },
    { ids: [], cursor: 't5' },
    { ids: ['u2'], cursor: 't6' },
  ])
  const saved: string[] = []
  const runs: (() => void)[] = []
  const stop = new AbortController()
  const poller = pollChanges({
    source,
    everyMs: 1000,
    changed: () => new Promise<void>((resolve) => runs.push(resolve)),
    warn: () => {},
    signal: stop.signal,
    clock: simulatedClock().clock,
    marker: {
      load: () => Promise.resolve('t4'),
      save: (m) => {
        saved.push(m)
        return Promise.resolve()
      },
    },
  })
  await poller.started
  assert.deepEqual(asked, ['t4'], 'the first ask starts from the kept marker, not from now')
  await until(() => asked.length >= 4)
  assert.deepEqual(saved, [], 'nothing kept while u1 waits to be run')
  runs[0]?.()
  await until(() => saved.length === 1)
  assert.deepEqual(saved, ['t5'])
  // u2's run never happens (serve stops first): its marker is not kept, so a restart asks for it again
  stop.abort()
  await poller.stop()
  runs[1]?.()
  await new Promise((r) => setImmediate(r))
  assert.deepEqual(saved, ['t5'])
})

test('a kept marker the source refuses as invalid is dropped: polling starts again from the newest change', async () => {
  const { source, asked } = scripted([
    new ConnectorError('invalid', 'the change cursor "x" is not a dateLastModified timestamp'),
    { ids: [], cursor: 't9' },
    { ids: ['u1'], cursor: 't10' },
  ])
  const warnings: string[] = []
  const changes: Change[] = []
  const poller = pollChanges({
    source,
    everyMs: 1000,
    changed: recordInto(changes),
    warn: (_, message) => warnings.push(message),
    signal: new AbortController().signal,
    clock: simulatedClock().clock,
    marker: { load: () => Promise.resolve('x'), save: () => Promise.resolve() },
  })
  await until(() => asked.length >= 3)
  await poller.stop()
  assert.deepEqual(asked.slice(0, 3), ['x', undefined, 't9'])
  assert.deepEqual(warnings, [
    'the source refused the change marker; starting again from its newest change',
  ])
  assert.deepEqual(changes, [{ source: 'rooster', ids: ['u1'] }])
})
