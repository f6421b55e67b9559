import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'csv-stringify/sync'
import type { Issue, SourceReadResult, SourceSnapshot } from '../../model/index.ts'
import { csvConnector } from './index.ts'

const dir = mkdtempSync(join(tmpdir(), 'koppel-csv-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, content: string | Buffer): string {
  writeFileSync(join(dir, name), content)
  return name
}

async function read(options: Record<string, unknown>): Promise<SourceReadResult> {
  const source = csvConnector.create('hr', csvConnector.schema.parse(options), {
    baseDir: dir,
    log: () => {},
    now: () => new Date('2026-01-05T00:00:00Z'),
  })
  return source.read({ today: '2026-01-05' })
}

async function ok(options: Record<string, unknown>): Promise<SourceSnapshot> {
  const r = await read(options)
  assert.ok(r.ok, r.ok ? '' : r.issues.map((i) => i.message).join('\n'))
  return r.snapshot
}

async function fails(options: Record<string, unknown>): Promise<string[]> {
  const r = await read(options)
  assert.equal(r.ok, false)
  return r.ok
    ? []
    : r.issues.map((i: Issue) => `${i.file}:${i.line ?? '-'}:${i.field ?? '-'}:${i.code}`)
}

const pupils = stringify([
  [
    'nr',
    'voornaam',
    'achternaam',
    'tussenvoegsel',
    'email',
    'school',
    'brin',
    'klas',
    'leerjaar',
    'begin',
    'eind',
    'eck',
  ],
  [
    '1001',
    'Sanne',
    'van den Berg',
    'van den',
    'sanne@x.nl',
    'baken',
    '12AB00',
    '2B',
    '2',
    '2025-08-01',
    '2026-08-01',
    'https://ketenid.nl/1',
  ],
  ['1002', 'Daan', 'Jansen', '', '', 'baken', '12AB00', '1A', '1', '2025-08-01', '', ''],
  [
    '1001',
    'Sanne',
    'van den Berg',
    'van den',
    'sanne@x.nl',
    'vliet',
    '12AB01',
    '',
    '2',
    '2025-08-01',
    '',
    'https://ketenid.nl/1',
  ],
])
const columns = {
  key: 'nr',
  givenName: 'voornaam',
  familyName: 'achternaam',
  familyNamePrefix: 'tussenvoegsel',
  email: 'email',
  organisation: 'school',
  organisationCode: 'brin',
  classGroup: 'klas',
  grade: 'leerjaar',
  start: 'begin',
  end: 'eind',
}

describe('plain CSV source', () => {
  test('rows with the same key are one person with several contracts', async () => {
    const s = await ok({
      file: file('pupils.csv', pupils),
      columns,
      defaults: { role: 'student' },
      attributes: { eckId: 'eck' },
    })
    assert.equal(s.mode, 'full')
    assert.deepEqual(
      s.persons.map((p) => p.key),
      ['1001', '1002'],
    )
    const p = s.persons[0]
    assert.equal(p?.familyName, 'Berg')
    assert.equal(p?.familyNamePrefix, 'van den')
    assert.deepEqual(p?.attributes, { eckId: 'https://ketenid.nl/1' })
    assert.deepEqual(p?.sourceIds, { hr: '1001' })
    assert.deepEqual(
      p?.contracts.map((c) => [
        c.kind,
        c.role,
        c.organisation,
        c.organisationCode,
        c.classGroup,
        c.grade,
        c.start,
        c.end,
      ]),
      [
        ['enrolment', 'student', 'org/baken', '12AB00', '2B', 2, '2025-08-01', '2026-08-01'],
        ['enrolment', 'student', 'org/vliet', '12AB01', undefined, 2, '2025-08-01', undefined],
      ],
    )
    assert.deepEqual(p?.memberships, [
      { group: 'class/baken/2B', role: 'student', start: '2025-08-01', end: '2026-08-01' },
    ])
    assert.deepEqual(
      s.groups.map((g) => `${g.key}:${g.type}:${g.parent ?? ''}`),
      [
        'org/baken:school:',
        'class/baken/2B:class:org/baken',
        'class/baken/1A:class:org/baken',
        'org/vliet:school:',
      ],
    )
  })

  test("a mentor column names the pupil's mentor on the contract (contract.manager), where passwords are mailed", async () => {
    const text =
      'nr,voornaam,achternaam,school,mentor\n1001,Sanne,Berg,baken,E7\n1002,Daan,Jansen,baken,\nE7,Joëlle,Çelik,baken,\n'
    const options = {
      file: file('mentors.csv', text),
      columns: {
        key: 'nr',
        givenName: 'voornaam',
        familyName: 'achternaam',
        organisation: 'school',
        manager: 'mentor',
      },
      defaults: { role: 'student' },
    }
    const s = await ok(options)
    assert.deepEqual(
      s.persons.map((p) => [p.key, p.contracts[0]?.manager]),
      [
        ['1001', 'E7'],
        ['1002', undefined],
        ['E7', undefined],
      ],
    )
    const named = csvConnector.create('hr', csvConnector.schema.parse(options), {
      baseDir: dir,
      log: () => {},
      now: () => new Date(),
    })
    assert.equal(named.capabilities.namesManagers, true)
    const { manager: _, ...withoutMentor } = options.columns
    const unnamed = csvConnector.create(
      'hr',
      csvConnector.schema.parse({ ...options, columns: withoutMentor }),
      { baseDir: dir, log: () => {}, now: () => new Date() },
    )
    assert.equal(unnamed.capabilities.namesManagers, false)
  })

  test('semicolons, Latin-1, DD-MM-YYYY dates and Dutch role words', async () => {
    const text =
      'Nummer;Roepnaam;Achternaam;Functie;Locatie;Geboren;Indienst\n' +
      'E7;Joëlle;Çelik;docent;Zaandam;03-02-1985;1-8-2019\n' +
      'E8;Ĳsbrand;Öz;medewerker;Zaandam;;\n'
    // Ĳ is not in Latin-1: the second row keeps only characters that are
    const latin1 = Buffer.from(text.replace('Ĳsbrand', 'Ingrid'), 'latin1')
    const s = await ok({
      file: file('personeel.csv', latin1),
      delimiter: ';',
      encoding: 'latin1',
      dateFormat: 'DD-MM-YYYY',
      columns: {
        key: 'Nummer',
        givenName: 'Roepnaam',
        familyName: 'Achternaam',
        role: 'Functie',
        organisation: 'Locatie',
        birthDate: 'Geboren',
        start: 'Indienst',
      },
    })
    const p = s.persons[0]
    assert.equal(p?.givenName, 'Joëlle')
    assert.equal(p?.familyName, 'Çelik')
    assert.equal(p?.birthDate, '1985-02-03')
    assert.deepEqual(
      p?.contracts.map((c) => [c.kind, c.role, c.start]),
      [['employment', 'teacher', '2019-08-01']],
    )
    assert.equal(s.persons[1]?.contracts[0]?.role, 'staff')
  })

  test('a mapping entry naming a column that is not there is an error naming the entry', async () => {
    assert.deepEqual(
      await fails({
        file: file('pupils.csv', pupils),
        columns: { ...columns, email: 'E-mail' },
        attributes: { eckId: 'ECK' },
      }),
      ['pupils.csv:1:columns.email:unknown_column', 'pupils.csv:1:attributes.eckId:unknown_column'],
    )
  })

  test('empty key, bad date, bad grade, bad role, missing organisation, conflicting person data', async () => {
    const text = stringify([
      ['nr', 'voornaam', 'achternaam', 'rol', 'school', 'leerjaar', 'begin'],
      ['', 'Geen', 'Nummer', 'student', 'baken', '1', ''],
      ['1', 'Eva', 'Smit', 'student', 'baken', 'twee', '2025-13-01'],
      ['2', 'Bo', 'Ali', 'schoonmaker', 'baken', '', ''],
      ['3', 'Mo', 'Kaya', 'teacher', '', '', ''],
      ['1', 'Eva', 'Smid', 'student', 'vliet', '', ''],
    ])
    const cols = {
      key: 'nr',
      givenName: 'voornaam',
      familyName: 'achternaam',
      role: 'rol',
      organisation: 'school',
      grade: 'leerjaar',
      start: 'begin',
    }
    assert.deepEqual(await fails({ file: file('fouten.csv', text), columns: cols }), [
      'fouten.csv:2:nr:missing_key',
      'fouten.csv:3:leerjaar:bad_number',
      'fouten.csv:3:begin:bad_date',
      'fouten.csv:4:rol:bad_enum',
      'fouten.csv:5:school:missing_field',
      'fouten.csv:6:achternaam:conflicting_value',
    ])
  })

  test('a header-only file is refused rather than read as nobody; a missing file is named', async () => {
    assert.deepEqual(await fails({ file: file('leeg.csv', 'nr,naam\n'), columns: { key: 'nr' } }), [
      'leeg.csv:-:-:no_rows',
    ])
    assert.deepEqual(await fails({ file: 'nope.csv', columns: { key: 'nr' } }), [
      'nope.csv:-:-:missing_file',
    ])
  })

  test('a quote opening inside an unquoted field is an issue with its line, not a crash (found by fuzzing)', async () => {
    const r = await read({
      file: file('quote.csv', 'nr,achternaam\n1,Jansen\n2,\\"Bos\n'),
      columns: { key: 'nr', familyName: 'achternaam' },
    })
    assert.equal(r.ok, false)
    assert.deepEqual(r.ok ? [] : r.issues.map((i) => [i.file, i.line, i.code]), [
      ['quote.csv', 3, 'bad_csv'],
    ])
  })

  test('unknown option keys in columns are refused by the schema', () => {
    assert.throws(() =>
      csvConnector.schema.parse({ file: 'x.csv', columns: { key: 'nr', surname: 'x' } }),
    )
    assert.throws(() => csvConnector.schema.parse({ file: 'x.csv', columns: {} }))
  })
})

describe('plain CSV source: fingerprint', () => {
  const fingerprintOf = (name: string) => {
    const source = csvConnector.create('hr', csvConnector.schema.parse({ file: name, columns }), {
      baseDir: dir,
      log: () => {},
      now: () => new Date(),
    })
    assert.ok(source.fingerprint !== undefined)
    return source.fingerprint({ today: '2026-01-05' })
  }

  test('follows the bytes: stable, changed by a same-size edit, different for a missing file', async () => {
    const name = file('fp.csv', pupils)
    const a = await fingerprintOf(name)
    assert.equal(await fingerprintOf(name), a)
    file('fp.csv', pupils.replace('Daan', 'Dana'))
    assert.notEqual(await fingerprintOf(name), a)
    assert.notEqual(await fingerprintOf('missing.csv'), a)
  })
})
