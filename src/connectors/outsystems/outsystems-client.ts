// The wire of the OutSystems target: the API's calls (bearer token) and the helpers that read the API's JSON,
// whose field casing is unknown (see fieldOf). The target (outsystems-target.ts) holds the semantics.
import { ConnectorError } from '../../contract/index.ts'
import type { AttributeValue } from '../../model/index.ts'
import { HttpClient, staticAuth, jsonErrorDetail } from '../../protocol/index.ts'
import type { OutSystemsOptions } from './outsystems-options.ts'

export type Json = Record<string, unknown>

/** The API's calls; answers are returned unchecked, the target checks them and names the record and field. */
export class OutSystemsClient {
  readonly #o: OutSystemsOptions
  readonly #http: HttpClient

  constructor(options: OutSystemsOptions) {
    this.#o = options
    this.#http = new HttpClient({
      baseUrl: options.baseUrl,
      auth: staticAuth(`Bearer ${options.token}`),
      timeoutMs: options.timeoutMs,
      userAgent: 'koppel-outsystems',
      errorDetail: errorDetail,
    })
  }

  userPath(key: string): string {
    return this.#o.paths.user.replace('{key}', encodeURIComponent(key))
  }

  async listUsers(signal?: AbortSignal): Promise<unknown> {
    return (
      await this.#http.json<unknown>({
        path: this.#o.paths.users,
        query: this.#o.listQuery,
        ...sig(signal),
      })
    ).body
  }

  /** The user as answered (possibly no body at all), or undefined when the API answers 404. */
  async getUser(
    key: string,
    signal?: AbortSignal,
  ): Promise<{ readonly user: unknown } | undefined> {
    const res = await this.#http.json<unknown>({
      path: this.userPath(key),
      accept: [404],
      ...sig(signal),
    })
    return res.status === 404 ? undefined : { user: res.body }
  }

  /** The API's PUT takes the whole user. */
  async putUser(key: string, user: Json, signal?: AbortSignal): Promise<void> {
    await this.#http.request({
      method: 'PUT',
      path: this.userPath(key),
      json: user,
      ...sig(signal),
    })
  }

  async createUser(body: Json, signal?: AbortSignal): Promise<Json | undefined> {
    return (
      await this.#http.json<Json>({
        method: 'POST',
        path: this.#o.paths.users,
        json: body,
        ...sig(signal),
      })
    ).body
  }

  async listRoles(signal?: AbortSignal): Promise<unknown> {
    return (await this.#http.json<unknown>({ path: this.#o.paths.roles, ...sig(signal) })).body
  }
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
  const key = Object.hasOwn(obj, name)
    ? name
    : (Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? name)
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
