import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isGuid, isGuidByRegex, ownString } from './oneroster-csv-values.ts'

test('isGuid agrees with the spec regex on every code unit and on the length bounds', () => {
  for (let c = 0; c < 0x3000; c++) {
    for (const s of [
      String.fromCharCode(c),
      `a${String.fromCharCode(c)}`,
      `${String.fromCharCode(c)}Z9`,
    ]) {
      assert.equal(isGuid(s), isGuidByRegex(s), JSON.stringify(s))
    }
  }
  for (const s of [
    '',
    'x'.repeat(255),
    'x'.repeat(256),
    'd17905b5-6669-4fcd-867a-67ab17836941',
    'a@b.c/d_e-f',
    'a b',
    'a\n',
    'é',
  ]) {
    assert.equal(isGuid(s), isGuidByRegex(s), JSON.stringify(s))
  }
})

test('ownString returns an equal string', () => {
  const chunk = `x,${'y'.repeat(40)},z`
  const slice = chunk.slice(2, 42)
  assert.equal(ownString(slice), slice)
  assert.equal(ownString('short'), 'short')
  assert.equal(ownString(''), '')
})
