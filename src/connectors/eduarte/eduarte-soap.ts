/**
 * Calls to Eduarte's SOAP 1.1 services (`{baseUrl}/services/api/algemeen/{deelnemers|gebruikers|medewerkers}`):
 * the operation element in the `api` namespace with its parameters in the order the public HelloID connectors
 * send them (apiSleutel first; not alphabetical — the Employee connector builds createMedewerkerGebruiker by hand
 * for exactly that reason). The properties of *objects* inside the parameters are sorted
 * alphabetically, case-insensitively as PowerShell's Sort-Object does (Eduarte-Employee README, "API
 * specifications"), except `contactgegeven` (contactgegeven, soort, geheim).
 */
import { ConnectorError } from '../../contract/index.ts'
import { soapCall, soapEnvelope, textOf, type HttpClient } from '../../protocol/index.ts'

export const EDUARTE_NS = 'http://api.algemeen.webservices.eduarte.topicus.nl/'

export type EduarteService = 'deelnemers' | 'gebruikers' | 'medewerkers'

/** A value tree for the body: strings, nested objects, or arrays of objects (repeated elements). */
export type SoapValue = string | { readonly [k: string]: SoapValue } | readonly SoapValue[]

/**
 * The parameters of each operation after apiSleutel, in the order the service expects. Documented by the public
 * connectors: createDeelnemerGebruiker, updateContactgegevens, getDeelnemer (Student create.ps1/update.ps1),
 * activeerGebruiker/deactiveerGebruiker and getMedewerkerMetId (Employee scripts).
 */
export const EDUARTE_PARAMETER_ORDER: Readonly<Record<string, readonly string[]>> = {
  createDeelnemerGebruiker: ['deelnemernummer', 'gebruikersnaam', 'wachtwoord', 'emailadres'],
  updateContactgegevens: ['deelnemerNummer', 'contactgegeven'],
  getDeelnemer: ['deelnemernummer'],
  activeerGebruiker: ['gebruikernaam'],
  deactiveerGebruiker: ['gebruikernaam'],
  getMedewerkerMetId: ['id'],
  getMedewerkerMetAfkorting: ['afkorting'],
  getMedewerkerMetGebruikersnaam: ['gebruikersnaam'],
  // GUESS: the read operations are not public; their parameters in this order
  getDeelnemers: ['pagina', 'paginaGrootte', 'peildatum'],
  getMedewerkers: ['pagina', 'paginaGrootte', 'peildatum'],
}

/** Elements whose children keep the order they are given in (documented, not alphabetical). */
const FIXED_ORDER = new Set(['contactgegeven'])

/** Case-insensitive, as PowerShell's Sort-Object (geboortedatum before geboorteVoorvoegsel); ties by code unit. */
export function compareNames(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()]
  if (x !== y) return x < y ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** Object properties sorted alphabetically (case-insensitively), recursively. */
export function sortedChildren(value: SoapValue, name = ''): SoapValue {
  if (typeof value === 'string') return value
  if (Array.isArray(value))
    return (value as readonly SoapValue[]).map((v) => sortedChildren(v, name))
  const obj = value as { readonly [k: string]: SoapValue }
  const keys = FIXED_ORDER.has(name) ? Object.keys(obj) : Object.keys(obj).sort(compareNames)
  const out: Record<string, SoapValue> = {}
  for (const k of keys) out[k] = sortedChildren(obj[k] as SoapValue, k)
  return out
}

/**
 * The envelope of one operation: apiSleutel, then the parameters in the operation's documented order (objects
 * inside them sorted); every value is escaped by the XML builder. A parameter the table does not list is a
 * programming error, refused rather than put somewhere the service would reject.
 */
export function eduarteEnvelope(
  operation: string,
  apiSleutel: string,
  params: Readonly<Record<string, SoapValue>>,
): string {
  const order = EDUARTE_PARAMETER_ORDER[operation]
  if (order === undefined)
    throw new ConnectorError('unsupported', `Eduarte: no parameter order known for ${operation}`)
  const extra = Object.keys(params).filter((k) => !order.includes(k))
  if (extra.length > 0)
    throw new ConnectorError(
      'invalid',
      `Eduarte ${operation}: unknown parameter(s) ${extra.join(', ')}`,
    )
  const body: Record<string, SoapValue> = { apiSleutel }
  for (const k of order) {
    const v = params[k]
    if (v !== undefined) body[k] = sortedChildren(v, k)
  }
  return soapEnvelope({
    version: '1.1',
    body: { [`api:${operation}`]: { '@_xmlns:api': EDUARTE_NS, ...body } },
  })
}

/** Elements that repeat in answers, so that one and many read alike. */
export const EDUARTE_ARRAYS = [
  'deelnemer',
  'medewerker',
  'verbintenis',
  'contactgegeven',
  'begeleider',
]

export interface EduarteCallOptions {
  readonly signal?: AbortSignal
}

/**
 * One operation; returns the `<operation>Response` element. A SOAP fault becomes a ConnectorError (auth for an
 * authentication fault); a refused apiSleutel never appears in the message (it is not echoed by the service,
 * and the request is never quoted).
 */
export async function eduarteCall(
  http: HttpClient,
  apiSleutel: string,
  service: EduarteService,
  operation: string,
  params: Readonly<Record<string, SoapValue>>,
  options: EduarteCallOptions = {},
): Promise<Record<string, unknown>> {
  const parsed = await soapCall(http, {
    path: `services/api/algemeen/${service}`,
    version: '1.1',
    action: '',
    envelope: eduarteEnvelope(operation, apiSleutel, params),
    what: `Eduarte ${operation}`,
    parse: { arrays: EDUARTE_ARRAYS },
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  })
  const response = parsed.body[`${operation}Response`]
  if (response === undefined)
    throw new ConnectorError(
      'invalid',
      `Eduarte ${operation}: the answer has no ${operation}Response element`,
    )
  return typeof response === 'object' && response !== null
    ? (response as Record<string, unknown>)
    : {}
}

/**
 * The {status, melding} of a write answer. The Student connector reads updateContactgegevens' answer one level
 * deeper, as `updateContactgegevensResponse/updateContactgegevensResponse/{status,melding}`; the outer level is
 * accepted too.
 */
export function writeResult(
  operation: string,
  response: Record<string, unknown>,
): { status?: string; melding?: string } {
  const inner = response[`${operation}Response`]
  const node =
    typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : response
  const status = textOf(node.status)
  const melding = textOf(node.melding)
  return {
    ...(status !== undefined ? { status } : {}),
    ...(melding !== undefined ? { melding } : {}),
  }
}

/**
 * The kind of error a melding or a fault text names: the public connectors look for "niet gevonden" and "heeft
 * reeds een account" both in 200 answers and in the body of HTTP 500 faults.
 */
export function meldingKind(text: string): 'not-found' | 'conflict' | undefined {
  if (/niet gevonden/i.test(text)) return 'not-found'
  if (/heeft reeds een account|al in gebruik/i.test(text)) return 'conflict'
  return undefined
}
