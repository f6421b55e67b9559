/**
 * The OneRoster CSV source: reads a OneRoster 1.1 or 1.2 package (bulk or delta) from a folder and returns a
 * snapshot, or every problem found (up to a cap) and no snapshot. Wires manifest, reader, records and mapping
 * together; the checks themselves live in those modules.
 */
import { readdir } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { z } from 'zod'
import type { SourceDefinition } from '../../contract/index.ts'
import type {
  ConnectorContext,
  FingerprintOptions,
  ReadOptions,
  SourceCapabilities,
  SourceConnector,
} from '../../contract/index.ts'
import type { SourceReadResult } from '../../model/index.ts'
import { rosterSnapshot } from '../../protocol/oneroster/index.ts'
import { filesFingerprint } from '../../util/file-fingerprint.ts'
import { DEFAULT_ISSUE_CAP, IssueCollector } from '../../contract/issue-collector.ts'
import { modeOf, readManifest } from './oneroster-csv-manifest.ts'
import { mapRoster } from './oneroster-csv-mapping.ts'
import { readRoster } from './oneroster-csv-package.ts'
import { READ_ORDER } from './oneroster-csv-spec.ts'

export const oneRosterCsvOptions = z.object({
  /** Folder holding manifest.csv and the data files; relative to the config file's folder. */
  path: z.string().min(1),
  /** Which users.csv column becomes the person key. */
  personKey: z.enum(['sourcedId', 'identifier', 'username']).default('sourcedId'),
  /** Split a leading Dutch prefix off familyName when there is no metadata.nl.familyNamePrefix column. */
  splitNamePrefix: z.boolean().default(true),
  /**
   * This export also sends delta packages. The engine then keeps each full set (about 3 s and 10 MB at 100,000
   * persons) to apply the next delta to; boards that only send full exports do not pay for that.
   */
  deltas: z.boolean().default(false),
  /** Stop collecting after this many errors. */
  maxIssues: z.number().int().min(1).max(10_000).default(DEFAULT_ISSUE_CAP),
  /**
   * Refuse an export whose required columns are empty even where nothing reads them (OneRoster's own rule).
   * By default such a column (e.g. `username`, which many school exports leave empty because making usernames
   * is what Koppel is for) is a warning in the plan with a count and the first rows.
   */
  strict: z.boolean().default(false),
  /**
   * Parse enrollments.csv on a worker thread while the other files are read: `auto` if it holds 4 MB or more
   * (a thread's start costs more below that), `always`, `never`. Absent means `never` until the thread is
   * measured faster on an idle machine: on the shared 2-core machine it cost CPU and gained no wall time (see
   * docs/benchmarks.md, "Fourth session of 2026-12-07"). No default written into the options: a new default
   * would change the config's hash, and so every plan's.
   */
  parseThread: z.enum(['auto', 'always', 'never']).optional(),
})

export type OneRosterCsvOptions = z.output<typeof oneRosterCsvOptions>

/**
 * Required columns that only fill an optional model field, by file: an empty one matters only when the
 * configuration reads that field. Every other required column is structural (ids, roles, names, references)
 * and stays an error.
 */
const OPTIONAL_TARGETS: Readonly<Partial<Record<string, Readonly<Record<string, string>>>>> = {
  users: { username: 'person.username' },
}

class OneRosterCsvSource implements SourceConnector {
  readonly type = 'oneroster-csv'
  // delta (option `deltas`): a package may be a delta (manifest file.users=delta); the engine keeps each full set
  readonly capabilities: SourceCapabilities
  readonly name: string
  readonly #options: OneRosterCsvOptions
  readonly #dir: string
  readonly #context: ConnectorContext

  constructor(name: string, options: OneRosterCsvOptions, context: ConnectorContext) {
    this.name = name
    this.#options = Object.freeze({ ...options })
    this.capabilities = Object.freeze({
      delta: options.deltas,
      writeBack: false,
      namesManagers: true,
    })
    this.#dir = isAbsolute(options.path) ? options.path : resolve(context.baseDir, options.path)
    this.#context = context
  }

