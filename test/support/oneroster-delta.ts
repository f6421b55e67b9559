// A OneRoster 1.2 CSV delta package made from a bulk export, as a school's system drops it: one pupil moved to
// another class of the same school. Every file is marked delta (a package never mixes modes); the person files
// carry that pupil's rows only, the others all rows, each with status and an ISO dateLastModified.
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'

type Row = Record<string, string>
const PERSON_FILES: Readonly<Record<string, string>> = {
  users: 'sourcedId',
  roles: 'userSourcedId',
  enrollments: 'userSourcedId',
  demographics: 'sourcedId',
}

async function rows(dir: string, file: string): Promise<Row[]> {
  return parse(await readFile(join(dir, `${file}.csv`), 'utf8'), { columns: true }) as Row[]
}

/** Pupils of a bulk export with their homeroom (stamgroep) and another homeroom of their school, one per pupil. */
export async function movablePupils(
  bulkDir: string,
): Promise<{ user: string; from: string; to: string }[]> {
  const classes = await rows(bulkDir, 'classes')
  const byId = new Map(classes.map((c) => [c['sourcedId'] ?? '', c]))
  const found = new Map<string, { user: string; from: string; to: string }>()
  for (const e of await rows(bulkDir, 'enrollments')) {
    const user = e['userSourcedId'] ?? ''
    const cls = byId.get(e['classSourcedId'] ?? '')
    if (e['role'] !== 'student' || cls?.['classType'] !== 'homeroom' || found.has(user)) continue
    const other = classes.find(
      (c) =>
        c['classType'] === 'homeroom' &&
        c['schoolSourcedId'] === cls['schoolSourcedId'] &&
        c['sourcedId'] !== cls['sourcedId'],
    )
    if (other !== undefined)
      found.set(user, { user, from: cls['sourcedId'] ?? '', to: other['sourcedId'] ?? '' })
  }
  return [...found.values()]
}

/** A copy of the bulk export to make deltas from (the watched folder is overwritten by each delta). */
export async function keepBulk(exportDir: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'koppel-bulk-'))
  await cp(exportDir, dir, { recursive: true })
  return dir
}

/** Writes into `exportDir` (replacing what is there) a delta moving `move.user` from class `from` to `to`. */
export async function writeClassChangeDelta(
  bulkDir: string,
  exportDir: string,
  move: { user: string; from: string; to: string },
  at: string,
): Promise<void> {
  const manifest = await rows(bulkDir, 'manifest')
  const files = manifest
    .filter((r) => r['propertyName']?.startsWith('file.') === true && r['value'] === 'bulk')
    .map((r) => (r['propertyName'] ?? '').slice('file.'.length))
  for (const name of await readdir(exportDir)) await rm(join(exportDir, name), { force: true })
  for (const file of files) {
    const header = Object.keys((await rows(bulkDir, file))[0] ?? {})
    let list = await rows(bulkDir, file)
    const key = PERSON_FILES[file]
    if (key !== undefined) list = list.filter((r) => r[key] === move.user)
    list = list.map((r) => ({ ...r, status: 'active', dateLastModified: at }))
    if (file === 'enrollments') {
      // the old enrollment ends, a new one in the other class begins
      list = list.flatMap((r) =>
        r['classSourcedId'] === move.from
          ? [
              { ...r, status: 'tobedeleted' },
              { ...r, sourcedId: `${r['sourcedId'] ?? ''}-moved`, classSourcedId: move.to },
            ]
          : [r],
      )
    }
    await writeFile(
      join(exportDir, `${file}.csv`),
      stringify(list, { header: true, columns: header }),
    )
  }
  // the manifest last: the folder is complete when it appears
  const deltaManifest = manifest.map((r) => (r['value'] === 'bulk' ? { ...r, value: 'delta' } : r))
  await writeFile(
    join(exportDir, 'manifest.csv'),
    stringify(deltaManifest, { header: true, columns: ['propertyName', 'value'] }),
  )
}
