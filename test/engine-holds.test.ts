// Holds on persons (`koppel hold`) on a real engine (SQLite store with its migration, memory target, injected
// clock): a held leaver keeps account and groups, every plan and `status` say why, the hold's end or its lift
// catches the person up, and placing and lifting are audited.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import {
  applyStoredPlan,
  engineStatus,
  explainPerson,
  liftHold,
  makePlan,
  placeHold,
} from '../src/engine/index.ts'
import { engineFixture, pupil, type Fixture } from './support/engine-fixture.ts'

let f: Fixture | undefined
afterEach(async () => {
  await f?.cleanup()
  f = undefined
})

async function planAndApply(fx: Fixture) {
  const r = await makePlan(fx.engine, { actor: 'test' })
  assert.ok(r.ok)
  if (r.plan.actions.length > 0) {
    const applied = await applyStoredPlan(fx.engine, r.plan.id, { actor: 'test' })
    assert.ok(applied.ok, applied.ok ? '' : applied.message)
  }
  return r.plan
}

describe('holds', () => {
  test('a held leaver is neither disabled nor stripped; plans and status say so; after the end date the leaver is caught up', async () => {
    f = await engineFixture({ guard: { disable: { maxCount: 5 } } })
    f.persons.push(
      pupil('p1', 'Anna', 'de Wit', 'H2a', { end: '2026-12-01' }),
      pupil('p2', 'Bram', 'Visser', 'H3a'),
    )
    await planAndApply(f)

    const placed = await placeHold(f.engine, 'anna', {
      reason: 'legal hold, case 12',
      until: '2027-01-10',
      actor: 'cli:admin',
    })
    assert.ok(placed.ok, JSON.stringify(placed))
    assert.equal(placed.hold.person, 'p1')
    assert.equal(placed.hold.label, 'Anna de Wit')

    f.clock.today = '2026-12-02'
    f.persons[1] = pupil('p2', 'Bram', 'Visser', 'H3b')
    const held = await planAndApply(f)
    assert.deepEqual(
      [...new Set(held.actions.map((a) => a.person))],
      ['p2'],
      'nothing for the held leaver',
    )
    assert.ok(
      held.notes.some((n) =>
        /Anna de Wit \(p1\) is held until 2027-01-10 by cli:admin: legal hold, case 12/.test(n),
      ),
      held.notes.join('\n'),
    )
    assert.ok(held.inputs['holds'] !== undefined)
    const anna = [...f.target.entries.values()].find((e) => e.attributes['employeeNumber'] === 'p1')
    assert.equal(anna?.enabled, true)
    assert.deepEqual([...(anna?.permissions ?? [])], ['cn=H2a,ou=groups'])

    const explained = await explainPerson(f.engine, 'p1')
    assert.ok(explained.kind === 'found')
    assert.equal(explained.explanation.hold?.reason, 'legal hold, case 12')
    assert.deepEqual(explained.explanation.nextActions, [], 'explain honours the hold too')

    const status = await engineStatus(f.engine, { verify: false })
    assert.deepEqual(
      status.holds.map((h) => [h.person, h.until, h.reason, h.active]),
      [['p1', '2027-01-10', 'legal hold, case 12', true]],
    )

    // the hold ends: the next plan disables her and revokes the group, as it would have on 2026-12-02
    f.clock.today = '2027-01-10'
    const caughtUp = await planAndApply(f)
    assert.deepEqual(
      caughtUp.actions.map((a) => [a.person, a.kind]),
      [
        ['p1', 'disable'],
        ['p1', 'revoke'],
      ],
    )
    assert.equal(anna?.enabled, false)
    assert.equal((await engineStatus(f.engine, { verify: false })).holds[0]?.active, false)

    const events = await f.engine.store.listAudit({ kind: 'hold', limit: 10 })
    assert.deepEqual(
      events.map((e) => [e.type, e.person, e.actor, e.data?.['until']]),
      [['hold.placed', 'p1', 'cli:admin', '2027-01-10']],
    )
  })

  test('a held joiner gets nothing until the hold is lifted; lifting is audited and the next plan creates the account', async () => {
    f = await engineFixture()
    f.persons.push(pupil('p1', 'Zoë', 'Jansen', 'H3a'))
    const placed = await placeHold(f.engine, 'p1', {
      reason: 'parents object',
      until: '2027-06-01',
      actor: 'cli:admin',
    })
    assert.ok(placed.ok)
    const first = await planAndApply(f)
    assert.deepEqual(first.actions, [])
    assert.equal(f.target.entries.size, 0)

    const lifted = await liftHold(f.engine, 'zoë', { actor: 'cli:mentor', reason: 'consent given' })
    assert.ok(lifted.ok, JSON.stringify(lifted))
    assert.deepEqual(await f.engine.store.listHolds(), [])
    const second = await planAndApply(f)
    assert.deepEqual(
      second.actions.map((a) => a.kind),
      ['create', 'grant'],
    )
    assert.equal(second.inputs['holds'], undefined)
    const [event] = await f.engine.store.listAudit({ kind: 'hold.lifted', limit: 1 })
    assert.equal(event?.actor, 'cli:mentor')
    assert.equal(event?.data?.['liftReason'], 'consent given')
  })

  test('bad input is refused with the field named and nothing stored: no reason, a past end, an unknown person', async () => {
    f = await engineFixture()
    f.persons.push(pupil('p1', 'Zoë', 'Jansen', 'H3a'))
    const noReason = await placeHold(f.engine, 'p1', {
      reason: ' ',
      until: '2027-01-01',
      actor: 'a',
    })
    assert.ok(!noReason.ok && /reason/.test(noReason.message))
    const past = await placeHold(f.engine, 'p1', { reason: 'x', until: '2026-11-23', actor: 'a' })
    assert.ok(
      !past.ok &&
        /--until 2026-11-23: the hold would already be over \(today is 2026-11-23\)/.test(
          past.message,
        ),
    )
    const bad = await placeHold(f.engine, 'p1', { reason: 'x', until: '2027-02-30', actor: 'a' })
    assert.ok(!bad.ok && /not a date/.test(bad.message))
    const nobody = await placeHold(f.engine, 'nobody', {
      reason: 'x',
      until: '2027-01-01',
      actor: 'a',
    })
    assert.ok(!nobody.ok && nobody.code === 'not-found')
    const notHeld = await liftHold(f.engine, 'p1', { actor: 'a' })
    assert.ok(!notHeld.ok && notHeld.code === 'not-found')
    assert.deepEqual(await f.engine.store.listHolds(), [])
    assert.deepEqual(await f.engine.store.listAudit({ kind: 'hold', limit: 5 }), [])
  })
})
