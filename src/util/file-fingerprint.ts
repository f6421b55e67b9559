import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

export interface FingerprintFile {
  /** How the file is named in the digest (e.g. its name in the folder). */
  readonly name: string
  readonly path: string
}

/**
 * sha256 over `header` and then, per file in the order given, its name, its bytes and its length; a file that
 * does not exist is hashed as absent, so creating or removing it changes the digest too. Content, not
 * name/size/mtime: a rewrite within the same second at the same size is still seen. About 0.25 s for the
 * 142 MB of a generated 100,000-person OneRoster export (30 ms for 10,000 persons).
 */
export async function filesFingerprint(
  header: string,
  files: readonly FingerprintFile[],
  signal?: AbortSignal,
): Promise<string> {
  const h = createHash('sha256')
  h.update(`${header}\u0000`)
  for (const f of files) {
    signal?.throwIfAborted()
    h.update(`${f.name}\u0000`)
    let size = 0
    try {
      for await (const chunk of createReadStream(f.path, {
        highWaterMark: 1 << 20,
        ...(signal !== undefined ? { signal } : {}),
      })) {
        const bytes = chunk as Buffer
        h.update(bytes)
        size += bytes.length
      }
      h.update(`\u0000${size}\n`)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || size > 0) throw e
      h.update('\u0000absent\n')
    }
  }
  return `sha256:${h.digest('hex')}`
}
