/**
 * `koppel worker`: takes apply jobs of the config's targets from the queues in the store's PostgreSQL database
 * until SIGTERM or SIGINT, logging JSON lines (pino). Any number run on any machines; a stop finishes the jobs
 * in hand. A killed worker's job goes to another after `store.workers.heartbeatSeconds`. Several configs
 * (`-c a.yaml b.yaml`): one process serves several tenants of one store, each with its own fetch loops and lanes.
 */
import { InvalidArgumentError, Option, type Command } from 'commander'
import { pino } from 'pino'
import type { ConnectorDefinition } from '../contract/index.ts'
import { DEFAULT_WORKERS } from '../config/workers-schema.ts'
import { loadEngine } from '../app/load-engine.ts'
import { nameConnections } from '../store/index.ts'
import type { LoadedEngine as Loaded } from '../app/load-engine.ts'
import { startApplyWorker, type ApplyWorker } from './apply-worker.ts'
import { jobQueue } from './job-queue.ts'
import { workerResources } from './worker-resources.ts'

const LEVELS = ['debug', 'info', 'warn', 'error'] as const

export async function workerCommand(
  configPaths: string | readonly string[],
  definitions: readonly ConnectorDefinition[],
  level = 'info',
  maxLanes?: number,
): Promise<number> {
  const paths = typeof configPaths === 'string' ? [configPaths] : configPaths
  const log = pino({
    base: { pid: process.pid },
    level: (LEVELS as readonly string[]).includes(level) ? level : 'info',
  })
  if (!(LEVELS as readonly string[]).includes(level))
    log.warn(
      {},
      `--log-level ${JSON.stringify(level)} is not one of ${LEVELS.join(', ')}; using info`,
    )
  // pg_stat_activity shows an operator which connections are a worker's
  nameConnections('koppel-worker')
  const opened: Loaded[] = []
  const closeAll = () => Promise.all(opened.map((l) => l.close()))
  for (const path of paths) {
    const r = await loadEngine(path, definitions, {
      log: (level, message, fields) => log[level]({ ...fields, from: 'connector' }, message),
    })
    if (!r.ok) {
      for (const e of r.errors) log.error({}, e)
      await closeAll()
      return 1
    }
    opened.push(r.loaded)
  }
  const refused = workerRefusal(opened)
  const first = opened[0]
  if (refused !== undefined || first === undefined) {
    log.error({}, refused ?? 'koppel worker needs a config')
    await closeAll()
    return 1
  }
  const store = first.config.store as PostgresStore
  // several tenants are `tenants`: each tenant's own lines add `tenant`, and a line with two `tenant` keys is read
  // as the last one by most log tools
  const service = log.child({
    ...(opened.length === 1
      ? { tenant: first.config.tenant }
      : { tenants: opened.map((l) => l.config.tenant) }),
    role: 'worker',
  })
  const queueLog = (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => service[level]({ ...fields }, message)
  // one pg-boss instance for every tenant of this process: each tenant's queues get their own fetch loops and
  // lanes, so a board with a long backlog never holds another board's jobs behind its own
  const jobs = jobQueue(store.url, store.workers ?? DEFAULT_WORKERS, queueLog)
  // one lane budget for every tenant: the flag, else the smallest lanesPerProcess of the configs
  const lanes =
    maxLanes ??
    Math.min(
      ...opened.map(
        (l) => ((l.config.store as PostgresStore).workers ?? DEFAULT_WORKERS).lanesPerProcess,
      ),
    )
  const resources = workerResources(store.url, lanes)
  const running: ApplyWorker[] = []
  try {
    for (const l of opened) {
      const workers = (l.config.store as PostgresStore).workers
      running.push(
        await startApplyWorker(l.engine, jobs, store.url, {
          jobsPerTarget: (workers ?? DEFAULT_WORKERS).jobsPerTarget,
          resources,
          log: (level, message, fields) =>
            queueLog(level, message, { ...fields, tenant: l.config.tenant }),
        }),
      )
    }
    service.info({ lanes }, 'lanes of this process, for all its tenants')
  } catch (e) {
    service.error(
      { err: e instanceof Error ? e.message : String(e) },
      'koppel worker could not start',
    )
    await Promise.all(running.map((w) => w.stop()))
    await jobs.close()
    await resources.close()
    await closeAll()
    return 1
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGTERM', onTerm)
      process.off('SIGINT', onInt)
      service.info({ signal }, 'stopping: the jobs in hand finish, no new ones are taken')
      Promise.all(running.map((w) => w.stop())).then(
        () => resolve(),
        (e: unknown) => {
          service.error({ err: String(e) }, 'the stop failed')
          resolve()
        },
      )
    }
    const onTerm = () => stop('SIGTERM')
    const onInt = () => stop('SIGINT')
    process.on('SIGTERM', onTerm)
    process.on('SIGINT', onInt)
  })
  await jobs.close()
  await resources.close()
  await closeAll()
  service.info({}, 'stopped')
  return 0
}

type PostgresStore = Extract<Loaded['config']['store'], { kind: 'postgres' }>

/** Why these configs cannot share one worker process, or undefined when they can. */
function workerRefusal(opened: readonly Loaded[]): string | undefined {
  for (const l of opened) {
    const store = l.config.store
    if (store.kind !== 'postgres' || store.workers?.enabled !== true)
      return `${l.configPath}: koppel worker needs store.kind: postgres with store.workers.enabled: true (docs/operations.md)`
  }
  const urls = new Set(opened.map((l) => (l.config.store as PostgresStore).url))
  if (urls.size > 1)
    return `${opened.map((l) => l.configPath).join(', ')}: one worker serves tenants of one store; these name ${urls.size} different store.url values`
  const tenants = opened.map((l) => l.config.tenant)
  const twice = tenants.find((t, i) => tenants.indexOf(t) !== i)
  if (twice !== undefined) return `tenant ${JSON.stringify(twice)} is in two of the configs given`
  return undefined
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
    .addOption(
      // several configs: one worker process serves several tenants (school boards) of one store
      new Option('-c, --config <files...>', 'config file, or one per tenant').default([
        config().defaultValue as string,
      ]),
    )
    .option(
      '--log-level <level>',
      'debug logs every job taken and done (with plan, run and queue)',
      'info',
    )
    .addOption(
      new Option(
        '--max-lanes <n>',
        'jobs this process runs at once across all its tenants (default: store.workers.lanesPerProcess, 64)',
      ).argParser(positiveInteger),
    )
    .action(async (o: { config: string | string[]; logLevel: string; maxLanes?: number }) =>
      set(await workerCommand(o.config, definitions, o.logLevel, o.maxLanes)),
    )
}

function positiveInteger(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new InvalidArgumentError('a whole number from 1 to 10000')
  return n
}
