/**
 * The Eduarte source (Topicus, MBO): deelnemers with their verbintenissen and medewerkers over Eduarte's SOAP
 * services, paged, each page retried on 429/5xx; any failure fails the whole read. Write-back through the
 * operations the public HelloID connectors use: updateContactgegevens (e-mail), createDeelnemerGebruiker
 * (username), activeerGebruiker / deactiveerGebruiker (active).
 */
import { randomBytes } from 'node:crypto'
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
import type { Issue, Person, SourceReadResult } from '../../model/index.ts'
import { HttpClient, listOf, textOf, withReadRetry } from '../../protocol/index.ts'
import { EduarteMapper } from './eduarte-mapping.ts'
import {
  eduarteCall,
  meldingKind,
  writeResult,
  type EduarteService,
  type SoapValue,
} from './eduarte-soap.ts'

export const eduarteOptions = z.object({
  /** The Eduarte environment, e.g. `https://<instelling>.eduarte.nl`; services live under /services/api/algemeen/. */
  baseUrl: z.url(),
  /** The API key (apiSleutel) Eduarte issued for the koppeling. */
  apiKey: secret(),
  /** Read deelnemers (students) and/or medewerkers (staff). */
  read: z
    .array(z.enum(['deelnemers', 'medewerkers']))
    .min(1)
    .default(['deelnemers', 'medewerkers']),
  /** Page size of the list operations. */
  pageSize: z.number().int().min(1).max(500).default(100),
  /** Contact soort that holds the school e-mail address (HelloID `ContactgegevenSoort`). */
  emailSoort: z
    .object({ code: z.string().min(1), naam: z.string().min(1) })
    .default({ code: 'ES', naam: 'E-mail School' }),
  /** Person keys of medewerkers are this prefix + the medewerker id (deelnemers use their deelnemernummer). */
  medewerkerKeyPrefix: z.string().default('mw-'),
  /** Begeleider rol codes whose medewerker is a deelnemer's mentor (contract.manager), the first that matches. */
  mentorRollen: z.array(z.string().min(1)).min(1).default(['SLB', 'MENTOR']),
  timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
  /** Attempts per page on 429/5xx/timeouts, the first included. */
  readAttempts: z.number().int().min(1).max(10).default(4),
})

export type EduarteOptions = z.output<typeof eduarteOptions>

/** Field names `writeBack` understands. */
export const EDUARTE_WRITE_BACK_FIELDS = ['email', 'username', 'active'] as const

class EduarteSource implements SourceConnector {
  readonly type = 'eduarte'
  readonly capabilities: SourceCapabilities = Object.freeze({
    delta: false,
    writeBack: true,
    writeBackFields: { email: 'email', username: 'username', active: '' },
    namesManagers: true,
  })
  readonly name: string
  readonly #o: EduarteOptions
  readonly #context: ConnectorContext
  readonly #http: HttpClient

