// Two `koppel apply` of one interrupted plan: the second read the plan as `applying` before the first finished
// and got the lease only after the first released it. It must see that the plan is done, not "resume" it again.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import type { Store } from '../src/store/index.ts'
import { engineFixture, pupil } from './support/engine-fixture.ts'

test('an apply that read a plan as applying before another apply finished it does not apply it again', async () => {
  const fx = await engineFixture()
  try {
    for (let i = 0; i < 5; i++) fx.persons.push(pupil(`p${i}`, `Kind${i}`, 'Visser', '1A'))
    const r = await makePlan(fx.engine, { actor: 'test', today: '2026-11-23' })
    assert.ok(r.ok)
    const { store } = fx.engine
    await store.setPlanStatus(r.plan.id, 'applying')
    // what the late apply read before the first one finished: the plan as it was then
    const stale = (await store.getPlan(r.plan.id)) ?? assert.fail('no plan')
    const first = await applyStoredPlan(fx.engine, r.plan.id, { actor: 'first' })
    assert.ok(first.ok)
    const creates = fx.target.entries.size
    const late: Store = new Proxy(store, {
      get(s, key) {
        if (key === 'getPlan') return async () => stale
        const value: unknown = Reflect.get(s, key, s)
        return typeof value === 'function' ? value.bind(s) : value
      },
    })
    const second = await applyStoredPlan({ ...fx.engine, store: late }, r.plan.id, {
      actor: 'second',
    })
    assert.deepEqual(second.ok ? 'applied again' : second.reason, 'done')
    assert.equal(fx.target.entries.size, creates)
    const runs = await store.listAudit({ planId: r.plan.id, limit: 1_000 })
    assert.equal(
      runs.filter((e) => e.type === 'run.finished').length,
      1,
      'one run, one run.finished',
    )
  } finally {
    await fx.cleanup()
  }
})
