/**
 * Which `koppel serve` process runs a schedule's tick when several share one store (PostgreSQL, or one
 * SQLite file): the first to take the store lease `schedule:<name>` runs it; the others skip that tick.
 * The lease is renewed while the run lasts and, when it ends, kept until just before the next tick, so a
 * second process whose timer fires a moment later does not run the same tick again. A process that dies
 * mid-run blocks the schedule for at most one lease period; its interrupted apply is resumed by the next run.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Store } from '../store/index.ts'

export const CLAIM_TTL_MS = 60_000
const RENEW_EVERY_MS = 20_000
/** Clocks of two machines disagree a little: the claim on a finished tick ends this long before the next. */
const NEXT_TICK_MARGIN_MS = 1_000

export interface ScheduleClaim {
  /** Keeps the tick claimed for `msUntilNextTick` minus a margin (durations: the lease is on the wall clock). */
  finish(msUntilNextTick: number): Promise<void>
}

/** `host pid uuid`: the same for every tick of this process, so it can renew and hand over its own claim. */
export function claimHolder(): string {
  return `${hostname()} ${process.pid} ${randomUUID()}`
}

export async function claimTick(
  store: Store,
  schedule: string,
  holder: string,
  renewEveryMs = RENEW_EVERY_MS,
): Promise<ScheduleClaim | undefined> {
  const name = `schedule:${schedule}`
  if (!(await store.acquireLease(name, holder, CLAIM_TTL_MS))) return undefined
  const timer = setInterval(() => {
    // a store briefly unreachable is retried on the next tick; the TTL leaves room for two misses
    store.acquireLease(name, holder, CLAIM_TTL_MS).catch(() => {})
  }, renewEveryMs)
  timer.unref()
  return {
    async finish(msUntilNextTick) {
      clearInterval(timer)
      const keep = msUntilNextTick - NEXT_TICK_MARGIN_MS
      if (keep > 0) await store.acquireLease(name, holder, keep)
      else await store.releaseLease(name, holder)
    },
  }
}
