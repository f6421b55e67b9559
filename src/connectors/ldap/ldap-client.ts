// A thin, concurrency-safe session over one ldapts Client: connects and binds lazily (plain, StartTLS or
// ldaps), pipelines any number of concurrent operations on the one connection, and after a dropped
// connection opens a fresh, bound one for the next operation. Every failure leaves as a ConnectorError.
// It knows nothing about accounts or groups; that is the connector's business.
import { connect as netConnect, Socket } from 'node:net'
import { checkServerIdentity, connect as tlsConnect, type ConnectionOptions } from 'node:tls'
import {
  Attribute,
  Client,
  type Change,
  type Control,
  type Entry,
  type SearchOptions,
} from 'ldapts'
import { toConnectorError } from './ldap-errors.ts'

export interface LdapClientOptions {
  readonly url: string
  readonly bindDn: string
  readonly password: string
  readonly startTls: boolean
  /** PEM text of the CA to trust (the connector reads the file). */
  readonly ca?: string
  /** The name the server certificate is checked against, when the url names the server otherwise (an IP). */
  readonly servername?: string
  readonly timeoutMs: number
  readonly connectTimeoutMs: number
}

export class LdapClient {
  readonly #options: LdapClientOptions
  #client: Client | undefined
  #opening: Promise<Client> | undefined
  #closed = false

  constructor(options: LdapClientOptions) {
    this.#options = Object.freeze({ ...options })
  }

  search(base: string, options: SearchOptions, controls?: Control[]): Promise<Entry[]> {
    // reads are safe to repeat, so a connection that died under us gets one more try on a fresh one
    return this.#run(
      `search ${base}`,
      true,
      async (c) => (await c.search(base, options, controls)).searchEntries,
    )
  }

  /** Pages of a paged search. A page cookie belongs to its connection, so a drop mid-way is not retried. */
  async *searchPages(base: string, options: SearchOptions): AsyncGenerator<Entry[]> {
    const client = await this.#session(`search ${base}`)
    const pages = client.searchPaginated(base, options)
    for (;;) {
      let next: IteratorResult<{ searchEntries: Entry[] }>
      try {
        next = await pages.next()
      } catch (e) {
        this.#dropIfBroken(client, e)
        throw toConnectorError(e, `search ${base}`)
      }
      if (next.done === true) return
      yield next.value.searchEntries
    }
  }

  /** Values may be bytes (AD's unicodePwd); ldapts takes those only as Attribute objects. */
  add(
    dn: string,
    entry: Record<string, ReadonlyArray<string | Buffer>>,
    controls?: Control[],
  ): Promise<void> {
    const binary = Object.values(entry).some((values) => values.some((v) => Buffer.isBuffer(v)))
    const attributes = binary
      ? Object.entries(entry).map(
          ([type, values]) =>
            new Attribute({
              type,
              values: values.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8'))),
            }),
        )
      : (entry as Record<string, string[]>)
    return this.#run(`add ${dn}`, false, (c) => c.add(dn, attributes, controls))
  }

  modify(dn: string, changes: Change[], controls?: Control[]): Promise<void> {
    return this.#run(`modify ${dn}`, false, (c) => c.modify(dn, changes, controls))
  }

  /** `newDn` must use hex escapes only (as `formatDn` writes): ldapts splits it at the first unescaped comma. */
  modifyDn(dn: string, newDn: string, controls?: Control[]): Promise<void> {
    return this.#run(`rename ${dn} to ${newDn}`, false, (c) => c.modifyDN(dn, newDn, controls))
  }

  del(dn: string, controls?: Control[]): Promise<void> {
    return this.#run(`delete ${dn}`, false, (c) => c.del(dn, controls))
  }

  /** Opens and binds now, to check the configuration; operations otherwise connect on first use. */
  async verify(): Promise<void> {
    await this.#session('bind')
  }

  async close(): Promise<void> {
    this.#closed = true
    const client = this.#client
    this.#client = undefined
    if (client !== undefined) await client.unbind().catch(() => {})
  }

  async #run<T>(
    what: string,
    retryOnDrop: boolean,
    op: (client: Client) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.#session(what)
      try {
        return await op(client)
      } catch (e) {
        const broken = this.#dropIfBroken(client, e)
        if (!(broken && retryOnDrop && attempt === 0)) throw toConnectorError(e, what)
      }
    }
  }

  /** Forgets a client whose connection failed, so the next operation opens a fresh one. */
  #dropIfBroken(client: Client, error: unknown): boolean {
    const isResult = typeof (error as { code?: unknown } | null)?.code === 'number'
    if (isResult && client.isConnected) return false
    if (this.#client === client) {
      this.#client = undefined
      client.unbind().catch(() => {})
    }
    return true
  }

  #session(what: string): Promise<Client> {
    if (this.#closed) return Promise.reject(toConnectorError(new Error('client is closed'), what))
    const client = this.#client
    if (client?.isConnected === true && client.isBound) return Promise.resolve(client)
    // one connect for all callers: ldapts would otherwise open a socket per concurrent operation
    this.#opening ??= this.#open().finally(() => (this.#opening = undefined))
    return this.#opening
  }

  async #open(): Promise<Client> {
    const stale = this.#client
    this.#client = undefined
    if (stale !== undefined) await stale.unbind().catch(() => {})
    const o = this.#options
    const tlsOptions: ConnectionOptions = {
      ...(o.ca === undefined ? {} : { ca: o.ca }),
      ...(o.servername === undefined
        ? {}
        : {
            servername: o.servername,
            checkServerIdentity: (_host, cert) => checkServerIdentity(o.servername as string, cert),
          }),
    }
    const client = new Client({
      url: o.url,
      timeout: o.timeoutMs,
      connectTimeout: o.connectTimeoutMs,
      // ldapts speaks TLS from the first byte whenever tlsOptions are given, so only for ldaps://
      ...(o.url.startsWith('ldaps:') ? { tlsOptions } : {}),
      ...oneShotTransport(),
    })
    try {
      if (o.startTls) await client.startTLS(tlsOptions)
      await client.bind(o.bindDn, o.password)
    } catch (e) {
      // ldapts keeps the socket (and the process) alive after a failed bind unless we unbind
      await client.unbind().catch(() => {})
      throw toConnectorError(e, `bind as ${o.bindDn} to ${o.url}`)
    }
    if (this.#closed) {
      await client.unbind().catch(() => {})
      throw toConnectorError(new Error('client is closed'), 'bind')
    }
    this.#client = client
    return client
  }
}

/**
 * ldapts silently reconnects a dropped client on its next operation, without binding again, so a write
 * would run anonymously. We let each Client open exactly one connection; a second attempt fails, and our
 * session opens a new bound Client instead.
 */
function oneShotTransport() {
  let plain = 0
  let secure = 0
  const refuse = () => {
    const socket = new Socket()
    process.nextTick(() =>
      socket.destroy(new Error('connection dropped; reconnecting through a new bound session')),
    )
    return socket
  }
  return {
    createConnection: ((...args: Parameters<typeof netConnect>) =>
      plain++ === 0 ? netConnect(...args) : refuse()) as typeof netConnect,
    createSecureConnection: ((...args: Parameters<typeof tlsConnect>) =>
      secure++ === 0 ? tlsConnect(...args) : refuse()) as unknown as typeof tlsConnect,
  }
}
