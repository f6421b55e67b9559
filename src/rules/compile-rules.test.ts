import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Contract } from '../model/contract.ts'
import type { Person } from '../model/person.ts'
import { compileRules, type RuleSpec } from './compile-rules.ts'
import { RulesError } from './rules-error.ts'
import { contract, person } from './test-fixtures.ts'

const today = '2025-10-01'
const classGroups: RuleSpec = {
  name: 'class-groups',
  when: 'contract.role == "student"',
  grant: [
    {
      permission: {
        target: 'ad',
        type: 'group',
        id: 'contracts.map(c, "cn=" + c.classGroup + ",ou=groups,dc=school,dc=test")',
      },
    },
  ],
}
const rules: RuleSpec[] = [
  {
    name: 'pupils-ad',
    when: 'contract.role == "student" && contract.grade >= 2',
    grant: [{ account: 'ad' }],
  },
  {
    name: 'lwoo',
    when: 'person.attributes["metadata.lwoo"] == true',
    grant: [{ account: 'ad' }, { account: 'lms' }],
  },
  {
    name: 'started',
    when: 'has(contract.start) && contract.start <= today',
    grant: [{ permission: { target: 'lms', type: 'role', id: '"learner"' } }],
  },
  classGroups,
]

describe('compileRules / entitlementsFor', () => {
  const compiled = compileRules(rules)
  const c1 = contract({ id: 'c1', grade: 1, classGroup: '1A', start: '2025-08-01' })
  const c2 = contract({ id: 'c2', grade: 3, classGroup: '3B', start: '2025-11-01' })
  const p = person({ key: 'p7', attributes: { 'metadata.lwoo': true }, contracts: [c1, c2] })

  test('rules in config order, contracts in given order, first grant is the reason', () => {
    const r = compiled.entitlementsFor(p, [c1, c2], today)
    assert.deepEqual(r.issues, [])
    assert.deepEqual(
      r.grants.map((g) => [
        g.entitlement.rule,
        g.entitlement.kind,
        g.entitlement.target,
        g.entitlement.kind === 'permission' ? g.entitlement.id : '',
        g.contract.id,
      ]),
      [
        ['pupils-ad', 'account', 'ad', '', 'c2'],
        ['lwoo', 'account', 'lms', '', 'c1'],
        ['started', 'permission', 'lms', 'learner', 'c1'],
        ['class-groups', 'permission', 'ad', 'cn=1A,ou=groups,dc=school,dc=test', 'c1'],
        ['class-groups', 'permission', 'ad', 'cn=3B,ou=groups,dc=school,dc=test', 'c1'],
      ],
    )
  })

  test('reversing the contracts changes which contract is the reason, not what is granted', () => {
    const r = compiled.entitlementsFor(p, [c2, c1], today)
    assert.equal(r.grants.length, 5)
    assert.equal(
      r.grants.find((g) => g.entitlement.target === 'lms' && g.entitlement.kind === 'account')
        ?.contract.id,
      'c2',
    )
  })

  test('no contracts, no grants', () => {
    assert.deepEqual(compiled.entitlementsFor(p, [], today), { grants: [], issues: [] })
  })

  test('conditions over memberships (macros) and the boolean attribute false', () => {
    const mentor = compileRules([
      {
        name: 'mentor',
        when: 'person.memberships.exists(m, m.role == "mentor")',
        grant: [{ account: 'ad' }],
      },
    ])
    const teacher = person({ memberships: [{ group: 'g', role: 'mentor' }] })
    assert.equal(
      mentor.entitlementsFor(teacher, [contract({ role: 'teacher' })], today).grants.length,
      1,
    )
    assert.equal(
      mentor.entitlementsFor(person(), [contract({ role: 'teacher' })], today).grants.length,
      0,
    )
    const notLwoo = person({ attributes: { 'metadata.lwoo': false } })
    assert.equal(
      compiled
        .entitlementsFor(notLwoo, [c1], today)
        .grants.some((g) => g.entitlement.rule === 'lwoo'),
      false,
    )
  })
})

