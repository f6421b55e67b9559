// P5 (issue 18): `koppel worker` processes against a latency-bound target, 1 against 2 against 4 workers.
// The SCIM simulator sits behind a proxy that adds 50 ms to every request, both in a process of their own
// (bench/scim-target-process.ts) so the applying process's CPU is Koppel's; each create is two requests (find by
// anchor, POST). Each worker runs `jobsPerTarget` jobs at once and the target's apply.concurrency (64) caps all
// workers together, far above what four workers use, so the workers are the bound being measured. For every
// worker count: a fresh database and simulator, a plan of N creates made in this process, N worker processes
// started, then the apply timed from enqueue to the last outcome. Prints actions/s, the ratios against one worker
// and the 1-minute load average (a busy machine flattens the ratios).
//   node bench/workers.bench.ts [actions=1000] [jobsPerTarget=4] [workerCounts=1,2,4]
// Not part of `npm run bench`: it starts up to four extra Node processes.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { loadEngine } from '../src/app/load-engine.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import { postgresSkipReason, startPostgres } from '../test/harness/postgres.ts'
import { postgresWorkersStore, scimBoardConfig } from '../test/harness/scim-board-config.ts'
import { KOPPEL_BIN } from '../test/support/koppel-cli.ts'
import { cpuMs, postgresCpuMs, postmasterPid } from './process-cpu.ts'
import { startTarget } from './scim-target-client.ts'

const actions = Number(process.argv[2] ?? 1000)
const jobsPerTarget = Number(process.argv[3] ?? 4)
/** Worker counts to compare, `1,2,4` unless given; the first is the base of the ratios. */
const counts = (process.argv[4] ?? '1,2,4').split(',').map(Number)
const LATENCY_MS = 50
const TOKEN = 'bench-token'
const say = (line: string) => console.log(line)

/**
 * Committed transactions of one database so far (each autocommit statement is one, so a round-trip count) and
 * sessions opened on it (a connection pool that churns shows here).
 */
async function commits(url: string, db: string): Promise<{ xacts: number; sessions: number }> {
  const c = new pg.Client(url)
  await c.connect()
  try {
    const { rows } = await c.query<{ n: string; s: string }>(
      'select xact_commit::text as n, sessions::text as s from pg_stat_database where datname = $1',
      [db],
    )
    return { xacts: Number(rows[0]?.n ?? 0), sessions: Number(rows[0]?.s ?? 0) }
  } finally {
    await c.end()
  }
}

/**
 * Appends to the tenant's audit chain so far: each takes the audit-head row lock, and the rows of one append
 * share the inserting transaction's id.
 */
async function auditAppends(url: string): Promise<number> {
  const c = new pg.Client(url)
  await c.connect()
  try {
    const { rows } = await c.query<{ n: number }>(
      'select count(distinct xmin::text)::int as n from audit',
    )
    return rows[0]?.n ?? 0
  } finally {
    await c.end()
  }
}

const config = (scimUrl: string) =>
  scimBoardConfig({
    store: postgresWorkersStore(
      'KOPPEL_BENCH_DATABASE_URL',
      `{ enabled: true, inProcess: false, jobsPerTarget: ${jobsPerTarget} }`,
    ),
    scimUrl,
    apply: '{ concurrency: 64 }',
  })

function startWorker(dir: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--no-warnings', KOPPEL_BIN, 'worker', '-c', join(dir, 'koppel.yaml')],
    { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d))
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (!out.includes('"msg":"worker started"')) return
      clearInterval(timer)
      resolve(child)
    }, 50)
    child.on('exit', () => {
      clearInterval(timer)
      reject(new Error(`a worker exited before it started:\n${out}`))
    })
  })
}

