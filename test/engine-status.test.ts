// `koppel status` at the engine: runs, blocked plans with their findings and age, held actions, pending
// deliveries and the audit head, all on the engine's injected clock (issue 15 item 5).
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { ConnectorError, type DeliveryResult } from '../src/contract/index.ts'
import {
  applyStoredPlan,
  deliverPending,
  engineStatus,
  makePlan,
  statusExitCode,
} from '../src/engine/index.ts'
import type { Plan } from '../src/model/index.ts'
import { engineFixture, pupil, type Fixture } from './support/engine-fixture.ts'

let fx: Fixture | undefined
afterEach(async () => {
  await fx?.cleanup()
  fx = undefined
})

async function plan(f: Fixture, today: string): Promise<Plan> {
  f.clock.today = today
  const r = await makePlan(f.engine, { actor: 'test' })
  assert.ok(r.ok, 'plan failed')
  return r.plan
}

describe('engine status', () => {
  test('an empty store: no runs, nothing blocked, no audit head, exit 0', async () => {
    fx = await engineFixture()
    const s = await engineStatus(fx.engine)
    assert.deepEqual(
      [s.runs, s.blocked, s.interrupted, s.deliveries, s.held, s.audit],
      [[], [], [], [], undefined, undefined],
    )
    assert.equal(statusExitCode(s), 0)
  })

  test('a blocked plan is listed with its findings, its age on the engine clock and the approve command; exit 3', async () => {
    fx = await engineFixture()
    for (let i = 0; i < 40; i++)
      fx.persons.push(pupil(`p${String(i).padStart(2, '0')}`, `Kind${i}`, 'Mulder', '1A'))
    const first = await plan(fx, '2026-11-23')
    const r = await applyStoredPlan(fx.engine, first.id, { actor: 'test' })
    assert.ok(r.ok)
    fx.persons.splice(20)
    const blocked = await plan(fx, '2026-11-24')
    assert.equal(blocked.status, 'blocked')
    fx.clock.today = '2026-11-26'
    const s = await engineStatus(fx.engine)
    assert.equal(statusExitCode(s), 3)
    assert.deepEqual(
      s.blocked.map((b) => [b.id, b.ageHours]),
      [[blocked.id, 48]],
    )
    assert.deepEqual(s.blocked[0]?.findings.map((f) => f.kind).sort(), ['disable', 'source'])
    assert.match(s.blocked[0]?.approve ?? '', new RegExp(`^koppel approve ${blocked.id}`))
    assert.deepEqual(
      s.runs.map((x) => [x.id, x.state, x.planId, x.counts]),
      [[r.report.runId, 'done', first.id, { applied: 80 }]],
    )
    assert.match(s.at, /^2026-11-26T10:00/)
    assert.ok(s.audit !== undefined)
    assert.equal(s.audit.verified?.ok, true)
    const [head] = await fx.engine.store.listAudit({ limit: 1 })
    assert.deepEqual([s.audit.seq, s.audit.hash], [head?.seq, head?.hash])
    assert.equal((await engineStatus(fx.engine, { verify: false })).audit?.verified, undefined)
  })

  test('a blocked preview of another day (plan --at) waits for nobody', async () => {
    fx = await engineFixture()
    for (let i = 0; i < 40; i++)
      fx.persons.push(
        pupil(
          `p${String(i).padStart(2, '0')}`,
          `Kind${i}`,
          'Mulder',
          '1A',
          i < 20 ? { end: '2027-07-31' } : {},
        ),
      )
    assert.ok(
      (await applyStoredPlan(fx.engine, (await plan(fx, '2026-11-23')).id, { actor: 'test' })).ok,
    )
    const preview = await makePlan(fx.engine, { actor: 'test', today: '2027-08-01' })
    assert.ok(preview.ok && preview.plan.status === 'blocked', 'half the pupils leave by then')
    const s = await engineStatus(fx.engine)
    assert.deepEqual(s.blocked, [])
    assert.equal(statusExitCode(s), 0)
  })

  test('a blocked plan followed by an apply is no longer waiting', async () => {
    fx = await engineFixture()
    for (let i = 0; i < 40; i++)
      fx.persons.push(pupil(`p${String(i).padStart(2, '0')}`, `Kind${i}`, 'Mulder', '1A'))
    assert.ok(
      (await applyStoredPlan(fx.engine, (await plan(fx, '2026-11-23')).id, { actor: 'test' })).ok,
    )
    const kept = fx.persons.splice(20)
    assert.equal((await plan(fx, '2026-11-24')).status, 'blocked')
    fx.persons.push(...kept, pupil('p99', 'Nieuw', 'Kind', '1A'))
    assert.ok(
      (await applyStoredPlan(fx.engine, (await plan(fx, '2026-11-25')).id, { actor: 'test' })).ok,
    )
    const s = await engineStatus(fx.engine)
    assert.deepEqual(s.blocked, [])
    assert.equal(statusExitCode(s), 0)
    assert.equal(s.runs.length, 2)
  })

  test('held actions: the notes of the newest plan made for its own day; a preview of another day is skipped', async () => {
    fx = await engineFixture({
      lifecycle: { holds: [{ from: '07-15', to: '08-31', kinds: ['delete'] }] },
    })
    for (let i = 0; i < 20; i++) fx.persons.push(pupil(`p${i}`, `Kind${i}`, 'Visser', '1A'))
    assert.ok(
      (await applyStoredPlan(fx.engine, (await plan(fx, '2027-06-01')).id, { actor: 'test' })).ok,
    )
    fx.persons.pop()
    assert.ok(
      (await applyStoredPlan(fx.engine, (await plan(fx, '2027-07-01')).id, { actor: 'test' })).ok,
    )
    const summer = await plan(fx, '2027-08-10')
    assert.match(summer.notes.join('\n'), /held back/)
    // a preview made on the same clock day for a later date
    const preview = await makePlan(fx.engine, { actor: 'test', today: '2027-09-15' })
    assert.ok(preview.ok && preview.plan.notes.length === 0)
    const s = await engineStatus(fx.engine)
    assert.equal(s.held?.planId, summer.id)
    assert.deepEqual(s.held?.notes, summer.notes)
  })

  test('a delivery that failed or was refused is pending until a later one succeeds', async () => {
    fx = await engineFixture()
    let fail = true
    Object.assign(fx.target, {
      deliver: async (): Promise<DeliveryResult> => {
        if (fail)
          throw new ConnectorError(
            'invalid',
            'refused: 60% of the persons would be deleted; approve dir:0123456789abcdef',
          )
        return { outcome: 'delivered', message: 'delivered koppel.xml' }
      },
    })
    fx.persons.push(pupil('p1', 'Jan', 'Vries', '3A'))
    const r = await applyStoredPlan(fx.engine, (await plan(fx, '2026-11-23')).id, { actor: 'test' })
    assert.ok(r.ok && r.report.state === 'failed')
    const after = await engineStatus(fx.engine)
    assert.deepEqual(
      after.deliveries.map((d) => d.target),
      ['dir'],
    )
    assert.match(after.deliveries[0]?.message ?? '', /delivery failed \(invalid: refused: 60%/)
    fx.clock.today = '2026-11-24'
    await deliverPending(fx.engine, { actor: 'test' })
    assert.equal((await engineStatus(fx.engine)).deliveries.length, 1, 'still refused')
    fail = false
    fx.clock.today = '2026-11-25'
    await deliverPending(fx.engine, { actor: 'test' })
    assert.deepEqual((await engineStatus(fx.engine)).deliveries, [])
  })

  test('a delivery that succeeds after a failed run is no longer pending, whatever the engine clock says (audit order decides)', async () => {
    fx = await engineFixture()
    let fail = true
    Object.assign(fx.target, {
      deliver: async (): Promise<DeliveryResult> => {
        if (fail) throw new ConnectorError('transient', 'the SFTP server did not answer')
        return { outcome: 'delivered', message: 'delivered koppel.xml' }
      },
    })
    fx.persons.push(pupil('p1', 'Jan', 'Vries', '3A'))
    // an engine clock years ahead of the store's wall-clock timestamps
    const r = await applyStoredPlan(fx.engine, (await plan(fx, '2031-11-23')).id, { actor: 'test' })
    assert.ok(r.ok && r.report.state === 'failed')
    assert.equal((await engineStatus(fx.engine)).deliveries.length, 1)
    fail = false
    await deliverPending(fx.engine, { actor: 'test' })
    assert.deepEqual((await engineStatus(fx.engine)).deliveries, [])
  })

  test('an interrupted apply is listed', async () => {
    fx = await engineFixture()
    fx.persons.push(pupil('p1', 'Jan', 'Vries', '3A'))
    const p = await plan(fx, '2026-11-23')
    await fx.engine.store.setPlanStatus(p.id, 'applying')
    assert.deepEqual(
      (await engineStatus(fx.engine)).interrupted.map((i) => i.id),
      [p.id],
    )
  })
})
