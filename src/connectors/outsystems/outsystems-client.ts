// The wire of the OutSystems target: the bearer-token HTTP client and the helpers that read the API's JSON,
// whose field casing is unknown (see fieldOf). The target (outsystems-target.ts) holds the semantics.
import { ConnectorError } from '../../contract/index.ts'
import type { AttributeValue } from '../../model/index.ts'
import { HttpClient, staticAuth, jsonErrorDetail } from '../../protocol/index.ts'
import type { OutSystemsOptions } from './outsystems-options.ts'

export type Json = Record<string, unknown>

export function outSystemsHttp(options: OutSystemsOptions): HttpClient {
  return new HttpClient({
    baseUrl: options.baseUrl,
    auth: staticAuth(`Bearer ${options.token}`),
    timeoutMs: options.timeoutMs,
    userAgent: 'koppel-outsystems',
    errorDetail: errorDetail,
  })
}

export function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal !== undefined ? { signal } : {}
}

/**
 * A field of an answer, its name matched regardless of case: the HelloID script reads `key`/`Key` and
 * `name`/`Name` interchangeably (PowerShell property access ignores case), so the real casing of answers is
 * unknown. An exact match wins.
 */
export function fieldOf(obj: Json, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name]
  const lower = name.toLowerCase()
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower)
  return key === undefined ? undefined : obj[key]
}

/** Sets a field of an object read from the API under the casing it came in, so a PUT carries no second copy. */
export function setField(obj: Json, name: string, value: unknown): void {
  const lower = name.toLowerCase()
  const key = Object.hasOwn(obj, name) ? name : (Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? name)
  obj[key] = value
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  return undefined
}

export function single(v: AttributeValue, field: string): string {
  if (typeof v === 'string') return v
  if (v.length <= 1) return v[0] ?? ''
  throw new ConnectorError('invalid', `OutSystems field ${field} takes one value, got ${v.length}`)
}

/**
 * OutSystems' default REST error body: {"Errors": ["..."], "StatusCode": 400} (GUESS for this API: HelloID reads
 * `.Errors`), its field names matched regardless of case like every answer.
 */
export function errorDetail(text: string): string {
  return jsonErrorDetail(text, (j) => {
    const errors = fieldOf(j, 'Errors')
    return Array.isArray(errors) ? errors.map(String).join('; ') : undefined
  })
}
