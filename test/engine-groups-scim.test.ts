// Groups as provisioned objects (issue 14) from the engine into SCIM /Groups (the scimmy-based simulator): a
// group per lesson group with its real title in displayName and the sync key in externalId, exactly its pupils
// and teachers as members (SCIM has no owners), counted against the simulator's own store; a second plan is
// empty; a rename keeps id and members; a dropped subject leaves that one group; the turnover archives last
// year's groups in Koppel's ledger only (they stay as they are in the service) as one guarded plan.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { startScimSim, type ScimSim } from '@koppel/sim/scim'
import { ScimTarget } from '../src/connectors/scim/scim-target.ts'
import { scimTestOptions } from '../src/connectors/scim/scim-test-fixture.ts'
import { DEFAULT_GROUP_ID } from '../src/config/group-schema.ts'
import { applyStoredPlan, approvePlan, makePlan } from '../src/engine/index.ts'
import type { Person, Plan } from '../src/model/index.ts'
import { engineFixture, pupil, type Fixture } from './support/engine-fixture.ts'
import { assertTurnoverAwaitsApproval } from './support/group-plans.ts'
import { lesgroep, member, membershipRules, teacher } from './support/lesson-groups.ts'

let sim: ScimSim | undefined
let fx: Fixture<ScimTarget> | undefined
afterEach(async () => {
  await fx?.cleanup()
  await sim?.close()
  fx = undefined
  sim = undefined
})

describe('engine: provisioned groups into SCIM /Groups', () => {
  test('members exactly, a second plan empty, a dropped subject, a rename, the turnover archived in the ledger only', async () => {
    sim = await startScimSim({ token: 'engine-token' })
    const s = sim
    fx = await engineFixture({
      target: new ScimTarget('dir', scimTestOptions(s.url, 'engine-token')),
      rules: membershipRules(
        'lesgroepen',
        { rule: 'learners', role: 'member' },
        { rule: 'teachers', role: 'member' },
      ),
      provisionGroups: [
        {
          name: 'lesgroepen',
          when: 'group.type == "teaching-group"',
          id: DEFAULT_GROUP_ID,
          title: 'group.attributes.subject + " " + group.code',
          type: 'group.type',
          attributes: {},
          deleteAfterDays: null,
        },
      ],
      guard: { 'group-archive': { maxCount: 50, maxPercent: 10 } },
      mapping: {
        externalId: 'person.key',
        userName: 'person.key + "@school.test"',
        'name.givenName': 'person.givenName',
        'name.familyName': 'person.familyName',
      },
      anchorAttribute: 'externalId',
    })
    const f = fx
    const plan = async (today: string): Promise<Plan> => {
      f.clock.today = today
      const r = await makePlan(f.engine, { actor: 'test' })
      assert.ok(r.ok)
      return r.plan
    }
    const apply = async (p: Plan) => {
      const r = await applyStoredPlan(f.engine, p.id, { actor: 'test' })
      assert.ok(r.ok, r.ok ? '' : r.message)
      assert.deepEqual(r.report.failures, [])
    }
    const group = (key: string) =>
      [...s.groups.values()].find((g) => g['externalId'] === key) as
        { id: string; displayName: string; members?: Array<{ value: string }> } | undefined
    const userKey = new Map<string, string>()
    const membersOf = (key: string) => {
      for (const u of s.users.values()) userKey.set(String(u['id']), String(u['externalId']))
      return (group(key)?.members ?? []).map((m) => userKey.get(m.value) ?? m.value).sort()
    }

    f.groups.push(lesgroep('wi-3b', 'Wiskunde', '3B'), lesgroep('en-3b', 'Engels', '3B'))
    for (let i = 1; i <= 4; i++)
      f.persons.push({
        ...pupil(`p${i}`, `Kind${i}`, `Achternaam${i}`, '3B'),
        memberships: i % 2 === 0 ? [member('wi-3b'), member('en-3b')] : [member('wi-3b')],
      })
    f.persons.push(teacher('t1', 'Docent', 'Een', [member('wi-3b', 'teacher')]))
    await apply(await plan('2026-11-23'))
    assert.equal(group('2026-2027/wi-3b')?.displayName, 'Wiskunde 3B')
    assert.deepEqual(membersOf('2026-2027/wi-3b'), ['p1', 'p2', 'p3', 'p4', 't1'])
    assert.deepEqual(membersOf('2026-2027/en-3b'), ['p2', 'p4'])
    assert.equal((await plan('2026-11-23')).actions.length, 0, 'a second plan is empty')

    const id = group('2026-2027/wi-3b')?.id
    f.persons[3] = { ...(f.persons[3] as Person), memberships: [member('wi-3b')] }
    f.groups[0] = lesgroep('wi-3b', 'Wiskunde A', '3B')
    const changed = await plan('2026-12-01')
    assert.deepEqual(
      changed.actions.map((a) => `${a.kind} ${a.person}`),
      ['group-update group:2026-2027/wi-3b', 'revoke p4'],
    )
    await apply(changed)
    assert.equal(group('2026-2027/wi-3b')?.displayName, 'Wiskunde A 3B')
    assert.equal(group('2026-2027/wi-3b')?.id, id, 'a rename keeps the id')
    assert.deepEqual(membersOf('2026-2027/wi-3b'), ['p1', 'p2', 'p3', 'p4', 't1'])
    assert.deepEqual(membersOf('2026-2027/en-3b'), ['p2'])

    f.groups.splice(0, f.groups.length, lesgroep('wi-4b', 'Wiskunde', '4B', '2027-2028'))
    for (let i = 0; i < f.persons.length; i++) {
      const p = f.persons[i] as Person
      f.persons[i] = {
        ...p,
        memberships: [member('wi-4b', p.key === 't1' ? 'teacher' : 'student')],
      }
    }
    const turnover = await plan('2027-08-01')
    assertTurnoverAwaitsApproval(turnover)
    assert.ok((await approvePlan(f.engine, turnover.id, 'test')).ok)
    await apply(turnover)
    assert.deepEqual(membersOf('2027-2028/wi-4b'), ['p1', 'p2', 'p3', 'p4', 't1'])
    // archive is the ledger's only: last year's groups stay in the service with their members
    assert.deepEqual(membersOf('2026-2027/wi-3b'), ['p1', 'p2', 'p3', 'p4', 't1'])
    assert.equal(group('2026-2027/wi-3b')?.displayName, 'Wiskunde A 3B')
    assert.equal((await plan('2027-08-01')).actions.length, 0)
  })
})
