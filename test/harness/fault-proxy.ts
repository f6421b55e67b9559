// A TCP proxy on 127.0.0.1 that injects network faults between Koppel and a real server (slapd, PostgreSQL):
// added latency, connections reset (RST) at once or after some bytes, half-open connections (accepted, then
// nothing ever comes back: a peer that vanished without FIN), and refused connections. The fault can be
// changed at any time; `cut()` resets every open connection, as a server crash or a NAT timeout does.
import { createServer, connect, type Server, type Socket } from 'node:net'

export type Fault =
  | { readonly kind: 'pass' }
  /** Each chunk waits this long in each direction (order kept). */
  | { readonly kind: 'latency'; readonly ms: number }
  /** A connection is reset after the server sent this many bytes through it (0: as soon as it opens). */
  | { readonly kind: 'reset'; readonly afterBytes: number }
  /** New connections are accepted and what they send is swallowed; open ones stop passing data either way. */
  | { readonly kind: 'half-open' }
  /** New connections are closed with a reset at once, like a port nobody listens on. */
  | { readonly kind: 'refuse' }

export interface FaultProxy {
  readonly port: number
  /** `host:port` of the proxy, to put in place of the server's in a URL. */
  readonly address: string
  set(fault: Fault): void
  /** Resets every connection open now (the fault for new ones stays). */
  cut(): void
  /** Connections accepted so far, and resets sent. */
  readonly stats: { accepted: number; resets: number }
  close(): Promise<void>
}

export async function startFaultProxy(upstream: {
  readonly host: string
  readonly port: number
}): Promise<FaultProxy> {
  let fault: Fault = { kind: 'pass' }
  const open = new Set<{ client: Socket; server: Socket | undefined }>()
  const stats = { accepted: 0, resets: 0 }

  const reset = (pair: { client: Socket; server: Socket | undefined }) => {
    stats.resets += 1
    pair.client.resetAndDestroy()
    pair.server?.destroy()
    open.delete(pair)
  }

  const proxy: Server = createServer((client) => {
    stats.accepted += 1
    const pair: { client: Socket; server: Socket | undefined } = { client, server: undefined }
    open.add(pair)
    client.on('error', () => {})
    client.on('close', () => {
      pair.server?.destroy()
      open.delete(pair)
    })
    const now = fault
    if (now.kind === 'refuse' || (now.kind === 'reset' && now.afterBytes === 0)) return reset(pair)
    if (now.kind === 'half-open') {
      client.on('data', () => {})
      return
    }
    const server = connect(upstream.port, upstream.host)
    pair.server = server
    server.on('error', () => client.destroy())
    server.on('close', () => client.destroy())
    let fromServer = 0
    forward(client, server, () => fault)
    forward(
      server,
      client,
      () => fault,
      (n) => {
        fromServer += n
        const f = fault
        if (f.kind === 'reset' && fromServer >= f.afterBytes) {
          reset(pair)
          return false
        }
        return true
      },
    )
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const { port } = proxy.address() as { port: number }
  return {
    port,
    address: `127.0.0.1:${port}`,
    stats,
    set(f) {
      fault = f
    },
    cut() {
      for (const pair of [...open]) reset(pair)
    },
    async close() {
      for (const pair of [...open]) reset(pair)
      await new Promise<void>((resolve) => proxy.close(() => resolve()))
    },
  }
}

/**
 * Copies from → to under the current fault: delayed in order with latency, dropped while half-open. `onChunk`
 * may stop the copy (false) after counting the bytes.
 */
function forward(
  from: Socket,
  to: Socket,
  current: () => Fault,
  onChunk?: (bytes: number) => boolean,
): void {
  let queue = Promise.resolve()
  from.on('data', (chunk: Buffer) => {
    const f = current()
    if (f.kind === 'half-open') return
    if (onChunk !== undefined && !onChunk(chunk.length)) return
    if (f.kind !== 'latency') {
      queue = queue.then(() => {
        if (!to.destroyed) to.write(chunk)
      })
      return
    }
    queue = queue.then(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            if (!to.destroyed) to.write(chunk)
            resolve()
          }, f.ms),
        ),
    )
  })
  from.on('end', () => {
    void queue.then(() => to.end())
  })
}
