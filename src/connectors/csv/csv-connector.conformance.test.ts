// The shared source conformance suite against a plain CSV file (an HR or SIS export with a column mapping).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'csv-stringify/sync'
import { csvConnector } from './index.ts'
import { runSourceConformance } from '../../../test/conformance/source-conformance.ts'

const TODAY = '2026-11-23'
const HEADER = ['nr', 'voornaam', 'achternaam', 'rol', 'school', 'klas', 'begin']
const columns = {
  key: 'nr',
  givenName: 'voornaam',
  familyName: 'achternaam',
  role: 'rol',
  organisation: 'school',
  classGroup: 'klas',
  start: 'begin',
}

/** `persons` rows, one person each: pupils in classes of two schools, and a few teachers. */
function rows(persons: number): string[][] {
  return Array.from({ length: persons }, (_, i) => [
    String(1000 + i),
    `Voornaam${i}`,
    `Achternaam${i}`,
    i % 10 === 0 ? 'teacher' : 'student',
    i % 2 === 0 ? 'baken' : 'vliet',
    i % 10 === 0 ? '' : `${1 + (i % 3)}A`,
    '2026-08-01',
  ])
}

runSourceConformance({
  name: 'csv',
  skip: [
    { test: 'paging', reason: 'reads one file from disk; there are no pages' },
    { test: 'auth', reason: 'a file on disk has no credentials to refuse' },
    {
      test: 'server-error',
      reason:
        'one file and no server: nothing can fail part-way but the file itself, which the malformed and empty cases cover',
    },
  ],
  async setup({ persons }) {
    const dir = mkdtempSync(join(tmpdir(), 'koppel-conformance-csv-'))
    const data = rows(persons)
    const write = () => writeFileSync(join(dir, 'export.csv'), stringify([HEADER, ...data]))
    write()
    const context = {
      baseDir: dir,
      log: () => undefined,
      now: () => new Date(`${TODAY}T06:00:00Z`),
    }
    const connector = csvConnector.create(
      'hr',
      csvConnector.schema.parse({ file: 'export.csv', columns }),
      context,
    )
    return {
      connector,
      today: TODAY,
      async breakRecord() {
        const row = data[4] as string[]
        row[6] = '2026-13-45'
        write()
        return { record: row[0] as string, field: 'begin' }
      },
      async empty() {
        data.length = 0
        write()
        return connector
      },
      teardown: async () => rmSync(dir, { recursive: true, force: true }),
    }
  },
})
