import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import fc from 'fast-check'
import { canonicalJson, canonicalJsonListTo, HashSink } from './canonical-json.ts'

// The definition the hand-written serializer must reproduce byte for byte (plan ids and hashes depend on it).
function reference(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
    const sorted: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k]
    return sorted
  })
}

const cases: unknown[] = [
  null,
  undefined,
  0,
  -0,
  1.5,
  NaN,
  Infinity,
  true,
  'x',
  '',
  'quote " backslash \\ newline \n tab \t é ë → \u0000 \u2028 \ud800 lone',
  [],
  {},
  [undefined, () => 1, Symbol('s'), null, 1],
  { b: 1, a: 2, c: undefined, d: () => 1, e: Symbol('s'), f: null },
  { z: { y: { x: [{ b: 1, a: [{ d: 1, c: 2 }] }] } } },
  {
    10: 'ten',
    9: 'nine',
    b: 'b',
    '01': 'zero-one',
    a: 'a',
    4294967295: 'big',
    4294967294: 'max',
    '-1': 'neg',
  },
  JSON.parse('{"__proto__": {"a": 1}, "b": 2}'),
  { date: new Date('2026-11-23T09:00:00Z'), map: new Map([['a', 1]]), set: new Set([1]) },
  {
    custom: { toJSON: (k: string) => `key:${k}` },
    nested: [{ toJSON: (k: string) => ({ k, b: 2, a: 1 }) }],
  },
  { boxed: [Object(1), Object('ab'), Object(false), Object(2n)] },
  {
    twice: { toJSON: () => ({ b: 1, toJSON: () => 'inner', a: 2 }) },
    sortedTwice: { toJSON: () => ({ a: 1, toJSON: () => 'x' }) },
  },
  {
    sorted: { a: 1, b: { c: new Date(0), d: [1, { f: 1, e: 2 }] } },
    proto: Object.assign(Object.create(null) as object, { b: 1, a: 2 }),
  },
  [{ 2: 'two', 10: 'ten' }, { a: undefined }, { toJSON: () => undefined }],
  { Z: 1, a: 2, _: 3, ä: 4, '😀': 5, '\uff5e': 6 },
  {
    actions: [
      {
        kind: 'create',
        id: 'directory/p1/create',
        target: 'directory',
        person: 'p1',
        label: 'Jan de Vries',
        changes: [
          { field: 'uid', new: 'jan.vries' },
          { field: 'mail', new: ['a', 'b'] },
        ],
        reason: { rule: 'r', change: 'joiner', detail: 'new student 2B' },
      },
      {
        kind: 'grant',
        id: 'directory/p1/grant/x',
        target: 'directory',
        person: 'p1',
        label: 'Jan',
        account: undefined,
        changes: [],
        permission: 'x',
        after: 'directory/p1/create',
        reason: { change: 'mover', detail: '' },
      },
    ],
    inputs: { 'source:school': 'abc', config: 'def', today: '2026-11-23', ledger: 'e3b0' },
    findings: [],
    issues: [
      { severity: 'error', code: 'mapping_failed', message: 'uid: x', record: 'p2', field: 'uid' },
    ],
  },
]

test('canonicalJson gives exactly the text of JSON.stringify with a key-sorting replacer', () => {
  for (const c of cases) assert.equal(canonicalJson(c), reference(c), reference(c))
})

test('canonicalJson of a large value equals the reference, and streaming it into a hash gives the same digest', () => {
  const big = Array.from({ length: 5000 }, (_, i) => ({
    id: `p${i}`,
    n: i,
    names: [`n${i}`, { b: i, a: `${i}` }],
    é: 'ë',
  }))
  const text = reference({ big, a: 1 })
  assert.equal(canonicalJson({ big, a: 1 }), text)
  const sink = new HashSink()
  sink.push('{"a":1,"big":')
  canonicalJsonListTo(big, sink)
  sink.push('}')
  assert.equal(sink.digest(), createHash('sha256').update(text).digest('hex'))
  for (const n of [0, 1, 63, 64, 65, 128, 129, 511, 512, 513, 1024, 1025]) {
    const parts: string[] = []
    canonicalJsonListTo(big.slice(0, n), { push: (t) => parts.push(t) })
    assert.equal(parts.join(''), reference(big.slice(0, n)), `${n} items`)
  }
})

test('canonicalJsonListTo gives the reference text for every case, alone and all in one list, whichever path a slice takes', () => {
  const listText = (items: readonly unknown[]) => {
    const parts: string[] = []
    canonicalJsonListTo(items, { push: (t) => parts.push(t) })
    return parts.join('')
  }
  for (const c of cases) assert.equal(listText([c]), reference([c]), reference([c]))
  assert.equal(listText(cases), reference(cases))
  // plain slices (the key-list path) beside slices holding a case that needs copying, and keys first seen late
  const mixed = Array.from({ length: 2000 }, (_, i) =>
    i % 700 === 699
      ? cases[i % cases.length]
      : { z: i, a: { y: `${i}`, ...(i > 1500 ? { b: [1, { late: true, c: null }] } : {}) } },
  )
  assert.equal(listText(mixed), reference(mixed))
})

test('canonicalJsonListTo equals the reference on generated values', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.jsonValue(),
          fc.anything({
            withNullPrototype: true,
            withBoxedValues: true,
            withDate: true,
            withMap: true,
          }),
        ),
      ),
      (items) => {
        const parts: string[] = []
        canonicalJsonListTo(items, { push: (t) => parts.push(t) })
        assert.equal(parts.join(''), reference(items))
      },
    ),
    { numRuns: 300 },
  )
})

test('key orders remembered across objects never lend one key list the order of another', () => {
  // the same first key with other keys, the same keys in other orders, a key list seen again after others,
  // more lists per first key and more first keys than are remembered, integer-like keys
  const objects: Record<string, unknown>[] = [
    { b: 1, a: 2 },
    { b: 1, a: 2, c: 3 },
    { b: 1, c: 3, a: 2 },
    { b: 1, c: 3 },
    { b: 1, a: { d: 1, c: 2 }, c: 3 },
    { b: 1, a: 2 },
    { b: 1, 10: 'x', 2: 'y', a: 3 },
  ]
  for (let i = 0; i < 20; i++) objects.push({ b: i, [`k${i}`]: i, a: i })
  for (let i = 0; i < 300; i++) objects.push({ [`f${i}`]: i, e: i }, { [`f${i}`]: i, e: i, a: 1 })
  const parts: string[] = []
  canonicalJsonListTo(objects, { push: (t) => parts.push(t) })
  assert.equal(parts.join(''), reference(objects))
  for (const o of objects) assert.equal(canonicalJson(o), reference(o))
})
