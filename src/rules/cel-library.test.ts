import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { celEnvironment } from './cel-environment.ts'
import { toAttributeValue, toCel, toIdList } from './cel-values.ts'
import { contract, person } from './test-fixtures.ts'

const jan = person({
  givenName: 'Jan Peter',
  preferredGivenName: 'Jan',
  familyNamePrefix: 'van der',
  familyName: 'Meer',
  partnerName: 'Vries',
  partnerNamePrefix: 'de',
  nameConvention: 'PB',
  attributes: { 'metadata.lwoo': true, eckId: 'eck-1', score: 7.5, year: 2025 },
  memberships: [
    { group: 'g-3b', role: 'student' },
    { group: 'g-wi', role: 'student', start: '2025-08-01' },
  ],
})
const pupil = contract({
  grade: 3,
  location: 'L3',
  classGroup: '3B',
  schoolYear: '2025-2026',
  programme: 'havo',
  start: '2025-08-01',
})
const activation = {
  person: toCel(jan),
  contract: toCel(pupil),
  contracts: toCel([pupil]),
  today: '2025-10-01',
  account: {},
}
const run = (expr: string, scope: 'rule' | 'mapping' = 'mapping') => {
  const parsed = celEnvironment(scope).parse(expr)
  const checked = parsed.check()
  assert.ok(checked.valid, `${expr}: ${checked.error?.message}`)
  return parsed(activation)
}

describe('the model as CEL values', () => {
  test('integer numbers are CEL ints, so int comparisons and arithmetic work', () => {
    assert.equal(run('contract.grade >= 2'), true)
    assert.equal(run('contract.grade == 3'), true)
    assert.equal(run('contract.grade + 1'), 4n)
    assert.equal(run('person.attributes.year - 2000'), 25n)
    assert.equal(run('contract.grade > 2.5'), true)
    assert.equal(run('person.attributes.score > 7'), true)
  })
  test('booleans, dotted attribute keys, dates compared as strings', () => {
    assert.equal(run('person.attributes["metadata.lwoo"]'), true)
    assert.equal(run('person.attributes["metadata.lwoo"] && contract.location == "L3"'), true)
    assert.equal(run('contract.start <= today'), true)
    assert.equal(run('contract.start > "2025-09-01"'), false)
  })
  test('absent optional fields are absent keys', () => {
    assert.equal(run('has(contract.grade)'), true)
    assert.equal(run('has(contract.end)'), false)
    assert.equal(run('has(person.initials)'), false)
    assert.throws(() => run('contract.end'), /No such key: end/)
  })
  test('lists: memberships and contracts with macros', () => {
    assert.equal(run('person.memberships.exists(m, m.group == "g-wi")'), true)
    assert.equal(run('size(person.memberships)'), 2n)
    assert.deepEqual(
      run('contracts.map(c, "cn=" + c.classGroup + ",ou=groups,dc=school,dc=test")'),
      ['cn=3B,ou=groups,dc=school,dc=test'],
    )
  })
  test('conversion is cached per object and does not copy on every call', () => {
    assert.equal(toCel(jan), toCel(jan))
    assert.equal(toCel(pupil), (toCel([pupil]) as unknown[])[0])
    assert.ok(Object.isFrozen(toCel(jan)))
  })
  test('records that need no change (memberships) are used as they are, not copied', () => {
    const m = jan.memberships[0]
    assert.equal((toCel(jan) as { memberships: unknown[] }).memberships[0], m)
    assert.equal(toCel(jan.memberships), jan.memberships)
  })
  test('source keys that clash with Object.prototype stay plain data', () => {
    const odd = toCel(JSON.parse('{"__proto__": "x", "constructor": "y", "n": 1}')) as Map<
      string,
      unknown
    >
    assert.equal(odd.get('n'), 1n)
    const parsed = celEnvironment('rule').parse(
      'person.attributes.constructor + person.attributes["__proto__"]',
    )
    assert.equal(parsed({ ...activation, person: { attributes: odd } }), 'yx')
  })
  test('undefined fields are left out rather than kept as undefined', () => {
    const m = toCel(contract({ grade: undefined })) as Record<string, unknown>
    assert.equal(Object.hasOwn(m, 'grade'), false)
  })
})

