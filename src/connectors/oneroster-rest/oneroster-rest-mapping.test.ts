import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mapRestRoster, type RestRoster } from './oneroster-rest-mapping.ts'
import { eachRecord, readUser, restIssues, type UserRec } from './oneroster-rest-records.ts'

const user = (id: string, json: Record<string, unknown>): UserRec => ({
  id,
  json: { sourcedId: id, ...json },
  orgs: [],
  role: '',
  roles: [],
})

function roster(users: UserRec[]): RestRoster {
  return {
    version: '1.2',
    delta: false,
    orgs: new Map(),
    sessions: new Map(),
    courses: new Map(),
    classes: new Map(),
    users: new Map(users.map((u) => [u.id, u])),
    deletedUsers: [],
    demographics: new Map(),
    enrollments: new Map(),
  }
}

const options = {
  source: 'rest',
  personKey: 'sourcedId',
  splitNamePrefix: true,
  today: '2026-11-23',
} as const

test("REST splits family names with the full Dutch prefix list (four words, van ter, d')", () => {
  const issues = restIssues('rest')
  const { persons } = mapRestRoster(
    roster([
      user('u1', { givenName: 'A', familyName: 'van ter Horst' }),
      user('u2', { givenName: 'B', familyName: "d'Ancona" }),
      user('u3', { givenName: 'C', familyName: 'tot den Brink' }),
    ]),
    options,
    issues,
  )
  assert.deepEqual(issues.errors(), [])
  assert.deepEqual(
    persons.map((p) => [p.familyNamePrefix, p.familyName]),
    [
      ['van ter', 'Horst'],
      ["d'", 'Ancona'],
      ['tot den', 'Brink'],
    ],
  )
})

test('REST takes nl.* metadata names and reports a bad name convention against metadata.nl.nameConvention', () => {
  const issues = restIssues('rest')
  const { persons } = mapRestRoster(
    roster([
      user('u1', {
        givenName: 'A',
        familyName: 'van den Berg',
        metadata: {
          'nl.familyNamePrefix': 'van den',
          'nl.partnerName': 'de Vries',
          'nl.nameConvention': 'BP',
        },
      }),
      user('u2', { givenName: 'B', familyName: 'Jansen', metadata: { 'nl.nameConvention': 'X' } }),
    ]),
    options,
    issues,
  )
  const p = persons[0]
  assert.equal(p?.familyName, 'Berg')
  assert.equal(p?.familyNamePrefix, 'van den')
  assert.equal(p?.partnerName, 'Vries')
  assert.equal(p?.partnerNamePrefix, 'de')
  assert.equal(p?.nameConvention, 'BP')
  assert.deepEqual(
    issues.errors().map((e) => [e.code, e.record, e.field]),
    [['bad_enum', 'u2', 'metadata.nl.nameConvention']],
  )
})

test('REST refuses an enabledUser that is neither true nor false, naming the user and the field (as the CSV source does)', () => {
  const issues = restIssues('rest')
  const rows = [
    { sourcedId: 'u1', status: 'active', givenName: 'A', familyName: 'B', enabledUser: 'perhaps' },
    { sourcedId: 'u2', status: 'active', givenName: 'C', familyName: 'D', enabledUser: 'false' },
    { sourcedId: 'u3', status: 'active', givenName: 'E', familyName: 'F', enabledUser: true },
    { sourcedId: 'u4', status: 'active', givenName: 'G', familyName: 'H' },
  ]
  eachRecord(rows, 'users', issues, (r, id) => readUser(r, id, '1.2'))
  assert.deepEqual(
    issues.errors().map((e) => [e.code, e.record, e.field, e.value]),
    [['bad_value', 'u1', 'enabledUser', 'perhaps']],
  )
})
