/**
 * enrollments.csv as the parsing thread sends it: per row only the values the record step reads, as indices
 * into a table of distinct values (each sent once). Rows sent as text cost the main thread about what
 * tokenising them did (docs/benchmarks.md, fourth session of 2026-12-07); indices leave it a lookup per
 * distinct value and a push. The sourcedId stays in the chunk text, where the main thread cuts it for its
 * duplicate check (on the thread, that check made the thread the slower side).
 */
import type { ColumnSpec } from './oneroster-csv-spec.ts'
import type { RowOrigin } from './oneroster-csv-reader.ts'
import type { BatchEvent, BatchEventInput } from './oneroster-csv-row-batch.ts'
import type { CompactEnrollment } from './oneroster-csv-records.ts'

export interface EnrollmentBatch {
  readonly text: string
  /** Per row: line, start and end of its sourcedId in `text`, 1 if deleted, the value indices (COLUMNS). */
  readonly rows: Int32Array
  /** Values new to the table in this batch, in index order. */
  readonly values: readonly string[]
  readonly events: readonly BatchEvent[]
}

const COLUMNS = [
  'userSourcedId',
  'schoolSourcedId',
  'classSourcedId',
  'role',
  'primary',
  'beginDate',
  'endDate',
] as const
const ROW = 4 + COLUMNS.length

export class EnrollmentBatchWriter {
  readonly #table = new Map<string, number>()
  #at: number[] = COLUMNS.map(() => -1)
  #values: string[] = []
  #parts: string[] = []
  #length = 0
  #source: string | undefined
  #sourceAt = 0
  #rows = new Int32Array(ROW << 12)
  #rowCount = 0
  #events: BatchEvent[] = []

  get length(): number {
    return this.#length
  }

  get empty(): boolean {
    return this.#rowCount === 0 && this.#events.length === 0
  }

  header(columns: readonly ColumnSpec[]): void {
    this.#at = COLUMNS.map((name) => columns.findIndex((c) => c.name === name))
  }

  event(e: BatchEventInput): void {
    this.#events.push({ ...e, at: this.#rowCount })
  }

  row(fields: readonly string[], line: number, deleted: boolean, origin?: RowOrigin): void {
    const id = fields[0] ?? ''
    let start: number
    const source = origin?.rowSource
    if (origin !== undefined && source !== undefined) {
      if (source !== this.#source) {
        this.#source = source
        this.#sourceAt = this.#length
        this.#parts.push(source)
        this.#length += source.length
      }
      start = this.#sourceAt + origin.rowStart
    } else {
      start = this.#length
      this.#parts.push(id)
      this.#length += id.length
    }
    if ((this.#rowCount + 1) * ROW > this.#rows.length) {
      const rows = new Int32Array(this.#rows.length * 2)
      rows.set(this.#rows)
      this.#rows = rows
    }
    const at = this.#rowCount++ * ROW
    const rows = this.#rows
    rows[at] = line
    rows[at + 1] = start
    rows[at + 2] = start + id.length
    rows[at + 3] = deleted ? 1 : 0
    // a deleted row is only checked for a duplicate id
    if (!deleted) {
      for (let k = 0; k < COLUMNS.length; k++) {
        const i = this.#at[k] as number
        rows[at + 4 + k] = this.#index(i < 0 ? '' : (fields[i] ?? ''))
      }
    }
  }

  #index(v: string): number {
    const known = this.#table.get(v)
    if (known !== undefined) return known
    const i = this.#table.size
    this.#table.set(v, i)
    this.#values.push(v)
    return i
  }

  take(): EnrollmentBatch {
    const batch: EnrollmentBatch = {
      text: this.#parts.length === 1 ? (this.#parts[0] as string) : this.#parts.join(''),
      rows: this.#rows.slice(0, this.#rowCount * ROW),
      values: this.#values,
      events: this.#events,
    }
    this.#values = []
    this.#parts = []
    this.#source = undefined
    this.#length = 0
    this.#rowCount = 0
    this.#events = []
    return batch
  }
}

/** Appends the batch's new values to `table`, then hands its rows and events to `to` in their order. */
export function replayEnrollments(
  b: EnrollmentBatch,
  table: string[],
  to: { row(e: CompactEnrollment): void; event(e: BatchEvent): void },
): void {
  for (const v of b.values) table.push(v)
  const { text, rows, events } = b
  let next = 0
  // one object for every row: the record step reads it and keeps nothing of it
  const e = {
    line: 0,
    idStart: 0,
    idEnd: 0,
    id: () => text.slice(e.idStart, e.idEnd),
    deleted: false,
    user: 0,
    school: 0,
    cls: 0,
    role: 0,
    primary: 0,
    begin: 0,
    end: 0,
  }
  const rowCount = rows.length / ROW
  for (let r = 0; r < rowCount; r++) {
    while (next < events.length && (events[next] as BatchEvent).at === r)
      to.event(events[next++] as BatchEvent)
    const at = r * ROW
    e.line = rows[at] as number
    e.idStart = rows[at + 1] as number
    e.idEnd = rows[at + 2] as number
    e.deleted = rows[at + 3] === 1
    e.user = rows[at + 4] as number
    e.school = rows[at + 5] as number
    e.cls = rows[at + 6] as number
    e.role = rows[at + 7] as number
    e.primary = rows[at + 8] as number
    e.begin = rows[at + 9] as number
    e.end = rows[at + 10] as number
    to.row(e)
  }
  while (next < events.length) to.event(events[next++] as BatchEvent)
}
