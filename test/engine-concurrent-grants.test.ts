// Two grants for the same account that finish in the same tick must both end up in the ledger: each action's
// ledger row is built on the row the other one left. (A connector that answers several requests at once, such
// as a bulk call, resolves them together; with the row written after an extra await, the second grant's row was
// built on the row from before the first, and the next plan granted the lost one again.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import { engineFixture, pupil } from './support/engine-fixture.ts'

test('grants of one account that finish together are all recorded; the next plan is empty', async () => {
  const f = await engineFixture({
    rules: [
      {
        name: 'pupils',
        when: 'contract.role == "student"',
        grant: [
          { account: 'dir' },
          {
            permission: {
              target: 'dir',
              type: 'group',
              id: '"cn=" + contract.classGroup + ",ou=groups"',
            },
          },
          { permission: { target: 'dir', type: 'group', id: '"cn=leerlingen,ou=groups"' } },
          { permission: { target: 'dir', type: 'group', id: '"cn=bibliotheek,ou=groups"' } },
        ],
      },
    ],
  })
  try {
    f.persons.push(pupil('p1', 'Anna', 'Jansen', '3A'), pupil('p2', 'Bram', 'Visser', '3B'))
    const first = await makePlan(f.engine, { actor: 'test', today: '2026-11-23' })
    assert.ok(first.ok)
    assert.equal(first.plan.actions.filter((a) => a.kind === 'grant').length, 6)
    const r = await applyStoredPlan(f.engine, first.plan.id, { actor: 'test' })
    assert.ok(r.ok && r.report.failures.length === 0)
    for (const key of ['p1', 'p2'])
      assert.equal((await f.engine.store.getAccount('dir', key))?.permissions.length, 3, key)
    const second = await makePlan(f.engine, {
      actor: 'test',
      today: '2026-11-23',
      readTargets: false,
    })
    assert.ok(second.ok)
    assert.deepEqual(
      second.plan.actions.map((a) => a.id),
      [],
    )
  } finally {
    await f.cleanup()
  }
})
