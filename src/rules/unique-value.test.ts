import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { chooseUnique, iterationValue } from './unique-value.ts'
import { memoryOracle } from './test-fixtures.ts'

const settings = { attribute: 'uid', person: 'p1', iterate: '{value}{n}' }

describe('iterationValue', () => {
  test('appends n, cutting the base to fit maxLength', () => {
    assert.equal(iterationValue('{value}{n}', 'j.jansen', 2), 'j.jansen2')
    assert.equal(iterationValue('{value}{n}', 'abcdefghij', 2, 10), 'abcdefghi2')
    assert.equal(iterationValue('{value}{n}', 'abcdefghij', 10, 10), 'abcdefgh10')
    assert.equal(iterationValue('{value}.{n}', 'abc', 7, 10), 'abc.7')
    assert.equal(iterationValue('x{n}', 'abc', 3), 'x3')
    assert.equal(iterationValue('{value}{n}', 'abc', 100, 3), undefined)
  })
})

describe('chooseUnique', () => {
  test('takes the first free candidate and claims it', () => {
    const o = memoryOracle({ uid: { 'j.jansen': 'p2' } })
    const r = chooseUnique(['j.jansen', 'jan.jansen'], settings, o)
    assert.deepEqual(r, { ok: true, value: 'jan.jansen' })
    assert.equal(o.isTaken('uid', 'jan.jansen', 'p3'), true)
  })
  test('a value the same person holds is not taken', () => {
    const o = memoryOracle({ uid: { 'j.jansen': 'p1' } })
    assert.deepEqual(chooseUnique(['j.jansen'], settings, o), { ok: true, value: 'j.jansen' })
  })
  test('comparison is case-insensitive', () => {
    const o = memoryOracle({ uid: { 'J.Jansen': 'p2' } })
    assert.deepEqual(chooseUnique(['j.jansen'], settings, o), { ok: true, value: 'j.jansen2' })
  })
  test('iterates the FIRST candidate after the list is exhausted', () => {
    const o = memoryOracle({ uid: { 'j.jansen': 'p2', 'jan.jansen': 'p3', 'j.jansen2': 'p4' } })
    assert.deepEqual(chooseUnique(['j.jansen', 'jan.jansen'], settings, o), {
      ok: true,
      value: 'j.jansen3',
    })
  })
  test('successive persons get successive values (deterministic)', () => {
    const o = memoryOracle()
    const got = ['p1', 'p2', 'p3', 'p4'].map((person) =>
      chooseUnique(['j.jansen'], { ...settings, person }, o),
    )
    assert.deepEqual(
      got.map((g) => (g.ok ? g.value : g.error)),
      ['j.jansen', 'j.jansen2', 'j.jansen3', 'j.jansen4'],
    )
  })
  test('maxLength: the base is cut before the suffix (sAMAccountName, 20)', () => {
    const o = memoryOracle()
    const base = 'j.vandenberg-devries'
    assert.equal(base.length, 20)
    const s = { ...settings, maxLength: 20 }
    const values = Array.from({ length: 12 }, (_, i) =>
      chooseUnique([base], { ...s, person: `p${i}` }, o),
    )
    const v = values.map((x) => (x.ok ? x.value : x.error))
    assert.deepEqual(v.slice(0, 3), [base, 'j.vandenberg-devrie2', 'j.vandenberg-devrie3'])
    assert.equal(v[10], 'j.vandenberg-devri11')
    assert.ok(v.every((x) => x.length <= 20))
  })
  test('gives up after the limit with an error', () => {
    const o = memoryOracle()
    for (const v of ['a', ...Array.from({ length: 1000 }, (_, i) => `a${i + 2}`)])
      o.claim('uid', v, 'other')
    const r = chooseUnique(['a'], settings, o)
    assert.equal(r.ok, false)
    assert.match(r.ok ? '' : r.error, /no free value after 1000 tries/)
    assert.deepEqual(chooseUnique(['a'], { ...settings, limit: 1001 }, o), {
      ok: true,
      value: 'a1002',
    })
  })
  test('no candidates is an error; nothing is claimed', () => {
    const o = memoryOracle()
    assert.equal(chooseUnique([], settings, o).ok, false)
    assert.equal(o.held.size, 0)
  })
  test('lowercase applies to iterated values', () => {
    const o = memoryOracle({ uid: { ab: 'x' } })
    assert.deepEqual(
      chooseUnique(['ab'], { ...settings, iterate: '{value}X{n}', lowercase: true }, o),
      { ok: true, value: 'abx2' },
    )
  })
})
