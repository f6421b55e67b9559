// What a worker process's tenants share: the lane budget, the database sessions that hold target slots, and the
// process's pool for the targets' pause and rate rows (the store's shared pool). One set per process and
// database, whether the process is `koppel worker -c a.yaml b.yaml …` or a serve/apply taking jobs in process
// for each of its tenants, so the connections it opens follow its lane limit, not its number of tenants.
import type pg from 'pg'
import { acquirePool } from '../store/index.ts'
import { RefCounted } from '../util/ref-counted.ts'
import { laneBudget, type LaneBudget } from './lane-budget.ts'
import { targetSlots, type TargetSlots } from './target-slots.ts'

export interface WorkerResources {
  readonly lanes: LaneBudget
  readonly slots: TargetSlots
  /** For target-pause.ts and target-rate.ts rows: short statements, shared with the stores of every tenant. */
  readonly pool: pg.Pool
  /** Lets the resources go; they close with their last user. */
  close(): Promise<void>
}

interface Shared {
  readonly lanes: LaneBudget
  readonly slots: TargetSlots
  readonly pool: pg.Pool
  close(): Promise<void>
}

const shared = new RefCounted<string, Shared>((s) => s.close())

/** The process's resources for the database at `url`; `lanes` counts for the first user (later ones share it). */
export function workerResources(url: string, lanes: number): WorkerResources {
  const lease = shared.acquire(url, () => {
    // every batch's slots on a few shared sessions: the connections do not follow the lanes
    const slots = targetSlots(url)
    const store = acquirePool({ url })
    return {
      lanes: laneBudget(lanes),
      slots,
      pool: store.pool,
      async close() {
        await slots.close()
        await store.release()
      },
    }
  })
  const { lanes: budget, slots, pool } = lease.value
  return { lanes: budget, slots, pool, close: lease.release }
}
