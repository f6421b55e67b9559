// An HTTP proxy in front of a simulator that makes it latency-bound: every request waits `latencyMs` before it is
// forwarded; counts the requests in flight and their maximum (a concurrency limit can be checked from outside).
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface LatencyProxy {
  /** `http://127.0.0.1:<port>`: put it in place of the simulator's origin. */
  readonly url: string
  readonly maxInFlight: () => number
  close(): Promise<void>
}

export function startLatencyProxy(upstreamPort: number, latencyMs: number): Promise<LatencyProxy> {
  let inFlight = 0
  let max = 0
  const server: Server = createServer((req, res) => {
    inFlight++
    max = Math.max(max, inFlight)
    let counted = true
    res.on('close', () => {
      if (counted) inFlight--
      counted = false
    })
    const body: Buffer[] = []
    req.on('data', (c: Buffer) => body.push(c))
    req.on('end', () => {
      setTimeout(() => {
        const up = request(
          {
            host: '127.0.0.1',
            port: upstreamPort,
            path: req.url,
            method: req.method,
            headers: req.headers,
          },
          (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers)
            r.pipe(res)
          },
        )
        up.on('error', () => res.destroy())
        up.end(Buffer.concat(body))
      }, latencyMs)
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        maxInFlight: () => max,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r())
            server.closeAllConnections()
          }),
      }),
    ),
  )
}
