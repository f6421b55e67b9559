// The apply's side of the queue without a database: one job per account per pass with the account's singleton
// key, a wait until every job of the pass has ended, and a warning while no worker takes the jobs.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PgBoss } from 'pg-boss'
import type { Action } from '../model/index.ts'
import { queuedApply } from './apply-queue.ts'
import type { PassNotices } from './pass-notices.ts'
import type { ApplyJob, JobQueue } from './job-queue.ts'
import { accountKey, applyQueueName } from './queue-names.ts'

const reason = { change: 'joiner', detail: 'test' } as const
const action = (person: string, kind: string): Action =>
  ({
    id: `app/${person}/${kind}`,
    target: 'app',
    person,
    label: person,
    reason,
    kind,
    changes: [],
    permission: kind,
    permissionType: 'group',
  }) as Action

/** A pg-boss stand-in: keeps inserted jobs; each findJobs call moves the world on by `step`. */
function fakeQueue(step: (jobs: { data: ApplyJob; state: string }[], poll: number) => void) {
  const inserted: { name: string; data: ApplyJob; singletonKey?: string; state: string }[] = []
  let polls = 0
  const boss = {
    async insert(name: string, jobs: { data: ApplyJob; singletonKey?: string }[]) {
      for (const j of jobs) inserted.push({ name, ...j, state: 'created' })
      return null
    },
    async findJobs(name: string, o: { data: { pass: string } }) {
      const mine = inserted.filter((j) => j.name === name && j.data.pass === o.data.pass)
      step(mine, polls++)
      return mine.map((j, i) => ({ id: String(i), state: j.state }))
    },
  }
  const queue: JobQueue = {
    boss: async () => boss as unknown as PgBoss,
    queueOf: async (tenant, target) => applyQueueName(tenant, target),
    close: async () => {},
  }
  return { queue, inserted }
}

test('one job per account in plan order, keyed by plan and account; resolves when every job has ended', async () => {
  const { queue, inserted } = fakeQueue((jobs, poll) => {
    if (poll === 2) for (const j of jobs) j.state = 'completed'
  })
  const q = queuedApply(queue, 'board a', { pollMs: 1 })
  await q.runPass({
    planId: 'plan-1',
    runId: 'run-1',
    actor: 'test',
    target: 'app',
    actions: [action('p1', 'a'), action('p2', 'a'), action('p1', 'b')],
  })
  assert.deepEqual(
    inserted.map((j) => [j.name, j.data.actions, j.singletonKey]),
    [
      [applyQueueName('board a', 'app'), ['app/p1/a', 'app/p1/b'], accountKey('plan-1', 'p1')],
      [applyQueueName('board a', 'app'), ['app/p2/a'], accountKey('plan-1', 'p2')],
    ],
  )
  assert.match(
    applyQueueName('board a', 'app'),
    /^apply\/h[0-9a-f]{24}\/app$/,
    'a tenant name pg-boss refuses is hashed',
  )
  assert.notEqual(accountKey('plan-1', 'p1'), accountKey('plan-2', 'p1'))
})

test('jobs nobody takes: the apply warns (and keeps waiting) until a worker comes', async () => {
  const warnings: string[] = []
  const { queue } = fakeQueue((jobs, poll) => {
    if (poll === 40) for (const j of jobs) j.state = 'completed'
  })
  const q = queuedApply(queue, 'default', {
    pollMs: 5,
    idleWarnMs: 50,
    log: (level, message) => level === 'warn' && warnings.push(message),
  })
  await q.runPass({
    planId: 'plan-1',
    runId: 'run-1',
    actor: 'test',
    target: 'app',
    actions: [action('p1', 'a')],
  })
  assert.ok(warnings.length >= 1, 'warned')
  assert.match(
    warnings[0] ?? '',
    /no worker has taken a job of apply\/default\/app for \d+ s; is `koppel worker` running with this target in its config\?/,
  )
})

test('with the workers’ notices the apply looks when told, not every 250 ms', async () => {
  let looks = 0
  const inserted: { data: ApplyJob; state: string }[] = []
  const subscribers = new Map<string, (jobs: number) => void>()
  const boss = {
    async insert(_: string, jobs: { data: ApplyJob }[]) {
      for (const j of jobs) inserted.push({ data: j.data, state: 'created' })
      // a worker ends the jobs after 1.5 s and says so from its handler, just before pg-boss marks them completed
      setTimeout(() => {
        for (const j of inserted) j.state = 'active'
        subscribers.get(inserted[0]?.data.pass ?? '')?.(inserted.length)
        setTimeout(() => inserted.forEach((j) => (j.state = 'completed')), 5)
      }, 1500)
      return null
    },
    async findJobs() {
      looks++
      return inserted.map((j, i) => ({ id: String(i), state: j.state }))
    },
  }
  const notices: PassNotices = {
    live: true,
    async subscribe(tenant, pass, onEnded) {
      assert.equal(tenant, 'board a')
      subscribers.set(pass, onEnded)
      return () => subscribers.delete(pass)
    },
    close: async () => {},
  }
  const queue: JobQueue = {
    boss: async () => boss as unknown as PgBoss,
    queueOf: async (tenant, target) => applyQueueName(tenant, target),
    close: async () => {},
  }
  const t0 = performance.now()
  await queuedApply(queue, 'board a', { notices }).runPass({
    planId: 'plan-1',
    runId: 'run-1',
    actor: 'test',
    target: 'app',
    actions: [action('p1', 'a'), action('p2', 'a')],
  })
  const ms = performance.now() - t0
  assert.ok(
    ms >= 1500 && ms < 1900,
    `done ${Math.round(ms)} ms after the start, the jobs at 1,500 ms`,
  )
  // once after the insert, once at the notice (the jobs still active), once 10 ms later; polling every 250 ms
  // would have looked 7 times
  assert.ok(looks <= 3, `${looks} looks at the pass's jobs`)
  assert.equal(subscribers.size, 0, 'unsubscribed')
})

test('notices whose connection is down: the apply polls every pollMs as before', async () => {
  const { queue } = fakeQueue((jobs, poll) => {
    if (poll === 3) for (const j of jobs) j.state = 'completed'
  })
  const notices: PassNotices = {
    live: false,
    subscribe: async () => () => {},
    close: async () => {},
  }
  const t0 = performance.now()
  await queuedApply(queue, 'default', { notices, pollMs: 20, backstopMs: 60_000 }).runPass({
    planId: 'plan-1',
    runId: 'run-1',
    actor: 'test',
    target: 'app',
    actions: [action('p1', 'a')],
  })
  const ms = performance.now() - t0
  assert.ok(ms < 2000, `done after ${Math.round(ms)} ms: polled, not left to the 60 s backstop`)
})
