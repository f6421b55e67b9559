// A queued apply (`koppel worker`): the engine hands each pass of a target's phase to a queue and reads the
// outcomes from the journal; the workers run jobs through applyQueuedActions. Here the queue is in memory and
// runs accounts in reverse order, side by side, to show the engine does not lean on the queue's order between
// accounts; the PostgreSQL queue and real worker processes are tested in test/workers-kill.test.ts.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import type { SourceConnector } from '../contract/index.ts'
import { ConnectorError } from '../contract/index.ts'
import type { Action, Plan } from '../model/index.ts'
import { openStore } from '../store/index.ts'
import type { Store } from '../store/store.ts'
import { plan as storedPlan } from '../store/store-fixtures.ts'
import { MemoryTarget } from '../../test/support/memory-target.ts'
import { applyPlan, applyQueuedActions, applyQueuedJobs } from './apply-plan.ts'
import type { ApplyOptions, ApplyQueue, QueuedPass } from './apply-plan.ts'
import type { EngineTarget } from './engine-types.ts'

const NOW = () => new Date('2026-11-23T06:00:00Z')
let store: Store | undefined
afterEach(async () => {
  await store?.close()
  store = undefined
})

const reason = { change: 'joiner', detail: 'test' } as const
const base = (person: string, kind: string) => ({
  id: `dir/${person}/${kind}`,
  target: 'dir',
  person,
  label: person,
  reason,
})
const create = (person: string): Action => ({
  ...base(person, 'create'),
  kind: 'create',
  changes: [{ field: 'employeeNumber', new: person }],
})
const grant = (person: string, group: string): Action => ({
  ...base(person, `grant/${group}`),
  kind: 'grant',
  changes: [],
  permission: group,
  permissionType: 'group',
  after: `dir/${person}/create`,
})

function engineTarget(connector: MemoryTarget): EngineTarget {
  return {
    name: 'dir',
    connector,
    anchorAttribute: 'employeeNumber',
    apply: { concurrency: 2, retries: 0, backoffMs: 1, maxBackoffMs: 1 },
  } as Partial<EngineTarget> as EngineTarget
}

/** A queue whose workers are this process: one job per account, accounts in reverse order, all at once. */
function memoryQueue(
  o: Omit<ApplyOptions, 'queue'>,
  plan: Plan,
  jobs: string[][] = [],
  beforeJob: (ids: readonly string[]) => Promise<void> = async () => {},
): ApplyQueue {
  return {
    async runPass(p: QueuedPass) {
      assert.equal(p.planId, plan.id)
      const byAccount = new Map<string, string[]>()
      for (const a of p.actions) byAccount.set(a.person, [...(byAccount.get(a.person) ?? []), a.id])
      const passJobs = [...byAccount.values()].reverse()
      jobs.push(...passJobs)
      await Promise.all(
        passJobs.map(async (ids) => {
          await beforeJob(ids)
          await applyQueuedActions(plan, ids, {
            ...o,
            runId: p.runId,
            actor: p.actor,
            target: p.target,
          })
        }),
      )
    },
  }
}

async function setup(actions: Action[]) {
  const s = await openStore({ kind: 'sqlite', path: ':memory:' })
  store = s
  const target = new MemoryTarget('dir')
  const plan: Plan = { ...storedPlan('plan-queued-test', '2026-11-23T05:00:00Z', 0), actions }
  await s.savePlan(plan)
  const o = {
    store: s,
    targets: [engineTarget(target)],
    runId: 'run-1',
    actor: 'test',
    now: NOW,
    sleep: async () => {},
  }
  return { plan, o, target, store: s }
}

