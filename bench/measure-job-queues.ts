// pg-boss against graphile-worker on one local PostgreSQL (a throwaway cluster from the test harness), for the
// choice of the job queue behind `koppel worker` (issue 18): enqueue N jobs in batches of 500, then drain them
// with 4 consumers taking one job at a time (one action per job, as a worker would). Run by hand:
// `node bench/measure-job-queues.ts [jobs]`. Prints one JSON line per queue.
import { Logger, makeWorkerUtils, run as runGraphile } from 'graphile-worker'
import { PgBoss } from 'pg-boss'
import pg from 'pg'
import { startPostgres } from '../test/harness/postgres.ts'

const total = Number(process.argv[2] ?? 5_000)
const consumers = 4
const batch = 500
const server = await startPostgres()

async function database(name: string): Promise<string> {
  const admin = new pg.Client(server.url)
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  return server.url.replace(/\/postgres$/, `/${name}`)
}

const payload = (i: number) => ({
  target: 'directory',
  action: `directory/p${i}/create`,
  plan: 'plan-bench',
})
const seconds = (since: number) => (performance.now() - since) / 1000

async function measurePgBoss(): Promise<Record<string, unknown>> {
  const boss = new PgBoss({ connectionString: await database('bench_pgboss'), max: consumers + 2 })
  boss.on('error', (e) => console.error(e))
  await boss.start()
  await boss.createQueue('apply')
  const t0 = performance.now()
  for (let i = 0; i < total; i += batch) {
    await boss.insert(
      'apply',
      Array.from({ length: Math.min(batch, total - i) }, (_, k) => ({ data: payload(i + k) })),
    )
  }
  const enqueue = seconds(t0)
  let done = 0
  const t1 = performance.now()
  await Promise.all(
    Array.from({ length: consumers }, async () => {
      for (;;) {
        const [job] = await boss.fetch('apply', { batchSize: 1 })
        if (job === undefined) return
        await boss.complete('apply', job.id)
        done++
      }
    }),
  )
  const drain = seconds(t1)
  await boss.stop({ graceful: false })
  return {
    queue: 'pg-boss',
    jobs: total,
    done,
    enqueuePerSecond: Math.round(total / enqueue),
    drainPerSecond: Math.round(done / drain),
  }
}

async function measureGraphile(): Promise<Record<string, unknown>> {
  const connectionString = await database('bench_graphile')
  const utils = await makeWorkerUtils({ connectionString, logger: new Logger(() => () => {}) })
  await utils.migrate()
  const t0 = performance.now()
  for (let i = 0; i < total; i += batch) {
    await utils.addJobs(
      Array.from({ length: Math.min(batch, total - i) }, (_, k) => ({
        identifier: 'apply',
        payload: payload(i + k),
      })),
    )
  }
  const enqueue = seconds(t0)
  let done = 0
  let finished: () => void = () => {}
  const all = new Promise<void>((r) => (finished = r))
  const t1 = performance.now()
  const runner = await runGraphile({
    connectionString,
    concurrency: consumers,
    noHandleSignals: true,
    pollInterval: 100,
    logger: new Logger(() => () => {}),
    taskList: {
      apply: async () => {
        if (++done === total) finished()
      },
    },
  })
  await all
  const drain = seconds(t1)
  await runner.stop()
  await utils.release()
  return {
    queue: 'graphile-worker',
    jobs: total,
    done,
    enqueuePerSecond: Math.round(total / enqueue),
    drainPerSecond: Math.round(done / drain),
  }
}

try {
  console.log(JSON.stringify(await measurePgBoss()))
  console.log(JSON.stringify(await measureGraphile()))
} finally {
  await server.stop()
}
