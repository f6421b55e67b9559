// Groups as provisioned objects (issue 14) from the engine into Entra ID (the Graph simulator): a security group
// per lesson group with its real title, exactly its pupils as members and its teachers as owners (counted against
// the simulator's own data); a second plan is empty; a rename keeps the object id and members; a pupil who drops
// the subject leaves that one group; a teacher replaced swaps the owner; the turnover archives last year's groups
// (renamed with the archive prefix, members kept) as one guarded plan.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { startEntraSim, type EntraSim } from '@koppel/sim/entra'
import type { EntraTarget } from '../src/connectors/entra/index.ts'
import { entraTarget } from '../src/connectors/entra/entra-fixture.ts'
import { approvePlan } from '../src/engine/index.ts'
import type { Person } from '../src/model/index.ts'
import type { GroupSetSpec, RuleSpec } from '../src/rules/index.ts'
import { DEFAULT_GROUP_ID } from '../src/config/group-schema.ts'
import { lesgroep, member, membershipRules, teacher } from './support/lesson-groups.ts'
import { engineFixture, pupil, type Fixture } from './support/engine-fixture.ts'
import {
  applyWithoutFailures as apply,
  planOn as plan,
  renameWiskundeAndDropEngels,
} from './support/group-plans.ts'

let sim: EntraSim | undefined
let fx: Fixture<EntraTarget> | undefined
afterEach(async () => {
  await fx?.cleanup()
  await sim?.close()
  fx = undefined
  sim = undefined
})

const LESGROEPEN: GroupSetSpec = {
  name: 'lesgroepen',
  when: 'group.type == "teaching-group"',
  id: DEFAULT_GROUP_ID,
  title: 'group.attributes.subject + " " + group.code',
  description: '"Lesgroep " + group.key',
  type: 'group.type',
  attributes: {},
  deleteAfterDays: null,
}

const RULES: RuleSpec[] = membershipRules(
  'lesgroepen',
  { rule: 'members', role: 'member' },
  { rule: 'owners', role: 'owner' },
)

const m = member

async function setup(): Promise<{ fx: Fixture<EntraTarget>; sim: EntraSim }> {
  const s = await startEntraSim({ domains: ['school.test'] })
  const f = await engineFixture({
    target: entraTarget(s, { groups: { archivePrefix: 'Archief ' } }),
    rules: RULES,
    provisionGroups: [LESGROEPEN],
    guard: { 'group-archive': { maxCount: 50, maxPercent: 10 } },
    mapping: {
      employeeId: 'person.key',
      displayName: 'fullName(person)',
      userPrincipalName: 'person.key + "@school.test"',
      mailNickname: 'person.key',
    },
    anchorAttribute: 'employeeId',
  })
  return { fx: f, sim: s }
}

/** The simulator's own view: live group title → members and owners by employeeId. */
function groups(s: EntraSim): Record<string, { members: string[]; owners: string[] }> {
  const who = (ids: Set<string>) =>
    [...ids].map((id) => String(s.users.get(id)?.props.employeeId)).sort()
  const out: Record<string, { members: string[]; owners: string[] }> = {}
  for (const g of s.groups.values())
    if (g.deletedAt === undefined)
      out[g.displayName] = { members: who(g.members), owners: who(g.owners) }
  return out
}

describe('engine: provisioned groups into Entra ID (Graph simulator)', () => {
  test('groups with titles, exact members and owners; rename, drop, teacher replaced, turnover', async () => {
    ;({ fx, sim } = await setup())
    const f = fx
    const s = sim
    f.groups.push(lesgroep('wi-3b', 'Wiskunde', '3B'), lesgroep('en-3b', 'Engels', '3B'))
    f.persons.push(
      { ...pupil('p1', 'Anna', 'Bakker', '3B'), memberships: [m('wi-3b'), m('en-3b')] },
      { ...pupil('p2', 'Bram', 'Smit', '3B'), memberships: [m('wi-3b')] },
      teacher('t1', 'Tessa', 'Visser', [m('wi-3b', 'teacher'), m('en-3b', 'teacher')]),
      teacher('t2', 'Tom', 'de Boer', []),
    )
    await apply(f, await plan(f, '2026-11-23'))
    assert.deepEqual(groups(s), {
      'Wiskunde 3B': { members: ['p1', 'p2'], owners: ['t1'] },
      'Engels 3B': { members: ['p1'], owners: ['t1'] },
    })
    const wiskunde = [...s.groups.values()].find((g) => g.displayName === 'Wiskunde 3B')
    assert.equal(wiskunde?.props.description, 'Lesgroep wi-3b')
    assert.equal((await plan(f, '2026-11-23')).actions.length, 0)

    // renamed: same object, same members; p1 drops Engels
    await renameWiskundeAndDropEngels(f)
    assert.equal(s.groups.get(wiskunde?.id ?? '')?.displayName, 'Wiskunde A 3B')
    assert.deepEqual(groups(s), {
      'Wiskunde A 3B': { members: ['p1', 'p2'], owners: ['t1'] },
      'Engels 3B': { members: [], owners: ['t1'] },
    })

    // a teacher replaced: t2 becomes owner of Engels, t1 leaves it (Entra keeps one owner: the grant goes first)
    f.persons[2] = teacher('t1', 'Tessa', 'Visser', [m('wi-3b', 'teacher')])
    f.persons[3] = teacher('t2', 'Tom', 'de Boer', [m('en-3b', 'teacher')])
    const swapped = await plan(f, '2026-12-02')
    await apply(f, swapped)
    assert.deepEqual(groups(s)['Engels 3B'], { members: [], owners: ['t2'] })
    assert.equal((await plan(f, '2026-12-02')).actions.length, 0)

    // the turnover: next year's group made; last year's archived (renamed, members kept) in one guarded plan
    f.groups.splice(0, f.groups.length, lesgroep('wi-4b', 'Wiskunde', '4B', '2027-2028'))
    f.persons[0] = { ...(f.persons[0] as Person), memberships: [m('wi-4b')] }
    f.persons[1] = { ...(f.persons[1] as Person), memberships: [m('wi-4b')] }
    f.persons[2] = teacher('t1', 'Tessa', 'Visser', [m('wi-4b', 'teacher')])
    f.persons[3] = teacher('t2', 'Tom', 'de Boer', [])
    const turnover = await plan(f, '2027-08-01')
    assert.equal(turnover.status, 'blocked')
    assert.ok((await approvePlan(f.engine, turnover.id, 'test')).ok)
    await apply(f, turnover)
    const after = groups(s)
    assert.deepEqual(after['Wiskunde 4B'], { members: ['p1', 'p2'], owners: ['t1'] })
    assert.deepEqual(after['Archief Wiskunde A 3B'], { members: ['p1', 'p2'], owners: ['t1'] })
    assert.ok(after['Archief Engels 3B'] !== undefined, JSON.stringify(after))
    assert.deepEqual(
      (await f.engine.store.listGroups('dir')).map((g) => [g.key, g.state]),
      [
        ['2026-2027/en-3b', 'archived'],
        ['2026-2027/wi-3b', 'archived'],
        ['2027-2028/wi-4b', 'active'],
      ],
    )
  })
})
