import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { compileMapping, rootFieldsRead, type MappingSpec } from './compile-mapping.ts'
import { RulesError } from './rules-error.ts'
import { contract, memoryOracle, person } from './test-fixtures.ts'

const today = '2025-10-01'
const ad: MappingSpec = {
  sAMAccountName: {
    candidates: [
      'slug(left(givenName(person), 1) + "." + familyName(person))',
      'slug(givenName(person) + "." + familyName(person))',
    ],
    unique: true,
    once: true,
    maxLength: 20,
    lowercase: true,
  },
  cn: 'fullName(person)',
  sn: 'familyName(person)',
  displayName: 'sortName(person)',
  initials: 'initials(person)',
  mail: 'account.sAMAccountName + "@school.test"',
  dn: '"cn=" + account.cn + ",ou=" + contract.location + ",dc=school,dc=test"',
  memberOf: 'contracts.map(c, "cn=" + c.classGroup + ",ou=groups,dc=school,dc=test")',
  employeeType: 'contract.role',
  gradeLevel: 'has(contract.grade) ? contract.grade : null',
  title: { value: 'coalesce(contract.title, "")' },
}

const c3b = contract({ id: 'c1', location: 'L3', grade: 3, classGroup: '3B' })
const anna = person({
  key: 'p1',
  givenName: 'Anna',
  familyNamePrefix: 'van den',
  familyName: 'Berg',
  partnerNamePrefix: 'de',
  partnerName: 'Vries',
  nameConvention: 'BP',
})
const input = (p = anna, over = {}) => ({
  person: p,
  contract: c3b,
  contracts: [c3b],
  today,
  ...over,
})

