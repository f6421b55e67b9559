// Groups and courses as provisioned objects (issue 14) through the real engine (rules, SQLite store, plan,
// guard, apply) against the in-memory target with groups: lesson groups created with their titles before their
// members are granted, per-membership rules, a pupil who drops a subject, a rename, a teacher replaced, the
// school-year turnover archiving last year's groups as one guarded plan, and a same-named unmanaged group.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { DEFAULT_GROUP_ID } from '../src/config/group-schema.ts'
import { applyStoredPlan, approvePlan, explainPerson, makePlan } from '../src/engine/index.ts'
import type { Action, Membership, Person, Plan } from '../src/model/index.ts'
import type { GroupSetSpec, RuleSpec } from '../src/rules/index.ts'
import { lesgroep, member, membershipRules, teacher } from './support/lesson-groups.ts'
import { engineFixture, pupil } from './support/engine-fixture.ts'
import type { Fixture } from './support/engine-fixture.ts'
import { MemoryGroupTarget } from './support/memory-group-target.ts'

const perm = (a: Action): string | undefined => ('permission' in a ? a.permission : undefined)
const groupKey = (a: Action): string | undefined => ('group' in a ? a.group.key : undefined)

let fx: Fixture | undefined
afterEach(async () => {
  await fx?.cleanup()
  fx = undefined
})

const LESGROEPEN: GroupSetSpec = {
  name: 'lesgroepen',
  when: 'group.type == "teaching-group"',
  id: DEFAULT_GROUP_ID,
  title: 'group.attributes.subject + " " + group.code',
  type: 'group.type',
  attributes: {},
  deleteAfterDays: 30,
}

const RULES: RuleSpec[] = membershipRules(
  'lesgroepen',
  { rule: 'learners', role: 'member' },
  { rule: 'instructors', role: 'owner' },
)

function withMemberships(p: Person, memberships: Membership[]): Person {
  return { ...p, memberships }
}

async function plan(f: Fixture, today = '2026-11-23'): Promise<Plan> {
  f.clock.today = today
  const r = await makePlan(f.engine, { actor: 'test' })
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.issues))
  return r.plan
}

async function apply(f: Fixture, p: Plan): Promise<void> {
  const r = await applyStoredPlan(f.engine, p.id, { actor: 'test' })
  assert.ok(r.ok, r.ok ? '' : r.message)
  assert.deepEqual(r.report.failures, [])
}

const summary = (p: Plan) =>
  p.actions.map((a) => `${a.kind} ${a.person}${perm(a) !== undefined ? ` ${perm(a)}` : ''}`)

async function school(): Promise<{ fx: Fixture; target: MemoryGroupTarget }> {
  const target = new MemoryGroupTarget('dir')
  const f = await engineFixture({
    target,
    rules: RULES,
    provisionGroups: [LESGROEPEN],
    guard: { 'group-archive': { maxCount: 50, maxPercent: 10 } },
  })
  f.groups.push(lesgroep('wi-3b', 'Wiskunde', '3B'), lesgroep('en-3b', 'Engels', '3B'), {
    kind: 'group',
    key: '3B',
    type: 'class',
    name: '3B',
    schoolYear: '2026-2027',
    attributes: {},
  })
  f.persons.push(
    withMemberships(pupil('p1', 'Anna', 'Bakker', '3B'), [
      member('wi-3b'),
      member('en-3b'),
      member('3B'),
    ]),
    withMemberships(pupil('p2', 'Bram', 'Smit', '3B'), [member('wi-3b'), member('3B')]),
    teacher('t1', 'Tessa', 'Visser', [member('wi-3b', 'teacher'), member('en-3b', 'teacher')]),
  )
  return { fx: f, target }
}

