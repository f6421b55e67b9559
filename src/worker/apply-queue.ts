// The apply's side of the queue: each pass of a target's phase becomes one job per account (its actions of that
// pass, in plan order), and the apply waits until every job has ended. The engine orders the phases and reads
// the outcomes from the journal (apply-plan.ts); this only moves work and waits.
import { randomUUID } from 'node:crypto'
import type { ApplyQueue, QueuedPass } from '../engine/index.ts'
import type { ApplyJob, JobQueue, QueueLog } from './job-queue.ts'
import { accountKey } from './queue-names.ts'

const ENDED = new Set(['completed', 'failed', 'cancelled'])
const INSERT_BATCH = 1000
const PAGE = 10_000

export interface QueuedApplyOptions {
  readonly pollMs?: number
  readonly beforePass?: () => Promise<void>
  readonly log?: QueueLog
  /** How long a pass's jobs may all wait untaken before the apply says so (and again each time after). */
  readonly idleWarnMs?: number
}

export function queuedApply(
  queue: JobQueue,
  tenant: string,
  o: QueuedApplyOptions = {},
): ApplyQueue {
  const pollMs = o.pollMs ?? 250
  const idleWarnMs = o.idleWarnMs ?? 60_000
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
        const data: ApplyJob = {
          planId: p.planId,
          runId: p.runId,
          actor: p.actor,
          target: p.target,
          pass,
          actions,
        }
        return { data, singletonKey: accountKey(p.planId, person) }
      })
      for (let i = 0; i < jobs.length; i += INSERT_BATCH)
        await boss.insert(name, jobs.slice(i, i + INSERT_BATCH))
      let movedAt = Date.now()
      let lastOpen = jobs.length
      for (;;) {
        let open = 0
        let taken = 0
        let after: string | undefined
        for (;;) {
          const page = await boss.findJobs(name, {
            data: { pass },
            limit: PAGE,
            ...(after !== undefined ? { after } : {}),
          })
          for (const j of page) {
            if (!ENDED.has(j.state)) open++
            if (j.state === 'active') taken++
          }
          if (page.length < PAGE) break
          after = page.at(-1)?.id
        }
        if (open === 0) return
        // nothing ran and nothing ended for a while: no worker takes this target's jobs (none runs, or their
        // config lacks the target); the apply keeps waiting, since a worker may still start
        if (taken > 0 || open < lastOpen) movedAt = Date.now()
        lastOpen = open
        if (Date.now() - movedAt >= idleWarnMs) {
          o.log?.(
            'warn',
            `no worker has taken a job of ${name} for ${Math.round((Date.now() - movedAt) / 1000)} s; is \`koppel worker\` running with this target in its config?`,
            { queue: name, waiting: open, planId: p.planId, runId: p.runId },
          )
          movedAt = Date.now()
        }
        await new Promise((r) => setTimeout(r, pollMs))
      }
    },
  }
}
