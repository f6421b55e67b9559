/**
 * Schema of `store.workers:` (PostgreSQL only): applies run as jobs on per-target queues in the store's
 * database, taken by `koppel worker` processes on any number of machines (src/worker).
 */
import { z } from 'zod'

export interface WorkersConfig {
  /** Applies go to the queues; false (the default): every apply runs in the process that starts it. */
  readonly enabled: boolean
  /** The process that applies (serve, apply, run) takes jobs too while it waits for them. */
  readonly inProcess: boolean
  /** A job whose worker has not reported for this long (it died) is handed to another worker. */
  readonly heartbeatSeconds: number
  /** How often each worker looks for jobs of dead workers (and for new jobs when idle). */
  readonly checkSeconds: number
  /** How often a job is handed out again after its worker died or the store failed, before it is given up. */
  readonly retries: number
  /**
   * Jobs of one target a worker process runs at once (at most the target's `apply.concurrency`, which caps all
   * workers together): what one more worker adds.
   */
  readonly jobsPerTarget: number
  /**
   * Jobs a worker process runs at once across all its tenants and targets (`koppel worker --max-lanes`): 100
   * boards in one process do not send 100 × jobsPerTarget requests at once.
   */
  readonly lanesPerProcess: number
  /**
   * Connections of the process's pg-boss pool (fetch loops, completions, its monitor), on top of the store's
   * `pool.max`; with several configs in one process the largest counts.
   */
  readonly jobsPoolMax: number
}

export const DEFAULT_WORKERS: WorkersConfig = {
  enabled: false,
  inProcess: true,
  heartbeatSeconds: 30,
  checkSeconds: 10,
  retries: 5,
  jobsPerTarget: 4,
  lanesPerProcess: 64,
  jobsPoolMax: 10,
}

export const workersSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(DEFAULT_WORKERS.enabled)
      .describe(
        'Apply through `koppel worker` processes: per-target queues in this PostgreSQL database.',
      ),
    inProcess: z
      .boolean()
      .default(DEFAULT_WORKERS.inProcess)
      .describe(
        'The process that applies (serve, apply, run) works on the queues too; false: only `koppel worker` processes do.',
      ),
    heartbeatSeconds: z
      .number()
      .int()
      .min(10)
      .max(3600)
      .default(DEFAULT_WORKERS.heartbeatSeconds)
      .describe(
        'A job whose worker has been silent this long (killed, machine gone) goes to another worker. At least 10.',
      ),
    checkSeconds: z
      .number()
      .int()
      .min(1)
      .max(300)
      .default(DEFAULT_WORKERS.checkSeconds)
      .describe('How often workers look for the jobs of silent workers.'),
    retries: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(DEFAULT_WORKERS.retries)
      .describe('How often a job is handed out again before it is given up.'),
    jobsPerTarget: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(DEFAULT_WORKERS.jobsPerTarget)
      .describe(
        "Jobs of one target each worker process runs at once; the target's apply.concurrency caps all workers together.",
      ),
    lanesPerProcess: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(DEFAULT_WORKERS.lanesPerProcess)
      .describe(
        'Jobs a worker process runs at once across all its tenants and targets (koppel worker --max-lanes overrides it).',
      ),
    jobsPoolMax: z
      .number()
      .int()
      .min(2)
      .max(1000)
      .default(DEFAULT_WORKERS.jobsPoolMax)
      .describe(
        "Connections of the process's job-queue (pg-boss) pool, on top of pool.max; with several configs in one process the largest counts.",
      ),
  })
  .describe('Applies on worker processes (PostgreSQL store only): docs/operations.md.')
