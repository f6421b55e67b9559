// What a worker process's tenants share: the lane budget, the database sessions that hold target slots, and a
// small pool for the targets' pause and rate rows. One set per process, so the connections it opens follow
// its lane limit, not its number of tenants.
import pg from 'pg'
import { laneBudget, type LaneBudget } from './lane-budget.ts'
import { targetSlots, type TargetSlots } from './target-slots.ts'

export interface WorkerResources {
  readonly lanes: LaneBudget
  readonly slots: TargetSlots
  /** For target-pause.ts and target-rate.ts rows: short statements, a few sessions for every tenant. */
  readonly pool: pg.Pool
  close(): Promise<void>
}

export function workerResources(url: string, lanes: number): WorkerResources {
  // a batch holds one slot session while it sends, and a batch holds at least one lane
  const slots = targetSlots(url, lanes + 1)
  const pool = new pg.Pool({ connectionString: url, max: 4 }).on('error', () => {})
  return {
    lanes: laneBudget(lanes),
    slots,
    pool,
    async close() {
      await slots.close()
      await pool.end()
    },
  }
}