describe('compileMapping', () => {
  const m = compileMapping('ad', ad)

  test('lists attributes in evaluation order and the unique / once ones', () => {
    assert.deepEqual(m.attributes, Object.keys(ad))
    assert.deepEqual(m.uniqueAttributes, ['sAMAccountName'])
    assert.deepEqual(m.onceAttributes, ['sAMAccountName'])
  })

  test('evaluates names, reads earlier attributes via account, lists and ints', () => {
    const r = m.evaluate(input(), memoryOracle())
    assert.deepEqual(r.issues, [])
    assert.deepEqual(r.attributes, {
      sAMAccountName: 'a.vandenberg-devries',
      cn: 'Anna van den Berg-de Vries',
      sn: 'van den Berg-de Vries',
      displayName: 'Berg-de Vries, Anna van den',
      initials: 'A.',
      mail: 'a.vandenberg-devries@school.test',
      dn: 'cn=Anna van den Berg-de Vries,ou=L3,dc=school,dc=test',
      memberOf: ['cn=3B,ou=groups,dc=school,dc=test'],
      employeeType: 'student',
      gradeLevel: '3',
    })
  })

  test('uniqueness: next candidate, then the first one iterated within maxLength', () => {
    const o = memoryOracle()
    const twin = (key: string) => person({ ...anna, key })
    const uid = (key: string) => m.evaluate(input(twin(key)), o).attributes.sAMAccountName
    assert.deepEqual(['p1', 'p2', 'p3', 'p4'].map(uid), [
      'a.vandenberg-devries',
      'anna.vandenberg-devr',
      'a.vandenberg-devrie2',
      'a.vandenberg-devrie3',
    ])
    // the same person again keeps what it holds
    assert.equal(uid('p2'), 'anna.vandenberg-devr')
  })

  test('keep: once-values from the ledger are used as-is and still claimed', () => {
    const o = memoryOracle()
    const r = m.evaluate(input(anna, { keep: { sAMAccountName: 'ANNA.OLD' } }), o)
    assert.equal(r.attributes.sAMAccountName, 'ANNA.OLD')
    assert.equal(r.attributes.mail, 'ANNA.OLD@school.test')
    assert.equal(o.isTaken('sAMAccountName', 'anna.old', 'someone-else'), true)
    assert.deepEqual(r.issues, [])
  })

  test('keep: a kept value another account holds is a warning, not a change', () => {
    const r = m.evaluate(
      input(anna, { keep: { sAMAccountName: 'x' } }),
      memoryOracle({ sAMAccountName: { X: 'p2' } }),
    )
    assert.equal(r.attributes.sAMAccountName, 'x')
    assert.deepEqual(
      r.issues.map((i) => [i.severity, i.code, i.field]),
      [['warning', 'unique_conflict', 'sAMAccountName']],
    )
  })

  test('null and empty results leave the attribute out', () => {
    const r = m.evaluate(input(anna, { contract: contract({ location: 'L1' }) }), memoryOracle())
    assert.equal('gradeLevel' in r.attributes, false)
    assert.equal('title' in r.attributes, false)
  })

  test('a runtime error is an issue; attributes built on it are skipped silently', () => {
    const r = m.evaluate(input(anna, { contract: contract({ grade: 2 }) }), memoryOracle())
    assert.deepEqual(
      r.issues.map((i) => [i.code, i.record, i.field]),
      [['mapping_failed', 'p1', 'dn']],
    )
    assert.match(r.issues[0]?.message ?? '', /No such key: location/)
    assert.equal('dn' in r.attributes, false)
    assert.equal(r.attributes.cn, 'Anna van den Berg-de Vries')
  })

  test('an exhausted unique attribute is an issue naming person and attribute, and its dependants are left out', () => {
    const small = compileMapping('t', {
      uid: { value: '"a"', unique: true, maxLength: 2, pattern: '^a' },
      mail: 'account.uid + "@x"',
    })
    const o = memoryOracle({
      uid: Object.fromEntries(
        ['a', ...Array.from({ length: 8 }, (_, i) => `a${i + 2}`)].map((v) => [v, 'x']),
      ),
    })
    const r = small.evaluate(input(), o)
    assert.deepEqual(r.attributes, {})
    assert.deepEqual(
      r.issues.map((i) => [i.code, i.record, i.field]),
      [['mapping_failed', 'p1', 'uid']],
    )
    assert.match(r.issues[0]?.message ?? '', /does not fit in 2 characters/)
  })

  test('a failing candidate stops the choice and claims nothing', () => {
    const failing = compileMapping('t', {
      uid: { candidates: ['"taken"', 'person.email'], unique: true },
    })
    const o = memoryOracle({ uid: { taken: 'x' } })
    const r = failing.evaluate(input(), o)
    assert.match(r.issues[0]?.message ?? '', /candidate 2: No such key: email/)
    assert.equal(o.held.size, 1)
  })

  test('a list for a unique attribute is an issue', () => {
    const r = compileMapping('t', { uid: { value: '["a", "b"]', unique: true } }).evaluate(
      input(),
      memoryOracle(),
    )
    assert.match(r.issues[0]?.message ?? '', /yielded a list/)
  })

  test('lowercase and maxLength on plain attributes', () => {
    const r = compileMapping('t', {
      x: { value: 'fullName(person)', lowercase: true, maxLength: 8 },
    }).evaluate(input(), memoryOracle())
    assert.deepEqual(r.attributes, { x: 'anna van' })
  })

  test('contract-only expressions are cached across persons without changing results', () => {
    const spec: MappingSpec = { ou: '"ou=" + contract.location', cn: 'fullName(person)' }
    const cached = compileMapping('t', spec)
    const plain = compileMapping('t', spec, { cache: false })
    for (let i = 0; i < 50; i++) {
      const p = person({ key: `p${i}`, givenName: `N${i}` })
      const inp = input(p, { contract: contract({ location: `L${i % 3}` }) })
      assert.deepEqual(cached.evaluate(inp, memoryOracle()), plain.evaluate(inp, memoryOracle()))
    }
    assert.equal(cached.stats().hits, 47)
  })

  test('attributes with the same expression evaluate it once per person, each shaped on its own', () => {
    const spec: MappingSpec = {
      cn: 'fullName(person)',
      displayName: 'fullName(person)',
      short: { value: 'fullName(person)', maxLength: 4 },
      mail: 'account.cn + "@x"',
      alias: 'account.cn + "@x"',
    }
    const m = compileMapping('t', spec)
    const r = m.evaluate(input(), memoryOracle())
    assert.deepEqual(r.attributes, {
      cn: 'Anna van den Berg-de Vries',
      displayName: 'Anna van den Berg-de Vries',
      short: 'Anna',
      mail: 'Anna van den Berg-de Vries@x',
      alias: 'Anna van den Berg-de Vries@x',
    })
    // fullName once (the others are shared hits); the account-reading expressions are never shared
    assert.deepEqual(m.stats(), { evaluations: 3, hits: 2 })
    m.evaluate(input(person({ key: 'p2', givenName: 'Bo', familyName: 'Ek' })), memoryOracle())
    assert.deepEqual(m.stats(), { evaluations: 6, hits: 4 })
  })
})

