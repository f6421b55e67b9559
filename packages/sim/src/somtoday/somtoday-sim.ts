// A Somtoday ConnectAPI simulator on loopback: public instelling lookup, OAuth2 client credentials per
// organisation, bearer tokens that expire, per-vestiging reads with offset/amount paging, peilschooljaar,
// account reads and writes (single and bulk), and the HRMService SOAP createPerson. See README.md.
// Every JSON body it serves is first checked against the spec's schema (connect-schema.ts); an off-spec body
// is never served: the request gets a 500 and the violation is kept in `violations` for the tests to fail on.
import { randomBytes, randomUUID } from 'node:crypto'
import {
  startSimHttpServer,
  type SimHttpServer,
  type SimRequest,
  type SimResponse,
} from '../http/sim-http-server.ts'
import type { SimBoard } from '../generator/index.ts'
import {
  BoardCursor,
  datesOf,
  uuidFrom,
  type AccountState,
  type Dates,
  type Peil,
  type VestigingData,
} from './somtoday-data.ts'
import { handleHrmService, type HrmPerson } from './hrm-service.ts'
import * as spec from './connect-schema.ts'

export interface SomtodaySimClient {
  readonly clientId: string
  readonly clientSecret: string
  /** May write accounts (PUT …/account). Default true. */
  readonly accountWrite?: boolean
}

export interface SomtodaySimOptions {
  readonly board: SimBoard
  /** Today for peilschooljaar; default the board's today. */
  readonly today?: string
  readonly clients?: readonly SomtodaySimClient[]
  /** Lifetime of an access token (expires_in). Default 3600. */
  readonly tokenTtlSeconds?: number
  /** Clock for token expiry (ms). Default Date.now. */
  readonly now?: () => number
  /** Token bucket for the whole API (429 with Retry-After above it). Default none. */
  readonly rateLimit?: { readonly perSecond: number; readonly burst?: number }
  /** Fields the koppelpartij has no field permission for: omitted from every record of that type. */
  readonly hiddenFields?: {
    readonly leerling?: readonly string[]
    readonly medewerker?: readonly string[]
    readonly ouderVerzorger?: readonly string[]
  }
  /** OIDC domains configured at the school; a remoteidentifier naming another domain is refused. */
  readonly oidcDomains?: readonly string[]
  /** HRMService credentials (WS-Security UsernameToken). */
  readonly hrm?: { readonly username: string; readonly password: string }
  readonly port?: number
  /**
   * Test hook: rewrites a record before it is served, e.g. to leave out an optional field. The result is
   * checked against the spec like everything else, so it cannot serve what the real service would not.
   */
  readonly transform?: (
    resource: PersonResource,
    record: Record<string, unknown>,
  ) => Record<string, unknown>
  /**
   * Test hook for the connector's own input checks: rewrites a record AFTER the spec check, to serve what the
   * spec forbids (a leerlingnummer that is text, an impossible date). The only way around the check.
   */
  readonly corrupt?: (
    resource: PersonResource,
    record: Record<string, unknown>,
  ) => Record<string, unknown>
}

export type PersonResource = 'leerling' | 'medewerker' | 'ouderVerzorger'

export interface SomtodaySim {
  /** Server root, e.g. http://127.0.0.1:1234 */
  readonly url: string
  /** ConnectAPI base: `${url}/rest/v1` */
  readonly baseUrl: string
  /** `${url}/oauth2/token` (the client adds ?organisation=) */
  readonly tokenUrl: string
  /** `${url}/services/HRMService` */
  readonly hrmUrl: string
  readonly instelling: {
    readonly uuid: string
    readonly naam: string
    readonly brins: readonly string[]
  }
  readonly http: SimHttpServer
  /** Accounts written through the API or created by HRMService, by leerling/medewerker uuid. */
  readonly accounts: Map<string, AccountState>
  /** HRMService persons by afkorting. */
  readonly hrmPersons: Map<string, HrmPerson>
  /** Serve another board (the next day's export); accounts stay. */
  setBoard(board: SimBoard, today?: string): void
  /** Makes every issued token expired: the next call with one gets 401. */
  expireTokens(): void
  /** Counts of pages served per endpoint kind, for benchmarks. */
  readonly pages: Map<string, number>
  /** Responses refused because they did not match the spec (each was answered 500 instead); tests assert none. */
  readonly violations: readonly string[]
  close(): Promise<void>
}

