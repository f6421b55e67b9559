/**
 * The `apply` lease: one apply per tenant at a time, across processes and machines sharing a store. The lease
 * is short and renewed while the apply runs, so a holder that died elsewhere blocks others for at most a TTL;
 * a holder that died on this machine (a killed `koppel apply`) is recognised by its pid and replaced at once,
 * so the admin's next run resumes instead of waiting.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Store } from '../store/index.ts'

const NAME = 'apply'
export const LEASE_TTL_MS = 60_000
const RENEW_EVERY_MS = 20_000

export interface ApplyLease {
  readonly holder: string
  /** Aborted when a renewal finds the lease held by someone else: the apply must stop sending actions. */
  readonly signal: AbortSignal
  release(): Promise<void>
}

/** `host pid uuid`: enough to tell whether the holder is a process on this machine that no longer exists. */
function newHolder(): string {
  return `${hostname()} ${process.pid} ${randomUUID()}`
}

function deadHereAndNow(holder: string): boolean {
  const [host, pid] = holder.split(' ')
  if (host !== hostname() || pid === undefined || !/^\d+$/.test(pid)) return false
  try {
    process.kill(Number(pid), 0)
    return false
  } catch (e) {
    // EPERM: the process exists but belongs to someone else, so it is alive
    return (e as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

export async function acquireApplyLease(store: Store, renewEveryMs = RENEW_EVERY_MS): Promise<ApplyLease | undefined> {
  const holder = newHolder()
  let ok = await store.acquireLease(NAME, holder, LEASE_TTL_MS)
  if (!ok) {
    const current = await store.leaseHolder(NAME)
    if (current !== undefined && deadHereAndNow(current.holder)) {
      ok = await store.acquireLease(NAME, holder, LEASE_TTL_MS, { replacing: current.holder })
    }
  }
  if (!ok) return undefined
  const lost = new AbortController()
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
      await store.releaseLease(NAME, holder)
    },
  }
}
