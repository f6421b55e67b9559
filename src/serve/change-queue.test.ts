import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { UnattendedOutcome } from '../app/unattended-run.ts'
import { ChangeQueue, type Change } from './change-queue.ts'

const completed = [{ kind: 'completed' }] as unknown as readonly UnattendedOutcome[]
const busy = [{ kind: 'busy' }] as unknown as readonly UnattendedOutcome[]

test('add resolves once a run planned its records; a busy run is retried and resolves only after the retry', async () => {
  const runs: Change[] = []
  const answers = [busy, completed]
  const queue = new ChangeQueue({
    retryMs: 200,
    run: (c) => {
      runs.push(c)
      return Promise.resolve(answers.shift() ?? completed)
    },
  })
  let done = false
  const ran = queue.add({ source: 'school', ids: ['u2', 'u1'] }).then(() => (done = true))
  await new Promise((r) => setImmediate(r))
  assert.equal(done, false, 'the first run was refused (another apply): not done yet')
  await ran
  assert.deepEqual(runs, [
    { source: 'school', ids: ['u1', 'u2'] },
    { source: 'school', ids: ['u1', 'u2'] },
  ])
})

test('records still waiting when the queue stops are never reported as run', async () => {
  let release: () => void = () => {}
  const queue = new ChangeQueue({
    run: () =>
      new Promise((resolve) => {
        release = () => resolve(completed)
      }),
  })
  const first = queue.add({ source: 'school', ids: ['u1'] })
  let secondDone = false
  void queue.add({ source: 'school', ids: ['u2'] }).then(() => (secondDone = true))
  const stopped = queue.stop()
  release()
  await first
  await stopped
  await new Promise((r) => setTimeout(r, 20))
  assert.equal(secondDone, false, 'u2 was not run: a poller keeps the marker from before it')
})
