/**
 * The `apply` lease: one apply per tenant at a time, across processes and machines sharing a store. The lease
 * is short and renewed while the apply runs, so a holder that died elsewhere blocks others for at most a TTL.
 * Next to the lease row each holder takes the store's live lock, which the OS (SQLite) or the database server
 * (PostgreSQL) frees when the holder dies: a process that gets the live lock knows that a holder who had it is
 * gone and takes its lease over at once, so the admin's next run resumes instead of waiting. A pid is no such
 * proof (another PID namespace on the same host sees a different pid space), so it is not looked at.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { LiveLock, Store } from '../store/index.ts'

const NAME = 'apply'
export const LEASE_TTL_MS = 60_000
const RENEW_EVERY_MS = 20_000
/** Marks a holder that also held the live lock, so that getting the live lock proves it gone. */
const LIVE_MARK = 'live'

export interface ApplyLease {
  readonly holder: string
  /** Aborted when a renewal finds the lease held by someone else: the apply must stop sending actions. */
  readonly signal: AbortSignal
  release(): Promise<void>
}

/** `host pid uuid [live]`: host and pid only to tell an admin who holds it. */
function newHolder(live: boolean): string {
  return `${hostname()} ${process.pid} ${randomUUID()}${live ? ` ${LIVE_MARK}` : ''}`
}

function heldLiveLock(holder: string): boolean {
  return holder.split(' ')[3] === LIVE_MARK
}

export async function acquireApplyLease(
  store: Store,
  renewEveryMs = RENEW_EVERY_MS,
): Promise<ApplyLease | undefined> {
  const live = await store.holdLiveLock(NAME)
  // a live process holds it: whatever its lease row says, it is running
  if (live === undefined) return undefined
  const liveLock: LiveLock | undefined = live === 'unsupported' ? undefined : live
  const holder = newHolder(liveLock !== undefined)
  let ok: boolean
  try {
    ok = await takeLease(store, holder, liveLock !== undefined)
  } catch (err) {
    await liveLock?.release()
    throw err
  }
  if (!ok) {
    // a holder without the live lock (an older Koppel, or a store without one): wait for its lease to expire
    await liveLock?.release()
    return undefined
  }
  const lost = new AbortController()
  liveLock?.lost.addEventListener('abort', () => lost.abort(liveLock.lost.reason), { once: true })
  const timer = setInterval(() => {
    store.acquireLease(NAME, holder, LEASE_TTL_MS).then(
      (still) => {
        // another process took over an expired lease: two appliers must never send the same actions
        if (!still) lost.abort(new Error('the apply lease was taken over by another process'))
      },
      // a store that is briefly unreachable: retried on the next tick, the TTL leaves room for two misses
      () => {},
    )
  }, renewEveryMs)
  timer.unref()
  return {
    holder,
    signal: lost.signal,
    async release() {
      clearInterval(timer)
      try {
        await store.releaseLease(NAME, holder)
      } finally {
        await liveLock?.release()
      }
    },
  }
}

async function takeLease(store: Store, holder: string, holdingLiveLock: boolean): Promise<boolean> {
  if (await store.acquireLease(NAME, holder, LEASE_TTL_MS)) return true
  if (!holdingLiveLock) return false
  const current = await store.leaseHolder(NAME)
  if (current === undefined || !heldLiveLock(current.holder)) return false
  return store.acquireLease(NAME, holder, LEASE_TTL_MS, { replacing: current.holder })
}
