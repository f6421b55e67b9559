// Writes `JSON.stringify(value, null, 2)` plus a newline without ever holding the whole text: a plan's
// `--json` is ~180 MB at 100,000 persons, and building it as one string (then one buffer) cost seconds and
// hundreds of MB at the peak. The envelope's fields are written one by one and every element of a top-level
// array on its own; the bytes are exactly those of JSON.stringify (json-stream.test.ts compares them).
import { once } from 'node:events'

/** Maps an element of a top-level array before it is written (so a mapped copy of the array is never built). */
export type ElementMap = (key: string, element: unknown) => unknown

/**
 * The text of `JSON.stringify(value, null, 2) + '\n'` in pieces: each field of the object, and each element of
 * a field that is an array, is stringified separately and indented to its depth. Strings in JSON never hold a
 * raw newline, so indenting a stringified element is replacing every `\n`.
 */
export function* indentedJsonPieces(
  value: object,
  element: ElementMap = (_key, e) => e,
): Generator<string> {
  let fields = 0
  for (const [key, v] of Object.entries(value)) {
    const head = `${fields === 0 ? '{' : ','}\n  ${JSON.stringify(key)}: `
    if (Array.isArray(v)) {
      fields++
      if (v.length === 0) {
        yield `${head}[]`
        continue
      }
      yield `${head}[`
      for (let i = 0; i < v.length; i++) {
        const text = (JSON.stringify(element(key, v[i]), null, 2) as string | undefined) ?? 'null'
        yield `${i === 0 ? '' : ','}\n    ${text.replaceAll('\n', '\n    ')}`
      }
      yield '\n  ]'
      continue
    }
    const text = JSON.stringify(v, null, 2) as string | undefined
    if (text === undefined) continue // undefined, functions and symbols are left out, as JSON.stringify does
    fields++
    yield `${head}${text.replaceAll('\n', '\n  ')}`
  }
  yield fields === 0 ? '{}\n' : '\n}\n'
}

/**
 * Writes the pieces in chunks of about `chunkChars` characters, waiting for 'drain' whenever the stream asks
 * for it (a pipe to a slow reader), so at most one chunk plus the stream's buffer is in memory.
 */
export async function writePieces(
  sink: NodeJS.WritableStream,
  pieces: Iterable<string>,
  chunkChars = 1 << 20,
): Promise<void> {
  let batch: string[] = []
  let size = 0
  const flush = async (): Promise<void> => {
    const chunk = batch.join('')
    batch = []
    size = 0
    if (!sink.write(chunk)) await once(sink, 'drain') // rejects on 'error' (EPIPE)
  }
  for (const piece of pieces) {
    batch.push(piece)
    size += piece.length
    if (size >= chunkChars) await flush()
  }
  if (size > 0) await flush()
}

/** `JSON.stringify(value, null, 2)` and a newline to the stream, in chunks, with backpressure. */
export function writeJson(
  sink: NodeJS.WritableStream,
  value: object,
  element?: ElementMap,
): Promise<void> {
  return writePieces(sink, indentedJsonPieces(value, element))
}
