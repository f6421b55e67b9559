// Plan and apply steps the provisioned-group tests (issue 14) share: a plan on a given school day, an apply that
// must leave no failures, the school-year turnover every target goes through, and itslearning's course set.
import assert from 'node:assert/strict'
import type { TargetConnector } from '../../src/contract/index.ts'
import { DEFAULT_GROUP_ID } from '../../src/config/group-schema.ts'
import { applyStoredPlan, approvePlan, makePlan } from '../../src/engine/index.ts'
import type { Action, Person, Plan } from '../../src/model/index.ts'
import type { GroupSetSpec, RuleSpec } from '../../src/rules/index.ts'
import { engineFixture, type Fixture } from './engine-fixture.ts'
import { lesgroep, member, membershipRules } from './lesson-groups.ts'

/** The plan the engine makes on `today` (the fixture's clock is set to it). */
export async function planOn<T extends TargetConnector>(
  f: Fixture<T>,
  today: string,
): Promise<Plan> {
  f.clock.today = today
  const r = await makePlan(f.engine, { actor: 'test' })
  assert.ok(r.ok)
  return r.plan
}

/** Applies plan `p`; every action must succeed. */
export async function applyWithoutFailures<T extends TargetConnector>(
  f: Fixture<T>,
  p: Plan,
): Promise<void> {
  const r = await applyStoredPlan(f.engine, p.id, { actor: 'test' })
  assert.ok(r.ok, r.ok ? '' : r.message)
  assert.deepEqual(r.report.failures, [])
}

const groupKey = (a: Action): string | undefined => ('group' in a ? a.group.key : undefined)

/**
 * The turnover to 2027-2028 of the shared school (wi-3b and en-3b of 2026-2027 become wi-4b): blocked for
 * approval, as archiving last year's groups is guarded, with exactly these group actions.
 */
export function assertTurnoverAwaitsApproval(turnover: Plan): void {
  assert.equal(turnover.status, 'blocked')
  assert.deepEqual(
    turnover.actions
      .filter((a) => a.kind.startsWith('group-'))
      .map((a) => `${a.kind} ${groupKey(a)}`),
    [
      'group-archive 2026-2027/en-3b',
      'group-archive 2026-2027/wi-3b',
      'group-create 2027-2028/wi-4b',
    ],
  )
}

/** itslearning courses: one per lesson group, titled by subject and code, below school and school year. */
export const ITSLEARNING_COURSES: GroupSetSpec = {
  name: 'courses',
  when: 'group.type == "teaching-group"',
  id: DEFAULT_GROUP_ID,
  title: 'group.attributes.subject + " " + group.code',
  type: 'group.type',
  attributes: { school: '"12AB"', schoolYear: 'group.schoolYear', code: 'group.key' },
  deleteAfterDays: null,
}

/** Pupils learners and teachers instructors of their courses. */
export const ITSLEARNING_COURSE_RULES: RuleSpec[] = membershipRules(
  'courses',
  { rule: 'learners', role: 'learner' },
  { rule: 'instructors', role: 'instructor' },
)

/**
 * Mid-year in the shared school: wi-3b is renamed Wiskunde A and p1 drops Engels (en-3b). The plan updates the
 * group and revokes p1's membership, nothing more; it is applied.
 */
export async function renameWiskundeAndDropEngels<T extends TargetConnector>(
  f: Fixture<T>,
): Promise<void> {
  f.groups[0] = lesgroep('wi-3b', 'Wiskunde A', '3B')
  f.persons[0] = { ...(f.persons[0] as Person), memberships: [member('wi-3b')] }
  const changed = await planOn(f, '2026-12-01')
  assert.deepEqual(
    changed.actions.map((a) => `${a.kind} ${a.person}`),
    ['group-update group:2026-2027/wi-3b', 'revoke p1'],
  )
  await applyWithoutFailures(f, changed)
}

/** The engine with itslearning's courses and roles on `target`, persons anchored by syncPersonKey. */
export function itslearningCourseFixture<T extends TargetConnector>(
  target: T,
): Promise<Fixture<T>> {
  return engineFixture({
    target,
    rules: ITSLEARNING_COURSE_RULES,
    provisionGroups: [ITSLEARNING_COURSES],
    guard: { 'group-archive': { maxCount: 50, maxPercent: 10 } },
    mapping: {
      syncPersonKey: 'person.key',
      givenName: 'person.givenName',
      familyName: 'person.familyName',
      institutionRole: 'contract.role',
    },
    anchorAttribute: 'syncPersonKey',
  })
}

/**
 * The itslearning school's turnover to 2027-2028: only wi-4b, with p1 and p2 as pupils and t1 its teacher. The
 * plan waits for approval (archiving is guarded), is approved and applied.
 */
export async function itslearningTurnover<T extends TargetConnector>(f: Fixture<T>): Promise<void> {
  f.groups.splice(0, f.groups.length, lesgroep('wi-4b', 'Wiskunde', '4B', '2027-2028'))
  f.persons[0] = { ...(f.persons[0] as Person), memberships: [member('wi-4b')] }
  f.persons[1] = { ...(f.persons[1] as Person), memberships: [member('wi-4b')] }
  f.persons[2] = { ...(f.persons[2] as Person), memberships: [member('wi-4b', 'teacher')] }
  const turnover = await planOn(f, '2027-08-01')
  assert.equal(turnover.status, 'blocked')
  assert.ok((await approvePlan(f.engine, turnover.id, 'test')).ok)
  await applyWithoutFailures(f, turnover)
}