describe('results back to attribute values', () => {
  test('scalars become strings, lists string[], null leaves out', () => {
    assert.equal(toAttributeValue(3n), '3')
    assert.equal(toAttributeValue(2.5), '2.5')
    assert.equal(toAttributeValue(true), 'true')
    assert.deepEqual(toAttributeValue(['a', 1n, null]), ['a', '1'])
    assert.equal(toAttributeValue(null), undefined)
    assert.throws(() => toAttributeValue({ a: 1 }), /got a map/)
    assert.deepEqual(toIdList('x'), ['x'])
    assert.deepEqual(toIdList(['x', '', 'y']), ['x', 'y'])
    assert.deepEqual(toIdList(null), [])
  })
})

describe('function library in CEL', () => {
  test('names', () => {
    assert.equal(run('familyName(person)'), 'de Vries-van der Meer')
    assert.equal(run('fullName(person)'), 'Jan de Vries-van der Meer')
    assert.equal(run('sortName(person)'), 'Vries-van der Meer, Jan de')
    assert.equal(run('initials(person)'), 'J.P.')
    assert.equal(run('initials("Anne-Marie")'), 'A.M.')
    assert.equal(run('"Anne-Marie".initials()'), 'A.M.')
  })
  test('text, as functions and as methods', () => {
    assert.equal(run('ascii("Çiğdem")'), 'Cigdem')
    assert.equal(run('slug("van \'t Hof")'), 'vanthof')
    assert.equal(
      run('slug(left(person.givenName, 1) + "." + familyName(person))'),
      'j.devries-vandermeer',
    )
    assert.equal(run('person.familyName.slug().upper()'), 'MEER')
    assert.equal(run('left("Jansen", contract.grade)'), 'Jan')
    assert.equal(run('prefixLetters("\'t Hooft", 2)'), 'tH')
    assert.equal(run('lower("ABC") + upper("d") + trim("  e ")'), 'abcDe')
    assert.equal(run('capitalize(familyName(person))'), 'De Vries-van der Meer')
    assert.equal(run('replace("a.b", ".", "")'), 'ab')
    assert.equal(run('join(["a", "b"], ",")'), 'a,b')
  })
  test('coalesce and orElse skip absent, null and empty values', () => {
    assert.equal(run('coalesce(person.initials, person.preferredGivenName)'), 'Jan')
    assert.equal(run('orElse(person.email, "none")'), 'none')
    assert.equal(run('coalesce(person.email, person.username, "")'), null)
    assert.equal(run('coalesce(contract.grade, 0) + 1'), 4n)
  })
  test('coalesce does not hide real errors', () => {
    assert.throws(() => run('coalesce(yearOf("x"), "y")'), /not a date/)
  })
  test('dates', () => {
    assert.equal(run('yearOf(today)'), 2025n)
    assert.equal(run('daysBetween(contract.start, today)'), 61n)
    assert.equal(run('addDays(today, 30)'), '2025-10-31')
    assert.equal(run('schoolYearOf(today)'), '2025-2026')
    assert.equal(run('graduationYear(contract)'), 2028n)
    assert.equal(run('graduationYear(contract, 6)'), 2029n)
  })
  test('graduationYear needs a school year and grade', () => {
    const p = celEnvironment('rule').parse('graduationYear(contract)')
    assert.throws(() => p({ ...activation, contract: toCel(contract()) }), /no schoolYear/)
  })
  test('rules do not see account; mappings do', () => {
    assert.equal(celEnvironment('rule').parse('account.x').check().valid, false)
    assert.equal(celEnvironment('mapping').parse('account.x').check().valid, true)
  })
})
