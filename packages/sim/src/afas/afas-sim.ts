// A loopback AFAS Profit REST service: GetConnectors with skip/take paging, ordering and simple filters, and the
// KnEmployee / KnUser update connectors (PUT) for e-mail and UPN, behind the AfasToken header. Serves the rows of
// afas-data.ts; the shared sim server adds fault injection and rate limits.
import type { SimBoard } from '../generator/index.ts'
import {
  startSimHttpServer,
  type SimHttpServer,
  type SimRequest,
  type SimResponse,
} from '../http/sim-http-server.ts'
import { buildAfasData, type AfasData, type AfasRow } from './afas-data.ts'

export interface AfasConnectorNames {
  readonly users: string
  readonly employments: string
  readonly positions: string
  readonly organisationalUnits: string
}

export const DEFAULT_CONNECTORS: AfasConnectorNames = {
  users: 'T4E_HelloID_Users_v2',
  employments: 'T4E_HelloID_Employments_v2',
  positions: 'T4E_HelloID_Positions_v2',
  organisationalUnits: 'T4E_HelloID_OrganizationalUnits_v2',
}

export interface AfasSimOptions {
  readonly board?: SimBoard
  /** Rows to serve instead of a generated board's. */
  readonly data?: AfasData
  /** The `<data>` part of the app connector token the service accepts. */
  readonly token: string
  readonly connectors?: Partial<AfasConnectorNames>
  readonly port?: number
}

export interface AfasSim {
  /** Base URL as configured in Koppel: `http://127.0.0.1:<port>/profitrestservices`. */
  readonly url: string
  readonly http: SimHttpServer
  readonly data: AfasData
  /** IntegrationId headers seen, in order. */
  readonly integrationIds: string[]
  /** Update-connector calls answered with 200, in order. */
  readonly updates: { connector: string; body: unknown }[]
  /** The `orderbyfieldids` of every GetConnector call, per connector name. */
  readonly orderBy: Map<string, string[]>
  close(): Promise<void>
}

const BASE = '/profitrestservices'

/** The Authorization value AFAS expects: `AfasToken ` + base64 of the whole XML token. */
export function afasAuthorization(tokenData: string): string {
  return `AfasToken ${Buffer.from(`<token><version>1</version><data>${tokenData}</data></token>`, 'utf8').toString('base64')}`
}

// GUESS: AFAS error bodies carry `externalMessage` (and `profitLogReference`), as the HelloID scripts read them;
// the exact statuses for a bad token (401) and a refused update (400) are not documented in what we read.
const error = (status: number, message: string): SimResponse => ({
  status,
  json: { externalMessage: message, profitLogReference: `sim-${status}` },
})

export async function startAfasSim(options: AfasSimOptions): Promise<AfasSim> {
  const data =
    options.data ?? (options.board !== undefined ? buildAfasData(options.board) : undefined)
  if (data === undefined) throw new Error('startAfasSim needs a board or data')
  const names = { ...DEFAULT_CONNECTORS, ...(options.connectors ?? {}) }
  const tables = new Map<string, AfasRow[]>([
    [names.users, data.users],
    [names.employments, data.employments],
    [names.positions, data.positions],
    [names.organisationalUnits, data.organisationalUnits],
  ])
  const expected = afasAuthorization(options.token)
  const integrationIds: string[] = []
  const updates: { connector: string; body: unknown }[] = []
  const orderBy = new Map<string, string[]>()

  // GetConnector answers by (connector, ordering), dropped on every update
  const sorted = new Map<string, AfasRow[]>()
  const handler = (req: SimRequest): SimResponse => {
    if (!req.url.pathname.startsWith(`${BASE}/connectors/`)) return error(404, 'Onbekend endpoint')
    if (req.headers.authorization !== expected) return error(401, 'Geen geldige token')
    const integrationId = req.headers.integrationid
    if (typeof integrationId === 'string') integrationIds.push(integrationId)
    const connector = decodeURIComponent(req.url.pathname.slice(`${BASE}/connectors/`.length))
    if (req.method === 'GET') {
      const rows = tables.get(connector)
      // GUESS: an unknown GetConnector answers 404 with a message.
      if (rows === undefined)
        return error(404, `GetConnector ${connector} bestaat niet of is niet geautoriseerd`)
      const order = req.url.searchParams.get('orderbyfieldids')
      if (order !== null) orderBy.set(connector, [...(orderBy.get(connector) ?? []), order])
      return getConnector(rows, req.url.searchParams, sorted, connector)
    }
    sorted.clear()
    if (req.method === 'PUT' && connector === 'KnEmployee')
      return updateEmployee(data, req.body, updates)
    if (req.method === 'PUT' && connector === 'KnUser') return updateUser(data, req.body, updates)
    return error(404, `UpdateConnector ${connector} wordt niet ondersteund door de simulator`)
  }

  const http = await startSimHttpServer(
    handler,
    options.port !== undefined ? { port: options.port } : {},
  )
  return {
    url: `${http.url}${BASE}`,
    http,
    data,
    integrationIds,
    updates,
    orderBy,
    close: () => http.close(),
  }
}