describe('queued apply (workers)', () => {
  test("every action once, an account's grants after its create, outcomes and audit from the journal", async () => {
    const { plan, o, target, store } = await setup([
      grant('p1', 'a'),
      create('p1'),
      create('p2'),
      grant('p2', 'b'),
      grant('p1', 'c'),
    ])
    const jobs: string[][] = []
    const applied = await applyPlan(plan, { ...o, queue: memoryQueue(o, plan, jobs) })
    assert.deepEqual(applied.map((r) => [r.action.id, r.outcome]).sort(), [
      ['dir/p1/create', 'applied'],
      ['dir/p1/grant/a', 'applied'],
      ['dir/p1/grant/c', 'applied'],
      ['dir/p2/create', 'applied'],
      ['dir/p2/grant/b', 'applied'],
    ])
    // one job per account and pass; an account's actions of a pass stay in plan order in one job
    assert.deepEqual(jobs, [
      ['dir/p2/create'],
      ['dir/p1/create'],
      ['dir/p2/grant/b'],
      ['dir/p1/grant/a', 'dir/p1/grant/c'],
    ])
    assert.equal(target.calls.filter((c) => c.op === 'create').length, 2)
    assert.equal(target.calls.filter((c) => c.op === 'grant').length, 3)
    assert.deepEqual((await store.getAccount('dir', 'p1'))?.permissions, ['group:a', 'group:c'])
    const events = await store.listAudit({ planId: plan.id, limit: 100 })
    assert.equal(events.filter((e) => e.type === 'action.applied').length, 5)
  })

  test('a job run again after its worker died sends only what the journal does not have as done', async () => {
    const { plan, o, target, store } = await setup([
      create('p1'),
      grant('p1', 'a'),
      grant('p1', 'b'),
    ])
    // the first worker recorded the create and grant a, then died before grant b was recorded
    await applyQueuedActions(plan, ['dir/p1/create'], { ...o, target: 'dir' })
    await applyQueuedActions(plan, ['dir/p1/grant/a'], { ...o, target: 'dir' })
    await store.journalStart([
      {
        planId: plan.id,
        actionId: 'dir/p1/grant/b',
        runId: 'run-1',
        phase: 'started',
        at: NOW().toISOString(),
        attempts: 0,
      },
    ])
    target.calls.length = 0
    const again = await applyQueuedActions(plan, ['dir/p1/grant/a', 'dir/p1/grant/b'], {
      ...o,
      target: 'dir',
    })
    assert.deepEqual(
      again.map((r) => [r.action.id, r.outcome]),
      [['dir/p1/grant/b', 'applied']],
    )
    assert.deepEqual(
      target.calls.map((c) => c.op),
      ['grant'],
    )
    const journal = await store.journalFor(plan.id)
    assert.deepEqual(journal.map((e) => [e.actionId, e.phase]).sort(), [
      ['dir/p1/create', 'applied'],
      ['dir/p1/grant/a', 'applied'],
      ['dir/p1/grant/b', 'applied'],
    ])
    assert.deepEqual((await store.getAccount('dir', 'p1'))?.permissions, ['group:a', 'group:b'])
  })

  test('a grant whose create failed in an earlier pass is skipped: the worker reads `after` from the journal', async () => {
    const { plan, o, target } = await setup([create('p1'), grant('p1', 'a')])
    target.faults.set('create', { kind: 'invalid', times: 1 })
    const applied = await applyPlan(plan, { ...o, queue: memoryQueue(o, plan) })
    assert.deepEqual(
      applied.map((r) => [r.action.id, r.outcome]),
      [
        ['dir/p1/create', 'failed'],
        ['dir/p1/grant/a', 'skipped'],
      ],
    )
    assert.match(applied[1]?.message ?? '', /waits for dir\/p1\/create/)
    assert.equal(target.calls.filter((c) => c.op === 'grant').length, 0)
  })

  test('a job that ended without an outcome (given up after its retries) leaves its actions pending', async () => {
    const { plan, o } = await setup([create('p1'), create('p2')])
    const queue: ApplyQueue = {
      async runPass(p) {
        await applyQueuedActions(plan, [p.actions[0]?.id ?? ''], {
          ...o,
          runId: p.runId,
          actor: p.actor,
          target: p.target,
        })
      },
    }
    const applied = await applyPlan(plan, { ...o, queue })
    assert.deepEqual(
      applied.map((r) => [r.action.id, r.outcome]),
      [
        ['dir/p1/create', 'applied'],
        ['dir/p2/create', 'pending'],
      ],
    )
    assert.match(
      applied[1]?.message ?? '',
      /not sent: its worker job ended without recording an outcome/,
    )
  })

  test('actions of a target no longer configured fail in the applying process; nothing is enqueued for them', async () => {
    const { plan, o } = await setup([
      create('p1'),
      { ...create('p2'), id: 'gone/p2/create', target: 'gone' },
    ])
    const passes: string[] = []
    const inner = memoryQueue(o, plan)
    const queue: ApplyQueue = {
      async runPass(p) {
        passes.push(p.target)
        await inner.runPass(p)
      },
    }
    const applied = await applyPlan(plan, { ...o, queue })
    assert.deepEqual(passes, ['dir'])
    assert.deepEqual(applied.map((r) => [r.action.id, r.outcome, r.message]).sort(), [
      ['dir/p1/create', 'applied', undefined],
      ['gone/p2/create', 'failed', 'target gone is no longer configured'],
    ])
  })

  test('a throttled answer pauses the target for every process (TargetPause); each attempt waits for the pause first', async () => {
    const { plan, o, target } = await setup([create('p1')])
    target.faults.set('create', { kind: 'rate-limited', times: 1, retryAfterMs: 1500 })
    const calls: string[] = []
    const pause = {
      wait: async (t: string) => void calls.push(`wait ${t}`),
      pause: async (t: string, ms: number) => void calls.push(`pause ${t} ${ms}`),
    }
    const retrying = {
      ...o,
      targets: [
        {
          ...o.targets[0],
          apply: { concurrency: 1, retries: 2, backoffMs: 1, maxBackoffMs: 1 },
        } as EngineTarget,
      ],
    }
    const applied = await applyQueuedActions(plan, ['dir/p1/create'], {
      ...retrying,
      target: 'dir',
      pause,
    })
    assert.deepEqual(
      applied.map((r) => [r.outcome, r.attempts]),
      [['applied', 2]],
    )
    assert.deepEqual(calls, ['wait dir', 'pause dir 1500', 'wait dir'])
  })

  test('a create whose password delivery failed keeps its row, and its grant runs on a worker too', async () => {
    const { plan, o, target, store } = await setup([
      { ...create('p1'), kind: 'create', deliverSecretsTo: { source: 'school', record: 'rec-1' } },
      grant('p1', 'a'),
    ])
    target.initialPassword = () => 'Secret-1!'
    const refusing = {
      name: 'school',
      type: 'test',
      capabilities: { delta: false, writeBack: true },
      read: async () => assert.fail('not read'),
      writeBack: async () => {
        throw new ConnectorError('invalid', 'field is read-only')
      },
    } as unknown as SourceConnector
    const delivering = {
      ...o,
      targets: [
        {
          ...engineTarget(target),
          secretDelivery: {
            kind: 'write-back',
            source: 'school',
            connector: refusing,
            fields: { password: 'pw' },
          },
        } as EngineTarget,
      ],
    }
    const applied = await applyPlan(plan, { ...delivering, queue: memoryQueue(delivering, plan) })
    assert.deepEqual(
      applied.map((r) => [r.action.id, r.outcome]),
      [
        ['dir/p1/create', 'failed'],
        ['dir/p1/grant/a', 'applied'],
      ],
    )
    assert.deepEqual((await store.getAccount('dir', 'p1'))?.permissions, ['group:a'])
  })

  test('a job naming an action the plan does not have on that target is refused, nothing sent', async () => {
    const { plan, o, target } = await setup([create('p1')])
    await assert.rejects(
      applyQueuedActions(plan, ['dir/p9/create'], { ...o, target: 'dir' }),
      /plan plan-queued-test has no action dir\/p9\/create on dir/,
    )
    assert.equal(target.calls.length, 0)
  })
})

