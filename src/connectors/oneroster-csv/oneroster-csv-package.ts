/**
 * Reads the data files of a OneRoster package in dependency order into a Roster: which files to read and in
 * which mode comes from the manifest; each file is streamed through the reader into the record builder.
 * Does not read the manifest or map to the model.
 */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { ReadOptions } from '../../contract/index.ts'
import type { IssueCollector } from '../../contract/issue-collector.ts'
import type { Manifest } from './oneroster-csv-manifest.ts'
import { modeOf } from './oneroster-csv-manifest.ts'
import type { FileJob } from './oneroster-csv-parse-thread.ts'
import { ParseThread } from './oneroster-csv-parse-thread.ts'
import type { ReadFileOptions } from './oneroster-csv-reader.ts'
import { readRosterFile } from './oneroster-csv-reader.ts'
import type { CompactEnrollment } from './oneroster-csv-records.ts'
import { RecordBuilder } from './oneroster-csv-records.ts'
import type { Roster } from './oneroster-csv-roster.ts'
import { emptyRoster } from './oneroster-csv-roster.ts'
import type { RosterFile } from './oneroster-csv-spec.ts'
import { fileColumns, otherVersionColumns, READ_ORDER } from './oneroster-csv-spec.ts'

/**
 * Files the parsing thread reads while the main thread reads the others and builds the records: enrollments.csv
 * holds ~80 % of a package's bytes. With roles and demographics on the thread too, the main thread waited for
 * it 150–500 ms of a 20,000-person read; with enrollments alone 0–100 ms (docs/benchmarks.md, fourth session
 * of 2026-12-07).
 */
const THREAD_FILES: ReadonlySet<RosterFile> = new Set(['enrollments'])
/** Below this many bytes in those files a thread's start (~50–100 ms of CPU) costs more than it saves. */
export const THREAD_MIN_BYTES = 4 << 20

export interface ReadRosterOptions extends Pick<ReadOptions, 'signal' | 'onProgress'> {
  readonly tolerateEmpty?: (file: RosterFile, column: string) => boolean
  /** Parse some files on a worker thread: by their size when undefined. */
  readonly thread?: boolean | undefined
}

export interface ReadRosterResult {
  readonly roster: Roster | undefined
  /** Whether a worker thread read part of it. */
  readonly threaded: boolean
}

export async function readRoster(
  dir: string,
  manifest: Manifest,
  issues: IssueCollector,
  options: ReadRosterOptions,
): Promise<ReadRosterResult> {
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
    if (issues.errorCount > 0) return { roster: undefined, threaded: false }
  }
  const roster = emptyRoster(manifest.version, files)
  const failed = new Set<RosterFile>()
  const builder = new RecordBuilder({ roster, issues, failed })
  let total = 0
  const onRows = (n: number) => {
    total += n
    options.onProgress?.(total)
  }
  const tolerateEmpty = (file: RosterFile) =>
    options.tolerateEmpty === undefined
      ? undefined
      : (column: string) => options.tolerateEmpty?.(file, column) === true
  const thread = await startThread(dir, manifest, files, tolerateEmpty, options.thread)
  try {
    for (const [file, mode] of files) {
      const o: ReadFileOptions = {
        path: join(dir, `${file}.csv`),
        file: `${file}.csv`,
        variants: fileColumns(file, manifest.version) ?? [],
        otherVersionColumns: otherVersionColumns(file, manifest.version),
        mode,
        issues,
        signal: options.signal,
        onRows,
        tolerateEmpty: tolerateEmpty(file),
      }
      const enrollments =
        file === 'enrollments'
          ? { table: [] as string[], row: (e: CompactEnrollment) => compact?.(e) }
          : undefined
      const compact =
        enrollments === undefined ? undefined : builder.compactEnrollments(enrollments.table)
      const header =
        thread?.has(file) === true
          ? await thread.read(file, o, builder.consumer(file), enrollments)
          : await readRosterFile(o, builder.consumer(file))
      if (header === undefined) failed.add(file)
      else builder.finish(file)
      if (file === 'users') roster.userHeader = header
      if (issues.full) break
    }
  } finally {
    await thread?.close()
  }
  return { roster, threaded: thread !== undefined }
}

async function startThread(
  dir: string,
  manifest: Manifest,
  files: ReadonlyMap<RosterFile, 'bulk' | 'delta'>,
  tolerateEmpty: (file: RosterFile) => ((column: string) => boolean) | undefined,
  wanted: boolean | undefined,
): Promise<ParseThread | undefined> {
  if (wanted === false) return undefined
  const jobs: FileJob[] = []
  let bytes = 0
  for (const [file, mode] of files) {
    if (!THREAD_FILES.has(file)) continue
    // a tolerated empty column is warned of at the file's end, counting the rows read: on the thread it would
    // count rows past the issue cap, where the main thread's read stops
    const tolerate = tolerateEmpty(file)
    const columns = fileColumns(file, manifest.version)?.flat() ?? []
    if (tolerate !== undefined && columns.some((c) => c.required && tolerate(c.name))) continue
    const path = join(dir, `${file}.csv`)
    // a missing file is the reader's to report, in its place
    bytes += await stat(path).then(
      (s) => s.size,
      () => 0,
    )
    jobs.push({ file, path, mode })
  }
  if (jobs.length === 0 || (wanted === undefined && bytes < THREAD_MIN_BYTES)) return undefined
  return new ParseThread(manifest.version, jobs)
}
