// Edits of a generated OneRoster CSV export that tests make to stand for what a school's system sends.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'

export type Row = Record<string, string>
export async function rewriteCsv(
  file: string,
  keep: (row: Row) => boolean,
  edit: (row: Row) => Row = (r) => r,
): Promise<void> {
  const rows = parse(await readFile(file, 'utf8'), { columns: true }) as Row[]
  const header = Object.keys(rows[0] ?? {})
  await writeFile(file, stringify(rows.filter(keep).map(edit), { header: true, columns: header }))
}

/** Drops every second pupil from users, roles, enrollments and demographics: a half-empty export. */
export async function dropHalfThePupils(exportDir: string): Promise<number> {
  const roles = parse(await readFile(join(exportDir, 'roles.csv'), 'utf8'), {
    columns: true,
  }) as Row[]
  const pupils = [
    ...new Set(roles.filter((r) => r['role'] === 'student').map((r) => r['userSourcedId'] ?? '')),
  ].sort()
  const gone = new Set(pupils.filter((_, i) => i % 2 === 0))
  // a consistent export: guardians no longer refer to the pupils that are gone
  const agents = (r: Row): Row => ({
    ...r,
    agentSourcedIds: (r['agentSourcedIds'] ?? '')
      .split(',')
      .filter((id) => id !== '' && !gone.has(id))
      .join(','),
  })
  await rewriteCsv(join(exportDir, 'users.csv'), (r) => !gone.has(r['sourcedId'] ?? ''), agents)
  await rewriteCsv(join(exportDir, 'roles.csv'), (r) => !gone.has(r['userSourcedId'] ?? ''))
  await rewriteCsv(join(exportDir, 'enrollments.csv'), (r) => !gone.has(r['userSourcedId'] ?? ''))
  await rewriteCsv(join(exportDir, 'demographics.csv'), (r) => !gone.has(r['sourcedId'] ?? ''))
  return gone.size
}
