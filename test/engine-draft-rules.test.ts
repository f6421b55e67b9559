// Draft rules (`koppel plan --config draft.yaml --draft`) on a real engine: a plan made with other rules against
// the live ledger and target shows what the rule change would do, and is never applied or approved.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import {
  applyStoredPlan,
  approvePlan,
  engineStatus,
  makePlan,
  type Engine,
} from '../src/engine/index.ts'
import { isPermissionAction } from '../src/model/index.ts'
import { compileRules, type RuleSpec } from '../src/rules/index.ts'
import { engineFixture, pupil, RULES, type Fixture } from './support/engine-fixture.ts'

const DRAFT_RULES: RuleSpec[] = [
  ...RULES,
  {
    name: 'lab-l3',
    when: 'contract.location == "L3"',
    grant: [{ permission: { target: 'dir', type: 'group', id: '"cn=lab,ou=groups"' } }],
  },
]

let f: Fixture | undefined
afterEach(async () => {
  await f?.cleanup()
  f = undefined
})

/** The same store, sources and targets under another config: what `-c draft.yaml` loads. */
function draftEngine(live: Engine): Engine {
  return {
    ...live,
    setup: { ...live.setup, rules: compileRules(DRAFT_RULES), configHash: 'draft-config' },
  }
}

describe('draft rules', () => {
  test("a draft plan shows the new rule's grants against the live ledger; apply and approve refuse it, naming why", async () => {
    f = await engineFixture({ guard: { grant: { maxCount: 0 } } })
    f.persons.push(
      pupil('p1', 'Zoë', 'Jansen', 'H3a', { location: 'L3' }),
      pupil('p2', 'Bram', 'Visser', 'H3b', { location: 'L2' }),
    )
    const live = await makePlan(f.engine, { actor: 'test' })
    assert.ok(live.ok)
    assert.ok((await approvePlan(f.engine, live.plan.id, 'test')).ok)
    assert.ok((await applyStoredPlan(f.engine, live.plan.id, { actor: 'test' })).ok)

    const draft = await makePlan(draftEngine(f.engine), { actor: 'cli:admin', draft: true })
    assert.ok(draft.ok)
    assert.deepEqual(
      draft.plan.actions.map((a) => [
        a.person,
        a.kind,
        isPermissionAction(a) ? a.permission : undefined,
      ]),
      [['p1', 'grant', 'cn=lab,ou=groups']],
    )
    assert.equal(draft.plan.inputs['draft'], 'true')
    assert.equal(draft.plan.inputs['config'], 'draft-config')
    assert.equal(draft.plan.status, 'blocked', 'the guard judges a draft as it would the real plan')

    // blocked, but the answer is not "approve it": a draft never goes anywhere
    const underLive = await applyStoredPlan(f.engine, draft.plan.id, { actor: 'cli:admin' })
    assert.ok(!underLive.ok)
    assert.equal(underLive.reason, 'draft')
    const approve = await approvePlan(f.engine, draft.plan.id, 'cli:admin')
    assert.ok(
      !approve.ok &&
        /is a draft \(plan --draft\); a draft is never approved or applied/.test(approve.message),
    )
    // even forced into "approved" in the store, neither config applies it
    await f.engine.store.setPlanStatus(draft.plan.id, 'approved')
    for (const engine of [f.engine, draftEngine(f.engine)]) {
      const r = await applyStoredPlan(engine, draft.plan.id, { actor: 'cli:admin' })
      assert.ok(!r.ok)
      assert.equal(r.reason, 'draft')
      assert.match(r.message, /is a draft \(plan --draft\); a draft is never applied/)
    }
    assert.ok([...f.target.entries.values()].every((e) => !e.permissions.has('cn=lab,ou=groups')))
    const event = (await f.engine.store.listAudit({ planId: draft.plan.id, limit: 5 })).find((e) =>
      e.type.startsWith('plan.'),
    )
    assert.equal(event?.data?.['draft'], true)
  })

  test('a plan made under another config, draft flag or not, is refused under the running config', async () => {
    f = await engineFixture()
    f.persons.push(pupil('p1', 'Zoë', 'Jansen', 'H3a', { location: 'L3' }))
    const other = await makePlan(draftEngine(f.engine), { actor: 'cli:admin' })
    assert.ok(other.ok)
    assert.equal(other.plan.status, 'planned')
    const r = await applyStoredPlan(f.engine, other.plan.id, { actor: 'cli:admin' })
    assert.ok(!r.ok)
    assert.equal(r.reason, 'draft')
    assert.match(
      r.message,
      /was made under another config \(draft-config, a draft or an earlier version\) than the one running now \(test\); plan again/,
    )
    assert.equal(f.target.entries.size, 0)
  })

  test('a blocked draft does not show as a plan waiting for approval in status', async () => {
    f = await engineFixture({ guard: { grant: { maxCount: 0 } } })
    f.persons.push(pupil('p1', 'Zoë', 'Jansen', 'H3a', { location: 'L2' }))
    const draft = await makePlan(draftEngine(f.engine), { actor: 'cli:admin', draft: true })
    assert.ok(draft.ok)
    assert.equal(draft.plan.status, 'blocked')
    assert.deepEqual((await engineStatus(f.engine, { verify: false })).blocked, [])
  })
})
