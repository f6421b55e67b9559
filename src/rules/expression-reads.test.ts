import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { celEnvironment } from './cel-environment.ts'
import { expressionReads } from './expression-reads.ts'
import { NOT_KEYABLE, TupleIndex } from './tuple-key.ts'

const reads = (expr: string) => expressionReads(celEnvironment('mapping').parse(expr).ast)

describe('expressionReads', () => {
  test('collects the member paths of a condition on contract fields', () => {
    const r = reads(
      'contract.role == "student" && contract.location in ["L1", "L3"] && contract.grade >= 2',
    )
    assert.deepEqual(r.paths, [
      ['contract', 'role'],
      ['contract', 'location'],
      ['contract', 'grade'],
    ])
    assert.equal(r.tupleCacheable, true)
  })
  test('has(), string-literal indexes, optional selects, today and pure functions are cacheable', () => {
    const r = reads(
      'has(contract.grade) && person.attributes["metadata.x"] == true && contract.?title.orValue("") != "" && daysBetween(contract.start, today) > 0',
    )
    assert.deepEqual(r.paths, [
      ['contract', 'grade'],
      ['person', 'attributes', 'metadata.x'],
      ['contract', 'title'],
      ['contract', 'start'],
      ['today'],
    ])
    assert.equal(r.tupleCacheable, true)
  })
  test('a path read twice is listed once', () => {
    assert.deepEqual(reads('has(contract.grade) && contract.grade > 1').paths, [
      ['contract', 'grade'],
    ])
  })
  for (const expr of [
    'person.memberships.exists(m, m.role == "mentor")',
    'contracts.exists(c, c.grade > 2)',
    'size(contracts) > 1',
    'familyName(person) == "x"',
    '"x" in contract.attributes',
    'person.attributes[contract.role] == true',
    'account.uid != ""',
    '[1, 2].exists(x, x == contract.grade)',
    'cel.bind(r, contract.role, r == "student")',
  ]) {
    test(`not cacheable: ${expr}`, () => assert.equal(reads(expr).tupleCacheable, false))
  }
  test('account paths are collected for the declaration-order check', () => {
    assert.deepEqual(reads('"uid=" + account.uid + ",ou=x"').paths, [['account', 'uid']])
  })
})

describe('TupleIndex', () => {
  const paths = [
    ['contract', 'grade'],
    ['person', 'attributes', 'x'],
  ] as const
  test('distinguishes types, absence and where a path stops; equal tuples share an id', () => {
    const index = new TupleIndex(0, paths, 100)
    const id = (contract: unknown, person: unknown) => index.idOf({ contract, person })
    const ids = [
      id({ grade: 2 }, { attributes: { x: 'a' } }),
      id({ grade: '2' }, { attributes: { x: 'a' } }),
      id({}, { attributes: { x: 'a' } }),
      id({ grade: null }, { attributes: { x: 'a' } }),
      id({ grade: 2 }, { attributes: {} }),
      id({ grade: 2 }, {}),
      id({ grade: 2 }, { attributes: 'str' }),
      id({ grade: 2 }, { attributes: { x: true } }),
      id({ grade: 2 }, { attributes: { x: 'true' } }),
    ]
    assert.deepEqual(ids, [0, 1, 2, 3, 4, 5, 6, 7, 8])
    assert.equal(id({ grade: 2, other: 1 }, { attributes: { x: 'a', y: 2 } }), 0)
    assert.equal(index.size, 9)
  })
  test('a list or map value is not keyable', () => {
    const index = new TupleIndex(0, paths, 100)
    assert.equal(
      index.idOf({ contract: { grade: [1] }, person: { attributes: { x: 'a' } } }),
      NOT_KEYABLE,
    )
    assert.equal(
      index.idOf({ contract: { grade: 1 }, person: { attributes: { x: { y: 1 } } } }),
      NOT_KEYABLE,
    )
  })
  test('a full index numbers no new tuples but still finds the old ones', () => {
    const index = new TupleIndex(0, [['contract', 'grade']], 2)
    const id = (grade: number) => index.idOf({ contract: { grade } })
    assert.deepEqual([id(1), id(2), id(3), id(1), id(2)], [0, 1, NOT_KEYABLE, 0, 1])
  })
  test('an expression reading nothing has one tuple', () => {
    assert.equal(new TupleIndex(0, [], 10).idOf({}), 0)
  })
})
