// Issue 18: TENANTS school boards of PERSONS pupils each in one store, all due in the same schedule window. Each
// board is planned and applied (SCIM simulator behind a proxy adding 50 ms per request, creates) by its own
// engine in this process, as its `koppel serve` would at the window's start; WORKERS `koppel worker` processes,
// each serving every board (`-c` with all configs), take the jobs. Prints the total time, each board's wait
// (window start → its apply done) as median and slowest, the CPU time of each process (planning, simulator and
// proxy, each worker, PostgreSQL) over the window, the 1-minute load average, and the peak of connections
// to PostgreSQL (pg_stat_activity, by application_name) from the boards' loading to the workers' stop. The
// waits are also given as 10th/90th percentiles, and the slowest boards by name with the order their plans
// were done in and when, so a spread can be told apart: a late plan, or a long apply after an early one.
//   node bench/tenants.bench.ts [tenants=100] [persons=1000] [workers=4]
// Not part of `npm run bench`: at full size it plans and applies 100,000 creates.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadEngine, type LoadedEngine } from '../src/app/load-engine.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import { connectionWatch } from '../test/harness/connection-watch.ts'
import { postgresSkipReason, startPostgres } from '../test/harness/postgres.ts'
import { postgresWorkersStore, scimBoardConfig } from '../test/harness/scim-board-config.ts'
import { KOPPEL_BIN } from '../test/support/koppel-cli.ts'
import { cpuMs, postgresCpuMs, postmasterPid } from './process-cpu.ts'
import { startTarget } from './scim-target-client.ts'

const TENANTS = Number(process.argv[2] ?? 100)
const PERSONS = Number(process.argv[3] ?? 1000)
const WORKERS = Number(process.argv[4] ?? 4)
const LATENCY_MS = 50
const TOKEN = 'bench-token'
const say = (line: string) => console.log(line)
const load = () => loadavg()[0]?.toFixed(2)
const SHOWN = 5

/** Nearest rank: the smallest wait that `p` % of the boards do not exceed. */
const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN

/** One board's window: when its plan was done (and as how many-th), and when its apply was. */
interface BoardWait {
  readonly tenant: string
  readonly planRank: number
  readonly plannedMs: number
  readonly waitMs: number
}

const config = (tenant: string, scimUrl: string) =>
  scimBoardConfig({
    tenant,
    store: postgresWorkersStore(
      'KOPPEL_BENCH_DATABASE_URL',
      '{ enabled: true, inProcess: false, jobsPerTarget: 4, checkSeconds: 1 }',
    ),
    scimUrl,
    userDomain: `${tenant}.test`,
    apply: '{ concurrency: 8 }',
  })

function startWorker(
  configs: readonly string[],
  env: Record<string, string>,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--no-warnings', KOPPEL_BIN, 'worker', '-c', ...configs], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d))
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.split('"msg":"worker started"').length <= configs.length) return
      clearInterval(timer)
      resolve(child)
    }, 100)
    child.on('exit', () => {
      clearInterval(timer)
      reject(new Error(`a worker exited before it started:\n${out.slice(-3000)}`))
    })
  })
}

