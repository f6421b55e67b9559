import { test } from 'node:test'
import assert from 'node:assert/strict'
import { StringSet } from './string-set.ts'

test('StringSet finds every duplicate and nothing else, across growth', () => {
  const s = new StringSet()
  for (let i = 0; i < 200_000; i++) assert.equal(s.add(`e${i}`), true)
  assert.equal(s.size, 200_000)
  assert.equal(s.add('e199999'), false)
  assert.equal(s.add('e0'), false)
  assert.equal(s.has('e200000'), false)
  assert.equal(s.has('e12345'), true)
  assert.equal(s.add(''), true)
  assert.equal(s.add(''), false)
  assert.equal(s.add('\u00e9'), true)
  assert.equal(s.add('e\u0301'), true, 'compares code units, as sourcedIds are compared')
})

test('StringSet keeps one-byte and wide keys apart and has() does not add', () => {
  const s = new StringSet()
  assert.equal(s.has('abc'), false)
  assert.equal(s.add('abc'), true)
  assert.equal(s.add('ab'), true, 'a prefix is another key')
  assert.equal(s.add('abcd'), true)
  assert.equal(s.add('\u00ff\u00e9'), true)
  assert.equal(s.add('\u0100x'), true)
  assert.equal(s.add('\u0100x'), false)
  assert.equal(s.has('\u0100y'), false)
  assert.equal(s.size, 5)
  assert.equal(s.has('abc'), true)
  const long = 'x'.repeat(100_000)
  assert.equal(s.add(long), true, 'a key longer than the arena grows it')
  assert.equal(s.add(`${long}`), false)
})
