/**
 * The Magister source: one GetData call (`/doc?Function=GetData&Library=Data&…&Type=CSV`) for a Decibel layout
 * the school's application manager made, mapped to pupils with one enrolment contract per row. Write-back of the
 * school e-mail (UpdateLeerEMail) and the login name (UpdateGebruiker), as the public HelloID connectors do.
 */
import { z } from 'zod'
import { ConnectorError, secret } from '../../contract/index.ts'
import type {
  ConnectorContext,
  ReadOptions,
  SourceCapabilities,
  SourceConnector,
  SourceDefinition,
  WriteBackRequest,
} from '../../contract/index.ts'
import type { Issue, SourceReadResult } from '../../model/index.ts'
import { HttpClient, withReadRetry } from '../../protocol/index.ts'
import { mapMagisterCsv } from './magister-mapping.ts'

export const magisterOptions = z.object({
  /** `https://<tenant>.swp.nl:8800` (the Schoolware web service; Magister whitelists the caller's IP). */
  baseUrl: z.url(),
  /** The Magister user with rights on the layout (and on UpdateLeerEMail/UpdateGebruiker for write-back). */
  username: z.string().min(1),
  password: secret(),
  /** The Decibel layout the application manager created and authorised for the user. */
  layout: z.string().min(1).default('tools4ever-leerlingen-actief'),
  /** Library of GetData. */
  dataLibrary: z.string().min(1).default('Data'),
  /** Library of UpdateLeerEMail / UpdateGebruiker. */
  writeBackLibrary: z.string().min(1).default('ADFuncties'),
  /** `Encoding` of the export: ANSI (windows-1252, what the public connector asks for) or UTF8. */
  encoding: z.enum(['ANSI', 'UTF8']).default('ANSI'),
  /** BRIN of the school, when the layout has no BRIN column. */
  brin: z
    .string()
    .regex(/^\d{2}[A-Z]{2}$/, 'a BRIN is two digits and two capitals, e.g. 12AB')
    .optional(),
  schoolName: z.string().min(1).optional(),
  /** Per-request timeout (the export of a large school takes a while). */
  timeoutMs: z.number().int().min(1000).max(600_000).default(120_000),
  /** Attempts for the GetData call on 429/5xx/timeouts, the first included. */
  readAttempts: z.number().int().min(1).max(10).default(4),
  /**
   * Which layout columns hold the login name, the pupil's e-mail and mobile number: the first of each list that
   * the export has is read. The HelloID persons scripts read `Loginaccount.Naam` and `Mobiel_nr`, its SQL layout
   * names them `sis_gebr__login_naam` and `gsm`; both are taken by default.
   */
  columns: z
    .object({
      login: z
        .array(z.string().min(1))
        .min(1)
        .default(['Loginaccount.Naam', 'sis_gebr__login_naam']),
      email: z.array(z.string().min(1)).min(1).default(['EMAIL']),
      mobile: z.array(z.string().min(1)).min(1).default(['Mobiel_nr', 'gsm']),
    })
    .prefault({}),
})

export type MagisterOptions = z.output<typeof magisterOptions>

/** Field names `writeBack` understands. */
export const MAGISTER_WRITE_BACK_FIELDS = ['email', 'username'] as const

// GUESS: Encoding=ANSI means windows-1252 (the Windows ANSI code page of Dutch installations)
const windows1252 = new TextDecoder('windows-1252')
const utf8 = new TextDecoder('utf-8')

class MagisterSource implements SourceConnector {
  readonly type = 'magister'
  readonly capabilities: SourceCapabilities = Object.freeze({
    delta: false,
    writeBack: true,
    writeBackFields: { email: 'email', username: 'username' },
    namesManagers: true,
  })
  readonly name: string
  readonly #options: MagisterOptions
  readonly #context: ConnectorContext
  readonly #http: HttpClient
  /** stamnummer → login name from the last read, for UpdateGebruiker (which names the current login). */
  #logins: Map<string, string> | undefined

