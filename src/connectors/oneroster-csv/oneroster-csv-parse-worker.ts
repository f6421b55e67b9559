/**
 * The parsing thread's entry: reads the files it is given one after the other with the same reader as the main
 * thread (decoding, tokenising, value checks) and posts each chunk's rows and issues as one RowBatch. It never
 * stops at an issue cap: the main thread's collector decides that while replaying (see
 * oneroster-csv-parse-thread.ts). Holds back when the main thread has not taken `aheadBytes` of text yet.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { IssueInput } from '../../contract/issue-collector.ts'
import { IssueCollector } from '../../contract/issue-collector.ts'
import { readRosterFile } from './oneroster-csv-reader.ts'
import { EnrollmentBatchWriter } from './oneroster-csv-enrollment-batch.ts'
import type { BatchEventInput } from './oneroster-csv-row-batch.ts'
import { RowBatchWriter } from './oneroster-csv-row-batch.ts'
import type { FileJob, ParseMessage, ParseWorkerData } from './oneroster-csv-parse-thread.ts'
import { fileColumns, otherVersionColumns } from './oneroster-csv-spec.ts'

interface Writer {
  event(e: BatchEventInput): void
}

/** Hands every issue to the batch in place instead of keeping it; never full. */
class BatchIssues extends IssueCollector {
  readonly #writer: Writer

  constructor(writer: Writer) {
    super('')
    this.#writer = writer
  }

  override get full(): boolean {
    return false
  }

  override error(issue: IssueInput): void {
    this.#writer.event({ kind: 'error', issue })
  }

  override warn(issue: IssueInput): void {
    this.#writer.event({ kind: 'warn', issue })
  }
}

const port = parentPort
if (port === null) throw new Error('oneroster-csv-parse-worker.ts runs as a worker thread')
const data = workerData as ParseWorkerData
let sentAhead = 0
let wake: (() => void) | undefined
port.on('message', (m: { taken: number }) => {
  sentAhead -= m.taken
  if (sentAhead < data.aheadBytes) {
    wake?.()
    wake = undefined
  }
})

const post = (m: ParseMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer)

async function parse(job: FileJob, index: number): Promise<void> {
  // enrollments are sent as indices into their distinct values (oneroster-csv-enrollment-batch.ts)
  const enrollments = job.file === 'enrollments' ? new EnrollmentBatchWriter() : undefined
  const writer = enrollments ?? new RowBatchWriter()
  const variants = fileColumns(job.file, data.version) ?? []
  const flush = async () => {
    if (writer.empty) return
    if (enrollments !== undefined) {
      const batch = enrollments.take()
      sentAhead += batch.text.length
      post({ type: 'enrollments', file: index, batch }, [batch.rows.buffer as ArrayBuffer])
    } else {
      const batch = (writer as RowBatchWriter).take()
      sentAhead += batch.text.length
      post({ type: 'batch', file: index, batch }, [
        batch.ends.buffer as ArrayBuffer,
        batch.rows.buffer as ArrayBuffer,
      ])
    }
    if (sentAhead >= data.aheadBytes) await new Promise<void>((resolve) => (wake = resolve))
  }
  const header = await readRosterFile(
    {
      path: job.path,
      file: `${job.file}.csv`,
      variants,
      otherVersionColumns: otherVersionColumns(job.file, data.version),
      mode: job.mode,
      issues: new BatchIssues(writer),
      onRows: (count) => writer.event({ kind: 'rows', count }),
      afterChunk: flush,
    },
    {
      header: (columns) => {
        enrollments?.header(columns)
        writer.event({ kind: 'header', variant: variants.indexOf(columns) })
      },
      row: (fields, line, deleted, origin) => writer.row(fields, line, deleted, origin),
    },
  )
  await flush()
  post({ type: 'end', file: index, header })
}

for (const [index, job] of data.jobs.entries()) {
  try {
    await parse(job, index)
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    post({ type: 'fail', file: index, message: err.message ?? String(e), code: err.code })
    break
  }
}
port.close()
