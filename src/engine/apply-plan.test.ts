// applyPlan's own branches, against an in-memory target and a real (in-memory SQLite) store: phase order,
// dependants of a failed action, retries, a target that is down, a target no longer configured.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import type { SourceConnector } from '../contract/index.ts'
import { ConnectorError } from '../contract/index.ts'
import type { Action, ActionKind, Plan } from '../model/index.ts'
import { ACTION_KINDS } from '../model/index.ts'
import { openStore } from '../store/index.ts'
import type { Store } from '../store/store.ts'
import { plan as storedPlan } from '../store/store-fixtures.ts'
import { MemoryTarget } from '../../test/support/memory-target.ts'
import { applyPlan, byPhase, PHASE_ORDER, PHASES } from './apply-plan.ts'
import type { ApplyOptions } from './apply-plan.ts'
import type { EngineTarget } from './engine-types.ts'

const NOW = () => new Date('2026-11-23T06:00:00Z')
let store: Store | undefined
afterEach(async () => {
  await store?.close()
  store = undefined
})

function engineTarget(connector: MemoryTarget, retries = 0): EngineTarget {
  return {
    name: 'dir',
    connector,
    anchorAttribute: 'employeeNumber',
    apply: { concurrency: 1, retries, backoffMs: 1, maxBackoffMs: 1 },
  } as Partial<EngineTarget> as EngineTarget
}

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
const grant = (person: string, group: string, after?: string): Action => ({
  ...base(person, `grant/${group}`),
  kind: 'grant',
  changes: [],
  permission: group,
  permissionType: 'group',
  ...(after !== undefined ? { after } : {}),
})

async function setup(
  actions: Action[],
): Promise<{ plan: Plan; o: ApplyOptions; target: MemoryTarget; store: Store }> {
  const s = await openStore({ kind: 'sqlite', path: ':memory:' })
  store = s
  const target = new MemoryTarget('dir')
  const plan: Plan = { ...storedPlan('plan-apply-test', '2026-11-23T05:00:00Z', 0), actions }
  await s.savePlan(plan)
  const o: ApplyOptions = {
    store: s,
    targets: [engineTarget(target)],
    runId: 'run-1',
    actor: 'test',
    now: NOW,
    sleep: async () => {},
  }
  return { plan, o, target, store: s }
}

/** An existing account in the target and the ledger, for actions on accounts Koppel already manages. */
async function existing(s: Store, target: MemoryTarget, person: string, groups: string[] = []) {
  const r = await target.create({
    attributes: { employeeNumber: person },
    enabled: true,
    anchor: { attribute: 'employeeNumber', value: person },
  })
  for (const g of groups)
    await target.grant({ id: r.id, locator: r.locator }, { type: 'group', id: g })
  target.calls.length = 0
  await s.upsertAccounts([
    {
      kind: 'account',
      target: 'dir',
      person,
      targetId: r.id,
      locator: r.locator,
      state: 'active',
      attributes: { employeeNumber: person },
      permissions: groups.map((g) => `group:${g}`),
      createdAt: '2026-11-01T00:00:00Z',
      updatedAt: '2026-11-01T00:00:00Z',
    },
  ])
  return { targetId: r.id, locator: r.locator }
}

describe('apply phases', () => {
  test('every action kind has a phase, and the phases are in order', () => {
    for (const kind of ACTION_KINDS)
      assert.ok(PHASE_ORDER.includes(PHASES[kind]), `${kind} has no phase`)
    const at = (k: ActionKind) => PHASE_ORDER.indexOf(PHASES[k])
    assert.ok(
      at('create') < at('grant') && at('correlate') < at('update'),
      'accounts exist before they are changed',
    )
    assert.ok(
      at('revoke') < at('disable') && at('grant') < at('delete'),
      'destructive actions go last',
    )
    assert.ok(
      at('grant') < at('revoke'),
      'a revoke waits for the grants (a replaced group owner leaves after the new one joined)',
    )
    assert.ok(
      at('group-archive') < at('group-create'),
      "at the turnover last year's group gives up its name before next year's same-named one is made",
    )
    assert.equal(PHASE_ORDER.at(-1), PHASES['write-back'])
  })

  test("byPhase groups a target's actions by phase and keeps plan order within a phase", () => {
    const actions = [grant('p2', 'b'), create('p1'), grant('p1', 'a'), create('p2')]
    assert.deepEqual(
      byPhase(actions).map((p) => p.map((a) => a.id)),
      [
        [],
        [],
        ['dir/p1/create', 'dir/p2/create'],
        [],
        ['dir/p2/grant/b', 'dir/p1/grant/a'],
        [],
        [],
        [],
        [],
      ],
    )
  })
})

