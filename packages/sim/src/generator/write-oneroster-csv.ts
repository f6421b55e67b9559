// Streams a board to a OneRoster CSV folder (bulk): manifest.csv plus one file per type, written school by
// school in batches of rows (quoting in csv-text.ts), so no whole file is ever held in memory.
import { createWriteStream } from 'node:fs'
import type { WriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import type { SimBoard } from './board-model.ts'
import { headerFor, manifestFiles } from './oneroster-columns.ts'
import type { OneRosterVersion, WrittenFile } from './oneroster-columns.ts'
import { boardRows, chunkRows } from './oneroster-rows.ts'
import { csvText } from './csv-text.ts'

export interface WriteOneRosterOptions {
  readonly version?: OneRosterVersion
}

const BATCH = 5000

class CsvFile {
  readonly #out: WriteStream
  #failed: Error | undefined

  constructor(path: string, header: readonly string[]) {
    this.#out = createWriteStream(path)
    this.#out.on('error', (e) => (this.#failed = e))
    this.#out.write(csvText([header]))
  }

  async write(rows: readonly string[][]): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      if (this.#failed) throw this.#failed
      const text = csvText(rows.slice(i, i + BATCH))
      // once() also rejects when the stream emits 'error' meanwhile.
      if (!this.#out.write(text)) await once(this.#out, 'drain')
    }
  }

  async close(): Promise<void> {
    this.#out.end()
    await finished(this.#out)
  }
}

/** Writes the files of `board` into `dir` (created if missing); returns the data files written. */
export async function writeOneRosterCsv(
  dir: string,
  board: SimBoard,
  options: WriteOneRosterOptions = {},
): Promise<string[]> {
  const version = options.version ?? '1.2'
  if (version !== '1.2' && version !== '1.1') {
    throw new RangeError(`OneRoster version must be 1.2 or 1.1, got ${String(version)}`)
  }
  await mkdir(dir, { recursive: true })
  const written: WrittenFile[] = [
    'academicSessions',
    'orgs',
    'courses',
    'classes',
    'users',
    'enrollments',
    'demographics',
  ]
  if (version === '1.2') written.push('roles')
  const files = new Map(
    written.map((f) => [f, new CsvFile(join(dir, `${f}.csv`), headerFor(f, version))] as const),
  )
  const file = (name: WrittenFile) => files.get(name) as CsvFile
  try {
    const manifest = new CsvFile(join(dir, 'manifest.csv'), ['propertyName', 'value'])
    await manifest.write([
      ['manifest.version', '1.0'],
      ['oneroster.version', version],
      ...manifestFiles[version].map((f) => [
        `file.${f}`,
        written.includes(f as WrittenFile) ? 'bulk' : 'absent',
      ]),
      ['source.systemName', 'Koppel-sim'],
      ['source.systemCode', `seed-${board.seed}`],
    ])
    await manifest.close()
    const top = boardRows(board)
    await file('academicSessions').write(top.academicSessions)
    await file('orgs').write(top.orgs)
    for (const chunk of board.chunks()) {
      const rows = chunkRows(chunk, board, version)
      for (const [name, list] of Object.entries(rows)) {
        if (name !== 'roles' || version === '1.2') await file(name as WrittenFile).write(list)
      }
    }
  } finally {
    await Promise.all([...files.values()].map((f) => f.close()))
  }
  return written.map((f) => `${f}.csv`)
}