describe('mapping compile errors', () => {
  test('lists every problem with target, attribute, field, expression and position', () => {
    let error: unknown
    try {
      compileMapping('ad', {
        dn: '"cn=" + account.uid',
        uid: {
          candidates: ['slug(person.familyName)', 'left(person.givenName'],
          unique: true,
          iterate: '{value}',
        },
        cn: { value: 'fullName(person)', candidates: [] },
        x: { value: 'person', maxLength: -1, uniqe: true },
        ok: 'account.ok',
      } as unknown as MappingSpec)
    } catch (e) {
      error = e
    }
    assert.ok(error instanceof RulesError)
    assert.deepEqual(
      error.problems.map((p) => `${p.target}/${p.attribute}/${p.field}@${p.position ?? '-'}`),
      [
        'ad/dn/value@-',
        'ad/uid/iterate@-',
        'ad/uid/candidates[1]@21',
        'ad/cn/value@-',
        'ad/x/uniqe@-',
        'ad/x/maxLength@-',
        'ad/x/value@0',
        'ad/ok/value@-',
      ],
    )
    assert.match(error.problems[0]?.message ?? '', /account\.uid, which is not computed before/)
    assert.match(error.problems[6]?.message ?? '', /not map/)
    assert.match(error.problems[7]?.message ?? '', /its own value/)
  })
})

describe('degenerate usernames (issue 11.6)', () => {
  const usernames = compileMapping('ldap', {
    uid: {
      candidates: [
        'slug(person.givenName) + "." + slug(familyName(person))',
        'slug(familyName(person))',
      ],
      unique: true,
    },
    mail: 'account.uid + "@school.test"',
  })
  const named = (givenName: string, familyName: string, familyNamePrefix?: string) =>
    usernames.evaluate(
      input(
        person({
          key: 'p9',
          givenName,
          familyName,
          ...(familyNamePrefix !== undefined ? { familyNamePrefix } : {}),
        }),
      ),
      memoryOracle(),
    )

  test('emoji-only, symbols-only and empty names are reported for the person instead of inventing ".", ".2", ".van"', () => {
    const first = compileMapping('t', {
      uid: {
        candidates: ['slug(person.givenName) + "." + slug(familyName(person))'],
        unique: true,
      },
    })
    const dotVan = first.evaluate(
      input(person({ givenName: '*', familyName: '*', familyNamePrefix: 'van' })),
      memoryOracle(),
    )
    assert.match(dotVan.issues[0]?.message ?? '', /no candidate matches the pattern .*: "\.van"$/)
    for (const [given, family] of [
      ['😀', '🎉'],
      ['* *', '* *'],
      ['', '.'],
      ['Eva', '😀'],
    ] as const) {
      const r = named(given, family)
      assert.deepEqual(r.attributes, {}, `${given} ${family}`)
      assert.deepEqual(
        r.issues.map((i) => [i.code, i.record, i.field]),
        [['mapping_failed', 'p9', 'uid']],
      )
      assert.match(r.issues[0]?.message ?? '', /no candidate matches the pattern \^\\p\{L\}/)
    }
  })

  test('CJK and Cyrillic names are transliterated, not cut: 张伟 → wei.zhang... and Аnna → anna.jansen', () => {
    assert.equal(named('\u0410nna', 'Jansen').attributes.uid, 'anna.jansen')
    assert.equal(named('伟', '张').attributes.uid, 'wei.zhang')
  })

  test('a later candidate is used when the first does not match; a configured pattern replaces the default', () => {
    assert.equal(named('😀', 'Bos').attributes.uid, 'bos')
    const digits = compileMapping('t', {
      employeeId: { value: 'person.key', unique: true, pattern: '^p[0-9]+$' },
    })
    assert.equal(
      digits.evaluate(input(person({ key: 'p12' })), memoryOracle()).attributes.employeeId,
      'p12',
    )
    const plain = compileMapping('t', { code: { value: '"x!"', pattern: '^[a-z]+$' } }).evaluate(
      input(),
      memoryOracle(),
    )
    assert.match(plain.issues[0]?.message ?? '', /"x!" does not match the pattern/)
    assert.throws(() => compileMapping('t', { uid: { value: '"a"', pattern: '(' } }), RulesError)
  })
})

