// `explainPerson`: why a person has what they have, on a real engine (SQLite store, memory target) and the
// engine's injected clock: the grant with the values its condition read, rules that nearly matched and why, the
// contracts' windows on the engine's today, and the person's actions in the next plan — without storing a plan.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { applyStoredPlan, explainPerson, makePlan, type Explanation } from '../src/engine/index.ts'
import type { RuleSpec } from '../src/rules/index.ts'
import { engineFixture, pupil, RULES, type Fixture } from './support/engine-fixture.ts'

const LOCATION_RULES: RuleSpec[] = [
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

async function planAndApply(fx: Fixture): Promise<void> {
  const r = await makePlan(fx.engine, { actor: 'test' })
  assert.ok(r.ok)
  const applied = await applyStoredPlan(fx.engine, r.plan.id, { actor: 'test' })
  assert.ok(applied.ok, applied.ok ? '' : applied.message)
}

async function explain(fx: Fixture, query: string): Promise<Explanation> {
  const r = await explainPerson(fx.engine, query)
  assert.equal(r.kind, 'found', JSON.stringify(r))
  return (r as { explanation: Explanation }).explanation
}

describe('explainPerson', () => {
  test('account and group with rule, contract and values read; a near miss names the field and its value', async () => {
    f = await engineFixture({ rules: LOCATION_RULES })
    f.persons.push(
      pupil('p1', 'Zoë', 'Jansen', 'H3a', { location: 'L2' }),
      pupil('p2', 'Bram', 'Visser', 'H3b', { location: 'L3' }),
    )
    await planAndApply(f)

    const e = await explain(f, 'zoe')
    assert.equal(e.person.key, 'p1')
    assert.equal(e.today, '2026-11-23')
    const dir = e.targets.find((t) => t.target === 'dir')
    assert.ok(dir !== undefined)
    assert.equal(dir.account?.state, 'active')
    assert.equal(dir.account?.attributes['uid'], 'zoe.jansen')
    assert.deepEqual(dir.grant, {
      rule: 'pupils',
      contract: 'p1-c',
      reads: [{ path: 'contract.role', value: 'student' }],
    })
    const group = dir.permissions.find((p) => p.id === 'cn=H3a,ou=groups')
    assert.deepEqual(group, {
      type: 'group',
      id: 'cn=H3a,ou=groups',
      rule: 'pupils',
      contract: 'p1-c',
      reads: [{ path: 'contract.role', value: 'student' }],
      held: true,
    })
    assert.deepEqual(e.nearMisses, [
      {
        rule: 'lab-l3',
        contract: 'p1-c',
        when: 'contract.location == "L3"',
        why: 'false',
        reads: [{ path: 'contract.location', value: 'L2' }],
      },
    ])
    assert.deepEqual(e.nextActions, [], 'applied: the next plan has nothing to do for her')

    // the other pupil got the lab group; lab-l3 is no near miss for him
    const bram = await explain(f, 'p2')
    assert.ok(
      bram.targets[0]?.permissions.some((p) => p.id === 'cn=lab,ou=groups' && p.rule === 'lab-l3'),
    )
    assert.deepEqual(bram.nearMisses, [])
  })

  test('a pupil in two classes: each group names the contract it came from', async () => {
    f = await engineFixture()
    const p = pupil('p1', 'Noor', 'Smit', 'H3a')
    const second = { ...p.contracts[0]!, id: 'p1-c2', classGroup: 'H3-wisB', location: 'L3' }
    f.persons.push({ ...p, contracts: [...p.contracts, second] })
    await planAndApply(f)
    const e = await explain(f, 'noor')
    const groups = e.targets[0]?.permissions.map((g) => [g.id, g.contract])
    assert.deepEqual(groups, [
      ['cn=H3a,ou=groups', 'p1-c'],
      ['cn=H3-wisB,ou=groups', 'p1-c2'],
    ])
  })

  test('by the engine clock: an ended contract is ended, the rule that held on it is reported, the next plan disables', async () => {
    f = await engineFixture()
    f.persons.push(pupil('p1', 'Anna', 'de Wit', 'H2a', { start: '2026-08-24', end: '2026-12-01' }))
    await planAndApply(f)
    assert.equal((await explain(f, 'anna')).contracts[0]?.status, 'active')

    f.clock.today = '2026-12-02'
    const e = await explain(f, 'ANNA')
    assert.equal(e.contracts[0]?.status, 'ended')
    assert.equal(e.targets[0]?.grant, undefined, 'no rule grants the account on an ended contract')
    assert.deepEqual(
      e.nearMisses.map((m) => [m.rule, m.why]),
      [['pupils', 'contract-not-active']],
    )
    assert.deepEqual(e.nextActions.map((a) => a.kind).sort(), ['disable', 'revoke'])
    const held = e.targets[0]?.permissions.find((p) => p.id === 'cn=H2a,ou=groups')
    assert.equal(held?.held, true)
    assert.equal(held?.rule, undefined, 'held, but no rule grants it any more')
    // explaining stores nothing: no plan besides the one applied
    assert.equal((await f.engine.store.listPlanStatuses(10)).length, 1)
  })

  test('a future contract, a joiner: the next plan creates the account', async () => {
    f = await engineFixture()
    f.persons.push(pupil('p9', 'Jan', 'Bakker', 'B1a', { start: '2026-12-01' }))
    const e = await explain(f, 'p9')
    assert.equal(e.contracts[0]?.status, 'future')
    assert.equal(e.targets[0]?.account, undefined)
    assert.equal(
      e.targets[0]?.grant?.rule,
      'pupils',
      'within the 14 lead days the account is granted',
    )
    assert.deepEqual(e.nextActions.map((a) => a.kind).sort(), ['create', 'grant'])
  })

  test('by leerlingnummer; a person gone from every source is still found through the ledger', async () => {
    f = await engineFixture()
    f.persons.push(
      { ...pupil('p1', 'Lotte', 'Mulder', 'H4a'), attributes: { pupilNumber: '104233' } },
      pupil('p2', 'Daan', 'Kok', 'H4b'),
    )
    await planAndApply(f)
    assert.equal((await explain(f, '104233')).person.key, 'p1')

    f.persons.splice(1, 1)
    const e = await explain(f, 'daan kok')
    assert.equal(e.inSources, false)
    assert.equal(e.person.key, 'p2')
    assert.deepEqual(e.contracts, [])
    assert.equal(e.targets[0]?.account?.state, 'active')
    assert.deepEqual(e.nextActions.map((a) => [a.kind, a.reason.change]).sort(), [
      ['disable', 'leaver'],
      ['revoke', 'leaver'],
    ])
  })

  test('ambiguous name part lists the candidates; the username finds one; nothing found', async () => {
    f = await engineFixture()
    f.persons.push(pupil('p1', 'Sanne', 'de Vries', 'H1a'), pupil('p2', 'Sem', 'de Vries', 'H1b'))
    await planAndApply(f)
    const r = await explainPerson(f.engine, 'vries')
    assert.equal(r.kind, 'ambiguous')
    assert.deepEqual(r.kind === 'ambiguous' ? r.candidates.map((c) => c.key).sort() : [], [
      'p1',
      'p2',
    ])
    assert.equal(
      (await explain(f, 'sem.devries')).person.key,
      'p2',
      'the uid in the ledger finds him',
    )
    assert.equal((await explainPerson(f.engine, 'nobody')).kind, 'not-found')
  })
})
