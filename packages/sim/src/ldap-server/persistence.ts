// Keeps the simulated directory in a JSON file between runs: loads it at start and saves it after writes
// (debounced, atomically through a temporary file and rename) and on stop. Operational attributes
// (entryUUID, timestamps) are saved too, so ids survive a restart as they do in slapd.
import { existsSync } from 'node:fs'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { toDn } from './dn-key.ts'
import type { Directory } from './directory.ts'
import { makeAttr, type Attr } from './entry.ts'
import { attributeType } from './schema.ts'

const FORMAT = 'koppel-ldap-sim/1'

type StoredValue = string | { readonly base64: string }

interface StoredEntry {
  readonly id: number
  readonly dn: string
  readonly attributes: Readonly<Record<string, readonly StoredValue[]>>
}

interface StoredDirectory {
  readonly format: string
  readonly baseDn: string
  readonly entries: readonly StoredEntry[]
}

/** Loads the file into an empty directory; false when there is no file. */
export async function loadDirectory(directory: Directory, path: string): Promise<boolean> {
  if (!existsSync(path)) return false
  const stored = JSON.parse(await readFile(path, 'utf8')) as StoredDirectory
  if (stored.format !== FORMAT) throw new Error(`${path}: not a ${FORMAT} file`)
  if (toDn(stored.baseDn).key !== directory.baseDn.key) {
    throw new Error(`${path} holds ${stored.baseDn}, not ${directory.baseDn.pretty}`)
  }
  for (const record of stored.entries) {
    const attrs = new Map<string, Attr>()
    for (const [name, values] of Object.entries(record.attributes)) {
      const type = attributeType(name)
      if (type === undefined) continue
      attrs.set(
        type.key,
        makeAttr(
          type,
          values.map((v) => (typeof v === 'string' ? v : Buffer.from(v.base64, 'base64'))),
        ),
      )
    }
    directory.insertLoaded(toDn(record.dn), record.id, attrs)
  }
  return true
}

export function serialiseDirectory(directory: Directory): string {
  const entries: StoredEntry[] = []
  for (const entry of directory.walk()) {
    const attributes: Record<string, StoredValue[]> = {}
    for (const attr of entry.attrs.values()) {
      attributes[attr.type.name] = attr.values.map((v) =>
        typeof v === 'string' ? v : { base64: v.toString('base64') },
      )
    }
    entries.push({ id: entry.id, dn: entry.dn.pretty, attributes })
  }
  const stored: StoredDirectory = { format: FORMAT, baseDn: directory.baseDn.pretty, entries }
  return JSON.stringify(stored)
}

/**
 * Saves at most once per `delayMs` after changes, and never more often than every 4× the last save's
 * duration, so that a big directory being provisioned spends most of its time serving, not serialising.
 * `flush` writes now if anything is unsaved.
 */
export class DebouncedSaver {
  readonly #directory: Directory
  readonly #path: string
  readonly #delayMs: number
  #timer: NodeJS.Timeout | undefined
  #dirty = false
  #saving: Promise<void> = Promise.resolve()
  #lastSaveMs = 0

  constructor(directory: Directory, path: string, delayMs = 250) {
    this.#directory = directory
    this.#path = path
    this.#delayMs = delayMs
  }

  schedule(): void {
    this.#dirty = true
    if (this.#timer !== undefined) return
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined
        this.#saving = this.#saving.then(() => this.#save()).catch(() => {})
      },
      Math.max(this.#delayMs, 4 * this.#lastSaveMs),
    )
    this.#timer.unref()
  }

  async flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#saving
    await this.#save()
  }

  async #save() {
    if (!this.#dirty) return
    this.#dirty = false
    const started = performance.now()
    const tmp = `${this.#path}.tmp`
    await writeFile(tmp, serialiseDirectory(this.#directory))
    await rename(tmp, this.#path)
    this.#lastSaveMs = performance.now() - started
  }
}
