// Microsoft Graph calls for the Entra connector on top of the shared HttpClient: single-object calls that are
// issued at the same time are coalesced into JSON $batch requests (learn.microsoft.com/graph/json-batching: at
// most 20 per batch, one status per request), and every answer is mapped to a ConnectorError the same way
// whether it came on its own or inside a batch (429/503 with their Retry-After included).
import { ConnectorError } from '../../contract/index.ts'
import { httpError, type HttpClient, jsonErrorDetail } from '../../protocol/index.ts'

export interface GraphCall {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  /** Relative to the version, starting with `/` (`/users/{id}`), query string already encoded. */
  readonly url: string
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
  /** Statuses that are answers, not errors (404 for a look-up, 400 to inspect a conflict). */
  readonly accept?: readonly number[]
}

export interface GraphAnswer {
  readonly status: number
  readonly body: unknown
}

/** `{error:{code,message,details}}` of a Graph answer, when it has one. */
export interface GraphErrorBody {
  readonly code?: string
  readonly message?: string
  readonly details?: ReadonlyArray<{ readonly target?: string; readonly code?: string }>
}

export function graphErrorOf(body: unknown): GraphErrorBody | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const e = (body as { error?: unknown }).error
  return typeof e === 'object' && e !== null ? (e as GraphErrorBody) : undefined
}

/** The service's own message for a ConnectorError: `code: message` from the error body. */
export function graphErrorDetail(text: string): string {
  return jsonErrorDetail(text, (j) => {
    const e = graphErrorOf(j)
    return e !== undefined ? [e.code, e.message].filter(Boolean).join(': ') : undefined
  })
}

interface Pending {
  readonly call: GraphCall
  readonly resolve: (a: GraphAnswer) => void
  readonly reject: (e: unknown) => void
}

export class Graph {
  readonly #http: HttpClient
  readonly #batchSize: number
  #queue: Pending[] = []
  #scheduled = false

  constructor(http: HttpClient, batchSize: number) {
    this.#http = http
    this.#batchSize = batchSize
  }

  /** One call; throws ConnectorError for a status outside 2xx and `accept`. */
  call(call: GraphCall, signal?: AbortSignal): Promise<GraphAnswer> {
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error)
    if (this.#batchSize <= 1) return this.#direct(call, signal)
    return new Promise<GraphAnswer>((resolve, reject) => {
      this.#queue.push({ call, resolve, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        // calls made in the same turn (concurrent actions) share batches; an idle connector adds one turn
        setImmediate(() => this.#flush())
      }
    })
  }

  /** A listing page: path relative to the version, or an absolute @odata.nextLink. Never batched. */
  async page(
    url: string,
    headers: Readonly<Record<string, string>>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const path = /^https?:\/\//.test(url) ? url : `v1.0${url}`
    const res = await this.#http.json({
      path,
      headers,
      ...(signal !== undefined ? { signal } : {}),
    })
    return res.body
  }

  async #direct(call: GraphCall, signal?: AbortSignal): Promise<GraphAnswer> {
    const res = await this.#http.request({
      method: call.method,
      path: `v1.0${call.url}`,
      ...(call.body !== undefined ? { json: call.body } : {}),
      ...(call.headers !== undefined ? { headers: call.headers } : {}),
      ...(call.accept !== undefined ? { accept: call.accept } : {}),
      ...(signal !== undefined ? { signal } : {}),
    })
    return { status: res.status, body: parseBody(res.text, call) }
  }

  #flush(): void {
    this.#scheduled = false
    const queue = this.#queue
    this.#queue = []
    for (let i = 0; i < queue.length; i += this.#batchSize)
      void this.#send(queue.slice(i, i + this.#batchSize))
  }

  async #send(chunk: Pending[]): Promise<void> {
    if (chunk.length === 1) {
      const [p] = chunk as [Pending]
      return this.#direct(p.call).then(p.resolve, p.reject)
    }
    const requests = chunk.map((p, i) => ({
      id: String(i + 1),
      method: p.call.method,
      url: p.call.url,
      ...(p.call.body !== undefined ? { body: p.call.body } : {}),
      headers: {
        ...(p.call.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(p.call.headers ?? {}),
      },
    }))
    let answers: Map<string, { status: number; headers: Headers; body: unknown }>
    try {
      const res = await this.#http.json<{ responses?: unknown }>({
        method: 'POST',
        path: 'v1.0/$batch',
        json: { requests },
      })
      const list = res.body?.responses
      if (!Array.isArray(list))
        throw new ConnectorError('invalid', 'POST /v1.0/$batch answered without a responses array')
      answers = new Map()
      for (const [n, r] of (list as Record<string, unknown>[]).entries()) {
        if (typeof r.id !== 'string' || typeof r.status !== 'number') {
          throw new ConnectorError(
            'invalid',
            `POST /v1.0/$batch: response ${n} has no ${typeof r.id !== 'string' ? 'id' : 'status'}`,
          )
        }
        const headers = new Headers()
        for (const [k, v] of Object.entries((r.headers ?? {}) as Record<string, unknown>))
          headers.set(k, String(v))
        answers.set(r.id, { status: r.status, headers, body: r.body })
      }
    } catch (e) {
      for (const p of chunk) p.reject(e)
      return
    }
    for (const [i, p] of chunk.entries()) {
      const a = answers.get(String(i + 1))
      if (a === undefined) {
        p.reject(
          new ConnectorError('transient', `POST /v1.0/$batch: no response for ${describe(p.call)}`),
        )
        continue
      }
      if ((a.status >= 200 && a.status < 300) || p.call.accept?.includes(a.status) === true)
        p.resolve({ status: a.status, body: a.body })
      else
        p.reject(
          httpError(a.status, `${describe(p.call)} (in $batch)`, detailOf(a.body), a.headers),
        )
    }
  }
}

function parseBody(text: string, call: GraphCall): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    throw new ConnectorError(
      'invalid',
      `${describe(call)} answered with a body that is not JSON: ${text.slice(0, 200)}`,
      { cause: e },
    )
  }
}

function detailOf(body: unknown): string {
  const e = graphErrorOf(body)
  return e === undefined ? '' : [e.code, e.message].filter(Boolean).join(': ')
}

function describe(call: GraphCall): string {
  return `${call.method} /v1.0${call.url.split('?')[0] ?? ''}`
}
