/**
 * Streams one OneRoster CSV file: decodes UTF-8 (BOM tolerated), checks the header against the spec's columns,
 * checks every value's form (required, enum, GUID, Date, DateTime, Year, boolean, the bulk/delta status rules)
 * and hands each row to a consumer. References between records are the consumer's business
 * (oneroster-csv-records.ts); so is what a row means.
 */
import { createReadStream } from 'node:fs'
import { CsvLineTokenizer } from './csv-line-tokenizer.ts'
import type { IssueCollector } from '../../contract/issue-collector.ts'
import { shown } from '../../contract/issue-collector.ts'
import type { ColumnSpec } from './oneroster-csv-spec.ts'
import { EXTENSION_PREFIX } from './oneroster-csv-spec.ts'
import { checkHeader } from './oneroster-csv-header.ts'
import { isDate, isDateTime, isGuid, isYear, ownString, parseBool } from './oneroster-csv-values.ts'

export type FileMode = 'bulk' | 'delta'

export interface RowConsumer {
  /** Called once, before any row, with the column list the header matched. */
  header(columns: readonly ColumnSpec[]): void
  /**
   * `deleted`: a delta row with status `tobedeleted`; its other fields were not checked. `origin`: where the
   * row's text is when it had no quotes (CsvLineTokenizer.rowSource), for the parsing thread to send.
   */
  row(fields: string[], line: number, deleted: boolean, origin?: RowOrigin): void
}

export interface RowOrigin {
  readonly rowSource: string | undefined
  readonly rowStart: number
  readonly rowEnd: number
}

export interface ReadFileOptions {
  readonly path: string
  /** File name as the admin sees it, for issues: `users.csv`. */
  readonly file: string
  /** Accepted column lists; the header picks one (see fileColumns). */
  readonly variants: readonly (readonly ColumnSpec[])[]
  readonly otherVersionColumns?: readonly ColumnSpec[] | undefined
  readonly mode: FileMode
  readonly issues: IssueCollector
  readonly signal?: AbortSignal | undefined
  /** Called with the number of data rows read since the last call, every 10,000 rows and at the end. */
  readonly onRows?: ((count: number) => void) | undefined
  /**
   * Required columns whose emptiness is a warning rather than an error: the spec requires them, but nothing in
   * the configuration reads them (the connector decides; `strict` turns it off). One warning per column, with
   * the number of rows and the first of them.
   */
  readonly tolerateEmpty?: ((column: string) => boolean) | undefined
  /** Awaited after each decoded chunk's rows were handed on: the parsing thread sends them as one batch there. */
  readonly afterChunk?: (() => Promise<void>) | undefined
}

/** How many rows a tolerated-empty warning names. */
const FIRST_ROWS = 5

export interface FileHeader {
  readonly names: readonly string[]
  /** Extension columns (`metadata.…`) by position. */
  readonly extensions: readonly { readonly name: string; readonly index: number }[]
}

const PROGRESS_EVERY = 10_000
const CHUNK = 1 << 20

/**
 * Reads the file and returns its header, or undefined when the file could not be read as the spec's columns
 * (missing, empty, shifted columns); the reasons are in `issues`.
 */