export const DEFAULT_CLIENT: SomtodaySimClient = {
  clientId: 'koppel',
  clientSecret: 'koppel-secret',
}
const MAX_AMOUNT = 200
const MAX_BULK = 200

/** A response and the spec schema its JSON body must satisfy; `after` runs once the body has passed. */
interface Served extends SimResponse {
  readonly schema?: spec.ConnectSchema
  readonly after?: (json: unknown) => unknown
}

/** The spec's GeneralResponse `{errors:[{code, problem, clarification}]}`; `code` is an integer there. */
function err(
  status: number,
  problem: string,
  clarification = '',
  headers?: Record<string, string>,
): Served {
  // GUESS: the spec says only "numerieke foutcode"; the simulator uses the HTTP status as the code
  return {
    status,
    json: { errors: [{ code: status, problem, clarification }] },
    schema: spec.GeneralResponse,
    ...(headers !== undefined ? { headers } : {}),
  }
}

/** The response body schema of each list/single-read wrapper, as the spec's *Response objects. */
const RESPONSE: Record<string, spec.ConnectSchema> = {
  leerlingen: spec.LeerlingResponse,
  medewerkers: spec.MedewerkerResponse,
  ouderVerzorgers: spec.OuderVerzorgerResponse,
  plaatsingen: spec.PlaatsingResponse,
  lesgroepen: spec.LesgroepResponse,
  stamgroepen: spec.StamgroepResponse,
  accounts: spec.AccountResponse,
}

/**
 * The spec's list paths: lesgroep, stamgroep and ouderVerzorger lists end in a slash, the others do not.
 * GUESS: whether the real service also answers the other spelling is not known; the simulator serves only
 * the spec's paths, so a client that calls anything else finds out here.
 */
const LIST_WITH_SLASH = new Set(['lesgroep', 'stamgroep', 'ouderVerzorger'])

