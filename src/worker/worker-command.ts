/**
 * `koppel worker`: takes apply jobs of the config's targets from the queues in the store's PostgreSQL database
 * until SIGTERM or SIGINT, logging JSON lines (pino). Any number run on any machines; a stop finishes the jobs
 * in hand. A killed worker's job goes to another after `store.workers.heartbeatSeconds`.
 */
import type { Command, Option } from 'commander'
import { pino } from 'pino'
import type { ConnectorDefinition } from '../contract/index.ts'
import { loadEngine } from '../app/load-engine.ts'
import { startApplyWorker } from './apply-worker.ts'
import { jobQueue } from './job-queue.ts'

const LEVELS = ['debug', 'info', 'warn', 'error'] as const

export async function workerCommand(
  configPath: string,
  definitions: readonly ConnectorDefinition[],
  level = 'info',
): Promise<number> {
  const log = pino({
    base: { pid: process.pid },
    level: (LEVELS as readonly string[]).includes(level) ? level : 'info',
  })
  if (!(LEVELS as readonly string[]).includes(level))
    log.warn(
      {},
      `--log-level ${JSON.stringify(level)} is not one of ${LEVELS.join(', ')}; using info`,
    )
  const r = await loadEngine(configPath, definitions, {
    log: (level, message, fields) => log[level]({ ...fields, from: 'connector' }, message),
  })
  if (!r.ok) {
    for (const e of r.errors) log.error({}, e)
    return 1
  }
  const loaded = r.loaded
  const store = loaded.config.store
  const workers = store.kind === 'postgres' ? store.workers : undefined
  if (store.kind !== 'postgres' || workers?.enabled !== true) {
    log.error(
      {},
      `${loaded.configPath}: koppel worker needs store.kind: postgres with store.workers.enabled: true (docs/operations.md)`,
    )
    await loaded.close()
    return 1
  }
  const service = log.child({ tenant: loaded.config.tenant, role: 'worker' })
  const queueLog = (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => service[level]({ ...fields }, message)
  const jobs = jobQueue(store.url, workers, queueLog)
  let worker
  try {
    worker = await startApplyWorker(loaded.engine, jobs, store.url, {
      jobsPerTarget: workers.jobsPerTarget,
      log: queueLog,
    })
  } catch (e) {
    service.error(
      { err: e instanceof Error ? e.message : String(e) },
      'koppel worker could not start',
    )
    await jobs.close()
    await loaded.close()
    return 1
  }
  const running = worker
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGTERM', onTerm)
      process.off('SIGINT', onInt)
      service.info({ signal }, 'stopping: the jobs in hand finish, no new ones are taken')
      running.stop().then(resolve, (e: unknown) => {
        service.error({ err: String(e) }, 'the stop failed')
        resolve()
      })
    }
    const onTerm = () => stop('SIGTERM')
    const onInt = () => stop('SIGINT')
    process.on('SIGTERM', onTerm)
    process.on('SIGINT', onInt)
  })
  await jobs.close()
  await loaded.close()
  service.info({}, 'stopped')
  return 0
}

/** The command's one line in src/cli/main.ts. */
export function registerWorkerCommand(
  program: Command,
  config: () => Option,
  definitions: readonly ConnectorDefinition[],
  set: (code: number) => void,
): void {
  program
    .command('worker')
    .description(
      'take apply jobs from the per-target queues in PostgreSQL (store.workers); SIGTERM stops cleanly',
    )
    .addOption(config())
    .option(
      '--log-level <level>',
      'debug logs every job taken and done (with plan, run and queue)',
      'info',
    )
    .action(async (o: { config: string; logLevel: string }) =>
      set(await workerCommand(o.config, definitions, o.logLevel)),
    )
}
