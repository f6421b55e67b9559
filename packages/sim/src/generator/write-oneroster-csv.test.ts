import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { generateBoard, writeOneRosterCsv } from './index.ts'

const today = '2026-11-23'
let root = ''
const dir = (name: string) => join(root, name)
const read = async (d: string, file: string) =>
  parse(await readFile(join(d, file)), { bom: true }) as string[][]
async function table(d: string, file: string): Promise<Record<string, string>[]> {
  const [header, ...rows] = await read(d, file)
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])))
}

// Column tables of the OneRoster 1.2 CSV binding (shared/apis/standards.md §3.1), typed out independently
// of the writer so that a wrong order in oneroster-columns.ts fails here.
const spec12: Record<string, string> = {
  'academicSessions.csv':
    'sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear',
  'orgs.csv': 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId',
  'courses.csv':
    'sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes',
  'classes.csv':
    'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods',
  'enrollments.csv':
    'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate',
  'users.csv':
    'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns,metadata.nl.familyNamePrefix,metadata.nl.partnerName,metadata.nl.partnerNamePrefix,metadata.nl.nameConvention',
  'roles.csv':
    'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId',
  'demographics.csv':
    'sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus',
}
const users11 =
  'sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,metadata.nl.familyNamePrefix,metadata.nl.partnerName,metadata.nl.partnerNamePrefix,metadata.nl.nameConvention'

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'koppel-gen-test-'))
  const board = generateBoard({
    seed: 'csv',
    persons: 4000,
    today,
    midYear: { left: 0.01, starting: 0.01 },
  })
  await writeOneRosterCsv(dir('a'), board)
  await writeOneRosterCsv(
    dir('b'),
    generateBoard({ seed: 'csv', persons: 4000, today, midYear: { left: 0.01, starting: 0.01 } }),
  )
  await writeOneRosterCsv(dir('other'), generateBoard({ seed: 'csv2', persons: 4000, today }))
  await writeOneRosterCsv(dir('v11'), generateBoard({ seed: 'csv', persons: 500, today }), {
    version: '1.1',
  })
})
after(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('writeOneRosterCsv', () => {
  test('writes byte-identical files for the same seed, different ones for another seed', async () => {
    const files = (await readdir(dir('a'))).sort()
    assert.deepEqual(files, [
      'academicSessions.csv',
      'classes.csv',
      'courses.csv',
      'demographics.csv',
      'enrollments.csv',
      'manifest.csv',
      'orgs.csv',
      'roles.csv',
      'users.csv',
    ])
    for (const f of files)
      assert.ok((await readFile(join(dir('a'), f))).equals(await readFile(join(dir('b'), f))), f)
    assert.ok(
      !(await readFile(join(dir('a'), 'users.csv'))).equals(
        await readFile(join(dir('other'), 'users.csv')),
      ),
    )
  })

  test('uses the 1.2 binding headers in order, with the Dutch extensions to the right', async () => {
    for (const [file, header] of Object.entries(spec12))
      assert.equal((await read(dir('a'), file))[0]?.join(','), header, file)
    assert.equal((await read(dir('v11'), 'users.csv'))[0]?.join(','), users11)
    assert.deepEqual(
      (await readdir(dir('v11'))).filter((f) => f === 'roles.csv'),
      [],
    )
  })

  test('writes a bulk manifest naming every file of the version', async () => {
    const m = Object.fromEntries((await read(dir('a'), 'manifest.csv')).slice(1))
    assert.equal(m['manifest.version'], '1.0')
    assert.equal(m['oneroster.version'], '1.2')
    assert.equal(m['source.systemName'], 'Koppel-sim')
    const bulk = Object.keys(m)
      .filter((k) => m[k] === 'bulk')
      .map((k) => `${k.slice(5)}.csv`)
      .sort()
    assert.deepEqual(bulk, Object.keys(spec12).sort())
    assert.equal(m['file.lineItems'], 'absent')
    assert.equal(Object.keys(m).filter((k) => k.startsWith('file.')).length, 21)
    const m11 = Object.fromEntries((await read(dir('v11'), 'manifest.csv')).slice(1))
    assert.equal(m11['oneroster.version'], '1.1')
    assert.equal(m11['file.roles'], undefined)
  })

  test('parses back with every reference resolvable and bulk fields empty', async () => {
    const d = dir('a')
    const [orgs, sessions, courses, classes, users, enrollments, roles, demographics] =
      await Promise.all(
        [
          'orgs',
          'academicSessions',
          'courses',
          'classes',
          'users',
          'enrollments',
          'roles',
          'demographics',
        ].map((f) => table(d, `${f}.csv`)),
      )
    const ids = (rows: Record<string, string>[]) => new Set(rows.map((r) => r['sourcedId']))
    const [orgIds, sessionIds, courseIds, classIds, userIds] = [
      ids(orgs!),
      ids(sessions!),
      ids(courses!),
      ids(classes!),
      ids(users!),
    ]
    for (const rows of [
      orgs!,
      sessions!,
      courses!,
      classes!,
      users!,
      enrollments!,
      roles!,
      demographics!,
    ]) {
      assert.ok(rows.length > 0)
      assert.ok(rows.every((r) => r['status'] === '' && r['dateLastModified'] === ''))
      assert.equal(ids(rows).size, rows.length, 'unique sourcedIds')
      assert.ok(
        rows.every((r) => /^[0-9a-zA-Z._/@-]{1,255}$/.test(r['sourcedId']!)),
        'GUID character set',
      )
    }
    const district = orgs!.filter((o) => o['type'] === 'district')
    assert.equal(district.length, 1)
    for (const o of orgs!.filter((o) => o['type'] === 'school')) {
      assert.match(o['identifier']!, /^\d{2}[A-Z]{2}\d{2}$/)
      assert.equal(o['parentSourcedId'], district[0]!['sourcedId'])
    }
    for (const c of courses!)
      assert.ok(
        orgIds.has(c['orgSourcedId']) && sessionIds.has(c['schoolYearSourcedId']),
        c['sourcedId'],
      )
    for (const c of classes!) {
      assert.ok(
        courseIds.has(c['courseSourcedId']) && orgIds.has(c['schoolSourcedId']),
        c['sourcedId'],
      )
      assert.ok(
        c['termSourcedIds']!.split(',').every((t) => sessionIds.has(t)),
        c['sourcedId'],
      )
    }
    for (const e of enrollments!) {
      assert.ok(
        userIds.has(e['userSourcedId']) &&
          classIds.has(e['classSourcedId']) &&
          orgIds.has(e['schoolSourcedId']),
        e['sourcedId'],
      )
    }
    for (const r of roles!)
      assert.ok(userIds.has(r['userSourcedId']) && orgIds.has(r['orgSourcedId']), r['sourcedId'])
    for (const r of demographics!) assert.ok(userIds.has(r['sourcedId']))
    for (const u of users!) {
      for (const a of u['agentSourcedIds']!.split(',').filter(Boolean))
        assert.ok(userIds.has(a), `${u['sourcedId']} agent`)
    }
    assert.ok(enrollments!.some((e) => e['endDate']! !== '' && e['endDate']! <= today))
    assert.ok(enrollments!.some((e) => e['beginDate']! > today))
  })

  test('carries Dutch name parts, identifiers, grades and roles', async () => {
    const users = await table(dir('a'), 'users.csv')
    const roles = await table(dir('a'), 'roles.csv')
    const roleOf = new Map(
      roles.filter((r) => r['roleType'] === 'primary').map((r) => [r['userSourcedId'], r['role']]),
    )
    const prefixed = users.filter((u) => u['metadata.nl.familyNamePrefix'] !== '')
    assert.ok(prefixed.length > 100)
    assert.ok(
      prefixed.every((u) => u['familyName']!.startsWith(`${u['metadata.nl.familyNamePrefix']} `)),
    )
    assert.ok(
      users.some((u) => u['familyName']!.includes(',')),
      'a comma survives quoting',
    )
    assert.ok(
      users.some((u) => u['familyName']!.includes("'")),
      'an apostrophe survives',
    )
    const students = users.filter((u) => roleOf.get(u['sourcedId']) === 'student')
    assert.equal(students.length, 3200)
    assert.ok(
      students.every((u) => /^\d{6,}$/.test(u['identifier']!) && /^0[1-6]$/.test(u['grades']!)),
    )
    assert.ok(
      users.every((u) => u['username'] !== ''),
      'username is required by the binding',
    )
    assert.ok(students.every((u) => u['username'] === u['identifier'] && u['email'] === ''))
    const staff = users.filter((u) =>
      ['teacher', 'siteAdministrator'].includes(roleOf.get(u['sourcedId']) ?? ''),
    )
    assert.equal(staff.length, 320)
    assert.ok(
      staff.every(
        (u) =>
          u['email']!.endsWith('.nl') &&
          u['username'] === u['email'] &&
          /^[BP]{1,2}$/.test(u['metadata.nl.nameConvention']!),
      ),
    )
    assert.ok(staff.some((u) => u['metadata.nl.partnerName'] !== ''))
    const guardians = users.filter((u) => roleOf.get(u['sourcedId']) === 'guardian')
    assert.equal(guardians.length, 480)
    assert.ok(
      students.some((u) => u['agentSourcedIds']!.includes(',')),
      'a list of two guardians is one quoted field',
    )
  })

  test('marks the mentor as the primary teacher of each homeroom', async () => {
    const classes = await table(dir('a'), 'classes.csv')
    const enrollments = await table(dir('a'), 'enrollments.csv')
    const homerooms = new Set(
      classes.filter((c) => c['classType'] === 'homeroom').map((c) => c['sourcedId']),
    )
    const mentors = enrollments.filter(
      (e) => homerooms.has(e['classSourcedId']) && e['role'] === 'teacher',
    )
    assert.equal(mentors.length, homerooms.size)
    assert.ok(mentors.every((e) => e['primary'] === 'true'))
    assert.ok(
      classes.some((c) => /^[HV]\d[a-z]$/.test(c['title']!)) &&
        classes.some((c) => /^[HV]\d-\w+-\d+$/.test(c['title']!)),
    )
  })
})