describe('the CEL view of the person holds the fields the mapping reads (issue 17)', () => {
  const narrow: MappingSpec = {
    cn: 'fullName(person)',
    mail: 'has(person.email) ? person.email : "none"',
    grades: 'person.contracts.map(c, has(c.grade) ? string(c.grade + 1) : "-")',
    groups: 'person.memberships.map(m, m.group)',
    lang: 'has(person.attributes.lang) ? person.attributes.lang : "nl"',
  }
  // one bare `person` makes every expression of the mapping see the whole person, as before the projection
  const whole = compileMapping('whole', { ...narrow, all: 'size(person) > 0 ? "y" : "n"' })
  const projected = compileMapping('narrow', narrow)
  const people = [
    anna,
    person({
      key: 'p2',
      givenName: 'Piet',
      familyNamePrefix: 'de',
      familyName: 'Boer',
      partnerName: 'Smit',
      nameConvention: 'PB',
      email: 'piet@school.test',
      contracts: [c3b, contract({ id: 'c2', grade: 5 })],
      memberships: [
        { kind: 'membership', person: 'p2', group: 'g1', role: 'student' },
        { kind: 'membership', person: 'p2', group: 'g2', role: 'student' },
      ] as unknown as typeof anna.memberships,
      attributes: { lang: 'en' },
    }),
  ]

  test('the same values as with the whole person, for every field read (names, optional, lists, maps)', () => {
    for (const p of people) {
      const a = projected.evaluate(input(p), memoryOracle())
      const b = whole.evaluate(input(p), memoryOracle())
      assert.deepEqual(a.issues, [])
      const { all, ...rest } = b.attributes
      assert.equal(all, 'y')
      assert.deepEqual(a.attributes, rest)
    }
    const piet = projected.evaluate(input(people[1]), memoryOracle()).attributes
    assert.deepEqual(
      { mail: piet['mail'], grades: piet['grades'], groups: piet['groups'], lang: piet['lang'] },
      { mail: 'piet@school.test', grades: ['4', '6'], groups: ['g1', 'g2'], lang: 'en' },
    )
    assert.equal(piet['cn'], 'Piet Smit-de Boer')
  })

  test('fields no expression reads are never converted', () => {
    let touched = 0
    const p = person({ key: 'p3', givenName: 'Els', familyName: 'Vos' })
    Object.defineProperty(p, 'sourceIds', {
      enumerable: true,
      get: () => {
        touched++
        return { sis: 'p3' }
      },
    })
    const r = compileMapping('names', {
      cn: 'fullName(person)',
      given: 'person.givenName',
    }).evaluate(input(p), memoryOracle())
    assert.deepEqual(r.attributes, { cn: 'Els Vos', given: 'Els' })
    assert.equal(touched, 0)
    compileMapping('whole', { all: 'size(person) > 0 ? "y" : "n"' }).evaluate(
      input(p),
      memoryOracle(),
    )
    assert.ok(touched > 0, 'a bare person still gets the whole view')
  })

  test('rootFieldsRead: the first field under the root; a bare root or a clashing key means the whole', () => {
    const paths = [
      ['person', 'givenName'],
      ['person', 'attributes', 'x'],
      ['contract', 'role'],
      ['person', 'givenName'],
    ]
    assert.deepEqual(rootFieldsRead(paths, 'person'), ['givenName', 'attributes'])
    assert.deepEqual(rootFieldsRead([['contract', 'role']], 'person'), [])
    assert.equal(rootFieldsRead([...paths, ['person']], 'person'), undefined)
    assert.equal(rootFieldsRead([['person', 'constructor']], 'person'), undefined)
  })
})