describe('runtime failures', () => {
  test('an evaluation error is an issue naming rule and person, once per rule', () => {
    const compiled = compileRules([
      { name: 'needs-grade', when: 'contract.grade > 1', grant: [{ account: 'ad' }] },
      { name: 'fine', when: 'true', grant: [{ account: 'lms' }] },
    ])
    const r = compiled.entitlementsFor(
      person({ key: 'p9' }),
      [contract({ id: 'a' }), contract({ id: 'b' })],
      today,
    )
    assert.equal(r.issues.length, 1)
    const [issue] = r.issues
    assert.equal(issue?.code, 'rule_failed')
    assert.equal(issue?.severity, 'error')
    assert.equal(issue?.record, 'p9')
    assert.equal(issue?.field, 'needs-grade')
    assert.match(issue?.message ?? '', /contract a: No such key: grade/)
    assert.deepEqual(
      r.grants.map((g) => g.entitlement.target),
      ['lms'],
    )
  })
  test('a dyn condition that is not a bool at runtime is an issue', () => {
    const r = compileRules([{ name: 'x', when: 'contract.title', grant: [] }]).entitlementsFor(
      person(),
      [contract({ title: 'docent' })],
      today,
    )
    assert.match(r.issues[0]?.message ?? '', /yielded string, not a bool/)
  })
  test('a failing permission id is an issue naming the grant', () => {
    const r = compileRules([
      {
        name: 'g',
        when: 'true',
        grant: [{ permission: { target: 'ad', type: 'group', id: 'contract.classGroup' } }],
      },
    ]).entitlementsFor(person(), [contract()], today)
    assert.match(r.issues[0]?.message ?? '', /grant\[0\]\.permission\.id: No such key: classGroup/)
  })
})

describe('compile errors', () => {
  test('lists every bad expression at once with field, expression and position', () => {
    const specs = [
      { name: 'ok', when: 'contract.role == "student"', grant: [{ account: 'ad' }] },
      { name: 'syntax', when: 'contract.role == ', grant: [] },
      {
        name: 'typo',
        when: 'contarct.role == "x"',
        grant: [{ permission: { target: 'ad', type: 'group', id: 'contract.classGroup +' } }],
      },
      {
        name: 'not-bool',
        when: 'contract.grade + 1',
        grant: [{ permission: { target: '', type: 'group', id: 'true' } }],
      },
      { name: 'ok', when: 'true', grant: [{ nothing: 1 }] },
    ] as unknown as RuleSpec[]
    let error: unknown
    try {
      compileRules(specs)
    } catch (e) {
      error = e
    }
    assert.ok(error instanceof RulesError)
    const summary = error.problems.map((p) => `${p.rule}/${p.field}@${p.position ?? '-'}`)
    assert.deepEqual(summary, [
      'syntax/when@17',
      'typo/when@0',
      'typo/grant[0].permission.id@21',
      'not-bool/when@0',
      'not-bool/grant[0].permission.target@-',
      'not-bool/grant[0].permission.id@0',
      'ok/name@-',
      'ok/grant[0]@-',
    ])
    assert.match(error.problems[1]?.message ?? '', /Unknown variable: contarct/)
    assert.equal(error.problems[1]?.expression, 'contarct.role == "x"')
    assert.match(error.message, /rule "typo", when: Unknown variable/)
  })
})

