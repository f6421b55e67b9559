import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Person, SourceSnapshot } from '../../model/index.ts'
import {
  bulk11,
  bulk12,
  readPackage,
  removePackage,
  writePackage,
} from './oneroster-csv-test-package.ts'

const dirs: string[] = []
after(() => dirs.forEach(removePackage))

async function snapshot(
  files: ReturnType<typeof bulk11>,
  options: Record<string, unknown> = {},
  today?: string,
): Promise<SourceSnapshot> {
  const dir = writePackage(files)
  dirs.push(dir)
  const r = await readPackage(dir, options, today)
  assert.ok(
    r.ok,
    r.ok ? '' : r.issues.map((i) => `${i.file}:${i.line} ${i.field} ${i.message}`).join('\n'),
  )
  return r.snapshot
}

const person = (s: SourceSnapshot, key: string): Person => {
  const p = s.persons.find((x) => x.key === key)
  assert.ok(p, `person ${key}`)
  return p
}

describe('OneRoster 1.1 bulk mapping', async () => {
  const s = await snapshot(bulk11())

  test('a full snapshot with every user', () => {
    assert.equal(s.mode, 'full')
    assert.equal(s.source, 'school')
    assert.deepEqual(
      s.persons.map((p) => p.key),
      ['u-pupil', 'u-teacher', 'u-parent'],
    )
    assert.deepEqual(s.removed, [])
  })

  test('names: the prefix column makes familyName the name without its prefix', () => {
    const p = person(s, 'u-pupil')
    assert.equal(p.familyName, 'Berg')
    assert.equal(p.familyNamePrefix, 'van den')
    assert.equal(p.nameConvention, 'B')
    assert.equal(person(s, 'u-parent').familyName, 'Hof')
    assert.equal(person(s, 'u-parent').familyNamePrefix, "van 't")
    const t = person(s, 'u-teacher')
    assert.equal(t.familyName, 'Jansen')
    assert.equal(
      t.familyNamePrefix,
      undefined,
      'an empty prefix column means no prefix, not a split',
    )
    assert.equal(t.partnerName, 'Vries')
    assert.equal(t.partnerNamePrefix, 'de')
    assert.equal(t.nameConvention, 'PB')
    assert.equal(t.middleName, 'Jan')
  })

  test('fields, attributes and demographics', () => {
    const p = person(s, 'u-pupil')
    assert.deepEqual(p.sourceIds, { school: 'u-pupil' })
    assert.equal(p.username, 'sanne.berg')
    assert.equal(p.email, 'sanne@leerling.nl')
    assert.equal(p.birthDate, '2012-03-04')
    assert.equal(p.attributes.sex, 'female')
    assert.equal(p.attributes.enabledUser, true)
    assert.equal(p.attributes.identifier, '123456')
    assert.equal(p.attributes.userIds, '{LDAP:123}')
    assert.equal(p.attributes.agentSourcedIds, 'u-parent')
    assert.equal(p.attributes['metadata.eckId'], 'https://ketenid.nl/201703/abc')
    assert.equal(p.attributes.password, undefined)
    assert.equal(person(s, 'u-parent').attributes.enabledUser, false)
  })

  test('student contract: school, year, grade, class, window from the enrollments', () => {
    assert.deepEqual(person(s, 'u-pupil').contracts, [
      {
        kind: 'enrolment',
        id: 'u-pupil/sch1/student',
        source: 'school',
        role: 'student',
        organisation: 'org/sch1',
        organisationCode: '12AB00',
        organisationName: 'Het Baken',
        schoolYear: '2025-2026',
        grade: 2,
        classGroup: '2B',
        // the mentor: the primary teacher of the homeroom class 2B (the teacher of 2B-ne is not primary)
        manager: 'u-teacher',
        start: '2025-08-20',
        end: '2026-08-01',
        attributes: { oneRosterRole: 'student' },
      },
    ])
  })

  test('teacher at two schools: two contracts; without enrollments the window is the school year', () => {
    const c = person(s, 'u-teacher').contracts
    assert.deepEqual(
      c.map((x) => [x.kind, x.role, x.organisation, x.start, x.end, x.classGroup]),
      [
        ['employment', 'teacher', 'org/sch1', '2025-08-01', '2026-08-01', undefined],
        ['employment', 'teacher', 'org/sch2', '2025-08-01', '2026-08-01', undefined],
      ],
    )
  })

  test('parent maps to guardian', () => {
    const c = person(s, 'u-parent').contracts[0]
    assert.equal(c?.role, 'guardian')
    assert.equal(c?.attributes.oneRosterRole, 'parent')
  })

  test('memberships: one per enrollment with role, window and primary', () => {
    assert.deepEqual(person(s, 'u-pupil').memberships, [
      { group: 'class/k-2b', role: 'student', start: '2025-08-20', end: '2026-08-01' },
      { group: 'class/k-2b-ne', role: 'student', start: '2025-09-01', end: '2026-07-01' },
    ])
    assert.deepEqual(person(s, 'u-teacher').memberships, [
      { group: 'class/k-2b', role: 'teacher', primary: true },
      { group: 'class/k-2b-ne', role: 'teacher', primary: false },
    ])
  })

  test('groups: prefixed keys, types, parents, school years', () => {
    const g = Object.fromEntries(s.groups.map((x) => [x.key, x]))
    assert.deepEqual(
      s.groups.map((x) => `${x.key}:${x.type}`),
      [
        'org/board:board',
        'org/sch1:school',
        'org/sch2:school',
        'session/sy2025:school-year',
        'session/sy2026:school-year',
        'session/t2026:other',
        'course/c-ne:course',
        'course/c-mentor:course',
        'class/k-2b:class',
        'class/k-2b-ne:teaching-group',
      ],
    )
    assert.equal(g['org/sch1']?.parent, 'org/board')
    assert.equal(g['org/sch1']?.code, '12AB00')
    assert.equal(g['class/k-2b']?.parent, 'org/sch1')
    assert.equal(g['class/k-2b']?.schoolYear, '2025-2026')
    assert.equal(g['class/k-2b']?.attributes.course, 'course/c-mentor')
    assert.equal(g['class/k-2b']?.attributes.location, 'Lokaal 12')
    assert.equal(g['session/t2026']?.parent, 'session/sy2026')
    assert.equal(g['course/c-ne']?.schoolYear, '2025-2026')
  })

  test('model objects are frozen (membership entries only through their frozen array)', () => {
    const p = person(s, 'u-pupil')
    assert.ok(
      Object.isFrozen(p) &&
        Object.isFrozen(p.contracts) &&
        Object.isFrozen(p.contracts[0]) &&
        Object.isFrozen(p.memberships),
    )
    assert.ok(Object.isFrozen(s.groups[0]))
  })
})