  constructor(name: string, options: MagisterOptions, context: ConnectorContext) {
    this.name = name
    this.#options = options
    this.#context = context
    // The Schoolware service answers errors with a plain text body; keep it short and never echo the request
    this.#http = new HttpClient({
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      userAgent: 'koppel',
      errorDetail: (t) => t.slice(0, 300),
    })
  }

  #token(): string {
    return `${this.#options.username};${this.#options.password}`
  }

  async #fetchCsv(signal?: AbortSignal): Promise<string> {
    const o = this.#options
    const res = await withReadRetry(
      () =>
        this.#http.request({
          path: '/doc',
          query: {
            Function: 'GetData',
            Library: o.dataLibrary,
            SessionToken: this.#token(),
            Layout: o.layout,
            Parameters: '',
            Type: 'CSV',
            Encoding: o.encoding,
          },
          headers: { accept: 'text/csv, text/plain, */*' },
          decode: (bytes) => (o.encoding === 'ANSI' ? windows1252 : utf8).decode(bytes),
          ...(signal !== undefined ? { signal } : {}),
        }),
      {
        attempts: o.readAttempts,
        ...(signal !== undefined ? { signal } : {}),
        onRetry: (e, attempt, ms) =>
          this.#context.log(
            'warn',
            `Magister GetData failed (${e.message}); retry ${attempt} in ${Math.round(ms)} ms`,
            { source: this.name },
          ),
      },
    )
    return res.text
  }

  async read(options: ReadOptions): Promise<SourceReadResult> {
    let text: string
    try {
      text = await this.#fetchCsv(options.signal)
    } catch (e) {
      if (!ConnectorError.isInstance(e)) throw e
      return { ok: false, issues: [readFailed(this.name, this.#options.layout, e)] }
    }
    const mapped = mapMagisterCsv(text, {
      source: this.name,
      file: `layout ${this.#options.layout}`,
      columns: this.#options.columns,
      ...(this.#options.brin !== undefined ? { brin: this.#options.brin } : {}),
      ...(this.#options.schoolName !== undefined ? { schoolName: this.#options.schoolName } : {}),
    })
    if (mapped.errors.length > 0)
      return { ok: false, issues: [...mapped.errors, ...mapped.warnings] }
    this.#logins = mapped.logins
    options.onProgress?.(mapped.persons.length)
    return {
      ok: true,
      snapshot: {
        kind: 'snapshot',
        source: this.name,
        mode: 'full',
        takenAt: this.#context.now().toISOString(),
        persons: mapped.persons,
        groups: mapped.groups,
        removed: [],
        warnings: mapped.warnings,
      },
    }
  }

  /**
   * `email` → UpdateLeerEMail(StamNr, EMail); `username` → UpdateGebruiker(LoginNaam = current, NieuweLoginNaam).
   * The current login name comes from the last read (or one GetData call when there was none). E-mail goes
   * first: when the login change then fails, the e-mail change stands and a retry repeats it harmlessly.
   */
  async writeBack(
    request: WriteBackRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const unknown = Object.keys(request.fields).filter(
      (f) => !(MAGISTER_WRITE_BACK_FIELDS as readonly string[]).includes(f),
    )
    if (unknown.length > 0)
      throw new ConnectorError(
        'unsupported',
        `Magister write-back knows the fields ${MAGISTER_WRITE_BACK_FIELDS.join(', ')}, not ${unknown.join(', ')}`,
      )
    if (!/^\d+$/.test(request.sourceId))
      throw new ConnectorError(
        'invalid',
        `Magister write-back: ${JSON.stringify(request.sourceId)} is not a stamnummer`,
      )
    const email = request.fields.email
    const username = request.fields.username
    if (email !== undefined) {
      await this.#update(
        'UpdateLeerEMail',
        { StamNr: request.sourceId, EMail: email },
        options.signal,
      )
    }
    if (username !== undefined) {
      if (this.#logins === undefined) {
        const mapped = mapMagisterCsv(await this.#fetchCsv(options.signal), {
          source: this.name,
          file: `layout ${this.#options.layout}`,
        })
        if (mapped.errors.length > 0)
          throw new ConnectorError(
            'invalid',
            `Magister write-back: reading the current login names failed: ${mapped.errors[0]?.message ?? ''}`,
          )
        this.#logins = mapped.logins
      }
      const current = this.#logins.get(request.sourceId)
      if (current === undefined)
        throw new ConnectorError(
          'not-found',
          `Magister write-back: pupil ${request.sourceId} has no login name (sis_gebr) to rename`,
        )
      if (current === username) return
      await this.#update(
        'UpdateGebruiker',
        { LoginNaam: current, NieuweLoginNaam: username },
        options.signal,
      )
      this.#logins.set(request.sourceId, username)
    }
  }

  async #update(fn: string, params: Record<string, string>, signal?: AbortSignal): Promise<void> {
    // Everything goes in the query string; the body is unused (as in the public connector). Success = 200.
    await this.#http.request({
      method: 'POST',
      path: '/doc',
      query: {
        Function: fn,
        Library: this.#options.writeBackLibrary,
        SessionToken: this.#token(),
        ...params,
      },
      headers: { accept: 'text/plain, */*' },
      ...(signal !== undefined ? { signal } : {}),
    })
  }
}

function readFailed(source: string, layout: string, e: ConnectorError): Issue {
  const code =
    e.kind === 'auth'
      ? 'auth_failed'
      : e.kind === 'transient' || e.kind === 'rate-limited'
        ? 'unavailable'
        : 'read_failed'
  return {
    severity: 'error',
    source,
    file: `layout ${layout}`,
    code,
    message: `reading Magister failed (${e.kind}): ${e.message}`,
  }
}

export const magisterConnector: SourceDefinition<typeof magisterOptions> = {
  role: 'source',
  type: 'magister',
  description:
    'Magister (Iddink): pupils and their enrolments from a Decibel layout over the Schoolware /doc web service, with e-mail and login-name write-back',
  schema: magisterOptions,
  create: (name, options, context) => new MagisterSource(name, options, context),
}