describe('applyPlan', () => {
  test("sends a target's actions phase by phase, whatever their order in the plan", async () => {
    const { plan, o, target, store } = await setup([])
    const ref = await existing(store, target, 'p2', ['old'])
    const actions: Action[] = [
      { ...base('p2', 'disable'), kind: 'disable', changes: [], account: ref },
      grant('p1', 'a', 'dir/p1/create'),
      {
        ...base('p2', 'revoke/old'),
        kind: 'revoke',
        changes: [],
        account: ref,
        permission: 'old',
        permissionType: 'group',
      },
      create('p1'),
    ]
    const applied = await applyPlan({ ...plan, actions }, o)
    assert.deepEqual(
      target.calls.map((c) => c.op),
      ['create', 'grant', 'revoke', 'disable'],
    )
    assert.deepEqual(
      applied.map((r) => [r.action.id, r.outcome]),
      [
        ['dir/p1/create', 'applied'],
        ['dir/p1/grant/a', 'applied'],
        ['dir/p2/revoke/old', 'applied'],
        ['dir/p2/disable', 'applied'],
      ],
    )
    const p2 = await store.getAccount('dir', 'p2')
    assert.equal(p2?.state, 'disabled')
    assert.deepEqual(p2?.permissions, [])
    assert.deepEqual(
      (await store.journalFor(plan.id)).map((e) => e.phase),
      ['applied', 'applied', 'applied', 'applied'],
    )
  })

  test('a grant whose create failed is skipped, not sent, and says what it waited for', async () => {
    const { plan, o, target } = await setup([create('p1'), grant('p1', 'a', 'dir/p1/create')])
    target.faults.set('create', { kind: 'invalid', times: 1 })
    const applied = await applyPlan(plan, o)
    assert.deepEqual(
      applied.map((r) => [r.outcome, r.attempts, r.message]),
      [
        ['failed', 1, 'invalid: injected invalid on create'],
        ['skipped', 0, 'waits for dir/p1/create, which did not succeed'],
      ],
    )
    assert.ok(!target.calls.some((c) => c.op === 'grant'))
  })

  test("a transient failure is retried up to the target's retries", async () => {
    const { plan, o, target } = await setup([create('p1')])
    target.faults.set('create', { kind: 'transient', times: 2 })
    const slept: number[] = []
    const applied = await applyPlan(plan, {
      ...o,
      targets: [engineTarget(target, 2)],
      sleep: async (ms) => void slept.push(ms),
    })
    assert.deepEqual(
      applied.map((r) => [r.outcome, r.attempts]),
      [['applied', 3]],
    )
    assert.equal(slept.length, 2)
  })

  test('an unreachable target is down for the rest of the apply: its other actions stay pending, unsent', async () => {
    const { plan, o, target } = await setup([create('p1'), create('p2')])
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:389'), {
      code: 'ECONNREFUSED',
      address: '127.0.0.1',
      port: 389,
    })
    target.beforeWrite = async () => {
      throw new ConnectorError('transient', 'cannot connect', { cause: refused })
    }
    const applied = await applyPlan(plan, { ...o, targets: [engineTarget(target, 3)] })
    assert.deepEqual(
      applied.map((r) => [r.action.person, r.outcome, r.attempts, r.message]),
      [
        ['p1', 'pending', 2, 'not sent: dir is unreachable at 127.0.0.1:389'],
        ['p2', 'pending', 0, 'not sent: dir is unreachable at 127.0.0.1:389'],
      ],
    )
  })

  test('an action of a target no longer configured fails with that reason', async () => {
    const { plan, o } = await setup([create('p1')])
    const applied = await applyPlan(plan, { ...o, targets: [] })
    assert.deepEqual(
      applied.map((r) => [r.outcome, r.attempts, r.message]),
      [['failed', 0, 'target dir is no longer configured']],
    )
  })

  test('a create whose password delivery failed keeps its row, its grant runs, and the journal says why', async () => {
    const { plan, o, target, store } = await setup([
      { ...create('p1'), kind: 'create', deliverSecretsTo: { source: 'school', record: 'rec-1' } },
      grant('p1', 'a', 'dir/p1/create'),
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
    const delivering: EngineTarget = {
      ...engineTarget(target),
      secretDelivery: {
        kind: 'write-back',
        source: 'school',
        connector: refusing,
        fields: { password: 'pw' },
      },
    }
    const applied = await applyPlan(plan, { ...o, targets: [delivering] })
    const why =
      'account created, but its initial password could not be delivered to school record rec-1 (invalid: field is read-only); set a new password by hand'
    assert.deepEqual(
      applied.map((r) => [r.outcome, r.message, r.keepsRow]),
      [
        ['failed', why, true],
        ['applied', undefined, undefined],
      ],
    )
    assert.deepEqual((await store.getAccount('dir', 'p1'))?.permissions, ['group:a'])
    assert.deepEqual(
      (await store.journalFor(plan.id)).map((e) => [e.phase, e.message]),
      [
        ['failed', why],
        ['applied', undefined],
      ],
    )
  })

  test('actions applied by an earlier, interrupted apply of the plan are not sent again', async () => {
    const { plan, o, target } = await setup([create('p1'), grant('p1', 'a', 'dir/p1/create')])
    await applyPlan(plan, o)
    target.calls.length = 0
    const progress: [number, number][] = []
    const again = await applyPlan(plan, {
      ...o,
      onProgress: (done, total) => progress.push([done, total]),
    })
    assert.deepEqual(again, [])
    assert.deepEqual(target.calls, [])
    assert.deepEqual(progress, [[2, 2]])
  })
})
