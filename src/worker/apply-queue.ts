// The apply's side of the queue: each pass of a target's phase becomes one job per account (its actions of that
// pass, in plan order), and the apply waits until every job has ended. The engine orders the phases and reads
// the outcomes from the journal (apply-plan.ts); this only moves work and waits.
import { randomUUID } from 'node:crypto'
import type { ApplyQueue, QueuedPass } from '../engine/index.ts'
import type { JobQueue } from './job-queue.ts'
import type { ApplyJob } from './job-queue.ts'
import { accountKey } from './queue-names.ts'

const ENDED = new Set(['completed', 'failed', 'cancelled'])
const INSERT_BATCH = 1000
const PAGE = 10_000

export function queuedApply(queue: JobQueue, tenant: string, o: { readonly pollMs?: number; readonly beforePass?: () => Promise<void> } = {}): ApplyQueue {
  const pollMs = o.pollMs ?? 250
  return {
    async runPass(p: QueuedPass): Promise<void> {
      await o.beforePass?.()
      const boss = await queue.boss()
      const name = await queue.queueOf(tenant, p.target)
      const pass = randomUUID()
      const byAccount = new Map<string, string[]>()
      for (const a of p.actions) {
        const ids = byAccount.get(a.person)
        if (ids === undefined) byAccount.set(a.person, [a.id])
        else ids.push(a.id)
      }
      const jobs = [...byAccount].map(([person, actions]) => {
        const data: ApplyJob = { planId: p.planId, runId: p.runId, actor: p.actor, target: p.target, pass, actions }
        return { data, singletonKey: accountKey(p.planId, person) }
      })
      for (let i = 0; i < jobs.length; i += INSERT_BATCH) await boss.insert(name, jobs.slice(i, i + INSERT_BATCH))
      for (;;) {
        let open = 0
        let after: string | undefined
        for (;;) {
          const page = await boss.findJobs(name, { data: { pass }, limit: PAGE, ...(after !== undefined ? { after } : {}) })
          open += page.filter((j) => !ENDED.has(j.state)).length
          if (page.length < PAGE) break
          after = page.at(-1)?.id
        }
        if (open === 0) return
        await new Promise((r) => setTimeout(r, pollMs))
      }
    },
  }
}