export async function startSomtodaySim(options: SomtodaySimOptions): Promise<SomtodaySim> {
  let cursor = new BoardCursor(options.board)
  let dates: Dates = datesOf(options.board, options.today ?? options.board.today)
  const clients = options.clients ?? [DEFAULT_CLIENT]
  const ttl = options.tokenTtlSeconds ?? 3600
  const now = options.now ?? Date.now
  const tokens = new Map<string, { expiresAt: number; client: SomtodaySimClient }>()
  const accounts = new Map<string, AccountState>()
  const hrmPersons = new Map<string, HrmPerson>()
  const pages = new Map<string, number>()
  const oidcDomains = new Set(options.oidcDomains ?? ['koppel.test'])
  const hidden = {
    leerling: new Set(options.hiddenFields?.leerling ?? []),
    medewerker: new Set(options.hiddenFields?.medewerker ?? []),
    ouderVerzorger: new Set(options.hiddenFields?.ouderVerzorger ?? []),
  }
  const transform = options.transform ?? ((_: string, r: Record<string, unknown>) => r)
  const violations: string[] = []
  const instellingUuid = () => uuidFrom(`instelling:${cursor.board.id}`)
  const instelling = () => ({
    uuid: instellingUuid(),
    naam: cursor.board.name,
    afkorting: cursor.board.id.slice(0, 10),
    brins: cursor.board.schools.map((s) => s.brin),
  })

  function vestigingJson(l: BoardCursor['locations'][number]) {
    return {
      uuid: l.uuid,
      naam: l.location.name,
      afkorting: l.location.code,
      brins: [l.location.code],
      externalidentifiers: [{ brinnr: l.location.code }],
    }
  }

  function token(req: SimRequest): Served | SomtodaySimClient {
    const h = req.headers.authorization
    const m = typeof h === 'string' ? /^Bearer (.+)$/.exec(h) : null
    const t = m?.[1] !== undefined ? tokens.get(m[1]) : undefined
    if (t === undefined)
      return err(401, 'Geen geldig access token', 'Vraag een token aan bij het token endpoint')
    if (now() >= t.expiresAt) return err(401, 'Access token verlopen', 'Vraag een nieuw token aan')
    return t.client
  }

  function paging(q: URLSearchParams): { offset: number; amount: number } | Served {
    const amount = q.get('amount')
    const offset = q.get('offset') ?? '0'
    if (amount === null)
      return err(
        400,
        'Parameter amount is verplicht',
        `amount moet tussen 1 en ${MAX_AMOUNT} liggen`,
      )
    if (!/^\d+$/.test(amount) || Number(amount) < 1 || Number(amount) > MAX_AMOUNT)
      return err(
        400,
        `Ongeldige waarde voor amount: ${amount}`,
        `amount moet tussen 1 en ${MAX_AMOUNT} liggen`,
      )
    if (!/^\d+$/.test(offset))
      return err(400, `Ongeldige waarde voor offset: ${offset}`, 'offset is een geheel getal ≥ 0')
    return { offset: Number(offset), amount: Number(amount) }
  }

  function peilOf(q: URLSearchParams): Peil | Served {
    const p = q.get('peilschooljaar')
    if (p === null) return 'VANDAAG'
    if (p === 'HUIDIG' || p === 'VOLGEND') return p
    return err(400, `Ongeldige waarde voor peilschooljaar: ${p}`, 'Toegestaan: HUIDIG, VOLGEND')
  }

  /** The spec's `uuid` list filter (repeated `uuid=` parameters), which every list endpoint takes. */
  function byUuid<T>(
    list: readonly T[],
    q: URLSearchParams,
    uuidOf: (x: T) => string,
  ): readonly T[] {
    const wanted = q.getAll('uuid')
    if (wanted.length === 0) return list
    const set = new Set(wanted)
    return list.filter((x) => set.has(uuidOf(x)))
  }

  function strip<T extends Record<string, unknown>>(o: T, fields: Set<string>): T {
    for (const f of fields) delete o[f]
    return o
  }

  function page<T>(
    kind: string,
    list: readonly T[],
    q: URLSearchParams,
    wrapper: string,
    uuidOf: (x: T) => string,
    map: (x: T) => unknown,
    after?: Served['after'],
  ): Served {
    const p = paging(q)
    if ('status' in p) return p
    pages.set(kind, (pages.get(kind) ?? 0) + 1)
    const slice = byUuid(list, q, uuidOf).slice(p.offset, p.offset + p.amount)
    return {
      status: 200,
      json: { [wrapper]: slice.map(map) },
      schema: RESPONSE[wrapper],
      ...(after !== undefined ? { after } : {}),
    }
  }

  /** Applies the `corrupt` hook to each record of a checked person list. */
  function corrupted(resource: PersonResource, wrapper: string): Served['after'] {
    const c = options.corrupt
    if (c === undefined) return undefined
    return (json) => ({
      [wrapper]: ((json as Record<string, unknown>)[wrapper] as Record<string, unknown>[]).map(
        (r) => c(resource, r),
      ),
    })
  }

  /** Checks a body against its schema; an off-spec body becomes a 500 and a recorded violation. */
  function checked(req: SimRequest, r: Served): SimResponse {
    const { schema, after, ...plain } = r
    if (plain.json === undefined) return plain
    const problems =
      schema !== undefined
        ? spec.offSpec(schema, plain.json)
        : ['no schema from the spec covers this response']
    if (problems.length === 0)
      return after !== undefined ? { ...plain, json: after(plain.json) } : plain
    const message = `${req.method} ${req.url.pathname} (${plain.status}): ${problems.join('; ')}`
    violations.push(message)
    return {
      status: 500,
      json: {
        errors: [
          {
            code: 500,
            problem: 'De simulator zou een antwoord buiten de spec geven',
            clarification: message,
          },
        ],
      },
    }
  }

  function accountJson(uuid: string, a: AccountState): Record<string, unknown> {
    const o: Record<string, unknown> = {
      uuid,
      usertype: a.usertype,
      remoteidentifiers: a.remoteidentifiers,
      'account-uuid': a.accountUuid,
    }
    if (a.gebruikersnaam !== undefined) o.gebruikersnaam = a.gebruikersnaam
    if (a.emailadres !== undefined) o.emailadres = a.emailadres
    return o
  }

  type Kind = PersonResource
  const USERTYPE = {
    leerling: 'LEERLING',
    medewerker: 'MEDEWERKER',
    ouderVerzorger: 'VERZORGER',
  } as const

  function personExists(v: VestigingData, kind: Kind, uuid: string): boolean {
    return (
      kind === 'leerling' ? v.pupilByUuid : kind === 'medewerker' ? v.staffByUuid : v.guardianByUuid
    ).has(uuid)
  }

  /** Validates one AccountInput; returns the error strings (empty when valid). */
  function checkAccountInput(
    input: unknown,
    pathUuid: string | undefined,
    v: VestigingData,
    kind: Kind,
  ): string[] {
    const errors: string[] = []
    if (input === null || typeof input !== 'object' || Array.isArray(input))
      return ['AccountInput moet een object zijn']
    const a = input as Record<string, unknown>
    // GUESS: a field the spec's AccountInput does not define is refused rather than ignored, so a client that
    // drifts from the spec (a misspelt or invented field, a password) finds out here
    for (const k of Object.keys(a))
      if (!(k in spec.AccountInput.shape)) errors.push(`onbekend veld ${k}`)
    const ri = a.remoteidentifier
    if (ri !== null && typeof ri === 'object')
      for (const k of Object.keys(ri))
        if (!(k in spec.RemoteUserIdentifier.shape))
          errors.push(`onbekend veld remoteidentifier.${k}`)
    const uuid = a.uuid ?? pathUuid
    if (typeof uuid !== 'string' || uuid === '') errors.push('uuid is verplicht')
    else if (pathUuid !== undefined && a.uuid !== undefined && a.uuid !== pathUuid)
      errors.push('uuid wijkt af van het pad') // GUESS
    else if (!personExists(v, kind, uuid))
      errors.push(`geen ${kind} met uuid ${uuid} in deze vestiging`)
    if (
      a.gebruikersnaam !== undefined &&
      (typeof a.gebruikersnaam !== 'string' ||
        a.gebruikersnaam.trim() === '' ||
        a.gebruikersnaam.length > 255)
    )
      errors.push('gebruikersnaam is ongeldig')
    if (
      a.emailadres !== undefined &&
      (typeof a.emailadres !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a.emailadres))
    )
      errors.push('emailadres is ongeldig')
    if (a.remoteidentifier !== undefined) {
      const r = a.remoteidentifier as Record<string, unknown> | null
      if (r === null || typeof r !== 'object') errors.push('remoteidentifier moet een object zijn')
      else {
        if (!['AZURE', 'GOOGLE', 'OIDC'].includes(String(r.providerType)))
          errors.push('remoteidentifier.providerType moet AZURE, GOOGLE of OIDC zijn')
        if (typeof r.domain !== 'string' || !oidcDomains.has(r.domain))
          errors.push(
            `remoteidentifier.domain ${String(r.domain)} hoort bij geen bestaande OIDC-configuratie`,
          )
        if (typeof r.identifier !== 'string' || r.identifier === '')
          errors.push('remoteidentifier.identifier is verplicht')
      }
    }
    if (
      a.gebruikersnaam === undefined &&
      a.emailadres === undefined &&
      a.remoteidentifier === undefined
    )
      errors.push('geen gegevens om op te slaan')
    return errors
  }

  function applyAccountInput(
    input: Record<string, unknown>,
    pathUuid: string | undefined,
    kind: Kind,
  ): Record<string, unknown> {
    const uuid = (input.uuid ?? pathUuid) as string
    let a = accounts.get(uuid)
    if (a === undefined)
      accounts.set(
        uuid,
        (a = { usertype: USERTYPE[kind], remoteidentifiers: [], accountUuid: randomUUID() }),
      )
    // GUESS: fields left out of the AccountInput keep their value (the spec says "updated if it existed")
    if (typeof input.gebruikersnaam === 'string') a.gebruikersnaam = input.gebruikersnaam
    if (typeof input.emailadres === 'string') a.emailadres = input.emailadres
    const r = input.remoteidentifier as
      { providerType: string; domain: string; identifier: string } | undefined
    if (r !== undefined) {
      // GUESS: one remote identifier per provider type and domain; a new one replaces it
      a.remoteidentifiers = [
        ...a.remoteidentifiers.filter(
          (x) => !(x.providerType === r.providerType && x.domain === r.domain),
        ),
        { providerType: r.providerType, domain: r.domain, identifier: r.identifier },
      ]
    }
    return accountJson(uuid, a)
  }

  function parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
    try {
      return { ok: true, value: JSON.parse(body) as unknown }
    } catch {
      return { ok: false }
    }
  }

  function vestigingRoute(
    req: SimRequest,
    client: SomtodaySimClient,
    v: VestigingData,
    rest: string[],
  ): Served {
    const q = req.url.searchParams
    const [resource, id, sub] = rest
    const notFound = () => err(404, `Onbekend endpoint ${req.url.pathname}`)
    if (resource === undefined) return notFound() // the spec has no /vestiging/{uuid}; it filters /vestiging?uuid=
    const kind = resource as Kind
    const isPersonKind = kind === 'leerling' || kind === 'medewerker' || kind === 'ouderVerzorger'

    // accounts: /{kind}/account, /{kind}/{uuid}/account
    if (
      isPersonKind &&
      (id === 'account' || sub === 'account') &&
      rest.length === (id === 'account' ? 2 : 3)
    ) {
      const pathUuid = id === 'account' ? undefined : id
      if (req.method === 'GET') {
        if (pathUuid !== undefined) {
          const a = personExists(v, kind, pathUuid) ? accounts.get(pathUuid) : undefined
          return a === undefined
            ? err(404, `Geen account gevonden voor ${pathUuid}`)
            : {
                status: 200,
                json: { accounts: [accountJson(pathUuid, a)] },
                schema: spec.AccountResponse,
              }
        }
        const list = [...accounts.entries()].filter(([u]) => personExists(v, kind, u))
        return page(
          `${kind}/account`,
          list,
          q,
          'accounts',
          ([u]) => u,
          ([u, a]) => accountJson(u, a),
        )
      }
      if (req.method !== 'PUT') return err(405, `${req.method} wordt niet ondersteund`)
      if (client.accountWrite === false) return err(401, 'Geen rechten om accounts aan te maken')
      const parsed = parseJson(req.body)
      if (!parsed.ok) return err(400, 'Body is geen geldige JSON')
      if (pathUuid !== undefined) {
        const errors = checkAccountInput(parsed.value, pathUuid, v, kind)
        if (errors.length > 0)
          return {
            status: 400,
            json: [{ input: parsed.value, errors }],
            schema: spec.InvalidAccountInputList,
          }
        return {
          status: 200,
          json: applyAccountInput(parsed.value as Record<string, unknown>, pathUuid, kind),
          schema: spec.Account,
        }
      }
      if (!Array.isArray(parsed.value)) return err(400, 'Verwacht een lijst van AccountInput')
      // the spec gives 413 no body schema; the simulator answers it as the other errors
      if (parsed.value.length > MAX_BULK)
        return err(
          413,
          `Maximaal ${MAX_BULK} accounts per request`,
          `Ontvangen: ${parsed.value.length}`,
        )
      const bad = parsed.value
        .map((input) => ({ input, errors: checkAccountInput(input, undefined, v, kind) }))
        .filter((x) => x.errors.length > 0)
      if (bad.length > 0) return { status: 400, json: bad, schema: spec.InvalidAccountInputList } // none are created
      // the bulk PUT answers a bare array of Accounts, not an AccountResponse
      return {
        status: 200,
        json: parsed.value.map((input) =>
          applyAccountInput(input as Record<string, unknown>, undefined, kind),
        ),
        schema: spec.AccountList,
      }
    }
    if (req.method !== 'GET') return err(405, `${req.method} wordt niet ondersteund`)
    const peil = peilOf(q)
    if (typeof peil !== 'string') return peil
    // a list is `{resource}/` for lesgroep, stamgroep and ouderVerzorger and `{resource}` for the others
    const isList = LIST_WITH_SLASH.has(resource)
      ? rest.length === 2 && id === ''
      : rest.length === 1
    const isOne = rest.length === 2 && id !== undefined && id !== ''
    if (!isList && !isOne) return notFound()
    const one = <T>(
      found: T | undefined,
      wrapper: string,
      map: (x: T) => unknown,
      after?: Served['after'],
    ): Served =>
      found === undefined
        ? err(404, `${resource} ${id} niet gevonden`)
        : {
            status: 200,
            json: { [wrapper]: [map(found)] },
            schema: RESPONSE[wrapper],
            ...(after !== undefined ? { after } : {}),
          }

    switch (resource) {
      case 'leerling': {
        const map = (p: (typeof v.pupils)[number]) =>
          transform(
            'leerling',
            strip(v.leerling(p, peil, dates, accounts.get(p.id)), hidden.leerling),
          )
        const after = corrupted('leerling', 'leerlingen')
        if (isOne)
          return one(
            v.pupilsFor(peil, dates).find((p) => p.id === id),
            'leerlingen',
            map,
            after,
          )
        return page('leerling', v.pupilsFor(peil, dates), q, 'leerlingen', (p) => p.id, map, after)
      }
      case 'plaatsing': {
        // one visible plaatsing per listed pupil, built only for the requested page
        const plaatsing = (p: (typeof v.pupils)[number]) =>
          (v.leerling(p, peil, dates, undefined).plaatsingen as { uuid: string }[])[0] as {
            uuid: string
          }
        if (isOne)
          return one(
            v
              .pupilsFor(peil, dates)
              .map(plaatsing)
              .find((x) => x.uuid === id),
            'plaatsingen',
            (x) => x,
          )
        return page(
          'plaatsing',
          v.pupilsFor(peil, dates),
          q,
          'plaatsingen',
          (p) => plaatsing(p).uuid,
          plaatsing,
        )
      }
      case 'medewerker': {
        const map = (s: (typeof v.staff)[number]) =>
          transform(
            'medewerker',
            strip(v.medewerker(s, peil, dates, accounts.get(s.id)), hidden.medewerker),
          )
        const after = corrupted('medewerker', 'medewerkers')
        if (isOne) return one(v.staffByUuid.get(id), 'medewerkers', map, after)
        return page(
          'medewerker',
          v.staffFor(peil, dates),
          q,
          'medewerkers',
          (s) => s.id,
          map,
          after,
        )
      }
      case 'ouderVerzorger': {
        // a guardian can be read only while one of their children can (the spec's peilschooljaar note)
        const map = (g: (typeof v.guardians)[number]) =>
          transform(
            'ouderVerzorger',
            strip(
              v.ouderVerzorger(g, v.childrenOf(g, peil, dates), accounts.get(g.id)),
              hidden.ouderVerzorger,
            ),
          )
        const readable = v.guardians.filter((g) => v.childrenOf(g, peil, dates).length > 0)
        const after = corrupted('ouderVerzorger', 'ouderVerzorgers')
        if (isOne)
          return one(
            readable.find((g) => g.id === id),
            'ouderVerzorgers',
            map,
            after,
          )
        return page('ouderVerzorger', readable, q, 'ouderVerzorgers', (g) => g.id, map, after)
      }
      case 'stamgroep': {
        const list = peil === 'VOLGEND' ? [] : v.stamgroepen
        if (isOne)
          return one(
            list.find((g) => v.groupUuid(g.id) === id),
            'stamgroepen',
            (g) => v.stamgroep(g, dates),
          )
        return page(
          'stamgroep',
          list,
          q,
          'stamgroepen',
          (g) => v.groupUuid(g.id),
          (g) => v.stamgroep(g, dates),
        )
      }
      case 'lesgroep': {
        // the spec: `stamgroep=true|false` keeps the lesgroepen that are (not) linked to a stamgroep; here the
        // lower-grade lesgroepen taught as a stamgroep are linked, the upper-grade clusters are not
        const s = q.get('stamgroep')
        if (s !== null && s !== 'true' && s !== 'false')
          return err(400, `Ongeldige waarde voor stamgroep: ${s}`, 'Toegestaan: true, false')
        const all = peil === 'VOLGEND' ? [] : v.lesgroepen
        const base = s === null ? all : all.filter((g) => (g.stamgroepId !== '') === (s === 'true'))
        if (isOne)
          return one(
            base.find((g) => v.groupUuid(g.id) === id),
            'lesgroepen',
            (g) => v.lesgroep(g, dates),
          )
        return page(
          'lesgroep',
          base,
          q,
          'lesgroepen',
          (g) => v.groupUuid(g.id),
          (g) => v.lesgroep(g, dates),
        )
      }
      default:
        return notFound()
    }
  }

  function tokenEndpoint(req: SimRequest): Served {
    const error = (status: number, error: string, description?: string): Served => ({
      status,
      json: { error, ...(description !== undefined ? { error_description: description } : {}) },
      schema: spec.TokenError,
    })
    if (req.method !== 'POST') return error(405, 'invalid_request')
    const form = new URLSearchParams(req.body)
    const org = req.url.searchParams.get('organisation')
    if (form.get('grant_type') !== 'client_credentials') return error(400, 'unsupported_grant_type')
    const client = clients.find(
      (c) => c.clientId === form.get('client_id') && c.clientSecret === form.get('client_secret'),
    )
    if (client === undefined) return error(401, 'invalid_client', 'Client authentication failed')
    // GUESS: an unknown or missing organisation is an invalid_request (the token is per organisation)
    if (org !== instellingUuid()) return error(400, 'invalid_request', 'Unknown organisation')
    const value = randomBytes(24).toString('base64url')
    tokens.set(value, { expiresAt: now() + ttl * 1000, client })
    return {
      status: 200,
      json: { access_token: value, token_type: 'Bearer', expires_in: ttl, scope: 'connect' },
      schema: spec.TokenResponse,
    }
  }

  const route = (req: SimRequest): Served => {
    const path = req.url.pathname
    if (path === '/oauth2/token') return tokenEndpoint(req)
    if (path === '/services/HRMService')
      return handleHrmService(req, {
        credentials: options.hrm ?? { username: 'hrm', password: 'hrm-secret' },
        brins: () => instelling().brins,
        persons: hrmPersons,
        onUpsert: hrmUpsert,
        knownStaff: (n) => findStaffByNumber({ medewerkernummer: n }) !== undefined,
      })
    if (!path.startsWith('/rest/v1/connect/')) return err(404, `Onbekend endpoint ${path}`)
    const parts = path.slice('/rest/v1/connect/'.length).split('/')
    if (parts[0] === 'instelling' && parts.length === 1 && req.method === 'GET') {
      // GUESS: public (HelloID and the SDS tool call it without a token); filters by brin (4 or 6) and naam
      const brin = req.url.searchParams.get('brin')
      const naam = req.url.searchParams.get('naam')
      const i = instelling()
      const hit =
        (brin === null || i.brins.includes(brin) || i.brins.includes(brin.slice(0, 4))) &&
        (naam === null || i.naam === naam || cursor.locations.some((l) => l.location.name === naam))
      return {
        status: 200,
        json: { instellingen: hit ? [i] : [] },
        schema: spec.InstellingResponse,
      }
    }
    const auth = token(req)
    if ('status' in auth) return auth
    if (parts[0] !== 'vestiging') return err(404, `Onbekend endpoint ${path}`)
    if (parts.length === 1) {
      const uuid = req.url.searchParams.get('uuid')
      return {
        status: 200,
        json: {
          vestigingen: cursor.locations
            .filter((l) => uuid === null || l.uuid === uuid)
            .map(vestigingJson),
        },
        schema: spec.VestigingResponse,
      }
    }
    const v = cursor.vestiging(parts[1] as string)
    if (v === undefined) return err(401, 'Geen toegang tot deze vestiging') // spec: 401 = no access to the vestiging
    return vestigingRoute(req, auth, v, parts.slice(2))
  }
  const handler = (req: SimRequest): SimResponse => checked(req, route(req))

  /** HRMService writes the medewerker's account fields too, so the ConnectAPI shows them (GUESS). */
  function hrmUpsert(p: HrmPerson): void {
    const staff = findStaffByNumber(p)
    if (staff === undefined) return
    let a = accounts.get(staff)
    if (a === undefined)
      accounts.set(
        staff,
        (a = { usertype: 'MEDEWERKER', remoteidentifiers: [], accountUuid: randomUUID() }),
      )
    if (p.gebruikersnaam !== undefined) a.gebruikersnaam = p.gebruikersnaam
    if (p.email !== undefined) a.emailadres = p.email
  }
  const staffIndex = new Map<string, string>()
  function findStaffByNumber(
    p: Pick<HrmPerson, 'medewerkernummer' | 'externMedewerkerNummer'>,
  ): string | undefined {
    const key = p.medewerkernummer ?? p.externMedewerkerNummer
    if (key === undefined) return undefined
    if (staffIndex.size === 0) {
      for (const chunk of cursor.board.chunks())
        for (const s of chunk.staff) staffIndex.set(s.employeeNumber, s.id)
    }
    return staffIndex.get(key)
  }

  const http = await startSimHttpServer(
    handler,
    options.port !== undefined ? { port: options.port } : {},
  )
  if (options.rateLimit !== undefined) {
    http.rateLimit({
      ...options.rateLimit,
      response: (s) => {
        const { schema: _, ...r } = err(
          429,
          'Te veel verzoeken',
          `Probeer het over ${s} seconden opnieuw`,
          { 'retry-after': String(s) },
        )
        return r
      },
    })
  }
  return {
    url: http.url,
    baseUrl: `${http.url}/rest/v1`,
    tokenUrl: `${http.url}/oauth2/token`,
    hrmUrl: `${http.url}/services/HRMService`,
    get instelling() {
      return instelling()
    },
    http,
    accounts,
    hrmPersons,
    pages,
    violations,
    setBoard(board, today) {
      cursor = new BoardCursor(board)
      dates = datesOf(board, today ?? board.today)
      staffIndex.clear()
    },
    expireTokens() {
      for (const t of tokens.values()) t.expiresAt = 0
    },
    close: () => http.close(),
  }
}
