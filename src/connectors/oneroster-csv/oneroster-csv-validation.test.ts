import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Issue } from '../../model/index.ts'
import { oneRosterCsvConnector } from './oneroster-csv-connector.ts'
import type { Files } from './oneroster-csv-test-package.ts'
import {
  bulk11,
  bulk12,
  manifest,
  readPackage,
  removePackage,
  writePackage,
} from './oneroster-csv-test-package.ts'

const dirs: string[] = []
after(() => dirs.forEach(removePackage))

function pkg(files: Files): string {
  const dir = writePackage(files)
  dirs.push(dir)
  return dir
}

async function errors(
  dirOrFiles: string | Files,
  options: Record<string, unknown> = {},
): Promise<Issue[]> {
  const r = await readPackage(
    typeof dirOrFiles === 'string' ? dirOrFiles : pkg(dirOrFiles),
    options,
  )
  assert.equal(r.ok, false, 'expected the read to fail')
  return r.ok ? [] : r.issues.filter((i) => i.severity === 'error')
}

const brief = (i: Issue) =>
  `${i.file}:${i.line ?? '-'}:${i.record ?? '-'}:${i.field ?? '-'}:${i.code}`

/** Replaces one cell: file, row index (0 = header), column name, value. */
function edit(files: Files, file: string, row: number, column: string, value: string): Files {
  const rows = files[file] ?? []
  const c = (rows[0] ?? []).indexOf(column)
  assert.ok(c >= 0, `${file} has ${column}`)
  const r = rows[row]
  assert.ok(r)
  r[c] = value
  return files
}

describe('manifest', () => {
  test('no manifest: rejected, 1.0 packages are not supported', async () => {
    const files = bulk11()
    delete files['manifest.csv']
    const [e] = await errors(files)
    assert.equal(e?.code, 'missing_manifest')
    assert.match(e?.message ?? '', /1\.0 is not supported/)
  })

  test('oneroster.version 1.0 is refused', async () => {
    const files = bulk11()
    files['manifest.csv'] = manifest('1.1', { users: 'bulk' }).map((r) =>
      r[0] === 'oneroster.version' ? [r[0], '1.0'] : r,
    )
    assert.deepEqual((await errors(files)).map(brief), [
      'manifest.csv:3:-:oneroster.version:unsupported_version',
    ])
  })

  test('a file listed bulk but missing, and a file present but marked absent', async () => {
    const files = bulk11()
    delete files['courses.csv']
    files['manifest.csv'] = (files['manifest.csv'] ?? []).map((r) =>
      r[0] === 'file.demographics' ? [r[0], 'absent'] : r,
    )
    const e = await errors(files)
    assert.deepEqual(e.map(brief), ['demographics.csv:-:-:-:file_marked_absent'])
    const dir = pkg(bulk11())
    unlinkSync(join(dir, 'courses.csv'))
    assert.deepEqual((await errors(dir)).map(brief), ['courses.csv:-:-:-:missing_file'])
  })

  test('files Koppel does not read are ignored; a users bulk with a delta enrollments is refused', async () => {
    const files = bulk11()
    files['lineItems.csv'] = [['anything'], ['x']]
    files['manifest.csv'] = [...(files['manifest.csv'] ?? []), ['file.lineItems', 'bulk']]
    assert.ok((await readPackage(pkg(files))).ok)
    const mixed = bulk11()
    mixed['manifest.csv'] = (mixed['manifest.csv'] ?? []).map((r) =>
      r[0] === 'file.enrollments' ? [r[0], 'delta'] : r,
    )
    assert.deepEqual((await errors(mixed)).map(brief), [
      'manifest.csv:-:file.enrollments:-:mixed_modes',
    ])
  })
})

