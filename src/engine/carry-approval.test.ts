// carryApproval reads statuses and heads, and a whole stored plan only when it may be the same work: a plan of
// 176,000 actions is not decompressed to learn that it is approved.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import type { GuardFinding, Plan } from '../model/index.ts'
import { openStore, type Store } from '../store/index.ts'
import { action, plan } from '../store/store-fixtures.ts'
import { carryApproval } from './carry-approval.ts'

let store: Store
let wholePlanReads: string[]

beforeEach(async () => {
  store = await openStore({ kind: 'sqlite', path: ':memory:' })
  const getPlan = store.getPlan.bind(store)
  wholePlanReads = []
  store.getPlan = (id) => {
    wholePlanReads.push(id)
    return getPlan(id)
  }
})
afterEach(async () => {
  await store.close()
})

const finding = (kind: GuardFinding['kind'], count: number): GuardFinding => ({
  target: 'ad',
  kind,
  count,
  base: 100,
  limit: '10%',
  message: `${count} ${kind}`,
})

function stored(id: string, minute: number, over: Partial<Plan> = {}): Plan {
  return { ...plan(id, `2026-11-23T06:${String(minute).padStart(2, '0')}:00.000Z`), ...over }
}

describe('carryApproval', () => {
  test("the same plan id made again takes the approval or the refusal from the plan's status alone", async () => {
    await store.savePlan(stored('plan-ok', 1, { status: 'approved' }))
    await store.savePlan(stored('plan-no', 2, { status: 'rejected' }))
    const ok = await carryApproval(store, stored('plan-ok', 3, { status: 'blocked' }))
    const no = await carryApproval(store, stored('plan-no', 4, { status: 'blocked' }))
    assert.equal(ok.status, 'approved')
    assert.equal(no.status, 'rejected')
    assert.deepEqual(wholePlanReads, [], 'no stored plan read whole for its status')
  })

  test('of the recent approved plans, only one that may be the same work is read whole', async () => {
    const findings = [finding('disable', 15), finding('source', 15)]
    // approved earlier, other work: more actions, other inputs, findings that do not cover, other issues
    await store.savePlan(stored('more-actions', 1, { status: 'approved', findings, ...work(5) }))
    await store.savePlan(
      stored('other-inputs', 2, { status: 'approved', findings, inputs: { somtoday: 'x' } }),
    )
    await store.savePlan(stored('fewer-findings', 3, { status: 'approved', findings: [] }))
    await store.savePlan(
      stored('with-issue', 4, {
        status: 'approved',
        findings,
        issues: [{ severity: 'warning', code: 'missing_field', message: 'p1: no school' }],
      }),
    )
    // the same shape, other actions: read whole, its work hash differs
    const otherTarget = [0, 1, 2].map((i) => action(i, 'google'))
    await store.savePlan(
      stored('same-count', 6, { status: 'approved', findings, actions: otherTarget }),
    )
    await store.savePlan(stored('same-work', 5, { status: 'approved', findings }))
    await store.savePlan(stored('blocked-one', 7, { status: 'blocked', findings }))

    const again = stored('recomputed', 8, { status: 'blocked', findings: [findings[0]!] })
    const carried = await carryApproval(store, again)
    assert.equal(carried.status, 'approved')
    assert.match(carried.notes.join('\n'), /approved as same-work/)
    assert.deepEqual(
      wholePlanReads,
      ['same-count', 'same-work'],
      'newest first; other shapes ruled out by their heads',
    )

    wholePlanReads.length = 0
    const other = stored('other', 9, { status: 'blocked', findings, ...work(7) })
    assert.equal((await carryApproval(store, other)).status, 'blocked')
    assert.deepEqual(wholePlanReads, [], 'no approved plan has seven actions')
  })
})

function work(n: number): Pick<Plan, 'actions' | 'summary'> {
  return {
    actions: Array.from({ length: n }, (_, i) => action(i)),
    summary: { ad: { create: n } },
  }
}
