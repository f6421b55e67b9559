import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatIssue } from '../model/issue.ts'
import { IssueCollector } from './issue-collector.ts'

test('an issue names its source, file, record and field, and leaves out members given as undefined', () => {
  const c = new IssueCollector('sis', { file: 'users.csv' })
  c.error({
    code: 'bad_date',
    line: 4,
    record: 'u1',
    field: 'birthDate',
    message: 'not a date',
    value: '31-02-2010',
    severity: undefined,
  })
  assert.deepEqual(c.errors(), [
    {
      severity: 'error',
      source: 'sis',
      file: 'users.csv',
      code: 'bad_date',
      line: 4,
      record: 'u1',
      field: 'birthDate',
      message: 'not a date',
      value: '31-02-2010',
    },
  ])
  assert.equal(
    formatIssue(c.errors()[0]!),
    'error: sis, users.csv:4, record u1, field birthDate: not a date',
  )
  assert.equal(Object.isFrozen(c.errors()[0]), true)
})

test('errors stop at the cap with one too_many_issues, and `reported` still counts the dropped ones', () => {
  const c = new IssueCollector('sis', 2)
  for (let i = 0; i < 5; i++) c.error({ code: 'x', record: `r${i}`, field: 'f', message: 'm' })
  assert.equal(c.full, true)
  assert.equal(c.errorCount, 2)
  assert.equal(c.reported, 5)
  assert.equal(c.dropped, 3)
  assert.deepEqual(
    c.errors().map((i) => i.code),
    ['x', 'x', 'too_many_issues'],
  )
})

test('a warning is kept once per code, file, line, record, field and value; error() passes a warning through', () => {
  const c = new IssueCollector('sis')
  for (let i = 0; i < 3; i++)
    c.warn({ code: 'odd', file: 'a.csv', field: 'f', message: `row ${i}` })
  c.warn({ code: 'odd', file: 'a.csv', record: 'r2', field: 'f', message: 'other record' })
  c.error({
    severity: 'warning',
    code: 'odd',
    file: 'a.csv',
    line: 9,
    field: 'f',
    message: 'other line',
  })
  assert.deepEqual(
    c.warnings().map((i) => i.message),
    ['row 0', 'other record', 'other line'],
  )
  assert.equal(c.errorCount, 0)
  assert.deepEqual(
    c.all().map((i) => i.severity),
    ['warning', 'warning', 'warning'],
  )
})

test('values are shortened, and a non-string value is shown as JSON', () => {
  const c = new IssueCollector('sis', { valueLength: 10 })
  c.error({ code: 'long', record: 'r', field: 'f', message: 'm', value: 'x'.repeat(50) })
  c.error({ code: 'obj', record: 'r', field: 'f', message: 'm', value: { a: 1 } })
  assert.deepEqual(
    c.errors().map((i) => i.value),
    ['xxxxxxx...', '{"a":1}'],
  )
})
