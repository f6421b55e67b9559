// The worker's side: takes the jobs of its config's targets and applies them with the engine's own functions
// (applyQueuedActions: the same execute, journal, ledger and audit writes as an apply in one process). A target's
// concurrency holds across all workers through the slots in the database (target-slots.ts).
import { applyQueuedActions } from '../engine/index.ts'
import type { Engine } from '../engine/index.ts'
import type { Plan } from '../model/index.ts'
import type { ApplyJob, JobQueue, QueueLog } from './job-queue.ts'
import { targetSlots } from './target-slots.ts'
import { pgTargetPause } from './target-pause.ts'

export interface ApplyWorker {
  /** Takes no new jobs, waits for the ones in hand. */
  stop(): Promise<void>
}

/** Plans are large and every job of a pass names the same one: keep the last few. */
function planCache(engine: Engine, size = 4): (id: string) => Promise<Plan> {
  const cache = new Map<string, Promise<Plan>>()
  return (id) => {
    let p = cache.get(id)
    if (p === undefined) {
      p = engine.store.getPlan(id).then((plan) => {
        if (plan === undefined)
          throw new Error(`no plan ${id} in the store of tenant ${engine.store.tenant}`)
        return plan
      })
      p.catch(() => cache.delete(id))
      cache.set(id, p)
      while (cache.size > size) cache.delete(cache.keys().next().value as string)
    }
    return p
  }
}

export async function startApplyWorker(
  engine: Engine,
  queue: JobQueue,
  url: string,
  o: { readonly jobsPerTarget: number; readonly log: QueueLog },
): Promise<ApplyWorker> {
  const { store, setup } = engine
  const { log } = o
  const targets = setup.targets
  const boss = await queue.boss()
  const local = (limit: number) => Math.min(limit, o.jobsPerTarget)
  const slots = targetSlots(url, targets.reduce((n, t) => n + local(t.apply.concurrency), 0) + 1)
  const pause = pgTargetPause(url, store.tenant)
  const planOf = planCache(engine)
  const registered: { readonly name: string; readonly id: string }[] = []
  for (const target of targets) {
    const name = await queue.queueOf(store.tenant, target.name)
    const limit = target.apply.concurrency
    // with a backlog a worker takes its next job at once, not after pollingIntervalSeconds
    const options = {
      localConcurrency: local(limit),
      batchSize: 1,
      pollingIntervalSeconds: 0.5,
      burstWhenReadyExceeds: 1,
    }
    const id = await boss.work<ApplyJob>(name, options, async ([job]) => {
      if (job === undefined) return
      const { planId, runId, actor, actions } = job.data
      log('debug', 'job started', {
        queue: name,
        job: job.id,
        planId,
        runId,
        actions: actions.length,
        retry: job.retryCount,
      })
      const release = await slots.take(store.tenant, target.name, limit, job.signal)
      try {
        const plan = await planOf(planId)
        const done = await applyQueuedActions(plan, actions, {
          store,
          targets,
          runId,
          actor,
          now: engine.now,
          signal: job.signal,
          target: target.name,
          pause,
        })
        log('debug', 'job done', {
          queue: name,
          job: job.id,
          planId,
          runId,
          actions: actions.length,
          sent: done.length,
          retry: job.retryCount,
        })
      } finally {
        await release()
      }
    })
    registered.push({ name, id })
  }
  log('info', 'worker started', { tenant: store.tenant, targets: targets.map((t) => t.name) })
  return {
    async stop() {
      // offWork takes the queue's name and the id work() returned; the jobs in hand finish before it resolves
      await Promise.all(registered.map(({ name, id }) => boss.offWork(name, { id, wait: true })))
      await slots.close()
      await pause.close()
    },
  }
}