  /**
   * sha256 over the folder's file names (the manifest is checked against them) and the bytes of manifest.csv
   * and of every data file Koppel can read (matched ignoring case, as a case-insensitive file system opens
   * them); other files count by name only. Undefined without the folder.
   */
  async fingerprint(options: FingerprintOptions): Promise<string | undefined> {
    let names: string[]
    try {
      names = (await readdir(this.#dir)).sort()
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw e
    }
    const read = new Set(
      ['manifest.csv', ...READ_ORDER.map((f) => `${f}.csv`)].map((n) => n.toLowerCase()),
    )
    const files = names
      .filter((n) => read.has(n.toLowerCase()))
      .map((name) => ({ name, path: join(this.#dir, name) }))
    return filesFingerprint(`oneroster-csv\u0000${names.join('\u0000')}`, files, {
      signal: options.signal,
      previous: options.previous,
    })
  }

  /** Whether an empty required column of a file is tolerated: not strict, not the person key, and not read. */
  #unread(file: string, column: string, isRead: ((field: string) => boolean) | undefined): boolean {
    if (this.#options.strict || isRead === undefined) return false
    const field = OPTIONAL_TARGETS[file]?.[column]
    if (field === undefined) return false
    if (file === 'users' && column === this.#options.personKey) return false
    return !isRead(field)
  }

  async #readPackage(options: ReadOptions) {
    const issues = new IssueCollector(this.name, this.#options.maxIssues)
    const manifest = await readManifest(this.#dir, issues)
    if (manifest === undefined || issues.errorCount > 0)
      return { issues, manifest: undefined, roster: undefined }
    const { roster } = await readRoster(this.#dir, manifest, issues, {
      ...options,
      tolerateEmpty: (file, column) => this.#unread(file, column, options.isRead),
      thread: { auto: undefined, always: true, never: false }[this.#options.parseThread ?? 'never'],
    })
    return { issues, manifest, roster }
  }

  async read(options: ReadOptions): Promise<SourceReadResult> {
    const started = performance.now()
    const { issues, manifest, roster } = await this.#readPackage(options)
    if (manifest === undefined || roster === undefined || issues.errorCount > 0)
      return { ok: false, issues: [...issues.errors(), ...issues.warnings()] }
    const mapped = mapRoster(
      roster,
      {
        source: this.name,
        personKey: this.#options.personKey,
        splitNamePrefix: this.#options.splitNamePrefix,
        today: options.today,
      },
      issues,
    )
    if (issues.errorCount > 0)
      return { ok: false, issues: [...issues.errors(), ...issues.warnings()] }
    const mode = modeOf(manifest, 'users') === 'bulk' ? 'full' : 'delta'
    if (mode === 'delta' && !this.#options.deltas) {
      const message =
        'manifest.csv marks users.csv as delta, but this source is not configured for deltas: set `deltas: true` on it, plan a bulk (full) export once, then send deltas'
      return {
        ok: false,
        issues: [
          {
            severity: 'error',
            code: 'delta_not_enabled',
            source: this.name,
            file: 'manifest.csv',
            field: 'file.users',
            message,
          },
        ],
      }
    }
    this.#context.log('info', 'oneroster-csv read', {
      source: this.name,
      mode,
      persons: mapped.persons.length,
      groups: mapped.groups.length,
      ms: Math.round(performance.now() - started),
    })
    return {
      ok: true,
      snapshot: rosterSnapshot(
        this.name,
        mode,
        this.#context.now().toISOString(),
        mapped,
        issues.warnings(),
      ),
    }
  }
}

export const oneRosterCsvConnector: SourceDefinition<typeof oneRosterCsvOptions> = {
  role: 'source',
  type: 'oneroster-csv',
  description: 'OneRoster 1.1/1.2 CSV package (bulk or delta) in a folder',
  schema: oneRosterCsvOptions,
  fills: {
    person: [
      'key',
      'sourceIds',
      'givenName',
      'preferredGivenName',
      'middleName',
      'familyName',
      'familyNamePrefix',
      'partnerName',
      'partnerNamePrefix',
      'nameConvention',
      'email',
      'username',
      'birthDate',
      'attributes',
      'contracts',
      'memberships',
    ],
    contract: [
      'id',
      'source',
      'role',
      'start',
      'end',
      'organisation',
      'organisationCode',
      'organisationName',
      'schoolYear',
      'grade',
      'classGroup',
      'manager',
      'primary',
      'attributes',
    ],
    membership: ['group', 'role', 'start', 'end', 'primary'],
  },
  create: (name, options, context) => new OneRosterCsvSource(name, options, context),
}
