import assert from 'node:assert/strict'
import { test } from 'node:test'
import { canonicalJson as fastCanonicalJson } from '../util/canonical-json.ts'
import { canonicalJson } from './canonical-json.ts'

const event = {
  type: 'apply',
  at: new Date('2026-01-02T03:04:05.000Z'),
  data: {
    z: 1,
    a: [{ y: 'ü', b: null, skip: undefined }],
    10: 'ten',
    2: 'two',
    nested: { d: true, c: 1.5 },
  },
  actor: 'lead',
}

test('the audit chain canonical JSON writes the text every stored chain was hashed over (never change this)', () => {
  assert.equal(
    canonicalJson(event),
    '{"actor":"lead","at":"2026-01-02T03:04:05.000Z","data":{"2":"two","10":"ten","a":[{"b":null,"y":"ü"}],' +
      '"nested":{"c":1.5,"d":true},"z":1},"type":"apply"}',
  )
})

test('the audit chain and the fast canonical JSON agree on event-shaped data', () => {
  for (const v of [
    event,
    [],
    {},
    { a: [1, { c: 2, b: 3 }] },
    'text',
    3,
    null,
    { x: undefined },
    [undefined],
  ]) {
    assert.equal(canonicalJson(v), fastCanonicalJson(v), JSON.stringify(v))
  }
})
