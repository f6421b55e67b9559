// A Somtoday ConnectAPI simulator on loopback: public instelling lookup, OAuth2 client credentials per
// organisation, bearer tokens that expire, per-vestiging reads with offset/amount paging, peilschooljaar,
// account reads and writes (single and bulk), and the HRMService SOAP createPerson. See README.md.
import { randomBytes, randomUUID } from 'node:crypto'
import { startSimHttpServer, type SimHttpServer, type SimRequest, type SimResponse } from '../http/sim-http-server.ts'
import type { SimBoard } from '../generator/index.ts'
import { BoardCursor, datesOf, uuidFrom, type AccountState, type Dates, type Peil, type VestigingData } from './somtoday-data.ts'
import { handleHrmService, type HrmPerson } from './hrm-service.ts'

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
  readonly hiddenFields?: { readonly leerling?: readonly string[]; readonly medewerker?: readonly string[] }
  /** OIDC domains configured at the school; a remoteidentifier naming another domain is refused. */
  readonly oidcDomains?: readonly string[]
  /** HRMService credentials (WS-Security UsernameToken). */
  readonly hrm?: { readonly username: string; readonly password: string }
  readonly port?: number
  /** Test hook: rewrites a record before it is served (to serve a malformed leerling, say). */
  readonly transform?: (resource: 'leerling' | 'medewerker', record: Record<string, unknown>) => Record<string, unknown>
}

export interface SomtodaySim {
  /** Server root, e.g. http://127.0.0.1:1234 */
  readonly url: string
  /** ConnectAPI base: `${url}/rest/v1` */
  readonly baseUrl: string
  /** `${url}/oauth2/token` (the client adds ?organisation=) */
  readonly tokenUrl: string
  /** `${url}/services/HRMService` */
  readonly hrmUrl: string
  readonly instelling: { readonly uuid: string; readonly naam: string; readonly brins: readonly string[] }
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
  close(): Promise<void>
}

export const DEFAULT_CLIENT: SomtodaySimClient = { clientId: 'koppel', clientSecret: 'koppel-secret' }
const MAX_AMOUNT = 200
const MAX_BULK = 200

