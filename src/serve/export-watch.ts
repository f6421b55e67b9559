/**
 * A OneRoster CSV export folder watched by `koppel serve` (`serve.watch`). OneRoster 1.1/1.2 CSV binding:
 * manifest.csv says per file whether it is `bulk`, `delta` or `absent`; a delta's rows are only the records
 * that changed (`status` `active` or `tobedeleted`). When the folder changes and settles, a delta export
 * becomes a change of the records it names (users, and the users of its roles, enrollments and
 * demographics), planned for those alone; a bulk export becomes a full run. The files are read again by the
 * source connector when planning: this only decides which records to plan.
 */
import { watch, type FSWatcher } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'

/** The files whose rows name a user, and the column holding the user's sourcedId. */
const USER_COLUMNS: readonly (readonly [file: string, column: string])[] = [
  ['users', 'sourcedId'],
  ['roles', 'userSourcedId'],
  ['enrollments', 'userSourcedId'],
  ['demographics', 'sourcedId'],
]

export type ExportChange =
  | { readonly kind: 'delta'; readonly ids: readonly string[] }
  | { readonly kind: 'bulk' }
  | { readonly kind: 'none'; readonly why: string }

async function manifestModes(dir: string): Promise<Map<string, string> | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, 'manifest.csv'), 'utf8')
  } catch {
    return undefined
  }
  const rows = parse(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<
    string,
    string
  >[]
  const modes = new Map<string, string>()
  for (const r of rows) {
    const name = r['propertyName'] ?? ''
    if (name.startsWith('file.'))
      modes.set(name.slice('file.'.length), (r['value'] ?? '').trim().toLowerCase())
  }
  return modes
}

/** What the export in `dir` is now: a delta naming records, a bulk export, or nothing to act on (and why). */
export async function readExportChange(dir: string): Promise<ExportChange> {
  const modes = await manifestModes(dir)
  if (modes === undefined)
    return { kind: 'none', why: 'no manifest.csv (an export being written?)' }
  if (modes.get('users') === 'bulk') return { kind: 'bulk' }
  const ids = new Set<string>()
  for (const [file, column] of USER_COLUMNS) {
    if (modes.get(file) !== 'delta') continue
    const rows = parse(await readFile(join(dir, `${file}.csv`), 'utf8'), {
      columns: true,
      skip_empty_lines: true,
      bom: true,
    }) as Record<string, string>[]
    for (const r of rows) {
      const id = r[column]?.trim()
      if (id !== undefined && id !== '') ids.add(id)
    }
  }
  if (ids.size === 0) return { kind: 'none', why: 'the delta names no user' }
  return { kind: 'delta', ids: [...ids].sort() }
}

export interface ExportWatcher {
  close(): void
}

/**
 * Calls `changed` once the folder has been quiet for `settleMs` after a change: an export is several files
 * written one after another, and half of it must not be planned.
 */
export function watchExport(dir: string, settleMs: number, changed: () => void): ExportWatcher {
  let timer: NodeJS.Timeout | undefined
  const watcher: FSWatcher = watch(dir, () => {
    clearTimeout(timer)
    timer = setTimeout(changed, settleMs)
  })
  return {
    close() {
      clearTimeout(timer)
      watcher.close()
    },
  }
}
