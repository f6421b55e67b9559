import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatConfigError, formatPath } from './config-error.ts'
import { didYouMean } from './did-you-mean.ts'

test('formatPath writes paths the way an admin reads them', () => {
  assert.equal(
    formatPath(['targets', 0, 'guard', 'delete', 'maxPercent']),
    'targets[0].guard.delete.maxPercent',
  )
  assert.equal(formatPath(['targets', 0, 'guard', 'write-back']), 'targets[0].guard.write-back')
  assert.equal(
    formatPath(['targets', 1, 'attributes', 'mail.primary']),
    'targets[1].attributes["mail.primary"]',
  )
  assert.equal(formatPath([]), '')
})

test('formatConfigError: file:line:col path: message, leaving out what is unknown', () => {
  const e = {
    file: 'koppel.yaml',
    line: 12,
    column: 5,
    path: 'targets[0].guard.delete.maxPercent',
    message: 'must be ≤ 100',
  }
  assert.equal(
    formatConfigError(e),
    'koppel.yaml:12:5 targets[0].guard.delete.maxPercent: must be ≤ 100',
  )
  const whole = { file: 'koppel.yaml', line: 3, column: 1, path: '', message: 'duplicate key' }
  assert.equal(formatConfigError(whole), 'koppel.yaml:3:1: duplicate key')
  assert.equal(
    formatConfigError({ file: 'koppel.yaml', path: '', message: 'cannot read' }),
    'koppel.yaml: cannot read',
  )
})

test('didYouMean suggests near misses only', () => {
  const keys = ['url', 'bindDn', 'password', 'baseDn', 'disable']
  assert.equal(didYouMean('pasword', keys), 'password')
  assert.equal(didYouMean('BindDN', keys), 'bindDn')
  assert.equal(didYouMean('timeout', keys), undefined)
  assert.equal(didYouMean('x', []), undefined)
})