const skip = postgresSkipReason()
if (skip !== undefined) say(`skipped: ${skip}`)
else {
  say(
    `# ${TENANTS} tenants × ${PERSONS} persons in one window, ${WORKERS} workers serving all, ${LATENCY_MS} ms per request (load before: ${load()})`,
  )
  const server = await startPostgres()
  // the simulator and proxy in their own process: in this one they took a core at 100 boards (13 creates/s)
  const target = await startTarget(TOKEN, LATENCY_MS)
  const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-tenants-'))
  const env = { KOPPEL_BENCH_DATABASE_URL: server.url, SCIM_TOKEN: TOKEN }
  const watch = await connectionWatch(server.url, 100)
  const engines: LoadedEngine[] = []
  const children: ChildProcess[] = []
  try {
    const configs: string[] = []
    for (let t = 0; t < TENANTS; t++) {
      const sub = join(dir, `board-${t}`)
      mkdirSync(sub)
      const rows = Array.from(
        { length: PERSONS },
        (_, i) => `${t * 1_000_000 + i},Kim,Visser ${i},2025-08-01`,
      )
      writeFileSync(join(sub, 'pupils.csv'), `nr,voornaam,achternaam,begin\n${rows.join('\n')}\n`)
      writeFileSync(join(sub, 'koppel.yaml'), config(`board-${t}`, target.url))
      configs.push(join(sub, 'koppel.yaml'))
      const r = await loadEngine(join(sub, 'koppel.yaml'), connectorDefinitions, {
        env: { ...process.env, ...env },
      })
      if (!r.ok) throw new Error(r.errors.join('\n'))
      engines.push(r.loaded)
    }
    for (let i = 0; i < WORKERS; i++) children.push(await startWorker(configs, env))
    const postmaster = await postmasterPid(server.url)
    const workers0 = children.map((c) => cpuMs(c.pid))
    const pg0 = postgresCpuMs(postmaster)
    const target0 = (await target.ask()).cpuMs
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    // the window opens: every board plans and applies at once, as their schedules all fire
    let plansDone = 0
    const boards = await Promise.all(
      engines.map(async (l): Promise<BoardWait> => {
        const planned = await makePlan(l.engine, { actor: 'bench' })
        if (!planned.ok || planned.plan.actions.length !== PERSONS)
          throw new Error(`${l.config.tenant}: the plan is not the expected creates`)
        const plannedMs = performance.now() - t0
        const planRank = ++plansDone
        const applied = await applyStoredPlan(l.engine, planned.plan.id, { actor: 'bench' })
        if (!applied.ok || applied.report.state !== 'done')
          throw new Error(`${l.config.tenant}: the apply failed`)
        return { tenant: l.config.tenant, planRank, plannedMs, waitMs: performance.now() - t0 }
      }),
    )
    const total = (performance.now() - t0) / 1000
    const c = process.cpuUsage(c0)
    const workersCpu = children.map((w, i) => cpuMs(w.pid) - (workers0[i] ?? 0))
    const pgCpu = postgresCpuMs(postmaster) - pg0
    const stats = await target.ask()
    if (stats.users !== TENANTS * PERSONS)
      throw new Error(`${stats.users} users in the simulator, expected ${TENANTS * PERSONS}`)
    const byWait = [...boards].sort((a, b) => a.waitMs - b.waitMs)
    const sorted = byWait.map((b) => b.waitMs)
    const s = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(2)} s`
    const board = (b: BoardWait) =>
      `${b.tenant} ${s(b.waitMs)} (planned #${b.planRank}/${TENANTS} at ${s(b.plannedMs)})`
    say(
      `  total ${total.toFixed(2)} s for ${TENANTS * PERSONS} creates (${((TENANTS * PERSONS) / total).toFixed(0)}/s); planning process CPU ${((c.user + c.system) / 1e6).toFixed(2)} s, simulator+proxy process ${((stats.cpuMs - target0) / 1000).toFixed(2)} s, workers ${workersCpu.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(' / ')}, PostgreSQL ${(pgCpu / 1000).toFixed(2)} s; load ${load()}`,
    )
    say(
      `  each board's wait (window start → apply done): fastest ${s(sorted[0])}, p10 ${s(percentile(sorted, 10))}, median ${s(sorted[Math.floor(sorted.length / 2)])}, p90 ${s(percentile(sorted, 90))}, slowest ${s(sorted.at(-1))}; load ${load()}`,
    )
    say(`  slowest boards: ${byWait.slice(-SHOWN).reverse().map(board).join('; ')}`)
    say(`  fastest boards: ${byWait.slice(0, SHOWN).map(board).join('; ')}`)
  } finally {
    for (const c of children) c.kill('SIGTERM')
    await Promise.all(
      children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.on('exit', r)))),
    )
    for (const l of engines) await l.close()
    await watch.stop()
    say(
      `  peak ${watch.peak} connections to PostgreSQL (this process and ${WORKERS} workers): ${JSON.stringify(watch.peakByName)}`,
    )
    await target.stop()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