describe('a batch of jobs (a worker fetches several)', () => {
  test('jobs run side by side up to the lanes, each job in order, one ledger read and one journal write before and after', async () => {
    const { plan, o, target, store } = await setup([
      create('p1'),
      grant('p1', 'a'),
      create('p2'),
      create('p3'),
      grant('p3', 'b'),
    ])
    let inFlight = 0
    let most = 0
    target.beforeWrite = async () => {
      most = Math.max(most, ++inFlight)
      await new Promise((r) => setTimeout(r, 5))
      inFlight--
    }
    const writes: string[] = []
    const reads: string[] = []
    const counted = new Proxy(store, {
      get(s, key, receiver) {
        const v: unknown = Reflect.get(s, key, receiver)
        if (typeof v !== 'function') return v
        return (...args: unknown[]) => {
          if (key === 'journalStart' || key === 'journalFinish') writes.push(key)
          if (key === 'getAccount' || key === 'getAccounts') reads.push(key)
          return (v as (...a: unknown[]) => unknown).apply(s, args)
        }
      },
    })
    const applied = await applyQueuedJobs(
      plan,
      [['dir/p1/create', 'dir/p1/grant/a'], ['dir/p2/create'], ['dir/p3/create', 'dir/p3/grant/b']],
      { ...o, store: counted, target: 'dir', lanes: 2 },
    )
    assert.equal(applied.length, 5)
    assert.ok(
      applied.every((r) => r.outcome === 'applied'),
      JSON.stringify(applied.map((r) => [r.action.id, r.outcome, r.message])),
    )
    assert.equal(most, 2, 'two lanes in flight, never more')
    assert.deepEqual(writes, ['journalStart', 'journalFinish'])
    assert.deepEqual(reads, ['getAccounts'], 'the ledger rows of the batch in one read')
    assert.deepEqual((await store.getAccount('dir', 'p3'))?.permissions, ['group:b'])
  })
})
