// Durable state of the IMS file target, kept in `stateDir`:
//   state.json           the snapshot (written atomically: temp file, fsync, rename)
//   state.journal.ndjson every action since the snapshot, one JSON line each, appended and flushed before the
//                        action reports success; a torn last line (a crash mid-write) is ignored on load, and
//                        its action never reported success, so the engine retries it (the actions are idempotent)
//   delivered.json       the model of the last file that reached the SFTP server (compared before delivering)
//   delivered.xml        that file itself, for the admin
// The journal is folded into the snapshot at every delivery and every 5,000 lines.
import { randomBytes } from 'node:crypto'
import { readFile, rename, rm } from 'node:fs/promises'
import { makePrivateDir, openPrivateForAppend, writePrivateFile } from '../../util/private-files.ts'
import { join } from 'node:path'
import { ConnectorError } from '../../contract/index.ts'
import type { Attributes } from '../../model/index.ts'
import { messageOf } from '../../util/message-of.ts'
import type { GroupRef } from './itslearning-conventions.ts'

export interface PersonRecord {
  readonly attributes: Attributes
  readonly enabled: boolean
  /** Membership permission ids held, sorted. */
  readonly permissions: readonly string[]
  /** Memberships of provisioned courses: `<course sync key>#<role>`, sorted (absent in older state files). */
  readonly groups?: readonly string[]
}

/** A provisioned course or course group (provisionGroups:), by its sync key. */
export interface GroupRecord {
  /** Its place: school, school year and course, or just the course group (its parent is another record). */
  readonly chain: readonly GroupRef[]
  /** The day it was archived (ISO date): still in the file, with a timeframe that ends that day. */
  readonly archived?: string
}

export interface CourseRecord {
  /** The membership id of a grant that named this course (enough to rebuild its chain). */
  readonly example: string
  /** Last day (ISO date) the course had a member in a delivered file. */
  readonly lastSeen: string
}

export interface StateData {
  readonly version: 1
  readonly persons: Record<string, PersonRecord>
  /** Courses and course groups by sync key, for the archive hold. */
  readonly courses: Record<string, CourseRecord>
  /** Provisioned courses and course groups by sync key. */
  readonly groups: Record<string, GroupRecord>
}

type JournalLine =
  | { readonly op: 'put'; readonly key: string; readonly record: PersonRecord }
  | { readonly op: 'del'; readonly key: string }
  | { readonly op: 'group'; readonly key: string; readonly record: GroupRecord }
  | { readonly op: 'ungroup'; readonly key: string }

const COMPACT_AFTER = 5000

export class FileState {
  readonly dir: string
  data: StateData = { version: 1, persons: {}, courses: {}, groups: {} }
  #journalLines = 0
  #chain: Promise<unknown> = Promise.resolve()
  readonly #pending: { line: string; resolve: () => void; reject: (e: unknown) => void }[] = []
  #loaded: Promise<void> | undefined

  constructor(dir: string) {
    this.dir = dir
  }

  path(name: string): string {
    return join(this.dir, name)
  }

  /** Loads once; later calls wait for the same load. */
  load(): Promise<void> {
    this.#loaded ??= this.#load()
    return this.#loaded
  }

