// The apply's side of the queue: each pass of a target's phase becomes one job per account (its actions of that
// pass, in plan order), and the apply waits until every job has ended. The engine orders the phases and reads
// the outcomes from the journal (apply-plan.ts); this only moves work and waits.
import { randomUUID } from 'node:crypto'
import type { ApplyQueue, QueuedPass } from '../engine/index.ts'
import type { ApplyJob, JobQueue, QueueLog } from './job-queue.ts'
import type { PassNotices } from './pass-notices.ts'
import { accountKey } from './queue-names.ts'

const ENDED = new Set(['completed', 'failed', 'cancelled'])
const INSERT_BATCH = 1000
const PAGE = 10_000

export interface QueuedApplyOptions {
  /** How often the apply looks at a pass's jobs without notices (none given, or their connection is down). */
  readonly pollMs?: number
  /** Workers' notices of finished jobs: with them the apply looks when told, and every `backstopMs` besides. */
  readonly notices?: PassNotices
  readonly backstopMs?: number
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
  const backstopMs = o.backstopMs ?? 5000
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
      // subscribed before the jobs exist, so no notice is missed
      const wait = await passWaiter(o.notices, tenant, pass, jobs.length, pollMs, backstopMs)
      try {
        for (let i = 0; i < jobs.length; i += INSERT_BATCH)
          await boss.insert(name, jobs.slice(i, i + INSERT_BATCH))
        await untilEnded(boss, name, pass, jobs.length, p, wait)
      } finally {
        wait.stop()
      }
    },
  }

  async function untilEnded(
    boss: Awaited<ReturnType<JobQueue['boss']>>,
    name: string,
    pass: string,
    total: number,
    p: QueuedPass,
    wait: PassWaiter,
  ): Promise<void> {
    let movedAt = Date.now()
    let lastOpen = total
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
      await wait.next()
    }
  }
}

interface PassWaiter {
  /** Resolves when it is worth looking at the pass's jobs again. */
  next(): Promise<void>
  stop(): void
}

/**
 * Without notices: every `pollMs`. With them: once the notices have counted every job of the pass, or after
 * `backstopMs`. Then the jobs may still show active for a moment (pg-boss marks a batch completed just after
 * the worker's handler returns, and the notice is sent from the handler): the apply then looks again after
 * 10, 20, 40 … ms, up to the backstop.
 */
async function passWaiter(
  notices: PassNotices | undefined,
  tenant: string,
  pass: string,
  total: number,
  pollMs: number,
  backstopMs: number,
): Promise<PassWaiter> {
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
  if (notices === undefined) return { next: () => sleep(pollMs), stop: () => {} }
  let ended = 0
  let wake: (() => void) | undefined
  let settleMs = 10
  const unsubscribe = await notices.subscribe(tenant, pass, (jobs) => {
    ended += jobs
    wake?.()
  })
  /** Resolves at the pass's next notice or after `ms`. */
  const notice = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        wake = undefined
        resolve()
      }
      wake = done
    })
  return {
    async next() {
      if (!notices.live) return sleep(pollMs)
      if (ended >= total) {
        await sleep(settleMs)
        settleMs = Math.min(settleMs * 2, backstopMs)
        return
      }
      const until = Date.now() + backstopMs
      while (ended < total && Date.now() < until) await notice(until - Date.now())
    },
    stop: unsubscribe,
  }
}
