// What the composition root adds to an engine whose config asks for workers (`store.workers.enabled`): applies
// go to the queues, and with `inProcess` this process takes jobs too from its first apply on, so one `koppel
// serve` (or `koppel apply`) alone still gets its work done; `koppel worker` processes add throughput.
import type { WorkersConfig } from '../config/index.ts'
import type { ApplyQueue, Engine } from '../engine/index.ts'
import { startApplyWorker, type ApplyWorker } from './apply-worker.ts'
import { queuedApply } from './apply-queue.ts'
import { jobQueue, type QueueLog } from './job-queue.ts'
import { pgPassNotices } from './pass-notices.ts'

export interface QueuedEngine {
  readonly queue: ApplyQueue
  close(): Promise<void>
}

export function queuedEngine(
  url: string,
  tenant: string,
  workers: WorkersConfig,
  log: QueueLog,
  engine: () => Engine,
): QueuedEngine {
  const jobs = jobQueue(url, workers, log)
  const notices = pgPassNotices(url, (reason) =>
    log(
      'warn',
      `apply: cannot listen for workers' notices (${reason}); looking at the jobs every 250 ms`,
    ),
  )
  let worker: Promise<ApplyWorker> | undefined
  const beforePass = workers.inProcess
    ? async () => {
        await (worker ??= startApplyWorker(engine(), jobs, url, {
          jobsPerTarget: workers.jobsPerTarget,
          lanesPerProcess: workers.lanesPerProcess,
          log,
        }))
      }
    : undefined
  return {
    queue: queuedApply(jobs, tenant, {
      log,
      notices,
      ...(beforePass !== undefined ? { beforePass } : {}),
    }),
    async close() {
      if (worker !== undefined) await (await worker.catch(() => undefined))?.stop()
      await jobs.close()
      await notices.close()
    },
  }
}
