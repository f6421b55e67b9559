// The plan's one lifecycle (issue 15 item 1): planned → blocked → approved/rejected → applying →
// applied/failed/superseded, each move audited on the engine's clock, every other move refused.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import {
  applyStoredPlan,
  approvePlan,
  makePlan,
  PlanTransitionError,
  rejectPlan,
  transitionPlan,
} from '../src/engine/index.ts'
import type { Plan } from '../src/model/index.ts'
import { engineFixture, pupil } from './support/engine-fixture.ts'
import type { Fixture } from './support/engine-fixture.ts'

let fx: Fixture | undefined
afterEach(async () => {
  await fx?.cleanup()
  fx = undefined
})

async function plan(f: Fixture): Promise<Plan> {
  const r = await makePlan(f.engine, { actor: 'test', readTargets: false })
  assert.ok(r.ok, 'plan failed')
  return r.plan
}

/** A school of 20 pupils, applied on the fixture's first day, then an export that lost half of them. */
async function blockedSchool(): Promise<{ f: Fixture; blocked: Plan }> {
  const f = await engineFixture()
  for (let i = 0; i < 20; i++)
    f.persons.push(pupil(`p${String(i).padStart(3, '0')}`, `Kind${i}`, `Achternaam${i}`, '1A'))
  const first = await plan(f)
  const r = await applyStoredPlan(f.engine, first.id, { actor: 'test' })
  assert.ok(r.ok, r.ok ? '' : r.message)
  f.persons.splice(0, 10)
  f.takenAt = '2026-11-24T06:00:00Z'
  f.clock.today = '2026-11-24'
  const blocked = await plan(f)
  assert.equal(blocked.status, 'blocked')
  return { f, blocked }
}

describe('plan lifecycle', () => {
  test('approving, applying and finishing are audited with from and to, stamped by the engine clock', async () => {
    const { f, blocked } = await blockedSchool()
    fx = f
    assert.deepEqual(
      await approvePlan(f.engine, blocked.id, 'admin', 'the school moved half the pupils'),
      { ok: true },
    )
    const r = await applyStoredPlan(f.engine, blocked.id, { actor: 'admin' })
    assert.ok(r.ok, r.ok ? '' : r.message)
    const events = (await f.engine.store.listAudit({ planId: blocked.id, limit: 100 })).reverse()
    const moves = events
      .filter((e) => e.data?.['to'] !== undefined)
      .map((e) => `${e.type} ${String(e.data?.['from'])}→${String(e.data?.['to'])}`)
    assert.deepEqual(moves, [
      'plan.approved blocked→approved',
      'apply.started approved→applying',
      'run.finished applying→applied',
    ])
    // the fixture's clock reads 2026-11-24, whatever the wall says
    for (const e of events) assert.match(e.at, /^2026-11-24T10:00:00/, `${e.type} at ${e.at}`)
    assert.equal(
      events.find((e) => e.type === 'plan.approved')?.data?.['reason'],
      'the school moved half the pupils',
    )
  })

  test('a rejected plan is never applied, and the same work planned again stays rejected', async () => {
    const { f, blocked } = await blockedSchool()
    fx = f
    assert.deepEqual(await rejectPlan(f.engine, blocked.id, 'admin', 'the export is half empty'), {
      ok: true,
    })
    const refused = await applyStoredPlan(f.engine, blocked.id, { actor: 'test' })
    assert.equal(refused.ok, false)
    assert.match(refused.ok ? '' : refused.message, /is rejected and cannot become applying/)
    const again = await plan(f)
    assert.equal(again.id, blocked.id)
    assert.equal(again.status, 'rejected')
    assert.equal(f.target.calls.filter((c) => c.op === 'disable').length, 0, 'nothing was disabled')
    const [event] = await f.engine.store.listAudit({
      planId: blocked.id,
      kind: 'plan.rejected',
      limit: 1,
    })
    assert.equal(event?.actor, 'admin')
    assert.equal(event?.data?.['reason'], 'the export is half empty')
  })

  test('moves the lifecycle does not allow are refused with the plan state and nothing is written', async () => {
    const { f, blocked } = await blockedSchool()
    fx = f
    const before = (await f.engine.store.listAudit({ limit: 1000 })).length
    const noReason = await rejectPlan(f.engine, blocked.id, 'admin', '  ')
    assert.match(noReason.ok ? '' : noReason.message, /needs a reason/)
    assert.deepEqual(await approvePlan(f.engine, blocked.id, 'admin'), { ok: true })
    const twice = await approvePlan(f.engine, blocked.id, 'admin')
    assert.equal(twice.ok, false)
    assert.match(
      twice.ok ? '' : twice.message,
      /Plan plan-\w+ is approved and cannot become approved \(approved may become applying or superseded\)/,
    )
    const reject = await rejectPlan(f.engine, blocked.id, 'admin', 'too late')
    assert.match(reject.ok ? '' : reject.message, /is approved and cannot become rejected/)
    await assert.rejects(
      transitionPlan(f.engine.store, blocked.id, 'applied', { actor: 'x' }),
      PlanTransitionError,
    )
    await assert.rejects(
      transitionPlan(f.engine.store, 'plan-nothere', 'approved', { actor: 'x' }),
      /No plan plan-nothere/,
    )
    assert.equal(await f.engine.store.planStatus(blocked.id), 'approved')
    assert.equal(
      (await f.engine.store.listAudit({ limit: 1000 })).length,
      before + 1,
      'only the one approval was audited',
    )
  })

  test('an apply supersedes the plans that waited for approval: they cannot be approved afterwards', async () => {
    const { f, blocked } = await blockedSchool()
    fx = f
    // the admin restores the export instead, and a new pupil arrives: that plan is applied
    for (let i = 0; i < 10; i++)
      f.persons.push(pupil(`p${String(i).padStart(3, '0')}`, `Kind${i}`, `Achternaam${i}`, '1A'))
    f.persons.push(pupil('n1', 'Nieuw', 'Leerling', '1A'))
    f.takenAt = '2026-11-24T07:00:00Z'
    const fresh = await plan(f)
    assert.equal(fresh.status, 'planned')
    const r = await applyStoredPlan(f.engine, fresh.id, { actor: 'test' })
    assert.ok(r.ok, r.ok ? '' : r.message)
    assert.equal(await f.engine.store.planStatus(blocked.id), 'superseded')
    const late = await approvePlan(f.engine, blocked.id, 'admin')
    assert.match(late.ok ? '' : late.message, /is superseded and cannot become approved/)
    const [event] = await f.engine.store.listAudit({
      planId: blocked.id,
      kind: 'plan.superseded',
      limit: 1,
    })
    assert.equal(event?.data?.['by'], fresh.id)
  })
})
