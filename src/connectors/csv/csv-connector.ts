/**
 * The plain CSV source: one delimited file (`,` or `;`, UTF-8 or Latin-1) whose columns are mapped to Koppel
 * fields in config. Always a full snapshot; any error means no snapshot. The column mapping and value
 * parsing live in csv-mapping.ts and csv-values.ts.
 */
import { basename, isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import type {
  ConnectorContext,
  FingerprintOptions,
  ReadOptions,
  SourceCapabilities,
  SourceConnector,
  SourceDefinition,
} from '../../contract/index.ts'
import type { SourceReadResult } from '../../model/index.ts'
import { filesFingerprint } from '../../util/file-fingerprint.ts'
import { IssueCollector } from '../../contract/issue-collector.ts'
import { CONTRACT_FIELDS, CsvPersonBuilder, PERSON_FIELDS } from './csv-mapping.ts'
import { readCsv } from './csv-reader.ts'

const column = z.string().min(1)
const optionalColumns = Object.fromEntries(
  [...PERSON_FIELDS, ...CONTRACT_FIELDS].map((f) => [f, column.optional()]),
) as Record<
  (typeof PERSON_FIELDS)[number] | (typeof CONTRACT_FIELDS)[number],
  z.ZodOptional<z.ZodString>
>

const defaultFields = Object.fromEntries(
  CONTRACT_FIELDS.map((f) => [f, z.string().optional()]),
) as Record<(typeof CONTRACT_FIELDS)[number], z.ZodOptional<z.ZodString>>

export const csvOptions = z.object({
  /** The file, relative to the config file's folder. */
  file: z.string().min(1),
  delimiter: z.string().length(1).default(','),
  encoding: z.enum(['utf8', 'latin1']).default('utf8'),
  dateFormat: z.enum(['YYYY-MM-DD', 'DD-MM-YYYY']).default('YYYY-MM-DD'),
  /** Koppel field → column header. */
  columns: z.strictObject({ key: column, ...optionalColumns }),
  /** Constants for contract fields the file lacks, e.g. `role: student` for a pupils-only export. */
  defaults: z.strictObject(defaultFields).default({}),
  /** Extra person attributes: attribute name → column header. */
  attributes: z.record(z.string().min(1), column).default({}),
  maxIssues: z.number().int().min(1).max(10_000).default(100),
})

export type CsvOptions = z.output<typeof csvOptions>

const PROGRESS_EVERY = 10_000

class CsvSource implements SourceConnector {
  readonly type = 'csv'
  readonly capabilities: SourceCapabilities
  readonly name: string
  readonly #o: CsvOptions
  readonly #path: string
  readonly #context: ConnectorContext

  constructor(name: string, options: CsvOptions, context: ConnectorContext) {
    this.name = name
    this.#o = options
    const namesManagers =
      options.columns.manager !== undefined || options.defaults.manager !== undefined
    this.capabilities = Object.freeze({ delta: false, writeBack: false, namesManagers })
    this.#path = isAbsolute(options.file) ? options.file : resolve(context.baseDir, options.file)
    this.#context = context
  }

  /** sha256 over the file's bytes (a missing file hashes as absent; the read then reports it). */
  fingerprint(options: FingerprintOptions): Promise<string | undefined> {
    return filesFingerprint('csv', [{ name: basename(this.#path), path: this.#path }], {
      signal: options.signal,
      previous: options.previous,
    })
  }

  async read(options: ReadOptions): Promise<SourceReadResult> {
    const file = basename(this.#path)
    const issues = new IssueCollector(this.name, { cap: this.#o.maxIssues, file })
    const builder = new CsvPersonBuilder(
      {
        source: this.name,
        columns: this.#o.columns,
        defaults: this.#o.defaults,
        attributes: this.#o.attributes,
        dateFormat: this.#o.dateFormat,
      },
      issues,
    )
    let rows = 0
    const failure = await readCsv(
      {
        path: this.#path,
        delimiter: this.#o.delimiter,
        encoding: this.#o.encoding,
        signal: options.signal,
      },
      (names) => builder.header(names),
      (fields, line) => {
        if (issues.full) return
        builder.row(fields, line)
        if (++rows % PROGRESS_EVERY === 0) options.onProgress?.(rows)
      },
    )
    if (failure?.kind === 'missing')
      issues.error({ code: 'missing_file', message: `${this.#path} does not exist` })
    else if (failure !== undefined)
      issues.error({
        code: 'bad_csv',
        ...(failure.line !== undefined ? { line: failure.line } : {}),
        message: failure.message,
      })
    // an export that came back empty must not read as "everyone left"
    if (failure === undefined && rows === 0 && issues.errorCount === 0)
      issues.error({ code: 'no_rows', message: 'the file has a header but no rows' })
    if (issues.errorCount > 0) return { ok: false, issues: issues.errors() }
    options.onProgress?.(rows)
    const persons = builder.persons()
    this.#context.log('info', 'csv read', { source: this.name, rows, persons: persons.length })
    return {
      ok: true,
      snapshot: Object.freeze({
        kind: 'snapshot',
        source: this.name,
        mode: 'full',
        takenAt: this.#context.now().toISOString(),
        persons: Object.freeze(persons),
        groups: Object.freeze(builder.groups()),
        removed: Object.freeze([]),
        warnings: Object.freeze([]),
      }),
    }
  }
}

export const csvConnector: SourceDefinition<typeof csvOptions> = {
  role: 'source',
  type: 'csv',
  description:
    'Plain CSV file (one row per person or per contract) with a configurable column mapping',
  schema: csvOptions,
  create: (name, options, context) => new CsvSource(name, options, context),
}
