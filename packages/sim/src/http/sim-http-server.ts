import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestListener,
  type Server,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { messageOf } from '../../../../src/util/message-of.ts'

/** One request as a simulator's handler sees it: the body read in full (simulators serve test-sized payloads). */
export interface SimRequest {
  readonly method: string
  readonly url: URL
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** scheme://host[:port] as the client addressed the server (for absolute links such as next-page URLs). */
  readonly origin?: string
}

export interface SimResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly json?: unknown
  readonly text?: string
  /** Raw body bytes (a legacy charset); wins over `text` and `json`. */
  readonly bytes?: Uint8Array
  /** Default for `text`: text/plain; for `json`: application/json. */
  readonly contentType?: string
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>

/** A fault the next matching requests get instead of the real answer: for tests of 429, 5xx, 401 mid-paging. */
export interface InjectedFault {
  readonly match?: (req: SimRequest) => boolean
  /** How many matching requests get it. Default 1. */
  readonly times?: number
  /** Skip this many matching requests first (fail the third page: `after: 2`). Default 0. */
  readonly after?: number
  readonly response?: SimResponse
  /** Delay before answering (timeouts); with no `response` the real answer follows the delay. */
  readonly delayMs?: number
  /** Destroy the socket without an answer (connection reset). */
  readonly reset?: boolean
}

export interface RateLimit {
  /** Requests per second allowed on average. */
  readonly perSecond: number
  /** Burst size. Default perSecond. */
  readonly burst?: number
  /** The 429 answer; default JSON `{error:'rate limited'}` with Retry-After: 1. */
  readonly response?: (retryAfterSeconds: number) => SimResponse
}

export interface SimHttpServer {
  readonly url: string
  readonly port: number
  /** Queue a fault (see InjectedFault). */
  inject(fault: InjectedFault): void
  /** Turn a token-bucket rate limit on (or off with undefined). */
  rateLimit(limit: RateLimit | undefined): void
  /** Requests answered so far, by "METHOD /path". */
  readonly requests: Map<string, number>
  close(): Promise<void>
}

export interface SimHttpOptions {
  readonly port?: number
  readonly host?: string
  /** Serve HTTPS with this key and certificate (PEM), e.g. from a test CA: clients that only send tokens to
   * https hosts (the Graph SDK) can then talk to the simulator with verification on. */
  readonly tls?: { readonly key: string; readonly cert: string }
}

/**
 * A loopback HTTP server for the simulators: routing is the handler's business; this adds the parts every
 * simulator's tests need the same way (fault injection, a token-bucket rate limit, request counts).
 */
export async function startSimHttpServer(
  handler: SimHandler,
  options: SimHttpOptions = {},
): Promise<SimHttpServer> {
  const faults: { fault: InjectedFault; skip: number; left: number }[] = []
  let limit: RateLimit | undefined
  let tokens = 0
  let refilledAt = Date.now()
  const requests = new Map<string, number>()

  const scheme = options.tls !== undefined ? 'https' : 'http'
  const originOf = (req: IncomingMessage) =>
    `${scheme}://${req.headers.host ?? `127.0.0.1:${port}`}`
  const listener: RequestListener = (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        const simReq: SimRequest = {
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', 'http://127.0.0.1'),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          origin: originOf(req),
        }
        const key = `${simReq.method} ${simReq.url.pathname}`
        requests.set(key, (requests.get(key) ?? 0) + 1)
        let answer: SimResponse | undefined
        const f = takeFault(simReq)
        if (f?.delayMs !== undefined) await new Promise((r) => setTimeout(r, f.delayMs))
        if (f?.reset === true) {
          req.socket.destroy()
          return
        }
        answer = f?.response
        if (answer === undefined && limit !== undefined && !takeToken()) {
          const retry = Math.max(1, Math.ceil(1 / limit.perSecond))
          answer = limit.response?.(retry) ?? {
            status: 429,
            headers: { 'retry-after': String(retry) },
            json: { error: 'rate limited' },
          }
        }
        try {
          answer ??= await handler(simReq)
        } catch (e) {
          answer = { status: 500, json: { error: messageOf(e) } }
        }
        // encoded once: a string body would be scanned for its length and again for the socket
        const body =
          answer.bytes ??
          Buffer.from(answer.json !== undefined ? JSON.stringify(answer.json) : (answer.text ?? ''))
        const type =
          answer.contentType ??
          (answer.json !== undefined ? 'application/json' : 'text/plain; charset=utf-8')
        res.writeHead(answer.status, {
          'content-type': type,
          'content-length': Buffer.byteLength(body),
          ...(answer.headers ?? {}),
        })
        res.end(body)
      })()
    })
  }
  const server: Server =
    options.tls !== undefined
      ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener)
      : createServer(listener)
  let port = 0

  function takeFault(req: SimRequest): InjectedFault | undefined {
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i] as (typeof faults)[number]
      if (f.fault.match !== undefined && !f.fault.match(req)) continue
      if (f.skip > 0) {
        f.skip--
        continue
      }
      if (--f.left <= 0) faults.splice(i, 1)
      return f.fault
    }
    return undefined
  }

  function takeToken(): boolean {
    const l = limit as RateLimit
    const burst = l.burst ?? l.perSecond
    const now = Date.now()
    tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * l.perSecond)
    refilledAt = now
    if (tokens < 1) return false
    tokens -= 1
    return true
  }

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  )
  port = (server.address() as AddressInfo).port
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    requests,
    inject(fault) {
      faults.push({ fault, skip: fault.after ?? 0, left: fault.times ?? 1 })
    },
    rateLimit(l) {
      limit = l
      tokens = l?.burst ?? l?.perSecond ?? 0
      refilledAt = Date.now()
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
