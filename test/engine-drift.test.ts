// `driftReport` (`koppel drift`) on a real engine (SQLite store, memory target, injected clock): what changed in
// the target behind Koppel's back, each with the action the next plan takes; and `drift.adopt: false`, which
// reports a matching unmanaged account instead of taking it over.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import {
  applyStoredPlan,
  driftReport,
  makePlan,
  placeHold,
  type EngineTarget,
  type TargetDrift,
} from '../src/engine/index.ts'
import { engineFixture, pupil, type Fixture } from './support/engine-fixture.ts'

let f: Fixture | undefined
afterEach(async () => {
  await f?.cleanup()
  f = undefined
})

async function planAndApply(fx: Fixture): Promise<void> {
  const r = await makePlan(fx.engine, { actor: 'test' })
  assert.ok(r.ok)
  const applied = await applyStoredPlan(fx.engine, r.plan.id, { actor: 'test' })
  assert.ok(applied.ok, applied.ok ? '' : applied.message)
}

async function drift(fx: Fixture): Promise<TargetDrift> {
  const r = await driftReport(fx.engine)
  assert.ok(r.ok, JSON.stringify(r))
  assert.equal(r.targets.length, 1)
  return r.targets[0] as TargetDrift
}

function entryOf(fx: Fixture, key: string) {
  const e = [...fx.target.entries.values()].find((x) => x.attributes['employeeNumber'] === key)
  assert.ok(e !== undefined, `no entry for ${key}`)
  return e
}

describe('driftReport', () => {
  test("unmanaged (matching and not), missing, attribute, state and group drift, each with the next plan's action", async () => {
    f = await engineFixture()
    f.persons.push(pupil('p1', 'Zoë', 'Jansen', 'H3a'), pupil('p2', 'Bram', 'Visser', 'H3b'))
    await planAndApply(f)
    assert.deepEqual((await drift(f)).items, [], 'just applied: no drift')

    // behind Koppel's back: an account made by hand for a new pupil, one for nobody, one deleted, one edited
    f.persons.push(pupil('p3', 'Noor', 'Smit', 'H3a'))
    f.target.entries.set('hand-1', {
      id: 'hand-1',
      attributes: { employeeNumber: 'p3', uid: 'noor', cn: 'Noor Smit', dn: 'uid=noor,ou=people' },
      enabled: true,
      permissions: new Set(),
    })
    f.target.entries.set('hand-2', {
      id: 'hand-2',
      attributes: { employeeNumber: 'x9', uid: 'beheer', dn: 'uid=beheer,ou=people' },
      enabled: true,
      permissions: new Set(),
    })
    f.target.entries.delete(entryOf(f, 'p2').id)
    const zoe = entryOf(f, 'p1')
    zoe.attributes['cn'] = 'Zoe J.'
    zoe.enabled = false
    zoe.permissions.clear()
    const creates = f.target.calls.length

    const d = await drift(f)
    assert.equal(f.target.calls.length, creates + 1, 'only listed: nothing written')
    assert.deepEqual([d.accounts, d.managed, d.adopt], [3, 2, true])
    const by = (kind: string, id?: string) =>
      d.items.filter((i) => i.kind === kind && (id === undefined || i.account.id === id))
    const [adoptable] = by('unmanaged', 'hand-1')
    assert.deepEqual(adoptable?.person, { key: 'p3', label: 'Noor Smit' })
    assert.deepEqual(
      adoptable?.actions.map((a) => a.kind),
      ['correlate', 'update', 'grant'],
    )
    const [stranger] = by('unmanaged', 'hand-2')
    assert.equal(stranger?.note, 'no person matches its anchor; Koppel leaves it alone')
    assert.deepEqual(stranger?.actions, [])
    const [missing] = by('missing')
    assert.equal(missing?.person?.key, 'p2')
    assert.deepEqual(
      missing?.actions.map((a) => [a.kind, a.reason.change]),
      [
        ['create', 'drift'],
        ['grant', 'joiner'],
      ],
    )
    const [attrs] = by('attributes')
    assert.deepEqual(attrs?.changes, [{ field: 'cn', old: 'Zoe J.', new: 'Zoë Jansen' }])
    assert.deepEqual(
      attrs?.actions.map((a) => [a.kind, a.reason.change]),
      [['update', 'drift']],
    )
    const [state] = by('state')
    assert.deepEqual(state?.changes, [{ field: 'enabled', old: 'false', new: 'true' }])
    assert.deepEqual(
      state?.actions.map((a) => [a.kind, a.reason.detail]),
      [['enable', 'disabled in the target by someone else']],
    )
    const [groups] = by('groups')
    assert.deepEqual(groups?.changes, [{ field: 'groups', old: [], new: ['cn=H3a,ou=groups'] }])
    assert.deepEqual(
      groups?.actions.map((a) => [a.kind, a.permission]),
      [['grant', 'cn=H3a,ou=groups']],
    )
    assert.deepEqual(await f.engine.store.listPlans(10).then((p) => p.length), 1, 'no plan stored')

    // a held person's drift is shown, but nothing is done about it while the hold lasts
    assert.ok(
      (
        await placeHold(f.engine, 'p1', {
          reason: 'legal hold',
          until: '2027-01-01',
          actor: 'cli:admin',
        })
      ).ok,
    )
    const heldDrift = await drift(f)
    const zoeItems = heldDrift.items.filter((i) => i.person?.key === 'p1')
    assert.deepEqual(
      zoeItems.map((i) => [i.kind, i.actions.length, i.note]),
      [
        [
          'attributes',
          0,
          'the person is held (koppel hold): nothing is planned until the hold ends',
        ],
        ['state', 0, 'the person is held (koppel hold): nothing is planned until the hold ends'],
        ['groups', 0, 'the person is held (koppel hold): nothing is planned until the hold ends'],
      ],
    )
  })

  test('drift.adopt false: the matching unmanaged account is reported, not taken over, and the plan names it', async () => {
    f = await engineFixture()
    ;(f.engine.setup.targets as EngineTarget[])[0] = { ...f.engine.setup.targets[0]!, adopt: false }
    f.persons.push(pupil('p3', 'Noor', 'Smit', 'H3a'))
    f.target.entries.set('hand-1', {
      id: 'hand-1',
      attributes: { employeeNumber: 'p3', uid: 'noor', dn: 'uid=noor,ou=people' },
      enabled: true,
      permissions: new Set(),
    })
    const d = await drift(f)
    assert.equal(d.adopt, false)
    assert.deepEqual(
      d.items.map((i) => [i.kind, i.account.id, i.person?.key, i.note, i.actions.length]),
      [['unmanaged', 'hand-1', 'p3', 'matches a person; not adopted (drift.adopt is off)', 0]],
    )

    const plan = await makePlan(f.engine, { actor: 'test' })
    assert.ok(plan.ok)
    assert.deepEqual(
      plan.plan.actions,
      [],
      'no correlate, and no create that would take the account over by its anchor',
    )
    const issue = plan.plan.issues.find((i) => i.code === 'unmanaged_account')
    assert.equal(issue?.record, 'p3')
    assert.equal(issue?.field, 'employeeNumber')
    assert.match(
      issue?.message ?? '',
      /dir: Noor Smit matches an account Koppel does not manage \(uid=noor,ou=people, employeeNumber=p3\); not adopted because drift\.adopt is off/,
    )
  })

  test('an unknown target is refused with the targets named', async () => {
    f = await engineFixture()
    const r = await driftReport(f.engine, { target: 'nope' })
    assert.ok(!r.ok)
    assert.equal(r.issues[0]?.message, 'no target "nope" (targets: dir)')
  })
})