describe('OneRoster 1.2 bulk mapping', async () => {
  const s = await snapshot(bulk12())

  test('names without a prefix column are split on known Dutch prefixes', () => {
    assert.deepEqual(
      [person(s, 'u-pupil').familyNamePrefix, person(s, 'u-pupil').familyName],
      ['van der', 'Berg'],
    )
    assert.equal(person(s, 'u-pupil').preferredGivenName, 'Sanne')
    assert.deepEqual(
      [person(s, 'u-admin').familyNamePrefix, person(s, 'u-admin').familyName],
      [undefined, 'El Amrani'],
    )
  })

  test('contracts come from roles.csv, with primary and the roles window as fallback', () => {
    const t = person(s, 'u-teacher').contracts
    assert.deepEqual(
      t.map((c) => [c.organisation, c.primary, c.start, c.end]),
      [
        ['org/sch1', true, '2020-08-01', '2026-08-01'],
        ['org/sch2', false, '2024-08-01', '2026-08-01'],
      ],
    )
    const a = person(s, 'u-admin').contracts
    assert.deepEqual(
      a.map((c) => [
        c.kind,
        c.role,
        c.organisation,
        c.organisationCode,
        c.attributes.oneRosterRole,
      ]),
      [['employment', 'staff', 'org/board', '41234', 'districtAdministrator']],
    )
  })

  test('a 1.2 users.csv without resourceSourcedIds (as exporters write it) is read too', async () => {
    const files = bulk12()
    files['users.csv'] = (files['users.csv'] ?? []).map((r) => r.filter((_, i) => i !== 17))
    const s2 = await snapshot(files)
    assert.equal(person(s2, 'u-pupil').preferredGivenName, 'Sanne')
  })

  test('without roles.csv, contracts come from the enrollments and primaryOrgSourcedId', async () => {
    const files = bulk12()
    delete files['roles.csv']
    files['manifest.csv'] = (files['manifest.csv'] ?? []).map((r) =>
      r[0] === 'file.roles' ? ['file.roles', 'absent'] : r,
    )
    const s2 = await snapshot(files)
    assert.deepEqual(
      person(s2, 'u-pupil').contracts.map((c) => [c.role, c.organisation]),
      [['student', 'org/sch1']],
    )
    assert.deepEqual(
      person(s2, 'u-admin').contracts.map((c) => [c.role, c.organisation]),
      [['other', 'org/board']],
    )
  })
})

