// A target that cannot disable (itslearning IMS ES): a person who vanished from every source has no end date to
// count the grace period from. Counting from "today" on every plan meant the delete never came; the leaver is
// now marked disabled in the ledger only (the target is not called), and the delete follows deleteAfterDays later.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import { engineFixture, pupil } from './support/engine-fixture.ts'
import { MemoryTarget } from './support/memory-target.ts'

test('a person gone from the source is deleted from a target without disable once deleteAfterDays have passed', async () => {
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
    for (const today of ['2026-11-24', '2026-12-10', '2026-12-23', '2026-12-24', '2027-03-01']) {
      // the engine's clock is the day planned and applied (disabledAt is the apply's time)
      Object.assign(f.engine, { now: () => new Date(`${today}T12:00:00Z`) })
      const p = await makePlan(f.engine, { actor: 'test', today })
      assert.ok(p.ok)
      kinds.push(
        ...p.plan.actions.filter((a) => a.person === 'p2').map((a) => `${today} ${a.kind}`),
      )
      if (p.plan.actions.length > 0) await applyStoredPlan(f.engine, p.plan.id, { actor: 'test' })
    }
    assert.deepEqual(
      kinds,
      ['2026-11-24 disable', '2026-11-24 revoke', '2026-12-24 delete'],
      'marked at once, deleted when the 30 days are over, never before',
    )
    const connector = target.connector as MemoryTarget
    assert.equal(connector.entries.size, 1, 'p2 is gone from the target')
    assert.ok(
      !connector.calls.some((c) => c.op === 'disable'),
      'the target itself was never asked to disable',
    )
  } finally {
    await f.cleanup()
  }
})