  constructor(name: string, options: EduarteOptions, context: ConnectorContext) {
    this.name = name
    this.#o = options
    this.#context = context
    this.#http = new HttpClient({
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      userAgent: 'koppel',
      errorDetail: (t) => t.slice(0, 300),
    })
  }

  /** One operation; a fault whose text says "niet gevonden" / "heeft reeds een account" keeps that meaning. */
  async #call(
    service: EduarteService,
    operation: string,
    params: Record<string, SoapValue>,
    signal?: AbortSignal,
  ) {
    try {
      return await eduarteCall(
        this.#http,
        this.#o.apiKey,
        service,
        operation,
        params,
        signal !== undefined ? { signal } : {},
      )
    } catch (e) {
      const kind =
        ConnectorError.isInstance(e) && e.kind === 'invalid' ? meldingKind(e.message) : undefined
      if (kind !== undefined && ConnectorError.isInstance(e))
        throw new ConnectorError(kind, e.message, { cause: e })
      throw e
    }
  }

  // GUESS: the read side is not publicly documented: list operations getDeelnemers / getMedewerkers with pagina
  // (from 1), paginaGrootte and peildatum, answering <deelnemers|medewerkers> plus totaalAantal
  async #list(
    service: EduarteService,
    operation: string,
    element: string,
    today: string,
    options: ReadOptions,
    onPage: (items: Record<string, unknown>[], page: number) => void,
  ): Promise<void> {
    let total: number | undefined
    let seen = 0
    for (let page = 1; ; page++) {
      const params = {
        pagina: String(page),
        paginaGrootte: String(this.#o.pageSize),
        peildatum: today,
      }
      const res = await withReadRetry(
        () => this.#call(service, operation, params, options.signal),
        {
          attempts: this.#o.readAttempts,
          ...(options.signal !== undefined ? { signal: options.signal } : {}),
          onRetry: (e, attempt, ms) =>
            this.#context.log(
              'warn',
              `Eduarte ${operation} page ${page} failed (${e.message}); retry ${attempt} in ${Math.round(ms)} ms`,
              { source: this.name },
            ),
        },
      )
      const items = listOf<Record<string, unknown>>(
        (res[`${element}s`] as Record<string, unknown> | undefined)?.[element],
      )
      const count = Number(textOf(res.totaalAantal) ?? '')
      if (!Number.isInteger(count) || count < 0)
        throw new ConnectorError(
          'invalid',
          `Eduarte ${operation} page ${page}: totaalAantal is missing or not a number`,
        )
      // GUESS: totaalAantal is the size of the whole list; a change in it between pages means the data moved
      if (total !== undefined && count !== total)
        throw new ConnectorError(
          'transient',
          `Eduarte ${operation}: the list changed while paging (${total} → ${count}); read again`,
        )
      total = count
      onPage(items, page)
      seen += items.length
      if (items.length < this.#o.pageSize || seen >= total) break
    }
    if (seen !== total)
      throw new ConnectorError(
        'invalid',
        `Eduarte ${operation}: read ${seen} ${element}s but the service reports ${total}`,
      )
  }

  async read(options: ReadOptions): Promise<SourceReadResult> {
    const mapper = new EduarteMapper({
      source: this.name,
      emailSoort: this.#o.emailSoort.code,
      medewerkerKeyPrefix: this.#o.medewerkerKeyPrefix,
      mentorRollen: this.#o.mentorRollen,
    })
    const persons = new Map<string, Person>()
    const add = (p: Person | undefined) => {
      if (p === undefined) return
      if (persons.has(p.key)) {
        mapper.issues.error({
          record: p.key,
          field: 'key',
          code: 'duplicate_id',
          message: `two records have the person key ${p.key}`,
        })
        return
      }
      persons.set(p.key, p)
      options.onProgress?.(persons.size)
    }
    try {
      if (this.#o.read.includes('deelnemers')) {
        await this.#list(
          'deelnemers',
          'getDeelnemers',
          'deelnemer',
          options.today,
          options,
          (items, page) =>
            items.forEach((n, i) => add(mapper.deelnemer(n, `deelnemer ${i + 1} of page ${page}`))),
        )
      }
      if (this.#o.read.includes('medewerkers')) {
        await this.#list(
          'medewerkers',
          'getMedewerkers',
          'medewerker',
          options.today,
          options,
          (items, page) =>
            items.forEach((n, i) =>
              add(mapper.medewerker(n, `medewerker ${i + 1} of page ${page}`)),
            ),
        )
      }
    } catch (e) {
      if (!ConnectorError.isInstance(e)) throw e
      return { ok: false, issues: [readFailed(this.name, e)] }
    }
    if (mapper.issues.errorCount > 0) return { ok: false, issues: mapper.issues.errors() }
    if (persons.size === 0) {
      return {
        ok: false,
        issues: [
          {
            severity: 'error',
            source: this.name,
            code: 'empty_export',
            message:
              'Eduarte returned no deelnemers and no medewerkers: refusing it rather than treating everyone as gone',
          },
        ],
      }
    }
    return {
      ok: true,
      snapshot: {
        kind: 'snapshot',
        source: this.name,
        mode: 'full',
        takenAt: this.#context.now().toISOString(),
        persons: [...persons.values()],
        groups: [...mapper.groups.values()],
        removed: [],
        warnings: [],
      },
    }
  }

  /**
   * Deelnemers (sourceId = deelnemernummer): `username` creates the user when there is none
   * (createDeelnemerGebruiker, with a random initial password that is never logged), `email` sets the contact of
   * the configured soort (updateContactgegevens), `active` = 'true' | 'false' (de)activates the user. Medewerkers
   * (sourceId = prefix + id): `active` only. Each step first reads the current state (getDeelnemer /
   * getMedewerkerMetId) and skips what is already so, so a repeated write-back changes nothing.
   */
  async writeBack(
    request: WriteBackRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const f = request.fields
    const unknown = Object.keys(f).filter(
      (k) => !(EDUARTE_WRITE_BACK_FIELDS as readonly string[]).includes(k),
    )
    if (unknown.length > 0)
      throw new ConnectorError(
        'unsupported',
        `Eduarte write-back knows the fields ${EDUARTE_WRITE_BACK_FIELDS.join(', ')}, not ${unknown.join(', ')}`,
      )
    if (f.active !== undefined && f.active !== 'true' && f.active !== 'false')
      throw new ConnectorError('invalid', `Eduarte write-back: active must be 'true' or 'false'`)
    const signal = options.signal
    const prefix = this.#o.medewerkerKeyPrefix
    if (prefix !== '' && request.sourceId.startsWith(prefix)) {
      if (f.email !== undefined || f.username !== undefined)
        throw new ConnectorError(
          'unsupported',
          'Eduarte write-back for medewerkers supports only active (updating a medewerker needs the whole record)',
        )
      const res = await this.#call(
        'medewerkers',
        'getMedewerkerMetId',
        { id: request.sourceId.slice(prefix.length) },
        signal,
      )
      const mw = listOf<Record<string, unknown>>(res.medewerker)[0]
      if (mw === undefined)
        throw new ConnectorError('not-found', `Eduarte: medewerker ${request.sourceId} not found`)
      // GUESS: the medewerker's `gebruikersnaam` element names its user
      const user = textOf(mw.gebruikersnaam) ?? ''
      if (f.active !== undefined)
        await this.#setActive(user, f.active === 'true', request.sourceId, signal)
      return
    }
    const nummer = request.sourceId
    const res = await this.#call('deelnemers', 'getDeelnemer', { deelnemernummer: nummer }, signal)
    const d = listOf<Record<string, unknown>>(res.deelnemer)[0]
    if (d === undefined)
      throw new ConnectorError('not-found', `Eduarte: deelnemer ${nummer} not found`)
    let user = textOf(d.gebruikersNaam) ?? ''
    const contacts = listOf<Record<string, unknown>>(
      (d.contactgegevens as Record<string, unknown> | undefined)?.contactgegeven,
    )
    const soort = this.#o.emailSoort
    const currentMail = contacts.find(
      (c) => textOf((c.soort as Record<string, unknown> | undefined)?.code) === soort.code,
    )
    const mailNow =
      currentMail !== undefined ? textOf(listOf(currentMail.contactgegeven)[0]) : undefined
    if (f.username !== undefined && user !== f.username) {
      if (user !== '')
        throw new ConnectorError(
          'unsupported',
          `Eduarte: deelnemer ${nummer} already has user ${user}; renaming a user is not offered by the deelnemer API`,
        )
      const password = randomBytes(18).toString('base64url')
      await this.#checked(
        'gebruikers',
        'createDeelnemerGebruiker',
        {
          deelnemernummer: nummer,
          gebruikersnaam: f.username,
          wachtwoord: password,
          emailadres: f.email ?? mailNow ?? '',
        },
        signal,
      )
      user = f.username
    }
    if (f.email !== undefined && mailNow !== f.email) {
      await this.#checked(
        'deelnemers',
        'updateContactgegevens',
        {
          deelnemerNummer: nummer,
          contactgegeven: {
            contactgegeven: f.email,
            soort: { code: soort.code, naam: soort.naam },
            geheim: 'false',
          },
        },
        signal,
      )
    }
    if (f.active !== undefined)
      await this.#setActive(user, f.active === 'true', `deelnemer ${nummer}`, signal)
  }

  async #setActive(
    user: string,
    active: boolean,
    who: string,
    signal?: AbortSignal,
  ): Promise<void> {
    if (user === '')
      throw new ConnectorError(
        'not-found',
        `Eduarte: ${who} has no user to ${active ? 'activate' : 'deactivate'}`,
      )
    await this.#checked(
      'gebruikers',
      active ? 'activeerGebruiker' : 'deactiveerGebruiker',
      { gebruikernaam: user },
      signal,
    )
  }

  /**
   * A write. As in the public connectors, an answer without an exception is success unless its melding says
   * "niet gevonden" / "heeft reeds een account"; a status that is present and not OK is a failure too.
   */
  async #checked(
    service: EduarteService,
    operation: string,
    params: Record<string, SoapValue>,
    signal?: AbortSignal,
  ): Promise<void> {
    const { status, melding = '' } = writeResult(
      operation,
      await this.#call(service, operation, params, signal),
    )
    const kind = meldingKind(melding)
    // GUESS: status values OK/FOUT; the public connectors only log status and look at the melding text
    if (kind === undefined && (status === undefined || status.toUpperCase() === 'OK')) return
    throw new ConnectorError(
      kind ?? 'invalid',
      `Eduarte ${operation}: ${melding || `status ${status ?? '(none)'}`}`,
    )
  }
}

function readFailed(source: string, e: ConnectorError): Issue {
  const code =
    e.kind === 'auth'
      ? 'auth_failed'
      : e.kind === 'transient' || e.kind === 'rate-limited'
        ? 'unavailable'
        : 'read_failed'
  return {
    severity: 'error',
    source,
    code,
    message: `reading Eduarte failed (${e.kind}): ${e.message}`,
  }
}

export const eduarteConnector: SourceDefinition<typeof eduarteOptions> = {
  role: 'source',
  type: 'eduarte',
  description:
    'Eduarte (Topicus, MBO): deelnemers with verbintenissen and medewerkers over the SOAP API, with e-mail, username and active write-back',
  schema: eduarteOptions,
  create: (name, options, context) => new EduarteSource(name, options, context),
}