export async function readRosterFile(
  o: ReadFileOptions,
  consumer: RowConsumer,
): Promise<FileHeader | undefined> {
  const { file, issues } = o
  let header: FileHeader | undefined
  let usable = true
  let rows = 0
  let unreported = 0
  let encodingReported = false
  let stopped = false
  let validate: (fields: string[], line: number) => boolean = () => false
  const tolerated = new Map<string, { count: number; first: string[] }>()

  const tokenizer = new CsvLineTokenizer((fields, line) => {
    if (header === undefined) {
      if (fields[0]?.charCodeAt(0) === 0xfeff) fields[0] = fields[0].slice(1)
      // the roster keeps users.csv's header: names cut from the first chunk would keep all of it alive
      for (let i = 0; i < fields.length; i++) fields[i] = ownString(fields[i] as string)
      const columns = pickVariant(fields, o.variants)
      usable = checkHeader(fields, columns, o.otherVersionColumns, file, issues).usable
      validate = rowValidator(o, columns, tolerated)
      consumer.header(columns)
      header = {
        names: fields,
        extensions: fields.flatMap((name, index) =>
          index >= columns.length && name.startsWith(EXTENSION_PREFIX) ? [{ name, index }] : [],
        ),
      }
      return
    }
    rows++
    if (++unreported === PROGRESS_EVERY) {
      o.onRows?.(unreported)
      unreported = 0
    }
    if (!usable || issues.full) return
    if (fields.length !== header.names.length) {
      issues.error({
        code: 'bad_column_count',
        file,
        line,
        record: fields[0],
        message: `this row has ${fields.length} values but the header has ${header.names.length} columns`,
      })
      return
    }
    const deleted = validate(fields, line)
    consumer.row(fields, line, deleted, tokenizer)
  })

  try {
    const stream = createReadStream(o.path, { encoding: 'utf8', highWaterMark: CHUNK })
    for await (const chunk of stream as AsyncIterable<string>) {
      o.signal?.throwIfAborted()
      if (!encodingReported && chunk.includes('\uFFFD')) {
        encodingReported = true
        const before = chunk.slice(0, chunk.indexOf('\uFFFD'))
        issues.error({
          code: 'bad_encoding',
          file,
          line: tokenizer.line + before.split('\n').length - 1,
          message: 'the file is not valid UTF-8 (saved as ANSI/Latin-1?); export it again as UTF-8',
        })
      }
      tokenizer.push(chunk)
      if (o.afterChunk !== undefined) await o.afterChunk()
      if (tokenizer.error !== undefined || issues.full || !usable) {
        stopped = true
        break
      }
    }
    if (!stopped) tokenizer.end()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      issues.error({
        code: 'missing_file',
        file,
        message: `manifest.csv lists this file as ${o.mode} but ${file} is not in the folder`,
      })
      return undefined
    }
    throw e
  }
  if (unreported > 0) o.onRows?.(unreported)
  const err = tokenizer.error
  if (err !== undefined)
    issues.error({ code: 'bad_csv', file, line: err.line, message: err.message })
  if (header === undefined) {
    issues.error({
      code: 'empty_file',
      file,
      message: 'the file is empty; it needs at least a header row',
    })
    return undefined
  }
  for (const [column, t] of tolerated) {
    issues.warn({
      code: 'required_field_empty_unread',
      file,
      field: column,
      value: String(t.count),
      message:
        `${t.count} row(s) have no ${column}, which OneRoster requires; nothing in the configuration reads it, so ` +
        `they are read without it (strict: true refuses such an export). First: ${t.first.join(', ')}${t.count > t.first.length ? ', …' : ''}`,
    })
  }
  if (rows === 0 && !stopped && err === undefined) {
    issues.error({
      code: 'no_rows',
      file,
      message:
        'the file has a header but no rows; the spec forbids that: leave the file out and mark it absent in manifest.csv',
    })
  }
  return usable ? header : undefined
}