async function measure(server: { url: string }, workers: number): Promise<number> {
  const admin = new pg.Client(server.url)
  await admin.connect()
  await admin.query(`create database bench_workers_${workers}`)
  await admin.end()
  const url = server.url.replace(/\/postgres$/, `/bench_workers_${workers}`)
  const target = await startTarget(TOKEN, LATENCY_MS)
  const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-workers-'))
  const children: ChildProcess[] = []
  try {
    const rows = [
      'nr,voornaam,achternaam,begin',
      ...Array.from({ length: actions }, (_, i) => `${100000 + i},Kim,Visser ${i},2025-08-01`),
    ]
    writeFileSync(join(dir, 'pupils.csv'), `${rows.join('\n')}\n`)
    writeFileSync(join(dir, 'koppel.yaml'), config(target.url))
    const env = { KOPPEL_BENCH_DATABASE_URL: url, SCIM_TOKEN: TOKEN }
    const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
      env: { ...process.env, ...env },
    })
    if (!r.ok) throw new Error(r.errors.join('\n'))
    try {
      const planned = await makePlan(r.loaded.engine, { actor: 'bench' })
      if (
        !planned.ok ||
        planned.plan.actions.length !== actions ||
        planned.plan.status !== 'planned'
      )
        throw new Error('the plan is not the expected creates')
      for (let i = 0; i < workers; i++) children.push(await startWorker(dir, env))
      const db = `bench_workers_${workers}`
      const commits0 = await commits(server.url, db)
      const appends0 = await auditAppends(url)
      const cpu0 = children.reduce((n, c) => n + cpuMs(c.pid), 0)
      const postmaster = await postmasterPid(server.url)
      const pg0 = postgresCpuMs(postmaster)
      const self0 = process.cpuUsage()
      const target0 = (await target.ask()).cpuMs
      const t0 = performance.now()
      const applied = await applyStoredPlan(r.loaded.engine, planned.plan.id, { actor: 'bench' })
      const seconds = (performance.now() - t0) / 1000
      const workerCpu = children.reduce((n, c) => n + cpuMs(c.pid), 0) - cpu0
      const pgCpu = postgresCpuMs(postmaster) - pg0
      const self = process.cpuUsage(self0)
      const applyCpu = (self.user + self.system) / 1000
      const stats = await target.ask()
      const targetCpu = stats.cpuMs - target0
      // the statistics collector reports a backend's commits when it goes idle: give it a moment
      await new Promise((r) => setTimeout(r, 1200))
      const commits1 = await commits(server.url, db)
      const xacts = commits1.xacts - commits0.xacts
      const sessions = commits1.sessions - commits0.sessions
      const appends = (await auditAppends(url)) - appends0
      if (!applied.ok || applied.report.state !== 'done')
        throw new Error(
          applied.ok ? JSON.stringify(applied.report.failures.slice(0, 3)) : applied.message,
        )
      if (stats.users !== actions)
        throw new Error(`${stats.users} users in the simulator, expected ${actions}`)
      say(
        `  ${workers} worker(s): ${actions} creates in ${seconds.toFixed(2)} s = ${(actions / seconds).toFixed(1)} actions/s, at most ${stats.maxInFlight} requests in flight, load ${loadavg()[0]?.toFixed(2)}`,
      )
      say(
        `    per action: ${(workerCpu / actions).toFixed(1)} ms worker CPU, ${(applyCpu / actions).toFixed(1)} ms CPU of the applying process, ${(targetCpu / actions).toFixed(1)} ms of the simulator and proxy (own process), ${(pgCpu / actions).toFixed(1)} ms of PostgreSQL, ${(xacts / actions).toFixed(1)} PostgreSQL transactions (all processes, polling included), ${(appends / actions).toFixed(2)} audit-head locks (chain appends); ${sessions} database sessions opened`,
      )
      return actions / seconds
    } finally {
      await r.loaded.close()
    }
  } finally {
    for (const c of children) c.kill('SIGTERM')
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null ? undefined : new Promise((res) => c.on('exit', res)),
      ),
    )
    await target.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

const skip = postgresSkipReason()
if (skip !== undefined) {
  say(`skipped: ${skip}`)
} else {
  say(
    `# P5: workers against a ${LATENCY_MS} ms-per-request SCIM target, ${actions} creates, ${jobsPerTarget} jobs per worker (load before: ${loadavg()[0]?.toFixed(2)})`,
  )
  const server = await startPostgres()
  try {
    const rates = new Map<number, number>()
    for (const n of counts) rates.set(n, await measure(server, n))
    const base = rates.get(counts[0] ?? 1) ?? 1
    const goal: Record<number, string> = { 2: ' (goal ≥ 1.8×)', 4: ' (goal ≥ 3.2×)' }
    say(
      `  ${counts
        .slice(1)
        .map(
          (n) =>
            `${n} workers / ${counts[0]}: ${((rates.get(n) ?? 0) / base).toFixed(2)}×${goal[n] ?? ''}`,
        )
        .join('; ')}; load after ${loadavg()[0]?.toFixed(2)}`,
    )
  } finally {
    await server.stop()
  }
}
