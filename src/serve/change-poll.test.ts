import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SourceChanges, SourceConnector } from '../contract/index.ts'
import type { Change } from './change-queue.ts'
import { pollChanges } from './change-poll.ts'

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
    changed: (c) => changes.push(c),
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
    changed: (c) => changes.push(c),
    warn: (f) => warnings.push(String(f['err'])),
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
        changed: () => {},
        warn: () => {},
        signal: new AbortController().signal,
      }),
    /source rooster \(scripted\) cannot say which records changed/,
  )
})
