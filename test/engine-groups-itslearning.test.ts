// Courses as provisioned objects (issue 14) from the engine into the itslearning IMS ES simulator: one course
// per lesson group with its real title below school and school year, exactly its teachers as instructors and its
// pupils as learners (counted against the simulator's own data), a rename that keeps sync key and members, a
// pupil who drops the subject, and the turnover.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import {
  startItslearningEsSimulator,
  type ItslearningEsSimulator,
} from '@koppel/sim/itslearning-es'
import { imsEsOptionsSchema, ImsEsTarget } from '../src/connectors/itslearning/index.ts'
import type { ConnectorContext } from '../src/contract/index.ts'
import type { Person } from '../src/model/index.ts'
import { lesgroep, member } from './support/lesson-groups.ts'
import { pupil, type Fixture } from './support/engine-fixture.ts'
import {
  applyWithoutFailures as apply,
  itslearningCourseFixture,
  itslearningTurnover,
  planOn as plan,
  renameWiskundeAndDropEngels,
} from './support/group-plans.ts'

const context: ConnectorContext = {
  baseDir: '/',
  log: () => {},
  now: () => new Date('2026-11-23T10:00:00Z'),
}
let sim: ItslearningEsSimulator | undefined
let fx: Fixture<ImsEsTarget> | undefined
afterEach(async () => {
  await fx?.cleanup()
  await sim?.close()
  fx = undefined
  sim = undefined
})

const m = member

async function setup(): Promise<{ fx: Fixture<ImsEsTarget>; sim: ItslearningEsSimulator }> {
  const s = await startItslearningEsSimulator({ username: 'koppel', password: 'secret' })
  const o = imsEsOptionsSchema.parse({
    url: s.url,
    username: 'koppel',
    password: '${env:KOPPEL_TEST_ES}',
  })
  const target = new ImsEsTarget('dir', { ...o, password: 'secret' }, context)
  const f = await itslearningCourseFixture(target)
  return { fx: f, sim: s }
}

/** The simulator's own view: course title → role → persons. */
function courses(s: ItslearningEsSimulator): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {}
  for (const g of s.groups.values()) {
    if (g.type !== 'Course') continue
    const roles: Record<string, string[]> = {}
    for (const ms of s.memberships.values())
      if (ms.group === g.syncKey) (roles[ms.role] ??= []).push(ms.person)
    for (const list of Object.values(roles)) list.sort()
    out[
      `${g.title} < ${s.groups.get(g.parent ?? '')?.title ?? '?'} < ${s.groups.get(s.groups.get(g.parent ?? '')?.parent ?? '')?.title ?? '?'}`
    ] = roles
  }
  return out
}

describe('engine: provisioned courses into itslearning IMS ES (simulator)', () => {
  test('courses with titles in the year hierarchy, exact learners and instructors; rename, drop, turnover', async () => {
    ;({ fx, sim } = await setup())
    const f = fx
    const s = sim
    f.groups.push(lesgroep('wi-3b', 'Wiskunde', '3B'), lesgroep('en-3b', 'Engels', '3B'))
    const teacher: Person = {
      ...pupil('t1', 'Tessa', 'Visser', '-', { role: 'teacher', kind: 'employment' }),
      memberships: [m('wi-3b', 'teacher'), m('en-3b', 'teacher')],
    }
    f.persons.push(
      { ...pupil('p1', 'Anna', 'Bakker', '3B'), memberships: [m('wi-3b'), m('en-3b')] },
      { ...pupil('p2', 'Bram', 'Smit', '3B'), memberships: [m('wi-3b')] },
      teacher,
    )
    await apply(f, await plan(f, '2026-11-23'))
    assert.deepEqual(courses(s), {
      'Engels 3B < 2026-2027 < 12AB': { Instructor: ['t1'], Learner: ['p1'] },
      'Wiskunde 3B < 2026-2027 < 12AB': { Instructor: ['t1'], Learner: ['p1', 'p2'] },
    })
    assert.equal((await plan(f, '2026-11-23')).actions.length, 0)

    // renamed: same sync key, same members; p1 drops Engels
    const before = [...s.groups.values()].find((g) => g.title === 'Wiskunde 3B')?.syncKey
    await renameWiskundeAndDropEngels(f)
    assert.equal([...s.groups.values()].find((g) => g.title === 'Wiskunde A 3B')?.syncKey, before)
    assert.deepEqual(courses(s), {
      'Engels 3B < 2026-2027 < 12AB': { Instructor: ['t1'] },
      'Wiskunde A 3B < 2026-2027 < 12AB': { Instructor: ['t1'], Learner: ['p1', 'p2'] },
    })

    // the turnover: next year's course below next year's school year; last year's archived (kept, with members)
    await itslearningTurnover(f)
    const after = courses(s)
    assert.deepEqual(after['Wiskunde 4B < 2027-2028 < 12AB'], {
      Instructor: ['t1'],
      Learner: ['p1', 'p2'],
    })
    assert.deepEqual(after['Wiskunde A 3B < 2026-2027 < 12AB'], {
      Instructor: ['t1'],
      Learner: ['p1', 'p2'],
    })
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
