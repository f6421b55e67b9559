import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Issue } from '../../model/index.ts'
import { FIXTURES, readPackage } from './oneroster-csv-test-package.ts'

/** file:line:field:code of each error, for exact comparison. */
const where = (issues: readonly Issue[], code?: string) =>
  issues
    .filter((i) => i.severity === 'error' && (code === undefined || i.code === code))
    .map((i) => `${i.file}:${i.line}:${i.field}:${i.code}`)

async function rejected(name: string): Promise<readonly Issue[]> {
  const r = await readPackage(`${FIXTURES}${name}`)
  assert.equal(r.ok, false, `${name} should be rejected`)
  return r.ok ? [] : r.issues
}

describe('OneRoster fixtures (catalyst/moodle-enrol_oneroster)', () => {
  test('Test_minimal_data_set: classes refer to absent courses, Scheduled is not an enum value', async () => {
    const issues = await rejected('Test_minimal_data_set')
    assert.deepEqual(where(issues), [
      'classes.csv:2:classType:bad_enum',
      'classes.csv:2:courseSourcedId:reference_to_absent_file',
      'classes.csv:3:courseSourcedId:reference_to_absent_file',
    ])
    const e = issues.find((i) => i.code === 'bad_enum')
    assert.equal(e?.record, 'cls-222-123456')
    assert.equal(e?.value, 'Scheduled')
    assert.match(e?.message ?? '', /case-sensitive: write scheduled/)
  })

  test('Test_full_data_set: a bulk package whose rows carry status and dateLastModified', async () => {
    const issues = await rejected('Test_full_data_set')
    const status = where(issues, 'bulk_status')
    // every data row but users.csv line 3 (empty status) has one; 1 org, 5 sessions, 2 classes, 5 users, 6 enrollments
    assert.equal(status.length, 1 + 5 + 2 + 5 + 6)
    assert.ok(!status.includes('users.csv:3:status:bulk_status'))
    assert.ok(status.includes('academicSessions.csv:4:status:bulk_status'))
    assert.deepEqual(where(issues, 'unknown_reference'), [
      'orgs.csv:2:parentSourcedId:unknown_reference',
      'academicSessions.csv:3:parentSourcedId:unknown_reference',
      'academicSessions.csv:6:parentSourcedId:unknown_reference',
    ])
    // dateLastModified written as a date, not an ISO time in UTC
    assert.deepEqual(where(issues, 'bad_datetime').slice(0, 3), [
      'academicSessions.csv:4:dateLastModified:bad_datetime',
      'academicSessions.csv:5:dateLastModified:bad_datetime',
      'users.csv:2:dateLastModified:bad_datetime',
    ])
    assert.ok(where(issues, 'bad_enum').includes('classes.csv:2:classType:bad_enum'))
  })

  test('v1p2_full_dataset: misspelt headers, non-ISO dates, a roles.csv whose rows do not fit its header', async () => {
    const issues = await rejected('v1p2_full_dataset')
    assert.deepEqual(where(issues, 'bad_header'), [
      'users.csv:1:preferredGivenName:bad_header',
      'users.csv:1:preferredMiddleName:bad_header',
      'users.csv:1:preferredFamilyName:bad_header',
      'roles.csv:1:dateLastModified:bad_header',
      'roles.csv:1:userProfileSourcedId:bad_header',
      'roles.csv:1::bad_header',
    ])
    const typo = issues.find((i) => i.field === 'preferredGivenName')
    assert.equal(typo?.value, 'prefferedGivenName')
    // misspelt names do not shift columns, so the rows are still checked: 1/05/2023 is caught
    const bad = issues.find(
      (i) => i.file === 'users.csv' && i.line === 2 && i.code === 'bad_datetime',
    )
    assert.equal(bad?.value, '1/05/2023')
    assert.equal(where(issues, 'bad_column_count').length, 7)
    // each manifest entry is its own record: the one collector no longer folds three lines into one warning
    assert.deepEqual(
      issues.filter((i) => i.severity === 'warning').map((i) => `${i.record}:${i.code}`),
      [
        'file.scoreScales:bad_manifest_value',
        'file.userProfiles:bad_manifest_value',
        'file.userResources:bad_manifest_value',
      ],
    )
  })

  test('oneroster_test_data: a valid 1.2 delta', async () => {
    const r = await readPackage(`${FIXTURES}oneroster_test_data`)
    assert.ok(r.ok, r.ok ? '' : r.issues.map((i) => i.message).join('\n'))
    const s = r.snapshot
    assert.equal(s.mode, 'delta')
    assert.deepEqual(s.removed, [])
    assert.equal(s.persons.length, 1)
    const p = s.persons[0]
    assert.equal(p?.key, 'USER_0')
    assert.equal(p?.givenName, 'Bruce')
    assert.equal(p?.familyName, 'Wayne')
    assert.equal(p?.birthDate, '2010-04-17')
    assert.equal(p?.username, 'brucewayne')
    assert.equal(JSON.stringify(p).includes('Batman'), false, 'the password column is never mapped')
    assert.deepEqual(
      p?.contracts.map((c) => [
        c.role,
        c.organisation,
        c.organisationName,
        c.primary,
        c.schoolYear,
      ]),
      [['student', 'org/ORG_1', 'Gotham High School', true, '2022-2023']],
    )
    assert.deepEqual(p?.memberships, [{ group: 'class/CLASS_001', role: 'student' }])
    assert.deepEqual(s.groups.map((g) => `${g.key}:${g.type}`).sort(), [
      'class/CLASS_001:teaching-group',
      'course/COURSE_001:course',
      'org/ORG_1:school',
      'session/ACAD_SESS_1:other',
    ])
  })
})
