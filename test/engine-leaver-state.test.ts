// What Koppel enforces on a leaver's account after disabling it: the groups it granted are revoked with the
// disable (revokeOnDisable, default on) and come back from the rules when the person returns, and an account
// Koppel disabled that someone enabled again by hand is disabled again as drift.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import type { Plan } from '../src/model/index.ts'
import { isPermissionAction } from '../src/model/index.ts'
import { engineFixture, pupil } from './support/engine-fixture.ts'
import type { Fixture } from './support/engine-fixture.ts'

let fx: Fixture | undefined
afterEach(async () => {
  await fx?.cleanup()
  fx = undefined
})

// plans and applies on the fixture's clock, so disabledAt and the grace period never see the real one
async function plan(f: Fixture, today: string): Promise<Plan> {
  f.clock.today = today
  const r = await makePlan(f.engine, { actor: 'test' })
  assert.ok(r.ok, 'plan failed')
  return r.plan
}

async function apply(f: Fixture, p: Plan): Promise<void> {
  const r = await applyStoredPlan(f.engine, p.id, { actor: 'test' })
  assert.ok(r.ok, r.ok ? '' : r.message)
  assert.equal(r.report.failures.length, 0, JSON.stringify(r.report.failures))
}

const summary = (p: Plan) =>
  p.actions.map(
    (a) =>
      `${a.kind} ${a.person}${isPermissionAction(a) ? ` ${a.permission}` : ''} (${a.reason.change})`,
  )

async function twentyPupils(f: Fixture): Promise<void> {
  for (let i = 0; i < 20; i++)
    f.persons.push(pupil(`p${String(i).padStart(2, '0')}`, `Kind${i}`, 'Visser', '1A'))
  await apply(f, await plan(f, '2026-11-23'))
}

describe('engine: a leaver keeps the state Koppel set', () => {
  test('a disabled leaver loses its groups (planned as revokes); a returner gets them back from the rules', async () => {
    fx = await engineFixture()
    await twentyPupils(fx)
    const [leaver] = fx.persons.splice(3, 1)
    const leave = await plan(fx, '2026-11-24')
    assert.deepEqual(summary(leave), [
      'disable p03 (leaver)',
      'revoke p03 cn=1A,ou=groups (leaver)',
    ])
    assert.match(leave.actions[1]?.reason.detail ?? '', /revokeOnDisable/)
    await apply(fx, leave)
    const entry = [...fx.target.entries.values()].find(
      (e) => e.attributes['employeeNumber'] === 'p03',
    )
    assert.equal(entry?.enabled, false)
    assert.deepEqual([...(entry?.permissions ?? [])], [], 'no group left on the disabled account')
    assert.deepEqual(summary(await plan(fx, '2026-11-25')), [], 'nothing more to do while disabled')

    fx.persons.push(leaver as NonNullable<typeof leaver>)
    const back = await plan(fx, '2026-11-26')
    assert.deepEqual(summary(back), ['enable p03 (returner)', 'grant p03 cn=1A,ou=groups (mover)'])
    await apply(fx, back)
    assert.deepEqual([...(entry?.permissions ?? [])], ['cn=1A,ou=groups'])
    assert.equal(entry?.enabled, true)
  })

  test('revokeOnDisable: false keeps the groups of a disabled account', async () => {
    fx = await engineFixture({ lifecycle: { revokeOnDisable: false } })
    await twentyPupils(fx)
    fx.persons.splice(3, 1)
    const leave = await plan(fx, '2026-11-24')
    assert.deepEqual(summary(leave), ['disable p03 (leaver)'])
  })

  test("a hold window on disable holds the leaver's revokes too", async () => {
    fx = await engineFixture({
      lifecycle: { holds: [{ from: '07-01', to: '08-31', kinds: ['disable'] }] },
    })
    await twentyPupils(fx)
    fx.persons.splice(3, 1)
    const summer = await plan(fx, '2027-07-15')
    assert.deepEqual(summary(summer), [])
    assert.match(summer.notes[0] ?? '', /held back/)
    assert.deepEqual(summary(await plan(fx, '2027-09-01')), [
      'disable p03 (leaver)',
      'revoke p03 cn=1A,ou=groups (leaver)',
    ])
  })

  test('a leaver Koppel disabled and someone enabled by hand is disabled again, with reason drift', async () => {
    fx = await engineFixture()
    await twentyPupils(fx)
    fx.persons.splice(3, 1)
    await apply(fx, await plan(fx, '2026-11-24'))
    const entry = [...fx.target.entries.values()].find(
      (e) => e.attributes['employeeNumber'] === 'p03',
    )
    assert.ok(entry !== undefined)
    entry.enabled = true // a password reset tool, or a helpful colleague
    const drift = await plan(fx, '2026-11-25')
    assert.deepEqual(summary(drift), ['disable p03 (drift)'])
    assert.match(
      drift.actions[0]?.reason.detail ?? '',
      /enabled in the target by someone else; Koppel disabled it on 2026-11-24/,
    )
    await apply(fx, drift)
    assert.equal(entry.enabled, false)
    assert.deepEqual(summary(await plan(fx, '2026-11-26')), [])
    // the grace period still counts from Koppel's first disable, not from the correction
    assert.deepEqual(summary(await plan(fx, '2026-12-24')), ['delete p03 (grace-expired)'])
  })
})