describe('file form', () => {
  test('a UTF-8 BOM and CRLF line ends are fine', async () => {
    const dir = pkg(bulk11())
    const text =
      'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\nboard,,,Stichting,district,,\r\nsch1,,,Baken,school,,board\r\nsch2,,,Vliet,school,,board\r\n'
    writeFileSync(join(dir, 'orgs.csv'), `\uFEFF${text}`)
    assert.ok((await readPackage(dir)).ok)
  })

  test('headers are case-sensitive and extension columns must be metadata.*', async () => {
    const files = bulk11()
    edit(files, 'orgs.csv', 0, 'identifier', 'Identifier')
    files['orgs.csv'] = (files['orgs.csv'] ?? []).map((r, i) => [...r, i === 0 ? 'brin' : ''])
    const e = await errors(files)
    assert.deepEqual(e.map(brief), [
      'orgs.csv:1:-:identifier:bad_header',
      'orgs.csv:1:-:brin:bad_header',
    ])
    assert.match(e[0]?.message ?? '', /case-sensitive/)
  })

  test('a 1.1 users.csv in a 1.2 package is named as such, and its rows are not read', async () => {
    const files = bulk12()
    files['users.csv'] = bulk11()['users.csv'] ?? []
    assert.deepEqual((await errors(files)).map(brief), ['users.csv:1:-:-:wrong_version'])
  })

  test('a missing column stops that file (values would be misfiled) without a flood of errors', async () => {
    const files = bulk11()
    files['classes.csv'] = (files['classes.csv'] ?? []).map((r) => r.filter((_, i) => i !== 4))
    const e = await errors(files)
    assert.ok(e.length <= 14, `${e.length} errors`)
    assert.ok(e.every((i) => i.file === 'classes.csv' && i.line === 1))
  })

  test('rows with the wrong number of values, a file without rows, a bad quote', async () => {
    const dir = pkg(bulk11())
    writeFileSync(
      join(dir, 'courses.csv'),
      'sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes\n',
    )
    writeFileSync(
      join(dir, 'orgs.csv'),
      'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nboard,,,"Stichting "x"",district,,\n',
    )
    const e = await errors(dir)
    assert.ok(e.some((i) => brief(i) === 'orgs.csv:2:-:-:bad_csv'))
    assert.ok(e.some((i) => brief(i) === 'courses.csv:-:-:-:no_rows'))
    const d2 = pkg(bulk11())
    writeFileSync(
      join(d2, 'orgs.csv'),
      'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nboard,,,Stichting,district\nsch1,,,B,school,,board\nsch2,,,V,school,,board\n',
    )
    // the short row is not a record, so the schools whose parent it is refer to nothing: said once each
    assert.deepEqual((await errors(d2)).map(brief), [
      'orgs.csv:2:board:-:bad_column_count',
      'orgs.csv:3:sch1:parentSourcedId:unknown_reference',
      'orgs.csv:4:sch2:parentSourcedId:unknown_reference',
    ])
  })

  test('Latin-1 bytes are reported as a bad encoding with their line', async () => {
    const dir = pkg(bulk11())
    const text =
      'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nboard,,,Stichting,district,,\nsch1,,,Jo\xebl,school,,board\nsch2,,,V,school,,board\n'
    writeFileSync(join(dir, 'orgs.csv'), Buffer.from(text, 'latin1'))
    assert.deepEqual((await errors(dir)).map(brief), ['orgs.csv:3:-:-:bad_encoding'])
  })
})

