// The shared source conformance suite against OneRoster CSV exports written by the generator (the simulator of
// a SIS export folder: manifest.csv and the data files, as the OneRoster 1.2 CSV binding lays them out).
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { oneRosterCsvConnector, oneRosterCsvOptions } from './index.ts'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { runSourceConformance } from '../../../test/conformance/source-conformance.ts'

const TODAY = '2026-11-23'
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${TODAY}T06:00:00Z`) }

const readRows = (dir: string, file: string): string[][] =>
  parse(readFileSync(join(dir, file), 'utf8'), { bom: true }) as string[][]
const writeRows = (dir: string, file: string, rows: readonly (readonly string[])[]) =>
  writeFileSync(join(dir, file), stringify(rows as string[][]))

/** Sets one cell of `file`'s row `row` (1 = first data row); returns that row's sourcedId. */
function edit(dir: string, file: string, row: number, column: string, value: string): string {
  const rows = readRows(dir, file)
  const c = (rows[0] ?? []).indexOf(column)
  const r = rows[row]
  assert.ok(c >= 0 && r !== undefined, `${file} has no ${column} or no row ${row}`)
  r[c] = value
  writeRows(dir, file, rows)
  return r[0] as string
}

runSourceConformance({
  name: 'oneroster-csv',
  skip: [
    { test: 'paging', reason: 'reads an export folder from disk; there are no pages' },
    { test: 'auth', reason: 'a folder on disk has no credentials to refuse' },
  ],
  async setup({ persons }) {
    const dir = mkdtempSync(join(tmpdir(), 'koppel-conformance-orcsv-'))
    await writeOneRosterCsv(
      dir,
      generateBoard({ seed: 'conformance-orcsv', persons, today: TODAY }),
      { version: '1.2' },
    )
    const connector = oneRosterCsvConnector.create(
      'sis',
      oneRosterCsvOptions.parse({ path: dir, deltas: true }),
      context,
    )
    return {
      connector,
      today: TODAY,
      // no server to fail: the part-way failure of a folder is an export cut off after some of its files
      failPartWay: () => {
        unlinkSync(join(dir, 'enrollments.csv'))
        return /enrollments\.csv/
      },
      async breakRecord() {
        const record = edit(dir, 'users.csv', 4, 'enabledUser', 'perhaps')
        return { record, field: 'enabledUser' }
      },
      async empty() {
        // every data file cut back to its header, as an export job that found nothing writes it
        for (const f of readdirSync(dir))
          if (f !== 'manifest.csv') writeRows(dir, f, readRows(dir, f).slice(0, 1))
        return connector
      },
      async changeOne() {
        // the next export is a delta package: the manifest says users=delta and holds the one changed user
        const users = readRows(dir, 'users.csv')
        const header = users[0] as string[]
        const changed = [...(users[5] as string[])]
        changed[header.indexOf('givenName')] = 'Conformance-Changed'
        changed[header.indexOf('status')] = 'active'
        changed[header.indexOf('dateLastModified')] = `${TODAY}T05:00:00.000Z`
        for (const f of readdirSync(dir)) unlinkSync(join(dir, f))
        const manifest = [
          ['propertyName', 'value'],
          ['manifest.version', '1.0'],
          ['oneroster.version', '1.2'],
          ['file.users', 'delta'],
        ]
        writeRows(dir, 'manifest.csv', manifest)
        writeRows(dir, 'users.csv', [header, changed])
        return 'Conformance-Changed'
      },
      teardown: async () => rmSync(dir, { recursive: true, force: true }),
    }
  },
})
