// Courses as provisioned objects (issue 14) from the engine into the itslearning IMS Enterprise file, delivered
// over a real sshd: one course per lesson group with its real title below school and school year, exactly its
// teachers as instructors (02) and its pupils as learners (01), a rename that keeps the sourcedid and members, a
// pupil who drops the subject, and the turnover (next year's courses created, last year's archived: kept in the
// file with a timeframe that ended, so itslearning does not delete them).
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import type { ImsFileTarget, ParsedIms } from '../src/connectors/itslearning/index.ts'
import type { ConnectorContext } from '../src/contract/index.ts'
import { lesgroep, member, teacher } from './support/lesson-groups.ts'
import { pupil, type Fixture } from './support/engine-fixture.ts'
import {
  applyWithoutFailures as apply,
  itslearningCourseFixture,
  itslearningTurnover,
  planOn as plan,
  renameWiskundeAndDropEngels,
} from './support/group-plans.ts'
import {
  deliveredCourses,
  imsFileOverSshd,
  type ImsFileOverSshd,
} from './support/ims-file-over-sshd.ts'
import { sshdSkipReason, startSshd, type Sshd } from './harness/sshd.ts'

const m = member

describe(
  'engine: provisioned courses into the itslearning IMS file (real sshd)',
  { skip: sshdSkipReason() },
  () => {
    let s: Sshd
    let fx: Fixture<ImsFileTarget> | undefined
    let file: ImsFileOverSshd | undefined
    before(async () => {
      s = await startSshd()
    })
    after(async () => {
      await s?.stop()
    })
    afterEach(async () => {
      await fx?.cleanup()
      await file?.cleanup()
    })

    async function setup(): Promise<Fixture<ImsFileTarget>> {
      // the connector reads the engine's clock, as the composition root wires it
      const engine: { f?: Fixture<ImsFileTarget> } = {}
      const context: ConnectorContext = {
        baseDir: '/',
        log: () => {},
        now: () => engine.f?.clock.now() ?? new Date('2026-11-23T10:00:00Z'),
      }
      file = await imsFileOverSshd(s, 'dir', context)
      const target = file.target
      const f = await itslearningCourseFixture(target)
      engine.f = f
      return f
    }

    /** The delivered file, checked; course title < year < school → roletype → persons. */
    async function delivered(): Promise<{ doc: ParsedIms; courses: Record<string, unknown> }> {
      assert.ok(file !== undefined, 'set up')
      const doc = await file.delivered()
      const courses: Record<string, unknown> = {}
      for (const c of deliveredCourses(doc))
        courses[`${c.title} < ${c.year} < ${c.school}`] =
          c.ends === undefined ? c.roles : { ...c.roles, ends: c.ends }
      return { doc, courses }
    }

    test('courses with titles in the year hierarchy, exact learners and instructors; rename, drop, turnover', async () => {
      fx = await setup()
      const f = fx
      f.groups.push(lesgroep('wi-3b', 'Wiskunde', '3B'), lesgroep('en-3b', 'Engels', '3B'))
      f.persons.push(
        { ...pupil('p1', 'Anna', 'Bakker', '3B'), memberships: [m('wi-3b'), m('en-3b')] },
        { ...pupil('p2', 'Bram', 'Smit', '3B'), memberships: [m('wi-3b')] },
        teacher('t1', 'Tessa', 'Visser', [m('wi-3b', 'teacher'), m('en-3b', 'teacher')]),
      )
      await apply(f, await plan(f, '2026-11-23'))
      assert.deepEqual((await delivered()).courses, {
        'Engels 3B < 2026-2027 < 12AB': { '01': ['p1'], '02': ['t1'] },
        'Wiskunde 3B < 2026-2027 < 12AB': { '01': ['p1', 'p2'], '02': ['t1'] },
      })
      assert.equal((await plan(f, '2026-11-23')).actions.length, 0, 'a second plan is empty')

      // renamed: same sourcedid, same members; p1 drops Engels
      const idOf = (doc: ParsedIms, title: string) => doc.groups.find((g) => g.short === title)?.id
      const before = idOf((await delivered()).doc, 'Wiskunde 3B')
      await renameWiskundeAndDropEngels(f)
      const renamed = await delivered()
      assert.equal(idOf(renamed.doc, 'Wiskunde A 3B'), before)
      assert.deepEqual(renamed.courses, {
        'Engels 3B < 2026-2027 < 12AB': { '02': ['t1'] },
        'Wiskunde A 3B < 2026-2027 < 12AB': { '01': ['p1', 'p2'], '02': ['t1'] },
      })

      // the turnover: next year's course below next year's school year; last year's archived, still in the file
      await itslearningTurnover(f)
      assert.deepEqual((await delivered()).courses, {
        'Engels 3B < 2026-2027 < 12AB': { '02': ['t1'], ends: '2027-08-01' },
        'Wiskunde 4B < 2027-2028 < 12AB': { '01': ['p1', 'p2'], '02': ['t1'] },
        'Wiskunde A 3B < 2026-2027 < 12AB': {
          '01': ['p1', 'p2'],
          '02': ['t1'],
          ends: '2027-08-01',
        },
      })
      assert.equal((await plan(f, '2027-08-01')).actions.length, 0)
    })
  },
)