describe('values', () => {
  test('required fields, enums (ext: allowed), GUIDs, dates, booleans, years', async () => {
    const files = bulk11()
    edit(files, 'users.csv', 1, 'givenName', '')
    edit(files, 'users.csv', 2, 'enabledUser', 'ja')
    edit(files, 'users.csv', 3, 'role', 'ext:mentor')
    edit(files, 'classes.csv', 2, 'classType', 'lesgroep')
    edit(files, 'enrollments.csv', 1, 'beginDate', '2025-02-30')
    edit(files, 'enrollments.csv', 2, 'endDate', '01-07-2026')
    edit(files, 'enrollments.csv', 3, 'sourcedId', 'e 3')
    edit(files, 'academicSessions.csv', 1, 'schoolYear', '24/25')
    edit(files, 'enrollments.csv', 4, 'primary', 'yes')
    assert.deepEqual((await errors(files)).map(brief), [
      'academicSessions.csv:2:sy2025:schoolYear:bad_year',
      'classes.csv:3:k-2b-ne:classType:bad_enum',
      'users.csv:2:u-pupil:givenName:missing_field',
      'users.csv:3:u-teacher:enabledUser:bad_boolean',
      'enrollments.csv:2:e1:beginDate:bad_date',
      'enrollments.csv:3:e2:endDate:bad_date',
      'enrollments.csv:4:e 3:sourcedId:bad_id',
      'enrollments.csv:5:e4:primary:bad_boolean',
    ])
  })

  test('bulk rows must leave status and dateLastModified empty', async () => {
    const files = bulk11()
    edit(files, 'orgs.csv', 2, 'status', 'active')
    edit(files, 'orgs.csv', 3, 'dateLastModified', '2025-01-01T00:00:00Z')
    assert.deepEqual((await errors(files)).map(brief), [
      'orgs.csv:3:sch1:status:bulk_status',
      'orgs.csv:4:sch2:dateLastModified:bulk_date_last_modified',
    ])
  })

  test('duplicate sourcedIds name the first line', async () => {
    const files = bulk11()
    edit(files, 'orgs.csv', 3, 'sourcedId', 'sch1')
    edit(files, 'users.csv', 3, 'sourcedId', 'u-pupil')
    const e = await errors(files)
    assert.deepEqual(e.filter((i) => i.code === 'duplicate_id').map(brief), [
      'orgs.csv:4:sch1:sourcedId:duplicate_id',
      'users.csv:4:u-pupil:sourcedId:duplicate_id',
    ])
    assert.match(e[0]?.message ?? '', /on line 3/)
  })

  test('referential integrity in bulk: enrollment → user/class/school, class → course/term, user → org', async () => {
    const files = bulk11()
    edit(files, 'enrollments.csv', 1, 'userSourcedId', 'u-ghost')
    edit(files, 'enrollments.csv', 2, 'classSourcedId', 'k-ghost')
    edit(files, 'enrollments.csv', 3, 'schoolSourcedId', 'sch9')
    edit(files, 'classes.csv', 1, 'courseSourcedId', 'c-ghost')
    edit(files, 'classes.csv', 2, 'termSourcedIds', 't2026,t-ghost')
    edit(files, 'users.csv', 2, 'orgSourcedIds', 'sch1,sch7')
    edit(files, 'users.csv', 1, 'agentSourcedIds', 'u-nobody')
    assert.deepEqual((await errors(files)).map(brief), [
      'classes.csv:2:k-2b:courseSourcedId:unknown_reference',
      'classes.csv:3:k-2b-ne:termSourcedIds:unknown_reference',
      'users.csv:3:u-teacher:orgSourcedIds:unknown_reference',
      'users.csv:2:u-pupil:agentSourcedIds:unknown_reference',
      'enrollments.csv:2:e1:userSourcedId:unknown_reference',
      'enrollments.csv:3:e2:classSourcedId:unknown_reference',
      'enrollments.csv:4:e3:schoolSourcedId:unknown_reference',
    ])
  })

  test('errors are capped, with a closing issue saying so', async () => {
    const files = bulk11()
    const header = files['enrollments.csv']?.[0] ?? []
    files['enrollments.csv'] = [
      header,
      ...Array.from({ length: 300 }, (_, i) => [
        `x${i}`,
        '',
        '',
        'k-2b',
        'sch1',
        'u-pupil',
        'pupil',
        '',
        '',
        '',
      ]),
    ]
    const r = await readPackage(pkg(files), { maxIssues: 50 })
    assert.ok(!r.ok)
    assert.equal(r.issues.length, 51)
    assert.equal(r.issues.at(-1)?.code, 'too_many_issues')
  })

  test('person key: missing and duplicate identifiers, bad name convention', async () => {
    const files = bulk11()
    edit(files, 'users.csv', 3, 'identifier', 'T001')
    edit(files, 'users.csv', 1, 'metadata.nl.nameConvention', 'X')
    const e = await errors(files, { personKey: 'identifier' })
    assert.deepEqual(e.map(brief), [
      'users.csv:2:u-pupil:metadata.nl.nameConvention:bad_enum',
      'users.csv:4:u-parent:identifier:duplicate_key',
    ])
    const f2 = bulk11()
    edit(f2, 'users.csv', 1, 'identifier', '')
    assert.deepEqual((await errors(f2, { personKey: 'identifier' })).map(brief), [
      'users.csv:2:u-pupil:identifier:missing_key',
      'users.csv:4:u-parent:identifier:missing_key',
    ])
  })
})

