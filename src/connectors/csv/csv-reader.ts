/**
 * Streams one delimited text file with csv-parse: decodes UTF-8 (BOM tolerated) or Latin-1, hands the header
 * and then each row with the 1-based line it starts on. Knows nothing of Koppel fields; csv-mapping.ts does.
 */
import type { FileHandle } from 'node:fs/promises'
import { open } from 'node:fs/promises'
import { CsvError, parse } from 'csv-parse'

export interface CsvReadOptions {
  readonly path: string
  readonly delimiter: string
  readonly encoding: 'utf8' | 'latin1'
  readonly signal?: AbortSignal | undefined
}

export type CsvReadFailure =
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly line?: number; readonly message: string }

interface Parsed {
  readonly record: string[]
  readonly info: { readonly lines: number }
}

/** Returns undefined when the whole file was read, otherwise why it could not be. */
export async function readCsv(
  o: CsvReadOptions,
  onHeader: (names: string[]) => boolean,
  onRow: (fields: string[], line: number) => void,
): Promise<CsvReadFailure | undefined> {
  let handle: FileHandle
  try {
    handle = await open(o.path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' }
    throw e
  }
  const input = handle.createReadStream({ highWaterMark: 1 << 20 })
  const parser = input.pipe(
    parse({
      delimiter: o.delimiter,
      encoding: o.encoding,
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }),
  )
  // pipe() does not pass on the file's own read errors; without this they would be unhandled
  input.on('error', (e) => parser.destroy(e))
  let header = true
  try {
    for await (const { record, info } of parser as AsyncIterable<Parsed>) {
      o.signal?.throwIfAborted()
      // csv-parse counts the line a record ends on; a quoted line break moves the start back
      const line = info.lines - record.reduce((n, f) => n + count(f, '\n'), 0)
      if (header) {
        header = false
        if (!onHeader(record)) break
        continue
      }
      onRow(record, line)
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { lines?: number }
    // every csv-parse refusal, including INVALID_OPENING_QUOTE, whose code lacks the CSV_ prefix (found by fuzzing)
    if (e instanceof CsvError) return { kind: 'invalid', line: err.lines, message: err.message }
    throw e
  } finally {
    parser.destroy()
    input.destroy()
  }
  if (header)
    return {
      kind: 'invalid',
      message: 'the file is empty; it needs a header row naming the columns',
    }
  return undefined
}

function count(s: string, c: string): number {
  let n = 0
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++
  return n
}
