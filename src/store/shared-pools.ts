// One pg.Pool per process and database (URL and schema), shared by every tenant's store and by the worker's
// short pause/rate statements: tenants are scoped in the queries, not by connections, so a process serving a
// hundred boards opens as many connections as one serving one. Reference-counted: the pool ends when the last
// user lets it go, never while another tenant still uses it.
import pg from 'pg'
import { RefCounted } from '../util/ref-counted.ts'

/** Connections of one shared pool when no caller names a size: the config's default (store-schema.ts) too. */
export const DEFAULT_POOL_MAX = 8

export interface PoolRequest {
  readonly url: string
  /** The schema unqualified table names resolve to (the store's `search_path`); none: the server's. */
  readonly schema?: string
  /**
   * Connections at most (default DEFAULT_POOL_MAX); users asking for different sizes get the largest (pg-pool
   * reads it per connect). A user that names none takes the pool as it is.
   */
  readonly max?: number
}

export interface SharedPool {
  readonly pool: pg.Pool
  /** Lets the pool go: it ends with its last user. Calling it twice releases once. */
  release(): Promise<void>
}

const pools = new RefCounted<string, pg.Pool>((pool) => pool.end())
let role = 'koppel'

/**
 * Names this process's connections for pg_stat_activity (`koppel-worker`, `koppel-serve`, …): an operator sees
 * which kind of process holds how many. Takes effect for connections opened afterwards.
 */
export function nameConnections(processRole: string): void {
  role = processRole
}

/** The application_name of this process's connections of one purpose (store, jobs, passes, slots, locks). */
export function applicationName(purpose: string): string {
  return `${role} ${purpose}`.slice(0, 63)
}

export function acquirePool(request: PoolRequest): SharedPool {
  const key = `${request.url}\u0000${request.schema ?? ''}`
  const lease = pools.acquire(key, () => {
    const pool = new pg.Pool({
      connectionString: request.url,
      max: request.max ?? DEFAULT_POOL_MAX,
      application_name: applicationName('store'),
      // unqualified table names resolve to the schema on every pooled connection, raw SQL included
      ...(request.schema === undefined ? {} : { options: `-c search_path=${request.schema}` }),
    })
    // A connection reset (network, server restart) is emitted as an 'error' event by the pool for an idle
    // client and by the client for a checked-out one, besides failing its query; an 'error' event nobody
    // listens to ends the process. The pool drops a broken idle client itself; callers handle the failed query.
    pool.on('error', () => {})
    pool.on('connect', (client) => client.on('error', () => {}))
    return pool
  })
  if (request.max !== undefined && request.max > (lease.value.options.max ?? 0))
    lease.value.options.max = request.max
  return { pool: lease.value, release: lease.release }
}

/** How many shared pools this process holds open (for tests and the bench). */
export function openPools(): number {
  return pools.size
}