function getConnector(
  rows: readonly AfasRow[],
  q: URLSearchParams,
  cache: Map<string, AfasRow[]>,
  connector: string,
): SimResponse {
  // GUESS: without take AFAS answers 100 rows; take=-1 answers all.
  const skip = Number(q.get('skip') ?? '0')
  const take = Number(q.get('take') ?? '100')
  if (!Number.isInteger(skip) || !Number.isInteger(take) || skip < -1 || take < -1)
    return error(400, 'skip en take moeten gehele getallen zijn')
  let result = [...rows]
  const fields = (q.get('filterfieldids') ?? '').split(',').filter((f) => f !== '')
  const values = (q.get('filtervalues') ?? '').split(',')
  const ops = (q.get('operatortypes') ?? '').split(',')
  for (const [i, field] of fields.entries()) {
    // AFAS operator 1 is "equal to"; the simulator knows only that one.
    if ((ops[i] ?? '1') !== '1')
      return error(400, `operatortype ${ops[i]} wordt niet ondersteund door de simulator`)
    const value = values[i] ?? ''
    result = result.filter((r) => String(r[field] ?? '') === value)
  }
  const order = (q.get('orderbyfieldids') ?? '').split(',').filter((f) => f !== '')
  const cacheKey = `${connector}\u0000${order.join(',')}`
  const cached = fields.length === 0 ? cache.get(cacheKey) : undefined
  if (cached !== undefined) result = cached
  else if (order.length > 0) {
    const collator = new Intl.Collator('en', { numeric: true })
    result.sort((a, b) => {
      for (const o of order) {
        const desc = o.startsWith('-')
        const f = desc ? o.slice(1) : o
        const c = collator.compare(String(a[f] ?? ''), String(b[f] ?? ''))
        if (c !== 0) return desc ? -c : c
      }
      return 0
    })
    if (fields.length === 0) cache.set(cacheKey, result)
  }
  // GUESS: rows that tie on every sort key come in no fixed order (a database gives none), so each call may
  // order them differently; paging over a key with ties can then repeat or skip rows, which is why the HelloID
  // source sorts by keys that make every row unique
  if (order.length > 0) result = shuffleTies(result, order)
  const page = skip === -1 || take === -1 ? result : result.slice(skip, skip + take)
  return { status: 200, json: { skip, take, rows: page } }
}

/** A copy in which every run of rows equal on all `order` fields is shuffled. */
function shuffleTies(rows: readonly AfasRow[], order: readonly string[]): AfasRow[] {
  const keyOf = (r: AfasRow) =>
    order.map((o) => String(r[o.replace(/^-/, '')] ?? '')).join('\u0000')
  const out = [...rows]
  for (let i = 0; i < out.length;) {
    let j = i + 1
    const k = keyOf(out[i] as AfasRow)
    while (j < out.length && keyOf(out[j] as AfasRow) === k) j++
    for (let a = j - 1; a > i; a--) {
      const b = i + Math.floor(Math.random() * (a - i + 1))
      ;[out[a], out[b]] = [out[b] as AfasRow, out[a] as AfasRow]
    }
    i = j
  }
  return out
}

