// The plan names each person as the school knows them (number, class, school), leavers included (issue 12.11).
import assert from 'node:assert/strict'
import { afterEach, test } from 'node:test'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import type { Plan } from '../src/model/index.ts'
import { subjectOfAccount } from '../src/engine/action-subject.ts'
import { engineFixture, pupil } from './support/engine-fixture.ts'
import type { Fixture } from './support/engine-fixture.ts'

let fx: Fixture | undefined
afterEach(async () => {
  await fx?.cleanup()
  fx = undefined
})

async function plan(f: Fixture, today: string): Promise<Plan> {
  const r = await makePlan(f.engine, { actor: 'test', today })
  assert.ok(r.ok, 'plan failed')
  return r.plan
}

test('joiners and leavers carry their leerlingnummer, class and school', async () => {
  fx = await engineFixture()
  const jan = pupil('p1', 'Jan', 'Vries', '3A', { end: '2027-08-01' }, 'de')
  fx.persons.push({ ...jan, attributes: { pupilNumber: '104233' } })
  const first = await plan(fx, '2026-11-23')
  for (const a of first.actions)
    assert.deepEqual(a.subject, { number: '104233', classGroup: '3A', school: '12AB00' }, a.id)
  const r = await applyStoredPlan(fx.engine, first.id, { actor: 'test' })
  assert.ok(r.ok)
  // the contract ended: still in the source, so the number and class come from the person
  const leaving = await plan(fx, '2027-08-02')
  const disable = leaving.actions.find((a) => a.kind === 'disable')
  assert.deepEqual(disable?.subject, { number: '104233', classGroup: '3A', school: '12AB00' })
})

test('a leaver gone from every source is described by what the ledger holds, not by the anchor key', () => {
  const account = {
    kind: 'account' as const,
    target: 'dir',
    person: '0b0d271e-d4bb-4306-a53f-92135900c9aa',
    targetId: 't1',
    locator: 'uid=kyan,ou=people',
    state: 'active' as const,
    attributes: {
      EmployeeNumber: '0b0d271e-d4bb-4306-a53f-92135900c9aa',
      employeeID: '654321',
      departmentNumber: '07QQ00-1A',
    },
    permissions: [],
    createdAt: '2026-01-01',
    updatedAt: '2026-01-01',
  }
  assert.deepEqual(subjectOfAccount(account), { number: '654321', classGroup: '07QQ00-1A' })
})
