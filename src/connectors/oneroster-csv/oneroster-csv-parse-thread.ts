/**
 * Reads some files of a package on a worker thread (oneroster-csv-parse-worker.ts) while the main thread reads
 * the others, then replays each file's rows, issues and progress into the main thread's record builder and
 * issue collector in the order a single-thread read gives them. The records step stays on the main thread: it
 * needs the records of the files before (enrollments come as indices, oneroster-csv-enrollment-batch.ts). The
 * thread does not know the collector's cap: when the collector is full after a batch (one chunk, where the
 * single-thread reader stops too), the rest of the file is not replayed. Its files must have no tolerated empty columns (their warning counts the rows read; see
 * oneroster-csv-package.ts). A worker that fails or stops rejects the read with the file named; it never leaves
 * the read waiting.
 */
import { Worker } from 'node:worker_threads'
import type { IssueCollector } from '../../contract/issue-collector.ts'
import type { FileHeader, FileMode, ReadFileOptions, RowConsumer } from './oneroster-csv-reader.ts'
import type { EnrollmentBatch } from './oneroster-csv-enrollment-batch.ts'
import { replayEnrollments } from './oneroster-csv-enrollment-batch.ts'
import type { CompactEnrollment } from './oneroster-csv-records.ts'
import type { BatchEvent, RowBatch } from './oneroster-csv-row-batch.ts'
import { replayBatch } from './oneroster-csv-row-batch.ts'
import type { OneRosterVersion, RosterFile } from './oneroster-csv-spec.ts'

export interface FileJob {
  readonly file: RosterFile
  readonly path: string
  readonly mode: FileMode
}

export interface ParseWorkerData {
  readonly version: OneRosterVersion
  readonly jobs: readonly FileJob[]
  /** Text the worker may send before the main thread took it: bounds the memory of batches waiting. */
  readonly aheadBytes: number
}

export type ParseMessage =
  | { readonly type: 'batch'; readonly file: number; readonly batch: RowBatch }
  | { readonly type: 'enrollments'; readonly file: number; readonly batch: EnrollmentBatch }
  | { readonly type: 'end'; readonly file: number; readonly header: FileHeader | undefined }
  | {
      readonly type: 'fail'
      readonly file: number
      readonly message: string
      readonly code: string | undefined
    }

const WORKER = new URL('./oneroster-csv-parse-worker.ts', import.meta.url)
const AHEAD_BYTES = 48 << 20

export class ParseThread {
  readonly #worker: Worker
  readonly #jobs: readonly FileJob[]
  readonly #queue: ParseMessage[] = []
  #waiting: (() => void) | undefined
  #stopped: Error | undefined

  constructor(
    version: OneRosterVersion,
    jobs: readonly FileJob[],
    o: { readonly entry?: URL; readonly aheadBytes?: number } = {},
  ) {
    this.#jobs = jobs
    const workerData: ParseWorkerData = {
      version,
      jobs,
      aheadBytes: o.aheadBytes ?? AHEAD_BYTES,
    }
    this.#worker = new Worker(o.entry ?? WORKER, { workerData })
    this.#worker.on('message', (m: ParseMessage) => {
      this.#queue.push(m)
      this.#wake()
    })
    this.#worker.on('error', (e) => {
      this.#stopped ??= new Error(`the OneRoster CSV parsing thread failed: ${e.message}`, {
        cause: e,
      })
      this.#wake()
    })
    this.#worker.on('exit', (code) => {
      this.#stopped ??= new Error(
        `the OneRoster CSV parsing thread stopped (exit code ${code}) before it read every file`,
      )
      this.#wake()
    })
  }

  has(file: RosterFile): boolean {
    return this.#jobs.some((j) => j.file === file)
  }

  /**
   * Replays one file's read, as readRosterFile would have made it on this thread. Files must be asked for
   * in the order of the jobs.
   */
  async read(
    file: RosterFile,
    o: Pick<ReadFileOptions, 'variants' | 'issues' | 'onRows' | 'signal'>,
    consumer: RowConsumer,
    /** Takes enrollments.csv's rows (RecordBuilder.compactEnrollments over `table`). */
    enrollments?: { readonly table: string[]; readonly row: (e: CompactEnrollment) => void },
  ): Promise<FileHeader | undefined> {
    const index = this.#jobs.findIndex((j) => j.file === file)
    const { issues } = o
    const replay = {
      row: (fields: string[], line: number, deleted: boolean) =>
        consumer.row(fields, line, deleted),
      event: (e: BatchEvent) => replayEvent(e, o, issues, consumer),
    }
    for (;;) {
      const m = await this.#next(file)
      if (m.file !== index) throw new Error(`${file}.csv was asked for out of order`)
      o.signal?.throwIfAborted()
      if (m.type === 'end') return m.header
      if (m.type === 'fail') throw Object.assign(new Error(m.message), { code: m.code })
      if (m.type === 'enrollments') {
        if (enrollments === undefined) throw new Error(`${file}.csv came as enrollments`)
        replayEnrollments(m.batch, enrollments.table, { row: enrollments.row, event: replay.event })
      } else replayBatch(m.batch, replay)
      this.#worker.postMessage({ taken: m.batch.text.length })
      // the reader stops at the end of the chunk that filled the collector; the caller stops reading files
      if (issues.full) return undefined
    }
  }

  /** Ends the thread (done, aborted or failed); safe to call more than once. */
  async close(): Promise<void> {
    this.#stopped ??= new Error('the OneRoster CSV parsing thread was closed')
    await this.#worker.terminate()
  }

  async #next(file: RosterFile): Promise<ParseMessage> {
    for (;;) {
      const m = this.#queue.shift()
      if (m !== undefined) return m
      if (this.#stopped !== undefined) {
        throw new Error(`${file}.csv could not be read: ${this.#stopped.message}`, {
          cause: this.#stopped,
        })
      }
      await new Promise<void>((resolve) => (this.#waiting = resolve))
    }
  }

  #wake(): void {
    const w = this.#waiting
    this.#waiting = undefined
    w?.()
  }
}

function replayEvent(
  e: BatchEvent,
  o: Pick<ReadFileOptions, 'variants' | 'onRows'>,
  issues: IssueCollector,
  consumer: RowConsumer,
): void {
  switch (e.kind) {
    case 'error':
      return issues.error(e.issue)
    case 'warn':
      return issues.warn(e.issue)
    case 'header':
      return consumer.header(o.variants[e.variant] ?? [])
    case 'rows':
      return o.onRows?.(e.count)
  }
}
