/**
 * Reads the data files of a OneRoster package in dependency order into a Roster: which files to read and in
 * which mode comes from the manifest; each file is streamed through the reader into the record builder.
 * Does not read the manifest or map to the model.
 */
import { join } from 'node:path'
import type { ReadOptions } from '../../contract/index.ts'
import type { IssueCollector } from '../../contract/issue-collector.ts'
import type { Manifest } from './oneroster-csv-manifest.ts'
import { modeOf } from './oneroster-csv-manifest.ts'
import { readRosterFile } from './oneroster-csv-reader.ts'
import { RecordBuilder } from './oneroster-csv-records.ts'
import type { Roster } from './oneroster-csv-roster.ts'
import { emptyRoster } from './oneroster-csv-roster.ts'
import type { RosterFile } from './oneroster-csv-spec.ts'
import { fileColumns, otherVersionColumns, READ_ORDER } from './oneroster-csv-spec.ts'

export async function readRoster(
  dir: string,
  manifest: Manifest,
  issues: IssueCollector,
  options: Pick<ReadOptions, 'signal' | 'onProgress'> & {
    readonly tolerateEmpty?: (file: RosterFile, column: string) => boolean
  },
): Promise<Roster | undefined> {
  const files = new Map<RosterFile, 'bulk' | 'delta'>()
  for (const file of READ_ORDER) {
    const mode = modeOf(manifest, file)
    if (mode !== 'absent' && fileColumns(file, manifest.version) !== undefined)
      files.set(file, mode)
  }
  if (files.get('users') === 'bulk') {
    // a full snapshot of persons built from partial memberships or groups would silently drop them
    for (const [file, mode] of files) {
      if (mode === 'delta') {
        issues.error({
          code: 'mixed_modes',
          file: 'manifest.csv',
          record: `file.${file}`,
          message: `users is bulk but ${file} is delta; Koppel needs every file of a bulk users export to be bulk too`,
        })
      }
    }
    if (issues.errorCount > 0) return undefined
  }
  const roster = emptyRoster(manifest.version, files)
  const failed = new Set<RosterFile>()
  const builder = new RecordBuilder({ roster, issues, failed })
  let total = 0
  const onRows = (n: number) => {
    total += n
    options.onProgress?.(total)
  }
  for (const [file, mode] of files) {
    const header = await readRosterFile(
      {
        path: join(dir, `${file}.csv`),
        file: `${file}.csv`,
        variants: fileColumns(file, manifest.version) ?? [],
        otherVersionColumns: otherVersionColumns(file, manifest.version),
        mode,
        issues,
        signal: options.signal,
        onRows,
        tolerateEmpty:
          options.tolerateEmpty === undefined
            ? undefined
            : (column: string) => options.tolerateEmpty?.(file, column) === true,
      },
      builder.consumer(file),
    )
    if (header === undefined) failed.add(file)
    else builder.finish(file)
    if (file === 'users') roster.userHeader = header
    if (issues.full) break
  }
  return roster
}
