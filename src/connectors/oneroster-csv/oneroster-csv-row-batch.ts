/**
 * The rows, issues and progress of one read chunk, packed to cross from the parsing thread to the main thread:
 * one string and per row its line, delta-deleted flag and start and end in that string. A structured clone of
 * a million small field strings costs about what tokenising them does; one string and two transferred arrays
 * cost a copy. Unquoted rows (nearly all) are sent as the chunk they were cut from, which the main thread cuts
 * and splits at commas again (joining 2 million fields, or a string per row, into one cost more than the
 * tokenising); a row with quotes as its fields with their end offsets. Events (issues, the header, progress)
 * keep their place among the rows, so that the main thread replays them in the order a single-thread read
 * reports them. Does not read files or check values (oneroster-csv-reader.ts).
 */
import type { IssueInput } from '../../contract/issue-collector.ts'
import type { RowOrigin } from './oneroster-csv-reader.ts'

/** Something the reader did between two rows. */
export type BatchEventInput =
  | { readonly kind: 'error' | 'warn'; readonly issue: IssueInput }
  /** The header picked the variant with this index of the file's column lists. */
  | { readonly kind: 'header'; readonly variant: number }
  | { readonly kind: 'rows'; readonly count: number }

/** `at`: the number of the batch's rows before the event. */
export type BatchEvent = BatchEventInput & { readonly at: number }

export interface RowBatch {
  readonly text: string
  /**
   * Per row: field count (0 when the row is one unquoted line: split its text at commas), line, 1 when a delta
   * row is `tobedeleted`, start and end of its text.
   */
  readonly rows: Int32Array
  /** End offset in `text` of each field of the rows sent field by field (the few with quotes). */
  readonly ends: Int32Array
  readonly events: readonly BatchEvent[]
}

const ROW = 5

export class RowBatchWriter {
  #parts: string[] = []
  #length = 0
  /** The tokenizer's text that unquoted rows are cut from, once in `#parts` at offset `#sourceAt`. */
  #source: string | undefined
  #sourceAt = 0
  #ends = new Int32Array(1 << 10)
  #fields = 0
  #rows = new Int32Array(ROW << 12)
  #rowCount = 0
  #events: BatchEvent[] = []

  /** Characters of text held, to bound what is sent ahead of the reader. */
  get length(): number {
    return this.#length
  }

  get empty(): boolean {
    return this.#rowCount === 0 && this.#events.length === 0
  }

  /**
   * `origin`: where the unquoted line the fields were split from is (CsvLineTokenizer): its whole chunk is sent
   * once, instead of joining a string per row or per field.
   */
  row(fields: readonly string[], line: number, deleted: boolean, origin?: RowOrigin): void {
    let start: number
    let end: number
    const source = origin?.rowSource
    if (origin !== undefined && source !== undefined) {
      if (source !== this.#source) {
        this.#source = source
        this.#sourceAt = this.#length
        this.#parts.push(source)
        this.#length += source.length
      }
      start = this.#sourceAt + origin.rowStart
      end = this.#sourceAt + origin.rowEnd
    } else {
      start = this.#length
      if (this.#fields + fields.length > this.#ends.length)
        this.#ends = grown(this.#ends, this.#fields + fields.length)
      for (const f of fields) {
        this.#parts.push(f)
        this.#length += f.length
        this.#ends[this.#fields++] = this.#length
      }
      end = this.#length
    }
    if ((this.#rowCount + 1) * ROW > this.#rows.length)
      this.#rows = grown(this.#rows, (this.#rowCount + 1) * ROW)
    const at = this.#rowCount++ * ROW
    this.#rows[at] = source !== undefined ? 0 : fields.length
    this.#rows[at + 1] = line
    this.#rows[at + 2] = deleted ? 1 : 0
    this.#rows[at + 3] = start
    this.#rows[at + 4] = end
  }

  event(e: BatchEventInput): void {
    this.#events.push({ ...e, at: this.#rowCount })
  }

  /** The batch so far; the writer starts a new one. The arrays are fresh, so they can be transferred. */
  take(): RowBatch {
    const batch: RowBatch = {
      text: this.#parts.length === 1 ? (this.#parts[0] as string) : this.#parts.join(''),
      rows: this.#rows.slice(0, this.#rowCount * ROW),
      ends: this.#ends.slice(0, this.#fields),
      events: this.#events,
    }
    this.#parts = []
    this.#source = undefined
    this.#fields = 0
    this.#length = 0
    this.#rowCount = 0
    this.#events = []
    return batch
  }
}

export interface BatchReplay {
  row(fields: string[], line: number, deleted: boolean): void
  event(e: BatchEvent): void
}

/** Hands a batch's rows and events to `to` in their original order. */
export function replayBatch(b: RowBatch, to: BatchReplay): void {
  const { text, ends, rows, events } = b
  let next = 0
  let field = 0
  const rowCount = rows.length / ROW
  for (let r = 0; r < rowCount; r++) {
    while (next < events.length && (events[next] as BatchEvent).at === r)
      to.event(events[next++] as BatchEvent)
    const n = rows[r * ROW] as number
    const start = rows[r * ROW + 3] as number
    let fields: string[]
    if (n === 0) fields = text.slice(start, rows[r * ROW + 4] as number).split(',')
    else {
      fields = new Array<string>(n)
      let from = start
      for (let k = 0; k < n; k++) {
        const stop = ends[field++] as number
        fields[k] = text.slice(from, stop)
        from = stop
      }
    }
    to.row(fields, rows[r * ROW + 1] as number, rows[r * ROW + 2] === 1)
  }
  while (next < events.length) to.event(events[next++] as BatchEvent)
}

function grown(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  let size = a.length * 2
  while (size < need) size *= 2
  const b = new Int32Array(size)
  b.set(a)
  return b
}