describe('engine: provisioned groups and per-membership rules', () => {
  test('lesson groups are created with their titles before their members; every pupil in exactly her groups; a second plan is empty', async () => {
    const s = await school()
    fx = s.fx
    const p1 = await plan(fx)
    const creates = p1.actions.filter((a) => a.kind === 'group-create')
    assert.deepEqual(
      creates.map((a) => [groupKey(a), a.label]),
      [
        ['2026-2027/en-3b', 'Engels 3B'],
        ['2026-2027/wi-3b', 'Wiskunde 3B'],
      ],
    )
    assert.equal(creates[0]?.reason.detail, 'new teaching-group en-3b (2026-2027) in the source')
    // the class 3B is not selected by the set: no group, no membership
    assert.ok(!p1.actions.some((a) => perm(a)?.endsWith('/3B') === true))
    const grant = p1.actions.find((a) => a.kind === 'grant' && a.person === 'p2')
    assert.equal(grant && perm(grant), 'member@2026-2027/wi-3b')
    assert.deepEqual(grant?.reason.membership, { group: 'wi-3b', role: 'student' })
    assert.equal(grant?.reason.rule, 'learners')
    assert.match(
      grant?.reason.detail ?? '',
      /student of wi-3b in the source; granted by rule "learners"/,
    )
    assert.equal(p1.status, 'planned')
    await apply(fx, p1)

    const wi = s.target.byTitle('Wiskunde 3B')
    const en = s.target.byTitle('Engels 3B')
    assert.ok(wi !== undefined && en !== undefined)
    assert.deepEqual(s.target.membersOf(wi), ['p1', 'p2'])
    assert.deepEqual(s.target.membersOf(en), ['p1'])
    assert.deepEqual(s.target.membersOf(wi, 'owner'), ['t1'])
    assert.deepEqual(s.target.membersOf(en, 'owner'), ['t1'])
    assert.equal(wi.key, '2026-2027/wi-3b')

    const groups = await fx.engine.store.listGroups('dir')
    assert.deepEqual(
      groups.map((g) => [g.key, g.state, g.locator]),
      [
        ['2026-2027/en-3b', 'active', 'cn=Engels 3B,ou=groups'],
        ['2026-2027/wi-3b', 'active', 'cn=Wiskunde 3B,ou=groups'],
      ],
    )
    const audit = await fx.engine.store.listAudit({ kind: 'action', limit: 100 })
    assert.ok(
      audit.some(
        (e) => e.data?.['kind'] === 'group-create' && e.data['group'] === '2026-2027/wi-3b',
      ),
    )

    const p2 = await plan(fx)
    assert.deepEqual(summary(p2), [])
  })

  test('explain says which membership granted which group', async () => {
    const s = await school()
    fx = s.fx
    const r = await explainPerson(fx.engine, 'bakker')
    assert.equal(r.kind, 'found')
    const dir =
      r.kind === 'found' ? r.explanation.targets.find((t) => t.target === 'dir') : undefined
    assert.deepEqual(
      dir?.permissions.map((p) => [
        p.type,
        p.id,
        p.rule,
        p.membership?.group,
        p.membership?.role,
        p.held,
      ]),
      [
        ['group-membership', 'member@2026-2027/wi-3b', 'learners', 'wi-3b', 'student', false],
        ['group-membership', 'member@2026-2027/en-3b', 'learners', 'en-3b', 'student', false],
      ],
    )
  })

  test('a pupil who drops a subject leaves that one group; nothing else changes', async () => {
    const s = await school()
    fx = s.fx
    await apply(fx, await plan(fx))
    const i = fx.persons.findIndex((p) => p.key === 'p1')
    fx.persons[i] = withMemberships(fx.persons[i] as Person, [member('wi-3b'), member('3B')])
    const p = await plan(fx)
    assert.deepEqual(summary(p), ['revoke p1 member@2026-2027/en-3b'])
    assert.match(
      p.actions[0]?.reason.detail ?? '',
      /no active membership in the source grants member of 2026-2027\/en-3b/,
    )
    await apply(fx, p)
    assert.deepEqual(s.target.membersOf(s.target.byTitle('Engels 3B') as never), [])
    assert.deepEqual(s.target.membersOf(s.target.byTitle('Wiskunde 3B') as never), ['p1', 'p2'])
    assert.deepEqual(summary(await plan(fx)), [])
  })

  test('an ended membership counts as dropped on its end day (end exclusive)', async () => {
    const s = await school()
    fx = s.fx
    await apply(fx, await plan(fx))
    const i = fx.persons.findIndex((p) => p.key === 'p2')
    fx.persons[i] = withMemberships(fx.persons[i] as Person, [
      member('wi-3b', 'student', { end: '2026-12-01' }),
    ])
    assert.deepEqual(summary(await plan(fx, '2026-11-30')), [])
    assert.deepEqual(summary(await plan(fx, '2026-12-01')), ['revoke p2 member@2026-2027/wi-3b'])
  })

  test('a lesson group renamed in the source is renamed in the target: same sync key, same members', async () => {
    const s = await school()
    fx = s.fx
    await apply(fx, await plan(fx))
    const before = s.target.byTitle('Wiskunde 3B')
    fx.groups[0] = lesgroep('wi-3b', 'Wiskunde A', '3B')
    const p = await plan(fx)
    assert.deepEqual(summary(p), ['group-update group:2026-2027/wi-3b'])
    assert.equal(p.actions[0]?.reason.detail, 'renamed: Wiskunde 3B → Wiskunde A 3B')
    await apply(fx, p)
    const after = s.target.byTitle('Wiskunde A 3B')
    assert.equal(after?.id, before?.id)
    assert.equal(after?.key, '2026-2027/wi-3b')
    assert.deepEqual(s.target.membersOf(after as never), ['p1', 'p2'])
    assert.equal(
      (await fx.engine.store.listGroups('dir')).find((g) => g.key === '2026-2027/wi-3b')?.locator,
      'cn=Wiskunde A 3B,ou=groups',
    )
    assert.deepEqual(summary(await plan(fx)), [])
  })

  test('a plan made before another apply changed the groups is stale', async () => {
    const s = await school()
    fx = s.fx
    await apply(fx, await plan(fx))
    fx.groups[0] = lesgroep('wi-3b', 'Wiskunde A', '3B')
    const first = await plan(fx)
    const i = fx.persons.findIndex((p) => p.key === 'p1')
    fx.persons[i] = withMemberships(fx.persons[i] as Person, [member('wi-3b')])
    const second = await plan(fx)
    assert.deepEqual(summary(second), [
      'group-update group:2026-2027/wi-3b',
      'revoke p1 member@2026-2027/en-3b',
    ])
    await apply(fx, first)
    // the lifecycle supersedes a waiting plan when an apply changes the ledger
    const superseded = await applyStoredPlan(fx.engine, second.id, { actor: 'test' })
    assert.match(superseded.ok ? '' : superseded.message, /is superseded/)
    // and a plan stored by a process that missed that (stored just after the supersede) is stale by its inputs
    await fx.engine.store.setPlanStatus(second.id, 'planned')
    const r = await applyStoredPlan(fx.engine, second.id, { actor: 'test' })
    assert.equal(r.ok, false)
    assert.match(r.ok ? '' : r.message, /older group ledger/)
  })

  test('a teacher replaced: the instructor is swapped', async () => {
    const s = await school()
    fx = s.fx
    await apply(fx, await plan(fx))
    const i = fx.persons.findIndex((p) => p.key === 't1')
    fx.persons[i] = withMemberships(fx.persons[i] as Person, [member('en-3b', 'teacher')])
    fx.persons.push(teacher('t2', 'Wim', 'Jansen', [member('wi-3b', 'teacher')]))
    const p = await plan(fx)
    assert.deepEqual(summary(p), [
      'revoke t1 owner@2026-2027/wi-3b',
      'create t2',
      'grant t2 owner@2026-2027/wi-3b',
    ])
    await apply(fx, p)
    assert.deepEqual(s.target.membersOf(s.target.byTitle('Wiskunde 3B') as never, 'owner'), ['t2'])
    assert.deepEqual(s.target.membersOf(s.target.byTitle('Engels 3B') as never, 'owner'), ['t1'])
  })

  test("the turnover: next year's groups created, last year's archived with their members, as one plan the guard blocks until approved", async () => {
    const s = await school()
    fx = s.fx
    await apply(fx, await plan(fx))
    // the source's new school year: new lesson groups, new memberships, last year's gone
    fx.groups.splice(0, fx.groups.length, lesgroep('wi-4b', 'Wiskunde', '4B', '2027-2028'))
    for (let i = 0; i < fx.persons.length; i++) {
      const p = fx.persons[i] as Person
      fx.persons[i] = withMemberships(
        p,
        p.key === 't1' ? [member('wi-4b', 'teacher')] : [member('wi-4b')],
      )
    }
    const p = await plan(fx, '2027-08-01')
    assert.deepEqual(
      summary(p).filter((a) => a.startsWith('group-')),
      [
        'group-archive group:2026-2027/en-3b',
        'group-archive group:2026-2027/wi-3b',
        'group-create group:2027-2028/wi-4b',
      ],
    )
    // the archived groups keep their members: no revokes for them
    assert.ok(!p.actions.some((a) => a.kind === 'revoke'))
    assert.equal(p.status, 'blocked')
    assert.deepEqual(
      p.findings.map((f) => f.kind),
      ['group-archive'],
    )
    assert.match(
      p.findings[0]?.message ?? '',
      /2 group-archive actions are 100\.0% of the 2 groups in dir/,
    )
    assert.ok((await approvePlan(fx.engine, p.id, 'test')).ok)
    await apply(fx, p)
    const archived = [...s.target.groups.values()]
      .filter((g) => g.archived)
      .map((g) => g.title)
      .sort()
    assert.deepEqual(archived, ['Engels 3B', 'Wiskunde 3B'])
    assert.deepEqual(
      s.target.membersOf(
        [...s.target.groups.values()].find((g) => g.title === 'Wiskunde 3B') as never,
      ),
      ['p1', 'p2'],
    )
    assert.deepEqual(s.target.membersOf(s.target.byTitle('Wiskunde 4B') as never), ['p1', 'p2'])
    assert.deepEqual(summary(await plan(fx, '2027-08-01')), [])
    // the set's grace of 30 days: then the archived groups are deleted, and the memberships tidied in the ledger
    const later = await plan(fx, '2027-08-31')
    assert.deepEqual(
      summary(later).filter((a) => a.startsWith('group-')),
      ['group-delete group:2026-2027/en-3b', 'group-delete group:2026-2027/wi-3b'],
    )
  })

  test("a hold window holds group kinds too, and says so in the plan's notes", async () => {
    const target = new MemoryGroupTarget('dir')
    fx = await engineFixture({
      target,
      rules: RULES,
      provisionGroups: [LESGROEPEN],
      lifecycle: { holds: [{ from: '07-15', to: '08-31', kinds: ['group-archive'] }] },
    })
    fx.groups.push(lesgroep('wi-3b', 'Wiskunde', '3B'))
    fx.persons.push(withMemberships(pupil('p1', 'Anna', 'Bakker', '3B'), [member('wi-3b')]))
    await apply(fx, await plan(fx))
    fx.groups.splice(0, 1, lesgroep('wi-4b', 'Wiskunde', '4B', '2027-2028'))
    fx.persons[0] = withMemberships(fx.persons[0] as Person, [member('wi-4b')])
    const held = await plan(fx, '2027-08-01')
    assert.deepEqual(
      summary(held).filter((a) => a.startsWith('group-')),
      ['group-create group:2027-2028/wi-4b'],
    )
    assert.ok(
      held.notes.some((n) => /1 group-archive action\(s\) held back/.test(n)),
      held.notes.join('\n'),
    )
    const after = await plan(fx, '2027-09-01')
    assert.deepEqual(
      summary(after).filter((a) => a.startsWith('group-')),
      ['group-archive group:2026-2027/wi-3b', 'group-create group:2027-2028/wi-4b'],
    )
  })

  test('a course group is created after its parent course, below it', async () => {
    const target = new MemoryGroupTarget('dir')
    const sets: GroupSetSpec[] = [
      { ...LESGROEPEN, name: 'courses', when: 'group.type == "course"', title: 'group.name' },
      {
        ...LESGROEPEN,
        when: 'group.type == "teaching-group"',
        parent: '(has(group.schoolYear) ? group.schoolYear + "/" : "") + group.parent',
      },
    ]
    fx = await engineFixture({ target, rules: RULES, provisionGroups: sets })
    // the child sorts before its parent by key: the order comes from `after`, not from the plan's order
    fx.groups.push(
      { ...lesgroep('a-wi-3b', 'Wiskunde', '3B'), parent: 'wiskunde' },
      {
        kind: 'group',
        key: 'wiskunde',
        type: 'course',
        name: 'Wiskunde',
        schoolYear: '2026-2027',
        attributes: {},
      },
    )
    fx.persons.push(withMemberships(pupil('p1', 'Anna', 'Bakker', '3B'), [member('a-wi-3b')]))
    const p = await plan(fx)
    const child = p.actions.find((a) => groupKey(a) === '2026-2027/a-wi-3b')
    assert.equal(child?.after, 'dir/group:2026-2027/wiskunde/group-create')
    await apply(fx, p)
    const course = target.byTitle('Wiskunde')
    const group = target.byTitle('Wiskunde 3B')
    assert.ok(course !== undefined && group !== undefined)
    assert.equal(group.parent, course.id)
    assert.deepEqual(target.membersOf(group), ['p1'])
  })

  test('a same-named group Koppel does not manage is a conflict: never overwritten, its members not granted', async () => {
    const s = await school()
    fx = s.fx
    s.target.groups.set('theirs', {
      id: 'theirs',
      title: 'Engels 3B',
      attributes: {},
      archived: false,
      members: new Map(),
    })
    fx.clock.today = '2026-11-23'
    const made = await makePlan(fx.engine, { actor: 'test' })
    assert.ok(made.ok)
    const r = await applyStoredPlan(fx.engine, made.plan.id, { actor: 'test' })
    assert.ok(r.ok)
    const failed = r.report.failures.map((f) => f.action)
    assert.ok(
      failed.includes('dir/group:2026-2027/en-3b/group-create'),
      JSON.stringify(r.report.failures),
    )
    assert.match(
      r.report.failures.find((f) => f.action.endsWith('group-create'))?.message ?? '',
      /not Koppel's/,
    )
    assert.equal(s.target.groups.get('theirs')?.members.size, 0)
    assert.deepEqual(
      (await fx.engine.store.listGroups('dir')).map((g) => g.key),
      ['2026-2027/wi-3b'],
    )
  })

  test('a group whose title fails is named in the issues, and nothing is archived meanwhile', async () => {
    const s = await school()
    fx = s.fx
    await apply(fx, await plan(fx))
    fx.groups[1] = { ...lesgroep('en-3b', 'Engels', '3B'), attributes: {} }
    const p = await plan(fx)
    assert.deepEqual(
      p.issues.map((i) => [i.code, i.record, i.field]),
      [['group_failed', 'group en-3b', 'provisionGroups.lesgroepen.title']],
    )
    assert.ok(!p.actions.some((a) => a.kind === 'group-archive'))
  })
})