/** `{errors:[{code, problem, clarification}]}` as the spec's error objects. */
function err(status: number, code: string, problem: string, clarification = '', headers?: Record<string, string>): SimResponse {
  // GUESS: the spec names the fields but not the codes; codes here are upper-case names of the status.
  return { status, json: { errors: [{ code, problem, clarification }] }, ...(headers !== undefined ? { headers } : {}) }
}

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
  const hidden = { leerling: new Set(options.hiddenFields?.leerling ?? []), medewerker: new Set(options.hiddenFields?.medewerker ?? []) }
  const transform = options.transform ?? ((_: string, r: Record<string, unknown>) => r)
  const instellingUuid = () => uuidFrom(`instelling:${cursor.board.id}`)
  const instelling = () => ({ uuid: instellingUuid(), naam: cursor.board.name, afkorting: cursor.board.id.slice(0, 10), brins: cursor.board.schools.map((s) => s.brin) })

  function vestigingJson(l: BoardCursor['locations'][number]) {
    return { uuid: l.uuid, naam: l.location.name, afkorting: l.location.code, brins: [l.location.code], externalidentifiers: [{ brinnr: l.location.code }] }
  }

  function token(req: SimRequest): SimResponse | SomtodaySimClient {
    const h = req.headers.authorization
    const m = typeof h === 'string' ? /^Bearer (.+)$/.exec(h) : null
    const t = m?.[1] !== undefined ? tokens.get(m[1]) : undefined
    if (t === undefined) return err(401, 'UNAUTHORIZED', 'Geen geldig access token', 'Vraag een token aan bij het token endpoint')
    if (now() >= t.expiresAt) return err(401, 'UNAUTHORIZED', 'Access token verlopen', 'Vraag een nieuw token aan')
    return t.client
  }

  function paging(q: URLSearchParams): { offset: number; amount: number } | SimResponse {
    const amount = q.get('amount')
    const offset = q.get('offset') ?? '0'
    if (amount === null) return err(400, 'BAD_REQUEST', 'Parameter amount is verplicht', `amount moet tussen 1 en ${MAX_AMOUNT} liggen`)
    if (!/^\d+$/.test(amount) || Number(amount) < 1 || Number(amount) > MAX_AMOUNT) return err(400, 'BAD_REQUEST', `Ongeldige waarde voor amount: ${amount}`, `amount moet tussen 1 en ${MAX_AMOUNT} liggen`)
    if (!/^\d+$/.test(offset)) return err(400, 'BAD_REQUEST', `Ongeldige waarde voor offset: ${offset}`, 'offset is een geheel getal ≥ 0')
    return { offset: Number(offset), amount: Number(amount) }
  }

  function peilOf(q: URLSearchParams): Peil | SimResponse {
    const p = q.get('peilschooljaar')
    if (p === null) return 'VANDAAG'
    if (p === 'HUIDIG' || p === 'VOLGEND') return p
    return err(400, 'BAD_REQUEST', `Ongeldige waarde voor peilschooljaar: ${p}`, 'Toegestaan: HUIDIG, VOLGEND')
  }

  function strip<T extends Record<string, unknown>>(o: T, fields: Set<string>): T {
    for (const f of fields) delete o[f]
    return o
  }

  function page<T>(kind: string, list: readonly T[], q: URLSearchParams, wrapper: string, map: (x: T) => unknown): SimResponse {
    const p = paging(q)
    if ('status' in p) return p
    pages.set(kind, (pages.get(kind) ?? 0) + 1)
    const slice = list.slice(p.offset, p.offset + p.amount)
    return { status: 200, json: { [wrapper]: slice.map(map) } }
  }

  function accountJson(uuid: string, a: AccountState): Record<string, unknown> {
    const o: Record<string, unknown> = { uuid, usertype: a.usertype, remoteidentifiers: a.remoteidentifiers, 'account-uuid': a.accountUuid }
    if (a.gebruikersnaam !== undefined) o.gebruikersnaam = a.gebruikersnaam
    if (a.emailadres !== undefined) o.emailadres = a.emailadres
    return o
  }

  type Kind = 'leerling' | 'medewerker' | 'ouderVerzorger'
  const USERTYPE = { leerling: 'LEERLING', medewerker: 'MEDEWERKER', ouderVerzorger: 'VERZORGER' } as const

  function personExists(v: VestigingData, kind: Kind, uuid: string): boolean {
    return (kind === 'leerling' ? v.pupilByUuid : kind === 'medewerker' ? v.staffByUuid : v.guardianByUuid).has(uuid)
  }

  /** Validates one AccountInput; returns the error strings (empty when valid). */
  function checkAccountInput(input: unknown, pathUuid: string | undefined, v: VestigingData, kind: Kind): string[] {
    const errors: string[] = []
    if (input === null || typeof input !== 'object' || Array.isArray(input)) return ['AccountInput moet een object zijn']
    const a = input as Record<string, unknown>
    const uuid = a.uuid ?? pathUuid
    if (typeof uuid !== 'string' || uuid === '') errors.push('uuid is verplicht')
    else if (pathUuid !== undefined && a.uuid !== undefined && a.uuid !== pathUuid) errors.push('uuid wijkt af van het pad') // GUESS
    else if (!personExists(v, kind, uuid)) errors.push(`geen ${kind} met uuid ${uuid} in deze vestiging`)
    if (a.gebruikersnaam !== undefined && (typeof a.gebruikersnaam !== 'string' || a.gebruikersnaam.trim() === '' || a.gebruikersnaam.length > 255)) errors.push('gebruikersnaam is ongeldig')
    if (a.emailadres !== undefined && (typeof a.emailadres !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a.emailadres))) errors.push('emailadres is ongeldig')
    if (a.remoteidentifier !== undefined) {
      const r = a.remoteidentifier as Record<string, unknown> | null
      if (r === null || typeof r !== 'object') errors.push('remoteidentifier moet een object zijn')
      else {
        if (!['AZURE', 'GOOGLE', 'OIDC'].includes(String(r.providerType))) errors.push('remoteidentifier.providerType moet AZURE, GOOGLE of OIDC zijn')
        if (typeof r.domain !== 'string' || !oidcDomains.has(r.domain)) errors.push(`remoteidentifier.domain ${String(r.domain)} hoort bij geen bestaande OIDC-configuratie`)
        if (typeof r.identifier !== 'string' || r.identifier === '') errors.push('remoteidentifier.identifier is verplicht')
      }
    }
    if (a.gebruikersnaam === undefined && a.emailadres === undefined && a.remoteidentifier === undefined) errors.push('geen gegevens om op te slaan')
    return errors
  }

  function applyAccountInput(input: Record<string, unknown>, pathUuid: string | undefined, kind: Kind): Record<string, unknown> {
    const uuid = (input.uuid ?? pathUuid) as string
    let a = accounts.get(uuid)
    if (a === undefined) accounts.set(uuid, (a = { usertype: USERTYPE[kind], remoteidentifiers: [], accountUuid: randomUUID() }))
    // GUESS: fields left out of the AccountInput keep their value (the spec says "updated if it existed")
    if (typeof input.gebruikersnaam === 'string') a.gebruikersnaam = input.gebruikersnaam
    if (typeof input.emailadres === 'string') a.emailadres = input.emailadres
    const r = input.remoteidentifier as { providerType: string; domain: string; identifier: string } | undefined
    if (r !== undefined) {
      // GUESS: one remote identifier per provider type and domain; a new one replaces it
      a.remoteidentifiers = [...a.remoteidentifiers.filter((x) => !(x.providerType === r.providerType && x.domain === r.domain)), { providerType: r.providerType, domain: r.domain, identifier: r.identifier }]
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

  function vestigingRoute(req: SimRequest, client: SomtodaySimClient, v: VestigingData, rest: string[]): SimResponse {
    const q = req.url.searchParams
    const [resource, id, sub] = rest
    if (resource === undefined) return { status: 200, json: { vestigingen: [vestigingJson(cursor.locations.find((l) => l.uuid === v.uuid) as BoardCursor['locations'][number])] } }
    const kind = resource as Kind
    const isPersonKind = kind === 'leerling' || kind === 'medewerker' || kind === 'ouderVerzorger'

    // accounts: /{kind}/account, /{kind}/{uuid}/account
    if (isPersonKind && (id === 'account' || sub === 'account')) {
      const pathUuid = id === 'account' ? undefined : id
      if (req.method === 'GET') {
        if (pathUuid !== undefined) {
          const a = personExists(v, kind, pathUuid) ? accounts.get(pathUuid) : undefined
          return a === undefined ? err(404, 'NOT_FOUND', `Geen account gevonden voor ${pathUuid}`) : { status: 200, json: { accounts: [accountJson(pathUuid, a)] } }
        }
        const list = [...accounts.entries()].filter(([u]) => personExists(v, kind, u))
        return page(`${kind}/account`, list, q, 'accounts', ([u, a]) => accountJson(u, a))
      }
      if (req.method !== 'PUT') return err(405, 'METHOD_NOT_ALLOWED', `${req.method} wordt niet ondersteund`)
      if (client.accountWrite === false) return err(401, 'UNAUTHORIZED', 'Geen rechten om accounts aan te maken')
      const parsed = parseJson(req.body)
      if (!parsed.ok) return err(400, 'BAD_REQUEST', 'Body is geen geldige JSON')
      if (pathUuid !== undefined) {
        const errors = checkAccountInput(parsed.value, pathUuid, v, kind)
        if (errors.length > 0) return { status: 400, json: [{ input: parsed.value, errors }] }
        return { status: 200, json: applyAccountInput(parsed.value as Record<string, unknown>, pathUuid, kind) }
      }
      if (!Array.isArray(parsed.value)) return err(400, 'BAD_REQUEST', 'Verwacht een lijst van AccountInput')
      if (parsed.value.length > MAX_BULK) return err(413, 'PAYLOAD_TOO_LARGE', `Maximaal ${MAX_BULK} accounts per request`, `Ontvangen: ${parsed.value.length}`)
      const bad = parsed.value.map((input) => ({ input, errors: checkAccountInput(input, undefined, v, kind) })).filter((x) => x.errors.length > 0)
      if (bad.length > 0) return { status: 400, json: bad } // none are created
      return { status: 200, json: { accounts: parsed.value.map((input) => applyAccountInput(input as Record<string, unknown>, undefined, kind)) } }
    }
    if (req.method !== 'GET') return err(405, 'METHOD_NOT_ALLOWED', `${req.method} wordt niet ondersteund`)
    const peil = peilOf(q)
    if (typeof peil !== 'string') return peil
    const one = <T>(found: T | undefined, wrapper: string, map: (x: T) => unknown): SimResponse =>
      found === undefined ? err(404, 'NOT_FOUND', `${resource} ${id} niet gevonden`) : { status: 200, json: { [wrapper]: [map(found)] } }

    switch (resource) {
      case 'leerling': {
        const map = (p: (typeof v.pupils)[number]) => transform('leerling', strip(v.leerling(p, peil, dates, accounts.get(p.id)), hidden.leerling))
        if (id !== undefined) return one(v.pupilsFor(peil, dates).find((p) => p.id === id), 'leerlingen', map)
        const wanted = q.getAll('uuid')
        const list = wanted.length > 0 ? v.pupilsFor(peil, dates).filter((p) => wanted.includes(p.id)) : v.pupilsFor(peil, dates)
        return page('leerling', list, q, 'leerlingen', map)
      }
      case 'plaatsing': {
        // one visible plaatsing per listed pupil, built only for the requested page
        const plaatsing = (p: (typeof v.pupils)[number]) => (v.leerling(p, peil, dates, undefined).plaatsingen as unknown[])[0]
        if (id !== undefined) return one(v.pupilsFor(peil, dates).map(plaatsing).find((x) => (x as { uuid: string }).uuid === id), 'plaatsingen', (x) => x)
        return page('plaatsing', v.pupilsFor(peil, dates), q, 'plaatsingen', plaatsing)
      }
      case 'medewerker': {
        const map = (s: (typeof v.staff)[number]) => transform('medewerker', strip(v.medewerker(s, peil, dates, accounts.get(s.id)), hidden.medewerker))
        if (id !== undefined) return one(v.staffByUuid.get(id), 'medewerkers', map)
        return page('medewerker', v.staff, q, 'medewerkers', map)
      }
      case 'ouderVerzorger': {
        if (id !== undefined) return one(v.guardianByUuid.get(id), 'ouderVerzorgers', (g) => v.ouderVerzorger(g, accounts.get(g.id)))
        return page('ouderVerzorger', v.guardians, q, 'ouderVerzorgers', (g) => v.ouderVerzorger(g, accounts.get(g.id)))
      }
      case 'stamgroep': {
        const list = peil === 'VOLGEND' ? [] : v.stamgroepen
        if (id !== undefined) return one(list.find((g) => v.groupUuid(g.id) === id), 'stamgroepen', (g) => v.stamgroep(g, dates))
        return page('stamgroep', list, q, 'stamgroepen', (g) => v.stamgroep(g, dates))
      }
      case 'lesgroep': {
        // GUESS: a stamgroep is also a lesgroep; `stamgroep=false` leaves them out, `true` returns only them
        const s = q.get('stamgroep')
        const base = peil === 'VOLGEND' ? [] : s === 'true' ? v.stamgroepen : s === 'false' ? v.lesgroepen : [...v.stamgroepen, ...v.lesgroepen]
        if (id !== undefined) return one(base.find((g) => v.groupUuid(g.id) === id), 'lesgroepen', (g) => v.lesgroep(g, dates))
        return page('lesgroep', base, q, 'lesgroepen', (g) => v.lesgroep(g, dates))
      }
      default:
        return err(404, 'NOT_FOUND', `Onbekend endpoint ${req.url.pathname}`)
    }
  }

  function tokenEndpoint(req: SimRequest): SimResponse {
    if (req.method !== 'POST') return { status: 405, json: { error: 'invalid_request' } }
    const form = new URLSearchParams(req.body)
    const org = req.url.searchParams.get('organisation')
    if (form.get('grant_type') !== 'client_credentials') return { status: 400, json: { error: 'unsupported_grant_type' } }
    const client = clients.find((c) => c.clientId === form.get('client_id') && c.clientSecret === form.get('client_secret'))
    if (client === undefined) return { status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed' } }
    // GUESS: an unknown or missing organisation is an invalid_request (the token is per organisation)
    if (org !== instellingUuid()) return { status: 400, json: { error: 'invalid_request', error_description: 'Unknown organisation' } }
    const value = randomBytes(24).toString('base64url')
    tokens.set(value, { expiresAt: now() + ttl * 1000, client })
    return { status: 200, json: { access_token: value, token_type: 'Bearer', expires_in: ttl, scope: 'connect' } }
  }

  const handler = (req: SimRequest): SimResponse => {
    const path = req.url.pathname.replace(/\/+$/, '')
    if (path === '/oauth2/token') return tokenEndpoint(req)
    if (path === '/services/HRMService') return handleHrmService(req, { credentials: options.hrm ?? { username: 'hrm', password: 'hrm-secret' }, brins: () => instelling().brins, persons: hrmPersons, onUpsert: hrmUpsert, knownStaff: (n) => findStaffByNumber({ medewerkernummer: n }) !== undefined })
    if (!path.startsWith('/rest/v1/connect/')) return err(404, 'NOT_FOUND', `Onbekend endpoint ${path}`)
    const parts = path.slice('/rest/v1/connect/'.length).split('/')
    if (parts[0] === 'instelling' && req.method === 'GET') {
      // GUESS: public (HelloID and the SDS tool call it without a token); filters by brin (4 or 6) and naam
      const brin = req.url.searchParams.get('brin')
      const naam = req.url.searchParams.get('naam')
      const i = instelling()
      const hit = (brin === null || i.brins.includes(brin) || i.brins.includes(brin.slice(0, 4))) && (naam === null || i.naam === naam || cursor.locations.some((l) => l.location.name === naam))
      return { status: 200, json: { instellingen: hit ? [i] : [] } }
    }
    const auth = token(req)
    if ('status' in auth) return auth
    if (parts[0] !== 'vestiging') return err(404, 'NOT_FOUND', `Onbekend endpoint ${path}`)
    if (parts.length === 1) {
      const uuid = req.url.searchParams.get('uuid')
      return { status: 200, json: { vestigingen: cursor.locations.filter((l) => uuid === null || l.uuid === uuid).map(vestigingJson) } }
    }
    const v = cursor.vestiging(parts[1] as string)
    if (v === undefined) return err(401, 'UNAUTHORIZED', 'Geen toegang tot deze vestiging') // spec: 401 = no access to the vestiging
    return vestigingRoute(req, auth, v, parts.slice(2))
  }

  /** HRMService writes the medewerker's account fields too, so the ConnectAPI shows them (GUESS). */
  function hrmUpsert(p: HrmPerson): void {
    const staff = findStaffByNumber(p)
    if (staff === undefined) return
    let a = accounts.get(staff)
    if (a === undefined) accounts.set(staff, (a = { usertype: 'MEDEWERKER', remoteidentifiers: [], accountUuid: randomUUID() }))
    if (p.gebruikersnaam !== undefined) a.gebruikersnaam = p.gebruikersnaam
    if (p.email !== undefined) a.emailadres = p.email
  }
  const staffIndex = new Map<string, string>()
  function findStaffByNumber(p: Pick<HrmPerson, 'medewerkernummer' | 'externMedewerkerNummer'>): string | undefined {
    const key = p.medewerkernummer ?? p.externMedewerkerNummer
    if (key === undefined) return undefined
    if (staffIndex.size === 0) {
      for (const chunk of cursor.board.chunks()) for (const s of chunk.staff) staffIndex.set(s.employeeNumber, s.id)
    }
    return staffIndex.get(key)
  }

  const http = await startSimHttpServer(handler, options.port !== undefined ? { port: options.port } : {})
  if (options.rateLimit !== undefined) {
    http.rateLimit({
      ...options.rateLimit,
      response: (s) => err(429, 'TOO_MANY_REQUESTS', 'Te veel verzoeken', `Probeer het over ${s} seconden opnieuw`, { 'retry-after': String(s) }),
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
