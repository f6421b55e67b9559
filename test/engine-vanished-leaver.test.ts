// KNOWN BUG (todo, not fixed): a target that cannot disable (itslearning IMS ES) deletes a leaver when
// `deleteAfterDays` have passed since the leaver was disabled — but a person who vanished from every source has no
// end date, so planLeaver (src/engine/plan-target.ts) counts the grace from "today" on every plan and the delete
// never comes. Fixing it needs a remembered "gone since" date per account (a ledger/store change).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import { engineFixture, pupil } from './support/engine-fixture.ts'
import { MemoryTarget } from './support/memory-target.ts'

test('a person gone from the source is deleted from a target without disable once deleteAfterDays have passed', { todo: 'the grace restarts every day; see the comment above' }, async () => {
  const f = await engineFixture({ lifecycle: { deleteAfterDays: 30 }, guard: {} })
  try {
    const target = f.engine.setup.targets[0]
    assert.ok(target !== undefined)
    Object.assign(target, { connector: new MemoryTarget('dir', { enableDisable: false }) })
    Object.assign(f.engine.sources[0]?.safety ?? {}, { maxShrinkPercent: 100 })
    f.persons.push(pupil('p1', 'Anna', 'Jansen', '3A'), pupil('p2', 'Bram', 'Visser', '3A'))
    const first = await makePlan(f.engine, { actor: 'test', today: '2026-11-23' })
    assert.ok(first.ok)
    assert.ok((await applyStoredPlan(f.engine, first.plan.id, { actor: 'test' })).ok)
    f.persons.splice(1, 1)
    const kinds: string[] = []
    for (const today of ['2026-11-24', '2026-12-30', '2027-03-01']) {
      const p = await makePlan(f.engine, { actor: 'test', today })
      assert.ok(p.ok)
      kinds.push(...p.plan.actions.filter((a) => a.person === 'p2').map((a) => `${today} ${a.kind}`))
      if (p.plan.actions.length > 0) await applyStoredPlan(f.engine, p.plan.id, { actor: 'test' })
    }
    assert.ok(kinds.some((k) => k.endsWith(' delete')), `p2 was never deleted: ${JSON.stringify(kinds)}`)
  } finally {
    await f.cleanup()
  }
})