  async #load(): Promise<void> {
    try {
      // the state names every pupil: owner-only, like the store
      await makePrivateDir(this.dir)
    } catch (e) {
      throw new ConnectorError(
        'config',
        `stateDir ${this.dir} cannot be created: ${messageOf(e)}`,
        { cause: e },
      )
    }
    const snapshot = await readText(this.path('state.json'))
    if (snapshot !== undefined) {
      try {
        const parsed = JSON.parse(snapshot) as StateData
        if (parsed.version !== 1 || typeof parsed.persons !== 'object')
          throw new Error('unknown layout')
        this.data = {
          version: 1,
          persons: parsed.persons,
          courses: parsed.courses ?? {},
          groups: parsed.groups ?? {},
        }
      } catch (e) {
        throw new ConnectorError(
          'config',
          `${this.path('state.json')} is not a Koppel IMS state file: ${messageOf(e)}`,
          { cause: e },
        )
      }
    }
    const journal = await readText(this.path('state.journal.ndjson'))
    if (journal !== undefined) {
      for (const line of journal.split('\n')) {
        if (line === '') continue
        let entry: JournalLine
        try {
          entry = JSON.parse(line) as JournalLine
        } catch {
          continue // a torn line from a crash: its action never reported success
        }
        this.#apply(entry)
        this.#journalLines++
      }
    }
  }

  get(key: string): PersonRecord | undefined {
    return Object.hasOwn(this.data.persons, key) ? this.data.persons[key] : undefined
  }

  /** Applies and journals one change; resolves once the line is on disk. */
  put(key: string, record: PersonRecord): Promise<void> {
    return this.#write({ op: 'put', key, record })
  }

  remove(key: string): Promise<void> {
    return this.#write({ op: 'del', key })
  }

  group(key: string): GroupRecord | undefined {
    return Object.hasOwn(this.data.groups, key) ? this.data.groups[key] : undefined
  }

  putGroup(key: string, record: GroupRecord): Promise<void> {
    return this.#write({ op: 'group', key, record })
  }

  removeGroup(key: string): Promise<void> {
    return this.#write({ op: 'ungroup', key })
  }

  #apply(entry: JournalLine): void {
    const { persons, groups } = this.data
    if (entry.op === 'put') persons[entry.key] = entry.record
    else if (entry.op === 'del') delete persons[entry.key]
    else if (entry.op === 'group') groups[entry.key] = entry.record
    else delete groups[entry.key]
  }

  #write(entry: JournalLine): Promise<void> {
    this.#apply(entry)
    const done = new Promise<void>((resolve, reject) =>
      this.#pending.push({ line: `${JSON.stringify(entry)}\n`, resolve, reject }),
    )
    // group commit: the first line of a batch schedules one append + fsync for every line queued until it runs
    if (this.#pending.length === 1) this.#chain = this.#chain.then(() => this.#flushPending())
    return done
  }

  async #flushPending(): Promise<void> {
    const batch = this.#pending.splice(0)
    try {
      await appendDurable(this.path('state.journal.ndjson'), batch.map((b) => b.line).join(''))
      this.#journalLines += batch.length
      if (this.#journalLines >= COMPACT_AFTER) await this.#compact()
      for (const b of batch) b.resolve()
    } catch (e) {
      const error = new ConnectorError(
        'transient',
        `writing the IMS state in ${this.dir} failed: ${messageOf(e)}`,
        { cause: e },
      )
      for (const b of batch) b.reject(error)
    }
  }

  /** Folds the journal into state.json (atomically), then empties the journal. */
  compact(): Promise<void> {
    return this.exclusive(() => this.#compact())
  }

  /** The same, for a caller already inside `exclusive`. */
  compactHere(): Promise<void> {
    return this.#compact()
  }

  async #compact(): Promise<void> {
    await writeAtomic(this.path('state.json'), JSON.stringify(this.data))
    await rm(this.path('state.journal.ndjson'), { force: true })
    this.#journalLines = 0
  }

  /** Serialises `fn` after every pending write (delivery runs alone). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(fn)
    this.#chain = next.catch(() => undefined)
    return next
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ConnectorError('config', `${path} cannot be read: ${messageOf(e)}`, { cause: e })
  }
}

async function appendDurable(path: string, text: string): Promise<void> {
  const fh = await openPrivateForAppend(path)
  try {
    await fh.write(text)
    await fh.datasync()
  } finally {
    await fh.close()
  }
}

/** Writes a file so that readers see the old or the new content, never a part: temp file, fsync, rename. */
// Windows refuses to replace a file that another process has open for a moment (a virus scanner, the search
// indexer, a backup agent) with EPERM, EACCES or EBUSY; on Linux the replace never waits for readers.
const BUSY_CODES = new Set(['EPERM', 'EACCES', 'EBUSY'])
const BUSY_RETRIES = [50, 100, 200, 400, 800]

export async function writeAtomic(
  path: string,
  content: string,
  renameFile: (from: string, to: string) => Promise<void> = rename,
): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writePrivateFile(temp, content)
    for (let attempt = 0; ; attempt++) {
      try {
        await renameFile(temp, path)
        break
      } catch (e) {
        const wait = BUSY_RETRIES[attempt]
        if (wait === undefined || !BUSY_CODES.has((e as NodeJS.ErrnoException).code ?? '')) throw e
        await new Promise((r) => setTimeout(r, wait))
      }
    }
  } catch (e) {
    await rm(temp, { force: true })
    throw e
  }
}

export { readText }
