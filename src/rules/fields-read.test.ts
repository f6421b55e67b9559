import assert from 'node:assert/strict'
import { test } from 'node:test'
import { celEnvironment } from './cel-environment.ts'
import { expressionReads } from './expression-reads.ts'
import { fieldsRead } from './fields-read.ts'

test('fieldsRead: a field is read when a path reads it, a part of it or all of it; unknown roots read everything', () => {
  const isRead = fieldsRead([
    ['person', 'givenName'],
    ['person', 'attributes', 'eckId'],
    ['contract', 'role'],
    ['today'],
  ])
  assert.equal(isRead('person.givenName'), true)
  assert.equal(isRead('person.username'), false)
  assert.equal(isRead('person.attributes'), true)
  assert.equal(isRead('person.attributes.eckId'), true)
  assert.equal(isRead('person.attributes.nummer'), false)
  assert.equal(isRead('contract.role'), true)
  assert.equal(
    fieldsRead([['person']])('person.username'),
    true,
    'a whole-object read reads every field',
  )
  assert.equal(
    fieldsRead([['c', 'role']])('person.username'),
    true,
    'an iteration variable: unknown, so everything',
  )
  assert.equal(fieldsRead([['person', 'attributes']])('person.attributes.x'), true)
  assert.equal(
    fieldsRead([['contract']])('contract.title'),
    true,
    'a whole contract reads its fields',
  )
  assert.equal(fieldsRead([['contract']])('person.username'), false)
})

test('fieldsRead over real expressions: fullName(person) reads the name fields only, not the username', () => {
  const reads = (source: string) =>
    expressionReads(celEnvironment('mapping').parse(source).ast).paths
  const isRead = fieldsRead([
    ...reads('fullName(person)'),
    ...reads('slug(person.givenName) + "." + slug(familyName(person))'),
  ])
  assert.equal(isRead('person.familyNamePrefix'), true)
  assert.equal(isRead('person.username'), false)
  assert.equal(fieldsRead(reads('person.username + "@school.test"'))('person.username'), true)
})
