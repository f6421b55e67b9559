// The job queue behind `koppel worker`: pg-boss (bench/measure-job-queues.ts and docs/benchmarks.md say why)
// in its own schema of the store's PostgreSQL database, started on first use. One instance per process and
// database, shared by every tenant's apply that enqueues and worker that takes jobs.
import { PgBoss } from 'pg-boss'
// pg-boss's own adapter, not part of its public API: package.json pins pg-boss exactly, so an upgrade is a
// deliberate step that the type check and test/connections-tenants.test.ts vet
import Db from 'pg-boss/dist/db.js'
import type { WorkersConfig } from '../config/index.ts'
import { queueMetrics } from '../ops/metrics.ts'
import { applicationName } from '../store/index.ts'
import { RefCounted } from '../util/ref-counted.ts'
import { listenConnection } from './listen-connection.ts'
import { applyQueueName, JOB_SCHEMA } from './queue-names.ts'

export type QueueLog = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void

/** What a job carries: which plan's actions, for which target, as which run and actor. */
export interface ApplyJob {
  readonly planId: string
  readonly runId: string
  readonly actor: string
  readonly target: string
  /** Groups the jobs of one pass, so the apply can wait for exactly those. */
  readonly pass: string
  /** One account's (or group's) actions of this pass, in plan order. */
  readonly actions: readonly string[]
}

export interface JobQueue {
  readonly boss: () => Promise<PgBoss>
  /** Creates the tenant's queue of a target if it is not there (idempotent, safe from several processes). */
  queueOf(tenant: string, target: string): Promise<string>
  close(): Promise<void>
}

/**
 * pg-boss's own database adapter (its pool, transactions, open and close), except that its job wake-ups are
 * LISTENed on the process's one listen connection (listen-connection.ts) beside every tenant's pass notices
 * instead of on a connection of its own.
 */
class SharedListenDb extends Db {
  readonly #url: string
  constructor(url: string, max: number) {
    super({ connectionString: url, application_name: applicationName('jobs'), max })
    this.#url = url
  }
  /** At least `max` connections (workers.jobsPoolMax of a later config): pg-pool reads it per connect. */
  grow(max: number): void {
    // pg-boss keeps both private; the version is pinned (package.json) because this class already relies on
    // its internals
    const self = this as unknown as {
      config: { max?: number }
      pool?: { options: { max?: number } }
    }
    if (max <= (self.config.max ?? 0)) return
    self.config.max = max
    if (self.pool !== undefined) self.pool.options.max = max
  }

  override async listen(
    channel: string,
    onNotification: (payload: string) => void,
    onReconnect: () => void,
  ): Promise<{ close(): Promise<void> }> {
    const listening = await listenConnection(this.#url).listen(channel, onNotification, onReconnect)
    return { close: async () => listening.close() }
  }
}

interface SharedBoss {
  readonly boss: () => Promise<PgBoss>
  /** Queue name → its tenant and target, for the depth metric; every tenant's queues of this process. */
  readonly known: Map<string, { readonly tenant: string; readonly target: string }>
  /** The users' logs: pg-boss's errors go to the first still open. */
  readonly logs: Set<QueueLog>
  /** Connections of pg-boss's pool: the largest `workers.jobsPoolMax` of the process's configs. */
  growPool(max: number): void
  stop(): Promise<void>
}

/** One pg-boss per process and database, shared by every tenant (queue names carry the tenant). */
const bosses = new RefCounted<string, SharedBoss>((shared) => shared.stop())

function sharedBoss(url: string, workers: WorkersConfig): SharedBoss {
  let started: Promise<PgBoss> | undefined
  let unwatch: (() => void) | undefined
  const known = new Map<string, { readonly tenant: string; readonly target: string }>()
  const logs = new Set<QueueLog>()
  const db = new SharedListenDb(url, workers.jobsPoolMax)
  const boss = (): Promise<PgBoss> =>
    (started ??= (async () => {
      const b = new PgBoss({
        db,
        schema: JOB_SCHEMA,
        // the monitor pass is what hands a silent worker's job to another: it runs every checkSeconds
        monitorIntervalSeconds: workers.checkSeconds,
        superviseIntervalSeconds: workers.checkSeconds,
        // the backlog count that lets workers fetch without pausing (burstWhenReadyExceeds) is this fresh
        queueCacheIntervalSeconds: workers.checkSeconds,
        // a job inserted wakes the fetch loops of its queue (LISTEN/NOTIFY on the process's listen
        // connection): idle loops, one pair per tenant and target, then poll every few seconds
        useListenNotify: true,
      })
      b.on('error', (e: Error) => logs.values().next().value?.('error', `job queue: ${e.message}`))
      await b.start()
      // pg-boss counts per queue on its monitor pass: a scrape reads those counts, it does not count jobs
      unwatch = queueMetrics.watch(async () => {
        if (known.size === 0) return []
        const queues = await b.getQueues([...known.keys()])
        return queues.flatMap((q) => {
          const k = known.get(q.name)
          return k === undefined ? [] : [{ ...k, queued: q.queuedCount, active: q.activeCount }]
        })
      })
      return b
    })())
  return {
    boss,
    known,
    logs,
    growPool: (max) => db.grow(max),
    async stop() {
      unwatch?.()
      if (started === undefined) return
      const b = await started.catch(() => undefined)
      await b?.stop({ graceful: true, timeout: 120_000 })
    },
  }
}

/**
 * The process's job queue for the database at `url`: the first call starts sharing one pg-boss (its pool and
 * its LISTEN connection), later calls use it; it stops when the last user closes. The first user's `workers`
 * timings (checkSeconds) hold for the instance; each queue gets its creator's heartbeat and retries.
 */
export function jobQueue(url: string, workers: WorkersConfig, log: QueueLog): JobQueue {
  const lease = bosses.acquire(url, () => sharedBoss(url, workers))
  const shared = lease.value
  shared.growPool(workers.jobsPoolMax)
  shared.logs.add(log)
  let closed = false
  return {
    boss: shared.boss,
    async queueOf(tenant, target) {
      const name = applyQueueName(tenant, target)
      if (shared.known.has(name)) return name
      const b = await shared.boss()
      if ((await b.getQueue(name)) === null) {
        try {
          await b.createQueue(name, {
            // one active job per singleton key: an account's jobs never run side by side, even when a resumed
            // apply enqueues an account again while a job of the interrupted one still runs
            policy: 'singleton',
            notify: true,
            heartbeatSeconds: workers.heartbeatSeconds,
            retryLimit: workers.retries,
            retryDelay: 1,
            expireInSeconds: 3600,
            deleteAfterSeconds: 24 * 3600,
          })
        } catch (e) {
          // another process created it between our look and our create
          if ((await b.getQueue(name)) === null) throw e
        }
      }
      shared.known.set(name, { tenant, target })
      return name
    },
    async close() {
      if (closed) return
      closed = true
      shared.logs.delete(log)
      await lease.release()
    },
  }
}
