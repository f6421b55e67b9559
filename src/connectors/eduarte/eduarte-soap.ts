/**
 * Calls to Eduarte's SOAP 1.1 services (`{baseUrl}/services/api/algemeen/{deelnemers|gebruikers|medewerkers}`):
 * the operation element in the `api` namespace, `apiSleutel` as its first child, and every child element in
 * alphabetical order — the API refuses objects whose properties are out of order (Eduarte-Employee README,
 * "API specifications"). The one documented exception is `contactgegeven` (contactgegeven, soort, geheim).
 */
import { ConnectorError } from '../../contract/index.ts'
import { soapCall, soapEnvelope, type HttpClient } from '../../protocol/index.ts'

export const EDUARTE_NS = 'http://api.algemeen.webservices.eduarte.topicus.nl/'

export type EduarteService = 'deelnemers' | 'gebruikers' | 'medewerkers'

/** A value tree for the body: strings, nested objects, or arrays of objects (repeated elements). */
export type SoapValue = string | { readonly [k: string]: SoapValue } | readonly SoapValue[]

/** Elements whose children keep the order they are given in (documented, not alphabetical). */
const FIXED_ORDER = new Set(['contactgegeven'])

/** Children sorted alphabetically (UTF-16 code units, as Java's String.compareTo), recursively. */
export function sortedChildren(value: SoapValue, name = ''): SoapValue {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return (value as readonly SoapValue[]).map((v) => sortedChildren(v, name))
  const obj = value as { readonly [k: string]: SoapValue }
  const keys = FIXED_ORDER.has(name) ? Object.keys(obj) : Object.keys(obj).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const out: Record<string, SoapValue> = {}
  for (const k of keys) out[k] = sortedChildren(obj[k] as SoapValue, k)
  return out
}

/** The envelope of one operation; every value is escaped by the XML builder. */
// GUESS: operation parameters are sorted as well (the public Student connector sends createDeelnemerGebruiker's
// and updateContactgegevens' parameters in another order; which order the service checks there is not documented)
export function eduarteEnvelope(operation: string, apiSleutel: string, params: Readonly<Record<string, SoapValue>>): string {
  const body = sortedChildren({ apiSleutel, ...params }, operation) as Record<string, unknown>
  return soapEnvelope({ version: '1.1', body: { [`api:${operation}`]: { '@_xmlns:api': EDUARTE_NS, ...body } } })
}

/** Elements that repeat in answers, so that one and many read alike. */
export const EDUARTE_ARRAYS = ['deelnemer', 'medewerker', 'verbintenis', 'contactgegeven']

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
  if (response === undefined) throw new ConnectorError('invalid', `Eduarte ${operation}: the answer has no ${operation}Response element`)
  return typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {}
}