describe('the verdict cache', () => {
  // A seeded generator so a failure can be reproduced.
  function rng(seed: number) {
    return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  }
  const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
  const specs: RuleSpec[] = [
    {
      name: 'r1',
      when: 'contract.role == "student" && contract.location == "L3" && contract.grade >= 2',
      grant: [{ account: 'ad' }],
    },
    {
      name: 'r2',
      when: 'has(contract.grade) && contract.grade > 4',
      grant: [
        { permission: { target: 'ad', type: 'group', id: '"exam-" + string(contract.grade)' } },
      ],
    },
    {
      name: 'r3',
      when: 'person.attributes["metadata.lwoo"] == true || contract.title.startsWith("docent")',
      grant: [{ account: 'lms' }],
    },
    {
      name: 'r4',
      when: 'contract.start <= today && (!has(contract.end) || contract.end > today)',
      grant: [{ permission: { target: 'lms', type: 'role', id: 'contract.role' } }],
    },
    {
      name: 'r5',
      when: 'contract.department in ["ICT", "Admin"]',
      grant: [
        {
          permission: {
            target: 'ad',
            type: 'group',
            id: 'contract.location + "-" + contract.department',
          },
        },
      ],
    },
    {
      name: 'r6',
      when: 'person.memberships.exists(m, m.role == "mentor")',
      grant: [{ account: 'mentors' }],
    },
  ]
  function randomPerson(r: () => number, i: number): [Person, Contract[]] {
    const contracts = Array.from({ length: 1 + Math.floor(r() * 2) }, (_, j) => {
      const c: Record<string, unknown> = {
        id: `c${i}-${j}`,
        role: pick(r, ['student', 'teacher', 'staff'] as const),
        start: pick(r, ['2025-08-01', '2025-10-01', '2025-12-01']),
      }
      if (r() < 0.8) c.grade = pick(r, [1, 2, 3, 4, 5, 6])
      if (r() < 0.9) c.location = pick(r, ['L1', 'L2', 'L3'])
      if (r() < 0.5) c.end = pick(r, ['2025-09-01', '2026-08-01'])
      if (r() < 0.5) c.title = pick(r, ['docent wiskunde', 'conciërge', 'docent Engels'])
      if (r() < 0.5) c.department = pick(r, ['ICT', 'Admin', 'Bèta'])
      return contract(c as Partial<Contract>)
    })
    const attributes: Record<string, boolean> = r() < 0.5 ? { 'metadata.lwoo': r() < 0.5 } : {}
    const memberships = r() < 0.2 ? [{ group: 'g', role: 'mentor' as const }] : []
    return [person({ key: `p${i}`, attributes, memberships, contracts }), contracts]
  }

  test('cached results equal uncached ones across many random inputs, and the cache is used', () => {
    const cached = compileRules(specs)
    const uncached = compileRules(specs, { cache: false })
    const r = rng(42)
    let issues = 0
    for (let i = 0; i < 3000; i++) {
      const [p, cs] = randomPerson(r, i)
      const day = pick(r, ['2025-07-01', '2025-10-01', '2026-01-01'])
      const a = cached.entitlementsFor(p, cs, day)
      const b = uncached.entitlementsFor(p, cs, day)
      assert.deepEqual(a, b, `person ${i}`)
      issues += a.issues.length
    }
    assert.ok(issues > 0, 'the random inputs should also exercise failures (missing keys)')
    const s = cached.stats()
    const u = uncached.stats()
    assert.equal(u.hits, 0)
    assert.ok(s.hits > s.evaluations * 5, `hits ${s.hits}, evaluations ${s.evaluations}`)
    assert.equal(s.hits + s.evaluations, u.evaluations)
  })

  test('past maxEntries the results stay right and new tuples are evaluated', () => {
    const rules = compileRules(
      [{ name: 'k', when: 'person.key.endsWith("7")', grant: [{ account: 'ad' }] }],
      { maxEntries: 10 },
    )
    const granted = Array.from(
      { length: 100 },
      (_, i) => rules.entitlementsFor(person({ key: `p${i}` }), [contract()], today).grants.length,
    )
    assert.deepEqual(
      granted,
      Array.from({ length: 100 }, (_, i) => (i % 10 === 7 ? 1 : 0)),
    )
    assert.equal(rules.stats().evaluations, 100)
  })
})

describe('compileRules / trace', () => {
  test('every rule on every contract: the verdict, the condition and the paths it reads; an error is a verdict', () => {
    const compiled = compileRules([
      ...rules,
      { name: 'broken', when: 'int(contract.classGroup) > 1', grant: [{ account: 'ad' }] },
    ])
    const c1 = contract({ id: 'c1', grade: 1, classGroup: '1A', start: '2025-08-01' })
    const p = person({ key: 'p7', contracts: [c1] })
    const t = compiled.trace(p, [c1], today)
    assert.deepEqual(
      t.map((v) => [
        v.rule,
        v.contract.id,
        typeof v.verdict === 'object' ? 'error' : v.verdict,
        v.reads.map((r) => r.join('.')),
      ]),
      [
        ['pupils-ad', 'c1', false, ['contract.role', 'contract.grade']],
        // the attribute is absent: CEL's "no such key" is what the admin sees
        ['lwoo', 'c1', 'error', ['person.attributes.metadata.lwoo']],
        ['started', 'c1', true, ['contract.start', 'today']],
        ['class-groups', 'c1', true, ['contract.role']],
        ['broken', 'c1', 'error', ['contract.classGroup']],
      ],
    )
    assert.equal(t[0]?.when, 'contract.role == "student" && contract.grade >= 2')
  })
})