type Json = Record<string, unknown>
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined

function parse(body: string): Json | undefined {
  try {
    return obj(JSON.parse(body))
  } catch {
    return undefined
  }
}

/** `{"AfasEmployee":{"Element":{"@EmId":"1001","Objects":[{"KnPerson":{"Element":{"Fields":{"EmAd":"…"}}}}]}}}` */
function updateEmployee(
  data: AfasData,
  body: string,
  updates: { connector: string; body: unknown }[],
): SimResponse {
  const json = parse(body)
  const element = obj(obj(json?.AfasEmployee)?.Element)
  const id = element?.['@EmId']
  if (typeof id !== 'string' || id === '') return error(400, 'AfasEmployee.Element.@EmId ontbreekt')
  const user = data.users.find((u) => u.Medewerker === id)
  if (user === undefined) return error(400, `Medewerker ${id} bestaat niet`)
  const objects = Array.isArray(element?.Objects) ? (element.Objects as unknown[]) : []
  const fields = obj(obj(obj(obj(objects[0])?.KnPerson)?.Element)?.Fields)
  if (fields === undefined) return error(400, 'KnPerson.Element.Fields ontbreekt')
  const email = fields.EmAd
  if (email !== undefined) {
    if (typeof email !== 'string' || (email !== '' && !/^[^@\s]+@[^@\s]+$/.test(email)))
      return error(400, `EmAd ${String(email)} is geen geldig e-mailadres`)
    user.Email_werk = email === '' ? null : email
  }
  updates.push({ connector: 'KnEmployee', body: json })
  // GUESS: a successful update answers 200 with a small results object.
  return { status: 200, json: { results: { KnEmployee: { EmId: id } } } }
}

/** `{"KnUser":{"Element":{"@UsId":"abc.1001","Fields":{"MtCd":1,"Upn":"…","EmAd":"…"}}}}` */
function updateUser(
  data: AfasData,
  body: string,
  updates: { connector: string; body: unknown }[],
): SimResponse {
  const json = parse(body)
  const element = obj(obj(json?.KnUser)?.Element)
  const id = element?.['@UsId']
  if (typeof id !== 'string' || id === '') return error(400, 'KnUser.Element.@UsId ontbreekt')
  const user = data.users.find((u) => u.Gebruiker === id)
  if (user === undefined) return error(400, `Gebruiker ${id} bestaat niet`)
  const fields = obj(element?.Fields)
  if (fields === undefined) return error(400, 'KnUser.Element.Fields ontbreekt')
  // The HelloID users connector marks MtCd and Nm (omschrijving) required and always sends both
  // (Tools4everBV/HelloID-Conn-Prov-Target-AFAS-Profit-Users, fieldMapping.json, update.ps1); GUESS: the message
  if (fields.MtCd !== 1)
    return error(400, 'KnUser: MtCd (mutatiecode) is verplicht en moet 1 zijn bij wijzigen')
  if (typeof fields.Nm !== 'string' || fields.Nm.trim() === '')
    return error(400, 'KnUser: Nm (omschrijving) is verplicht')
  if (fields.Upn !== undefined) {
    if (typeof fields.Upn !== 'string') return error(400, 'Upn moet tekst zijn')
    const taken = data.users.find((u) => u !== user && fields.Upn !== '' && u.UPN === fields.Upn)
    if (taken !== undefined) return error(400, `UPN ${fields.Upn} is al in gebruik`)
    user.UPN = fields.Upn === '' ? null : fields.Upn
  }
  if (typeof fields.EmAd === 'string')
    user.Email_werk_gebruiker = fields.EmAd === '' ? null : fields.EmAd
  updates.push({ connector: 'KnUser', body: json })
  return { status: 200, json: { results: { KnUser: { UsId: id } } } }
}
