// What a worker process's tenants share: the lane budget, the database sessions that hold target slots, and the
// process's pool for the targets' pause and rate rows (the store's shared pool). One set per process and
// database, whether the process is `koppel worker -c a.yaml b.yaml …` or a serve/apply taking jobs in process
// for each of its tenants, so the connections it opens follow its lane limit, not its number of tenants.
import type pg from 'pg'
import { acquirePool } from '../store/index.ts'
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
  users: number
  close(): Promise<void>
}

const shared = new Map<string, Shared>()

/** The process's resources for the database at `url`; `lanes` counts for the first user (later ones share it). */
export function workerResources(url: string, lanes: number): WorkerResources {
  let s = shared.get(url)
  if (s === undefined) {
    // every batch's slots on a few shared sessions: the connections do not follow the lanes
    const slots = targetSlots(url)
    const store = acquirePool({ url })
    const created: Shared = {
      lanes: laneBudget(lanes),
      slots,
      pool: store.pool,
      users: 0,
      async close() {
        await slots.close()
        await store.release()
      },
    }
    s = created
    shared.set(url, s)
  }
  s.users++
  const held = s
  let closed = false
  return {
    lanes: held.lanes,
    slots: held.slots,
    pool: held.pool,
    async close() {
      if (closed) return
      closed = true
      held.users--
      if (held.users > 0) return
      if (shared.get(url) === held) shared.delete(url)
      await held.close()
    },
  }
}