describe('options', () => {
  test('personKey identifier and splitNamePrefix false', async () => {
    const s = await snapshot(bulk12(), { personKey: 'identifier', splitNamePrefix: false })
    assert.deepEqual(
      s.persons.map((p) => p.key),
      ['123456', 'T001', 'A01'],
    )
    assert.deepEqual(person(s, '123456').sourceIds, { school: 'u-pupil' })
    assert.equal(person(s, '123456').familyName, 'van der Berg')
    // the mentor is named by the person key too, so secretDelivery by mail finds the teacher's e-mail
    assert.equal(person(s, '123456').contracts[0]?.manager, 'T001')
  })

  test('progress is reported with a growing count of records', async () => {
    const dir = writePackage(bulk11())
    dirs.push(dir)
    const seen: number[] = []
    const r = await readPackage(dir, {}, undefined, (n) => seen.push(n))
    assert.ok(r.ok)
    assert.ok(seen.length > 0)
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      seen,
    )
    assert.equal(seen.at(-1), 3 + 3 + 2 + 2 + 3 + 4 + 1)
  })
})

describe('OneRoster 1.2: a pupil moving to another class, and leaving from it', () => {
  /** bulk12 with class 2C (mentor u-mentor2C); the pupil leaves 2B on 6 October for 2C, open-ended. */
  function moved(end: string): ReturnType<typeof bulk12> {
    const files = bulk12()
    files['classes.csv']?.push([
      'k-2c',
      '',
      '',
      '2C',
      '2',
      'c-mentor',
      '2C',
      'homeroom',
      '',
      'sch1',
      't2026',
      '',
      '',
      '',
    ])
    files['users.csv']?.push([
      'u-mentor2C',
      '',
      '',
      'true',
      'm.smit',
      '',
      'Mara',
      'Smit',
      '',
      'T002',
      'm.smit@school.nl',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      'sch1',
      '',
    ])
    files['roles.csv']?.push(['r5', '', '', 'u-mentor2C', 'primary', 'teacher', '', '', 'sch1', ''])
    const enrollments = files['enrollments.csv'] ?? []
    for (const row of enrollments) {
      if (row[0] === 'e1') row[9] = '2025-10-06'
      if (row[0] === 'e2') row[9] = end
    }
    enrollments.push(
      ['e5', '', '', 'k-2c', 'sch1', 'u-pupil', 'student', '', '2025-10-06', end],
      ['e6', '', '', 'k-2c', 'sch1', 'u-mentor2C', 'teacher', 'true', '', ''],
    )
    return files
  }

  test('the old enrollment ended and the new one open: the contract runs on to the school year end, in 2C', async () => {
    const c = person(await snapshot(moved(''), {}, '2025-10-07'), 'u-pupil').contracts[0]
    assert.deepEqual(
      [c?.classGroup, c?.manager, c?.start, c?.end],
      ['2C', 'u-mentor2C', '2025-08-20', '2026-08-01'],
    )
  })

  test('on the end date of every enrollment the class and mentor are those of the last class, not the first listed', async () => {
    const c = person(await snapshot(moved('2025-12-20'), {}, '2025-12-20'), 'u-pupil').contracts[0]
    assert.deepEqual([c?.classGroup, c?.manager, c?.end], ['2C', 'u-mentor2C', '2025-12-20'])
  })
})
