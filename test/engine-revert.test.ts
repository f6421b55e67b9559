// `revertRun` (`koppel revert <run>`) on a real engine (SQLite store, memory target, injected clock): a bad run
// (half the pupils vanished from the export) is undone by a new plan — enabled and granted again — that is
// guarded, approved and audited like any plan; later changes are never overwritten.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { applyStoredPlan, approvePlan, makePlan, revertRun } from '../src/engine/index.ts'
import { isPermissionAction, type Plan, type RunReport } from '../src/model/index.ts'
import { engineFixture, pupil, type Fixture } from './support/engine-fixture.ts'

let f: Fixture | undefined
afterEach(async () => {
  await f?.cleanup()
  f = undefined
})

async function apply(fx: Fixture, plan: Plan): Promise<RunReport> {
  const r = await applyStoredPlan(fx.engine, plan.id, { actor: 'test' })
  assert.ok(r.ok, r.ok ? '' : r.message)
  return r.report
}

async function planAndApply(fx: Fixture): Promise<RunReport> {
  const r = await makePlan(fx.engine, { actor: 'test' })
  assert.ok(r.ok)
  if (r.plan.status === 'blocked') assert.ok((await approvePlan(fx.engine, r.plan.id, 'test')).ok)
  return apply(fx, r.plan)
}

const CLASS = ['H1a', 'H1b', 'H2a', 'H2b', 'H3a', 'H3b']
const PUPILS = CLASS.map((c, i) => pupil(`p${i + 1}`, `Kind${i + 1}`, 'Jansen', c))

describe('revertRun', () => {
  test('a run that disabled half the pupils is reverted: enabled and granted again, audited; reverting twice does nothing', async () => {
    f = await engineFixture({ guard: { grant: { maxCount: 2 } } })
    f.persons.push(...PUPILS)
    await planAndApply(f)
    f.clock.today = '2026-11-24'
    f.persons.splice(3)
    const bad = await planAndApply(f)
    assert.deepEqual(Object.keys(bad.counts['dir'] ?? {}).sort(), ['disable', 'revoke'])
    const off = () => [...f!.target.entries.values()].filter((e) => !e.enabled).length
    assert.equal(off(), 3)

    f.clock.today = '2026-11-25'
    const r = await revertRun(f.engine, bad.runId, {
      actor: 'cli:admin',
      reason: 'half-empty export',
    })
    assert.ok(r.ok, r.ok ? '' : r.message)
    const plan = r.plan
    assert.deepEqual(
      plan.actions.map((a) => [a.person, a.kind, isPermissionAction(a) ? a.permission : '']),
      [
        ['p4', 'enable', ''],
        ['p4', 'grant', 'cn=H2b,ou=groups'],
        ['p5', 'enable', ''],
        ['p5', 'grant', 'cn=H3a,ou=groups'],
        ['p6', 'enable', ''],
        ['p6', 'grant', 'cn=H3b,ou=groups'],
      ],
    )
    assert.ok(
      plan.actions.every(
        (a) => a.reason.change === 'revert' && a.reason.detail.includes(bad.runId),
      ),
    )
    assert.equal(plan.inputs['revert'], bad.runId)
    // guarded like any plan: three grants are over the limit of two
    assert.equal(plan.status, 'blocked')
    const refused = await applyStoredPlan(f.engine, plan.id, { actor: 'cli:admin' })
    assert.ok(!refused.ok && refused.reason === 'blocked')
    assert.ok((await approvePlan(f.engine, plan.id, 'cli:admin', 'checked')).ok)
    await apply(f, plan)
    assert.equal(off(), 0)
    assert.ok([...f.target.entries.values()].every((e) => e.permissions.size === 1))
    const [event] = await f.engine.store.listAudit({
      planId: plan.id,
      kind: 'plan.blocked',
      limit: 1,
    })
    assert.deepEqual(
      [event?.actor, event?.runId, event?.data?.['revertOf'], event?.data?.['reason']],
      ['cli:admin', bad.runId, bad.runId, 'half-empty export'],
    )

    const twice = await revertRun(f.engine, bad.runId, { actor: 'cli:admin' })
    assert.ok(twice.ok)
    assert.deepEqual(twice.plan.actions, [])
    assert.deepEqual(twice.plan.notes, [
      `revert of ${bad.runId}: 3 disables whose account is no longer disabled; left as they are`,
      `revert of ${bad.runId}: 3 revokes changed since or whose account is gone; left as they are`,
    ])
  })

  test('a delete comes back as a create with the attributes last written, then disabled; an update goes back; creates stay', async () => {
    f = await engineFixture({ lifecycle: { deleteAfterDays: 0 }, guard: {} })
    f.persons.push(
      pupil('p1', 'Anna', 'Wit', 'H2a', { end: '2026-12-01' }),
      pupil('p2', 'Bram', 'Visser', 'H3a'),
    )
    const first = await planAndApply(f)
    f.clock.today = '2026-12-02'
    await planAndApply(f)
    f.clock.today = '2026-12-03'
    f.persons[1] = pupil('p2', 'Bram', 'Vissers', 'H3a')
    const run = await planAndApply(f)
    assert.ok((run.counts['dir']?.['delete']?.['applied'] ?? 0) === 1)
    assert.equal(f.target.entries.size, 1)

    const r = await revertRun(f.engine, run.runId, { actor: 'cli:admin' })
    assert.ok(r.ok, r.ok ? '' : r.message)
    assert.deepEqual(
      r.plan.actions.map((a) => [a.person, a.kind]),
      [
        ['p1', 'create'],
        ['p1', 'disable'],
        ['p2', 'update'],
      ],
    )
    assert.deepEqual(r.plan.actions.find((a) => a.kind === 'update')?.changes, [
      { field: 'cn', old: 'Bram Vissers', new: 'Bram Visser' },
    ])
    await apply(f, r.plan)
    const anna = [...f.target.entries.values()].find((e) => e.attributes['employeeNumber'] === 'p1')
    assert.deepEqual(
      [anna?.attributes['uid'], anna?.attributes['cn'], anna?.enabled],
      ['anna.wit', 'Anna Wit', false],
    )
    assert.equal((await f.engine.store.getAccount('dir', 'p1'))?.state, 'disabled')
    assert.equal(
      [...f.target.entries.values()].find((e) => e.attributes['employeeNumber'] === 'p2')
        ?.attributes['cn'],
      'Bram Visser',
    )

    const creates = await revertRun(f.engine, first.runId, { actor: 'cli:admin' })
    assert.ok(creates.ok)
    assert.ok(
      creates.plan.notes.some((n) => /2 creates are not reverted/.test(n)),
      creates.plan.notes.join('\n'),
    )
  })

  test('an unknown run, or one that applied nothing, is refused with the reason', async () => {
    f = await engineFixture()
    const r = await revertRun(f.engine, 'run-nope', { actor: 'a' })
    assert.ok(!r.ok && /no run run-nope/.test(r.message))
  })
})
