// Guard gaps in unattended use (issue 11 item 4), at engine level: the creeping shrink, an approval that a
// scheduled run recomputing the same plan must keep, and the default create limit.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { approvePlan, applyStoredPlan, makePlan } from '../src/engine/index.ts'
import type { Engine } from '../src/engine/index.ts'
import type { Plan } from '../src/model/index.ts'
import { engineFixture, pupil } from './support/engine-fixture.ts'
import type { Fixture } from './support/engine-fixture.ts'

const TODAY = '2026-11-23'
let fx: Fixture | undefined
afterEach(async () => {
  await fx?.cleanup()
  fx = undefined
})

/** The fixture's engine with its clock moved to `day` days after TODAY (plans are made for the clock's day). */
function clocked(f: Fixture, day: number): Engine {
  f.clock.today = new Date(Date.parse(`${TODAY}T00:00:00Z`) + day * 86_400_000)
    .toISOString()
    .slice(0, 10)
  return f.engine
}

async function plan(engine: Engine): Promise<Plan> {
  const r = await makePlan(engine, { actor: 'test', readTargets: false })
  assert.ok(r.ok, 'plan failed')
  return r.plan
}

async function apply(engine: Engine, p: Plan): Promise<void> {
  const r = await applyStoredPlan(engine, p.id, { actor: 'test' })
  assert.ok(r.ok, r.ok ? '' : r.message)
}

/** A school of `n` pupils, planned and applied on day 0. */
async function school(n: number): Promise<Fixture> {
  const f = await engineFixture()
  for (let i = 0; i < n; i++)
    f.persons.push(pupil(`p${String(i).padStart(3, '0')}`, `Kind${i}`, `Achternaam${i}`, '1A'))
  await apply(clocked(f, 0), await plan(clocked(f, 0)))
  return f
}

/** The next day's export, without the first `k` pupils still in it. */
function drop(f: Fixture, k: number, day: number): void {
  f.persons.splice(0, k)
  f.takenAt = `2026-11-${23 + day}T06:00:00Z`
}

describe('guard gaps in unattended use', () => {
  test('a source shrinking 5 %, then to 9 %, then to 15 % of its size in three runs is blocked on the third', async () => {
    fx = await school(100)
    drop(fx, 5, 1)
    const first = await plan(clocked(fx, 1))
    assert.equal(first.status, 'planned', first.findings.map((f) => f.message).join('; '))
    await apply(clocked(fx, 1), first)
    drop(fx, 4, 2)
    const second = await plan(clocked(fx, 2))
    assert.equal(second.status, 'planned')
    await apply(clocked(fx, 2), second)
    drop(fx, 6, 3) // 6 of 91 since the last export (6.6 %), 15 of 100 since the largest of the week
    const third = await plan(clocked(fx, 3))
    assert.equal(third.status, 'blocked')
    const finding = third.findings.find((f) => f.kind === 'source')
    assert.match(
      finding?.message ?? '',
      /lost 15 of 100 persons \(15\.0%\) since its largest export of the last 7 days/,
    )
    assert.equal(
      third.actions.filter((a) => a.kind === 'disable').length,
      6,
      'the disables are in the plan, held by the block',
    )
    const refused = await applyStoredPlan(clocked(fx, 3), third.id, { actor: 'test' })
    assert.equal(refused.ok, false)
  })

  test('after approving the shrink, the next run is not blocked by the older, larger export again', async () => {
    fx = await school(100)
    for (const [k, day] of [
      [5, 1],
      [4, 2],
    ] as const) {
      drop(fx, k, day)
      await apply(clocked(fx, day), await plan(clocked(fx, day)))
    }
    drop(fx, 6, 3)
    const blocked = await plan(clocked(fx, 3))
    assert.equal(blocked.status, 'blocked')
    assert.deepEqual(await approvePlan(clocked(fx, 3), blocked.id, 'admin'), { ok: true })
    await apply(clocked(fx, 3), blocked)
    drop(fx, 1, 4)
    const next = await plan(clocked(fx, 4))
    assert.equal(next.status, 'planned', next.findings.map((f) => f.message).join('; '))
  })

  test('the largest export older than 7 days and 10 runs no longer counts', async () => {
    fx = await school(100)
    // eleven quiet days with a tiny change each: eleven used snapshots after the big one
    for (let day = 1; day <= 11; day++) {
      fx.persons.push(pupil(`n${day}`, `Nieuw${day}`, 'Leerling', '1A'))
      fx.takenAt = `2026-11-${23 + day}T06:00:00Z`
      await apply(clocked(fx, day), await plan(clocked(fx, day)))
    }
    drop(fx, 9, 12)
    const p = await plan(clocked(fx, 12))
    assert.equal(p.status, 'planned', p.findings.map((f) => f.message).join('; '))
  })

  test('after approve, a scheduled run that recomputes the same plan uses the approval; apply --plan works', async () => {
    fx = await engineFixture({ guard: { create: { maxCount: 1 } } })
    fx.persons.push(pupil('p1', 'Jan', 'Vries', '3A'), pupil('p2', 'Piet', 'Bos', '3A'))
    const blocked = await plan(fx.engine)
    assert.equal(blocked.status, 'blocked')
    assert.deepEqual(await approvePlan(fx.engine, blocked.id, 'admin'), { ok: true })
    const again = await plan(fx.engine) // the nightly `run`, before anyone typed `apply --plan`
    assert.equal(again.id, blocked.id)
    assert.equal(again.status, 'approved')
    assert.equal((await fx.engine.store.getPlan(blocked.id))?.status, 'approved')
    await apply(fx.engine, again)
    assert.equal(fx.target.entries.size, 2)
  })

  test('an approved shrink recomputed without its source finding (another id) is approved with the same work', async () => {
    fx = await school(100)
    drop(fx, 15, 1)
    const blocked = await plan(clocked(fx, 1))
    assert.deepEqual(blocked.findings.map((f) => f.kind).sort(), ['disable', 'source'])
    await approvePlan(clocked(fx, 1), blocked.id, 'admin')
    const again = await plan(clocked(fx, 1))
    assert.notEqual(
      again.id,
      blocked.id,
      'the approved snapshot is the baseline now: no source finding',
    )
    assert.equal(again.status, 'approved')
    assert.match(again.notes.join('\n'), new RegExp(`approved as ${blocked.id}`))
    await apply(clocked(fx, 1), again)
    const stale = await applyStoredPlan(clocked(fx, 1), blocked.id, { actor: 'test' })
    // the apply of `again` superseded the approved plan it carried the approval from
    assert.equal(stale.ok ? 'applied' : stale.reason, 'done', 'the same work is not applied twice')
    assert.match(stale.ok ? '' : stale.message, /is superseded/)
  })

  test('an approval does not carry over to other work', async () => {
    fx = await school(100)
    drop(fx, 15, 1)
    const blocked = await plan(clocked(fx, 1))
    await approvePlan(clocked(fx, 1), blocked.id, 'admin')
    drop(fx, 15, 2)
    const other = await plan(clocked(fx, 2))
    assert.equal(other.status, 'blocked')
  })
})
