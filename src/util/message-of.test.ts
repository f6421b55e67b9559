import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runInNewContext } from 'node:vm'
import { messageOf } from './message-of.ts'

test('messageOf gives the message of an Error and of its subclasses', () => {
  assert.equal(messageOf(new Error('boom')), 'boom')
  assert.equal(messageOf(new TypeError('bad type')), 'bad type')
})

test('messageOf gives a thrown string as is and anything else through String()', () => {
  assert.equal(messageOf('plain'), 'plain')
  assert.equal(messageOf(42), '42')
  assert.equal(messageOf(undefined), 'undefined')
  assert.equal(messageOf(null), 'null')
  assert.equal(messageOf({ toString: () => 'custom' }), 'custom')
})

test('messageOf reads the message of an Error made in another realm', () => {
  const foreign: unknown = runInNewContext('new Error("from a vm")')
  assert.equal(foreign instanceof Error, false)
  assert.equal(messageOf(foreign), 'from a vm')
})