test('an aborted read rejects with the abort reason instead of returning a partial result', async () => {
  const source = oneRosterCsvConnector.create(
    'school',
    oneRosterCsvConnector.schema.parse({ path: pkg(bulk11()) }),
    {
      baseDir: '/',
      log: () => {},
      now: () => new Date(),
    },
  )
  const controller = new AbortController()
  controller.abort(new Error('stopped by operator'))
  await assert.rejects(
    source.read({ today: '2025-10-01', signal: controller.signal }),
    /stopped by operator/,
  )
})

describe('delta', () => {
  const header12 = bulk12()['users.csv']?.[0] ?? []
  const user = (id: string, status: string, given: string) => [
    id,
    status,
    '2025-09-30T22:00:00.000Z',
    'true',
    id,
    '',
    given,
    'Bakker',
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
    '',
    '',
    '',
    '',
    '',
  ]

  test('active users become persons, tobedeleted users become removed keys', async () => {
    const s = await readPackage(
      pkg({
        'manifest.csv': manifest('1.2', { users: 'delta' }),
        'users.csv': [header12, user('u1', 'active', 'Fatima'), user('u2', 'tobedeleted', '')],
      }),
    )
    assert.ok(s.ok, s.ok ? '' : s.issues.map(brief).join(' '))
    assert.equal(s.snapshot.mode, 'delta')
    assert.deepEqual(
      s.snapshot.persons.map((p) => p.key),
      ['u1'],
    )
    assert.deepEqual(s.snapshot.removed, ['u2'])
    // without roles or enrollments in the delta, no contract is made up from primaryOrgSourcedId
    const withOrg = user('u3', 'active', 'Bo')
    withOrg[21] = 'sch1'
    const t = await readPackage(
      pkg({
        'manifest.csv': manifest('1.2', { users: 'delta' }),
        'users.csv': [header12, withOrg],
      }),
    )
    assert.ok(t.ok)
    assert.deepEqual(t.snapshot.persons[0]?.contracts, [])
  })

  test('a delta package for a source not configured for deltas is refused, naming the option', async () => {
    const s = await readPackage(
      pkg({
        'manifest.csv': manifest('1.2', { users: 'delta' }),
        'users.csv': [header12, user('u1', 'active', 'Fatima')],
      }),
      { deltas: false },
    )
    assert.equal(s.ok, false)
    assert.deepEqual(s.ok ? [] : s.issues.map((i) => [i.code, i.file, i.field]), [
      ['delta_not_enabled', 'manifest.csv', 'file.users'],
    ])
    assert.match(s.ok ? '' : (s.issues[0]?.message ?? ''), /deltas: true/)
  })

  test('delta rows need status and an ISO dateLastModified; references need not resolve', async () => {
    const bad = user('u1', '', 'Fatima')
    bad[2] = '2025-09-30'
    const enrollments = [
      [
        'sourcedId',
        'status',
        'dateLastModified',
        'classSourcedId',
        'schoolSourcedId',
        'userSourcedId',
        'role',
        'primary',
        'beginDate',
        'endDate',
      ],
      [
        'e1',
        'active',
        '2025-09-30T22:00:00Z',
        'k-elsewhere',
        'sch-elsewhere',
        'u2',
        'student',
        '',
        '',
        '',
      ],
    ]
    const e = await errors({
      'manifest.csv': manifest('1.2', { users: 'delta', enrollments: 'delta' }),
      'users.csv': [header12, bad, user('u2', 'inactive', 'Bo')],
      'enrollments.csv': enrollments,
    })
    assert.deepEqual(e.map(brief), [
      'users.csv:2:u1:status:missing_field',
      'users.csv:2:u1:dateLastModified:bad_datetime',
      'users.csv:3:u2:status:bad_enum',
    ])
  })
})
