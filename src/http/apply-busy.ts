/**
 * "Apply this person now" while another apply (usually a scheduled run) holds the tenant's apply lease: answered
 * 409 with a Retry-After and a message that says so, not queued. Queued behind the run, the person's plan would be
 * applied after the run changed the ledger it was made against (the engine refuses such a plan as stale), and the
 * request would hold its connection for the run's length; a retry after the run plans the person again against
 * what the run did, which may already be everything the operator wanted.
 */
import type { Store } from '../store/index.ts'

/** The holder renews its lease every 20 s for 60 s: its expiry is the earliest the apply can be over. */
const MIN_S = 5
const MAX_S = 60

export interface BusyAnswer {
  /** For the Retry-After header. */
  readonly seconds: number
  readonly message: string
}

export async function busyAnswer(store: Store, refusal: string): Promise<BusyAnswer> {
  const lease = await store.leaseHolder('apply')
  // the lease's expiry is on the holder's wall clock (store.acquireLease), so the wait is measured on it too
  const left = lease === undefined ? 0 : Math.ceil((lease.expiresAt - Date.now()) / 1000)
  const seconds = Math.min(MAX_S, Math.max(MIN_S, left))
  return {
    seconds,
    message: `${refusal}: nothing was applied. Try again when it has finished (in ${seconds} s at the earliest); the run may already bring this person up to date.`,
  }
}
