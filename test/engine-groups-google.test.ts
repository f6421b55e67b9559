// Groups as provisioned objects (issue 14) from the engine into Google Workspace (the Directory API simulator): a
// group per lesson group with its real name, exactly its pupils as MEMBER and its teachers as OWNER (counted
// against the simulator's own data); a second plan is empty; a rename keeps the address and members; a pupil who
// drops the subject leaves that one group; a teacher replaced swaps the owner; the turnover archives last year's
// groups (renamed with the archive prefix, members kept) as one guarded plan.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { startGoogleSim, type GoogleSim } from '@koppel/sim/google'
import type { GoogleTarget } from '../src/connectors/google/google-target.ts'
import {
  googleTestTarget,
  makeServiceAccount,
} from '../src/connectors/google/google-test-fixture.ts'
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

let sim: GoogleSim | undefined
let fx: Fixture<GoogleTarget> | undefined
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

async function setup(): Promise<{ fx: Fixture<GoogleTarget>; sim: GoogleSim }> {
  const sa = makeServiceAccount()
  const s = await startGoogleSim({ serviceAccount: sa })
  const f = await engineFixture({
    target: googleTestTarget(s, sa.keyJson, {
      domain: 'school.test',
      groups: { archivePrefix: 'Archief ' },
    }),
    rules: RULES,
    provisionGroups: [LESGROEPEN],
    guard: { 'group-archive': { maxCount: 50, maxPercent: 10 } },
    mapping: {
      externalId: 'person.key',
      primaryEmail: 'person.key + "@school.test"',
      'name.givenName': 'person.givenName',
      'name.familyName': 'person.familyName',
    },
    anchorAttribute: 'externalId',
  })
  return { fx: f, sim: s }
}

/** The simulator's own view: group name → members and owners by externalId. */
function groups(s: GoogleSim): Record<string, { members: string[]; owners: string[] }> {
  const key = (id: string) => String(s.users.get(id)?.externalIds?.[0]?.value)
  const out: Record<string, { members: string[]; owners: string[] }> = {}
  for (const g of s.groups.values()) {
    const ids = [...g.members]
    out[g.name] = {
      members: ids
        .filter((id) => (g.roles.get(id) ?? 'MEMBER') === 'MEMBER')
        .map(key)
        .sort(),
      owners: ids
        .filter((id) => g.roles.get(id) === 'OWNER')
        .map(key)
        .sort(),
    }
  }
  return out
}

describe('engine: provisioned groups into Google Workspace (Directory API simulator)', () => {
  test('groups with names, exact members and owners; rename, drop, teacher replaced, turnover', async () => {
    ;({ fx, sim } = await setup())
    const f = fx
    const s = sim
    f.groups.push(lesgroep('wi-3b', 'Wiskunde', '3B'), lesgroep('en-3b', 'Engels', '3B'))
    f.persons.push(
      { ...pupil('p1', 'Anna', 'Bakker', '3B'), memberships: [m('wi-3b'), m('en-3b')] },
      { ...pupil('p2', 'Bram', 'Smit', '3B'), memberships: [m('wi-3b')] },
      teacher('t1', 'Tessa', 'Visser', [m('wi-3b', 'teacher'), m('en-3b', 'teacher')]),
      teacher('t2', 'Tom', 'Boer', []),
    )
    await apply(f, await plan(f, '2026-11-23'))
    assert.deepEqual(groups(s), {
      'Wiskunde 3B': { members: ['p1', 'p2'], owners: ['t1'] },
      'Engels 3B': { members: ['p1'], owners: ['t1'] },
    })
    const wiskunde = [...s.groups.values()].find((g) => g.name === 'Wiskunde 3B')
    assert.equal(wiskunde?.description, 'Lesgroep wi-3b')
    const address = wiskunde?.email
    assert.equal((await plan(f, '2026-11-23')).actions.length, 0)

    // renamed: same group and address, same members; p1 drops Engels
    await renameWiskundeAndDropEngels(f)
    assert.equal(s.groups.get(wiskunde?.id ?? '')?.name, 'Wiskunde A 3B')
    assert.equal(s.groups.get(wiskunde?.id ?? '')?.email, address)
    assert.deepEqual(groups(s), {
      'Wiskunde A 3B': { members: ['p1', 'p2'], owners: ['t1'] },
      'Engels 3B': { members: [], owners: ['t1'] },
    })

    // a teacher replaced: t2 becomes owner of Engels, t1 leaves it
    f.persons[2] = teacher('t1', 'Tessa', 'Visser', [m('wi-3b', 'teacher')])
    f.persons[3] = teacher('t2', 'Tom', 'Boer', [m('en-3b', 'teacher')])
    await apply(f, await plan(f, '2026-12-02'))
    assert.deepEqual(groups(s)['Engels 3B'], { members: [], owners: ['t2'] })
    assert.equal((await plan(f, '2026-12-02')).actions.length, 0)

    // the turnover: next year's group made; last year's archived (renamed, members kept) in one guarded plan
    f.groups.splice(0, f.groups.length, lesgroep('wi-4b', 'Wiskunde', '4B', '2027-2028'))
    f.persons[0] = { ...(f.persons[0] as Person), memberships: [m('wi-4b')] }
    f.persons[1] = { ...(f.persons[1] as Person), memberships: [m('wi-4b')] }
    f.persons[2] = teacher('t1', 'Tessa', 'Visser', [m('wi-4b', 'teacher')])
    f.persons[3] = teacher('t2', 'Tom', 'Boer', [])
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
