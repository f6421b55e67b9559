import { ConnectorError } from '../contract/index.ts'
import type { AuthProvider } from './auth-provider.ts'
import { httpError, networkError } from './http-error.ts'
import { messageOf } from '../util/message-of.ts'

export interface HttpRequest {
  readonly method?: string
  /** Path relative to the base URL (may carry its own query string), or an absolute URL (a nextLink). */
  readonly path: string
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>
  readonly headers?: Readonly<Record<string, string>>
  /** Serialised as JSON with `content-type: application/json` unless `contentType` says otherwise. */
  readonly json?: unknown
  readonly body?: string
  readonly contentType?: string
  readonly signal?: AbortSignal
  /** Statuses that are answers, not errors (e.g. 404 for a lookup). Default: 2xx only. */
  readonly accept?: readonly number[]
  /** Decodes the body bytes (a legacy charset, e.g. windows-1252); default UTF-8 as `Response.text()`. */
  readonly decode?: (bytes: Uint8Array, headers: Headers) => string
}

export interface HttpResponse {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

export interface HttpClientOptions {
  readonly baseUrl: string
  readonly auth?: AuthProvider
  /** Per-request timeout; a timed-out request is a transient error. Default 30 s. */
  readonly timeoutMs?: number
  readonly userAgent?: string
  /** Extracts the service's own error message from an error body, for the ConnectorError message. */
  readonly errorDetail?: (text: string, status: number) => string
}

/**
 * A small fetch wrapper shared by the HTTP connectors: base URL, timeout, auth header with one re-auth on 401,
 * and every failure mapped to a ConnectorError kind (see http-error.ts). It never retries otherwise: the
 * engine's retry policy does that for apply, `withReadRetry` for reads.
 */
export class HttpClient {
  readonly #options: HttpClientOptions
  readonly #base: URL

  constructor(options: HttpClientOptions) {
    this.#options = options
    this.#base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`)
  }

  url(path: string, query?: HttpRequest['query']): URL {
    const url = /^https?:\/\//.test(path)
      ? new URL(path)
      : new URL(path.replace(/^\//, ''), this.#base)
    for (const [k, v] of Object.entries(query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v))
    return url
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const first = await this.#send(req)
    if (first.status === 401 && this.#options.auth !== undefined) {
      this.#options.auth.invalidate()
      return this.#check(req, await this.#send(req))
    }
    return this.#check(req, first)
  }

  async json<T = unknown>(
    req: HttpRequest,
  ): Promise<{ status: number; headers: Headers; body: T }> {
    const res = await this.request(req)
    if (res.text === '') return { status: res.status, headers: res.headers, body: undefined as T }
    try {
      return { status: res.status, headers: res.headers, body: JSON.parse(res.text) as T }
    } catch (e) {
      throw new ConnectorError(
        'invalid',
        `${describe(req)} answered ${res.status} with a body that is not JSON: ${res.text.slice(0, 200)}`,
        { cause: e },
      )
    }
  }

  #check(req: HttpRequest, res: HttpResponse): HttpResponse {
    if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status) === true)
      return res
    const detail = this.#options.errorDetail?.(res.text, res.status) ?? res.text.slice(0, 500)
    throw httpError(res.status, describe(req), detail, res.headers)
  }

  async #send(req: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) }
    if (this.#options.userAgent !== undefined) headers['user-agent'] = this.#options.userAgent
    let body: string | undefined = req.body
    if (req.json !== undefined) {
      body = JSON.stringify(req.json)
      headers['content-type'] = req.contentType ?? 'application/json'
    } else if (body !== undefined && req.contentType !== undefined)
      headers['content-type'] = req.contentType
    if (this.#options.auth !== undefined) {
      try {
        headers.authorization = await this.#options.auth.header(req.signal)
      } catch (e) {
        if (ConnectorError.isInstance(e)) throw e
        throw new ConnectorError(
          'auth',
          `getting a token for ${describe(req)} failed: ${messageOf(e)}`,
          { cause: e },
        )
      }
    }
    const timeout = AbortSignal.timeout(this.#options.timeoutMs ?? 30_000)
    const signal = req.signal === undefined ? timeout : AbortSignal.any([req.signal, timeout])
    try {
      const res = await fetch(this.url(req.path, req.query), {
        method: req.method ?? 'GET',
        headers,
        ...(body !== undefined ? { body } : {}),
        signal,
      })
      const text =
        req.decode !== undefined
          ? req.decode(new Uint8Array(await res.arrayBuffer()), res.headers)
          : await res.text()
      return { status: res.status, headers: res.headers, text }
    } catch (e) {
      if (req.signal?.aborted === true) throw e
      throw networkError(describe(req), e)
    }
  }
}

function describe(req: HttpRequest): string {
  const path = req.path.replace(/^https?:\/\/[^/]+/, '').split('?')[0]
  return `${req.method ?? 'GET'} ${path}`
}