describe('compileRules: rules per membership', () => {
  const learners: RuleSpec = {
    name: 'learners',
    for: 'membership',
    when: 'membership.role == "student" && group.type == "teaching-group" && contract.role == "student"',
    grant: [{ member: { target: 'lms', groups: 'courses', role: 'learner' } }],
  }
  const problems = (specs: RuleSpec[]) => {
    try {
      compileRules(specs)
      return []
    } catch (e) {
      return (e as RulesError).problems.map((p) => `${p.rule} ${p.field}: ${p.message}`)
    }
  }

  test('one grant per membership that matches, with the source membership; deduplicated; the contract rules do not see them', () => {
    const compiled = compileRules([
      { name: 'accounts', when: 'true', grant: [{ account: 'lms' }] },
      learners,
    ])
    assert.equal(compiled.perMembership, true)
    const c = contract()
    const wi = {
      kind: 'group' as const,
      key: 'wi-3b',
      type: 'teaching-group' as const,
      name: 'wi-3b',
      attributes: {},
    }
    const klas = {
      kind: 'group' as const,
      key: '3B',
      type: 'class' as const,
      name: '3B',
      attributes: {},
    }
    const memberships = [
      { membership: { group: 'wi-3b', role: 'student' as const }, group: wi },
      { membership: { group: '3B', role: 'student' as const }, group: klas },
      { membership: { group: 'wi-3b', role: 'student' as const, start: '2025-08-01' }, group: wi },
    ]
    const r = compiled.membershipGrantsFor(person(), c, [c], memberships, today)
    assert.deepEqual(r.issues, [])
    assert.deepEqual(
      r.grants.map((g) => [
        g.entitlement.group,
        g.entitlement.role,
        g.entitlement.sourceRole,
        g.entitlement.rule,
      ]),
      [['wi-3b', 'learner', 'student', 'learners']],
    )
    assert.deepEqual(
      compiled.entitlementsFor(person(), [c], today).grants.map((g) => g.entitlement.kind),
      ['account'],
    )
  })

  test('an evaluation error names the rule, the person and the group', () => {
    const compiled = compileRules([{ ...learners, when: 'group.attributes.level == "havo"' }])
    const c = contract()
    const r = compiled.membershipGrantsFor(
      person({ key: 'p9' }),
      c,
      [c],
      [
        {
          membership: { group: 'wi-3b', role: 'student' },
          group: {
            kind: 'group',
            key: 'wi-3b',
            type: 'teaching-group',
            name: 'wi-3b',
            attributes: {},
          },
        },
      ],
      today,
    )
    assert.equal(r.issues.length, 1)
    assert.equal(r.issues[0]?.record, 'p9')
    assert.match(r.issues[0]?.message ?? '', /rule "learners" failed for membership of group wi-3b/)
  })

  test('membership and group only in rules for: membership; a member grant only there; such a rule grants members only', () => {
    assert.deepEqual(
      problems([{ name: 'x', when: 'membership.role == "student"', grant: [{ account: 'lms' }] }]),
      ['x when: membership is only set in rules with for: membership'],
    )
    assert.deepEqual(
      problems([
        {
          name: 'y',
          when: 'true',
          grant: [{ member: { target: 'lms', groups: 'courses', role: 'learner' } }],
        },
      ]),
      ['y grant[0].member: a member grant needs for: membership'],
    )
    assert.deepEqual(problems([{ ...learners, grant: [{ account: 'lms' }] }]), [
      'learners grant: a rule with for: membership grants only member: { target, groups, role }',
    ])
    assert.deepEqual(problems([{ ...learners, when: 'group.nam == "x"' }]), [
      'learners when: group.nam is not a field of group; did you mean group.name?',
    ])
  })
})