/** Builds the per-row check for one file; returns whether the row is a delta `tobedeleted`. */
function rowValidator(
  o: ReadFileOptions,
  columns: readonly ColumnSpec[],
  tolerated: Map<string, { count: number; first: string[] }>,
): (fields: string[], line: number) => boolean {
  const { file, issues, mode } = o
  const tolerate = columns.map((c) => c.required && o.tolerateEmpty?.(c.name) === true)
  const dates = new Set<string>()
  const times = new Set<string>()
  const bad = (
    line: number,
    fields: string[],
    c: ColumnSpec,
    code: string,
    message: string,
    value?: string,
  ) =>
    issues.error({
      code,
      file,
      line,
      record: fields[0] || undefined,
      field: c.name,
      value: value === undefined ? undefined : shown(value),
      message,
    })

  // the last value that passed, per column: a million enrollment rows repeat their role, dates and flags
  const passed: string[] = columns.map(() => '')
  return (fields, line) => {
    const status = fields[1] ?? ''
    const modified = fields[2] ?? ''
    let deleted = false
    const cStatus = columns[1] as ColumnSpec
    const cModified = columns[2] as ColumnSpec
    if (mode === 'bulk') {
      if (status !== '')
        bad(line, fields, cStatus, 'bulk_status', 'status must be empty in a bulk file', status)
      if (modified !== '')
        bad(
          line,
          fields,
          cModified,
          'bulk_date_last_modified',
          'dateLastModified must be empty in a bulk file',
          modified,
        )
    } else {
      if (status === 'tobedeleted') deleted = true
      else if (status !== 'active') {
        bad(
          line,
          fields,
          cStatus,
          status === '' ? 'missing_field' : 'bad_enum',
          'a delta row needs status active or tobedeleted',
          status,
        )
      }
      if (modified === '')
        bad(line, fields, cModified, 'missing_field', 'a delta row needs dateLastModified')
    }
    if (modified !== '' && !known(times, modified, isDateTime)) {
      bad(
        line,
        fields,
        cModified,
        'bad_datetime',
        'dateLastModified must be an ISO 8601 time in UTC, like 2026-08-01T12:00:00.000Z',
        modified,
      )
    }
    for (let i = 0; i < columns.length; i++) {
      if (i === 1 || i === 2) continue
      const c = columns[i] as ColumnSpec
      const v = fields[i] ?? ''
      if (v === '') {
        if (c.required && (!deleted || i === 0)) {
          if (tolerate[i] === true && i !== 0) {
            const t = tolerated.get(c.name) ?? { count: 0, first: [] }
            t.count++
            if (t.first.length < FIRST_ROWS)
              t.first.push(`${file}:${line}${fields[0] ? ` (${fields[0]})` : ''}`)
            tolerated.set(c.name, t)
          } else bad(line, fields, c, 'missing_field', `${c.name} is required`)
        }
        continue
      }
      if (deleted || v === passed[i]) continue
      switch (c.type) {
        case 'guid':
          if (!isGuid(v)) bad(line, fields, c, 'bad_id', idMessage(c.name), v)
          break
        case 'date':
          if (!known(dates, v, isDate))
            bad(line, fields, c, 'bad_date', `${c.name} must be a date written YYYY-MM-DD`, v)
          else passed[i] = v
          break
        case 'datetime':
          if (!known(times, v, isDateTime))
            bad(line, fields, c, 'bad_datetime', `${c.name} must be an ISO 8601 time in UTC`, v)
          else passed[i] = v
          break
        case 'year':
          if (!isYear(v))
            bad(line, fields, c, 'bad_year', `${c.name} must be a year written YYYY`, v)
          else passed[i] = v
          break
        case 'bool':
          if (parseBool(v) === undefined)
            bad(line, fields, c, 'bad_boolean', `${c.name} must be true or false`, v)
          else passed[i] = v
          break
        case 'enum':
          if (!c.values?.has(v) && !(c.ext === true && v.startsWith('ext:') && v.length > 4)) {
            bad(line, fields, c, 'bad_enum', enumMessage(c, v), v)
          } else passed[i] = v
          break
        case 'status':
        case 'ref':
        case 'refs':
        case 'text':
          break
      }
    }
    return deleted
  }
}

/** The column list that matches the header exactly, else the one with the fewest misnamed columns. */
function pickVariant(
  names: readonly string[],
  variants: readonly (readonly ColumnSpec[])[],
): readonly ColumnSpec[] {
  let best = variants[0] ?? []
  let bestMisses = Infinity
  for (const v of variants) {
    const misses = v.reduce((n, c, i) => (names[i] === c.name ? n : n + 1), 0)
    if (misses < bestMisses) {
      best = v
      bestMisses = misses
    }
  }
  return best
}

/** Dates repeat endlessly in a big file (every enrollment of a year has the same two): check each value once. */
function known(seen: Set<string>, v: string, check: (s: string) => boolean): boolean {
  if (seen.has(v)) return true
  if (!check(v)) return false
  seen.add(v)
  return true
}

export function idMessage(field: string): string {
  return `${field} may only hold letters, digits and . - _ / @ (at most 255 characters)`
}

function enumMessage(c: ColumnSpec, v: string): string {
  const allowed = [...(c.values ?? [])]
  const near = allowed.find((a) => a.toLowerCase() === v.toLowerCase())
  const hint = near !== undefined ? ` (values are case-sensitive: write ${near})` : ''
  return `${shown(v)} is not a valid ${c.name}; allowed: ${allowed.join(', ')}${c.ext === true ? ', or ext:…' : ''}${hint}`
}
