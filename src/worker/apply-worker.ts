// The worker's side: takes the jobs of its config's targets and applies them with the engine's own functions
// (applyQueuedJobs: the same execute, journal, ledger and audit writes as an apply in one process). A target's
// concurrency holds across all workers through the slots in the database (target-slots.ts).
// Jobs come in batches (one fetch, one completion, one slot query and two journal transactions per batch, not per
// job): at one job per fetch a job's dozen round trips to PostgreSQL cost more than a 50 ms target call.
import { applyQueuedJobs } from '../engine/index.ts'
import type { Engine } from '../engine/index.ts'
import type { Plan } from '../model/index.ts'
import type { Job } from 'pg-boss'
import type { ApplyJob, JobQueue, QueueLog } from './job-queue.ts'
import { passChannel, passNotice } from './pass-notices.ts'
import type { HeldSlots } from './target-slots.ts'
import { workerResources, type WorkerResources } from './worker-resources.ts'
import { DEFAULT_WORKERS } from '../config/workers-schema.ts'
import { pgTargetPause } from './target-pause.ts'
import { pgTargetRate } from './target-rate.ts'

/** Jobs per lane in one fetch: more saves round trips, fewer leaves less for one worker to finish at a pass's end. */
const BATCH_ROUNDS = 2

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

export interface ApplyWorkerOptions {
  readonly jobsPerTarget: number
  readonly log: QueueLog
  /** Lanes (jobs sending at once) of this process, for all its tenants; without, this worker's own. */
  readonly resources?: WorkerResources
  /** The lane limit of a worker that has no shared resources. */
  readonly lanesPerProcess?: number
}

export async function startApplyWorker(
  engine: Engine,
  queue: JobQueue,
  url: string,
  o: ApplyWorkerOptions,
): Promise<ApplyWorker> {
  const { store, setup } = engine
  const { log } = o
  const targets = setup.targets
  const boss = await queue.boss()
  const own =
    o.resources === undefined
      ? workerResources(url, o.lanesPerProcess ?? DEFAULT_WORKERS.lanesPerProcess)
      : undefined
  const { slots, lanes: budget, pool } = o.resources ?? (own as WorkerResources)
  const local = (limit: number) => Math.min(limit, o.jobsPerTarget, budget.limit)
  const pause = pgTargetPause(pool, store.tenant)
  const rate = pgTargetRate(pool, store.tenant)
  const planOf = planCache(engine)
  const runJobs = async (
    name: string,
    targetName: string,
    limit: number,
    lanes: number,
    jobs: readonly Job<ApplyJob>[],
  ): Promise<void> => {
    const first = jobs[0]
    if (first === undefined) return
    const { planId, runId, actor } = first.data
    const signal = AbortSignal.any(jobs.map((j) => j.signal))
    const fields = { queue: name, planId, runId, batch: jobs.length }
    // a line per job (debug): an operator follows one account's job, the kill test counts jobs in hand
    for (const j of jobs)
      log('debug', 'job started', {
        ...fields,
        job: j.id,
        actions: j.data.actions.length,
        retry: j.retryCount,
      })
    // the process's lanes first (waiting there holds no database session), then the target's slots
    const granted = await budget.take(Math.min(jobs.length, lanes), signal)
    let held: HeldSlots
    try {
      held = await slots.take(store.tenant, targetName, limit, signal, granted)
    } catch (e) {
      budget.give(granted)
      throw e
    }
    let finished = false
    try {
      const plan = await planOf(planId)
      const done = await applyQueuedJobs(
        plan,
        jobs.map((j) => j.data.actions),
        {
          store,
          targets,
          runId,
          actor,
          now: engine.now,
          signal,
          target: targetName,
          pause,
          rate,
          lanes: held.count,
        },
      )
      for (const j of jobs)
        log('debug', 'job done', {
          ...fields,
          job: j.id,
          actions: j.data.actions.length,
          sent: done.filter((d) => j.data.actions.includes(d.action.id)).length,
          retry: j.retryCount,
        })
      finished = true
    } finally {
      // a failed batch says nothing: pg-boss retries its jobs, and the retry's worker tells
      await held.release(
        finished
          ? {
              channel: passChannel(store.tenant),
              payload: passNotice(jobs.map((j) => j.data.pass)),
            }
          : undefined,
      )
      budget.give(granted)
    }
  }
  const registered: { readonly name: string; readonly id: string }[] = []
  for (const target of targets) {
    const name = await queue.queueOf(store.tenant, target.name)
    const limit = target.apply.concurrency
    // two fetch loops, so one batch's slowest account does not hold all of the worker's lanes idle; together
    // they run the worker's lanes, each fetching BATCH_ROUNDS jobs per lane of its own
    const n = local(limit)
    for (const lanes of n > 1 ? [Math.ceil(n / 2), Math.floor(n / 2)] : [n]) {
      const options = {
        batchSize: lanes * BATCH_ROUNDS,
        pollingIntervalSeconds: 0.5,
        // with NOTIFY on (job-queue.ts) this is the backstop: a retried job (its worker died) sends none
        notifyPollingIntervalSeconds: 2,
        // with a backlog a worker fetches its next batch at once, not after pollingIntervalSeconds
        burstWhenBatchFull: true,
        burstWhenReadyExceeds: 1,
      }
      const id = await boss.work<ApplyJob>(name, options, async (batch) => {
        const runs = new Set(batch.map((j) => `${j.data.planId}\u0000${j.data.runId}`))
        // one plan and run per batch in practice (a pass enqueues them together); several go in turn
        for (const run of runs)
          await runJobs(
            name,
            target.name,
            limit,
            lanes,
            batch.filter((j) => `${j.data.planId}\u0000${j.data.runId}` === run),
          )
      })
      registered.push({ name, id })
    }
  }
  log('info', 'worker started', { tenant: store.tenant, targets: targets.map((t) => t.name) })
  return {
    async stop() {
      // offWork takes the queue's name and the id work() returned; the jobs in hand finish before it resolves
      await Promise.all(registered.map(({ name, id }) => boss.offWork(name, { id, wait: true })))
      await pause.close()
      await rate.close()
      await own?.close()
    },
  }
}
