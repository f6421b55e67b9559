// Tenants share PostgreSQL connections (issue 18): a `koppel worker` process serving TENANTS school boards and a
// planning process holding an engine per board (as `koppel serve` per board would, in one process) open a number
// of connections that does not grow with the number of boards: one store pool, one pg-boss, one listener and one
// live-lock session per process and database. Counted from pg_stat_activity while every board plans and applies
// at once.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startScimSim, type ScimSim } from '@koppel/sim/scim'
import { loadEngine, type LoadedEngine } from '../src/app/load-engine.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import { connectionWatch } from './harness/connection-watch.ts'
import { startLatencyProxy, type LatencyProxy } from './harness/latency-proxy.ts'
import { postgresSkipReason, startPostgres, type PostgresServer } from './harness/postgres.ts'
import { postgresWorkersStore, scimBoardConfig } from './harness/scim-board-config.ts'
import { KOPPEL_BIN } from './support/koppel-cli.ts'

const TENANTS = 12
const PERSONS = 3
const TOKEN = 'connections-test-token'
const now = () => new Date('2026-11-23T06:00:00Z')

// docs/operations.md's formula with the defaults: a process opens at most its store pool (store.pool.max 8),
// pg-boss's pool (10), one LISTEN connection (pass notices and job wake-ups), one live-lock session and, taking
// jobs, two target-slot sessions. Nothing here counts tenants, nor the worker's 64 lanes.
const PER_PROCESS = 8 + 10 + 1 + 1 + 2
const BOUND = 2 * PER_PROCESS

const config = (tenant: string, scimUrl: string) =>
  scimBoardConfig({
    tenant,
    store: postgresWorkersStore(
      'KOPPEL_TEST_DATABASE_URL',
      '{ enabled: true, inProcess: false, jobsPerTarget: 2, heartbeatSeconds: 10, checkSeconds: 1 }',
    ),
    scimUrl,
    userDomain: `${tenant}.test`,
    apply: '{ concurrency: 2 }',
  })

describe('connections of many tenants', { skip: postgresSkipReason() ?? false }, () => {
  let server: PostgresServer | undefined
  let sim: ScimSim | undefined
  let proxy: LatencyProxy | undefined
  let dir = ''
  let worker: ChildProcess | undefined
  before(async () => {
    server = await startPostgres()
    sim = await startScimSim({ token: TOKEN })
    proxy = await startLatencyProxy(Number(new URL(sim.url).port), 10)
    dir = mkdtempSync(join(tmpdir(), 'koppel-connections-'))
  })
  after(async () => {
    if (worker !== undefined && worker.exitCode === null) worker.kill('SIGKILL')
    await proxy?.close()
    await sim?.close()
    await server?.stop()
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })

  test(
    `a worker and a planning process for ${TENANTS} boards stay within the per-process bound`,
    { timeout: 300_000 },
    async (t) => {
      const url = server?.url ?? ''
      const env = { KOPPEL_TEST_DATABASE_URL: url, SCIM_TOKEN: TOKEN }
      const watch = await connectionWatch(url)
      const loaded: LoadedEngine[] = []
      try {
        const configs: string[] = []
        for (let b = 0; b < TENANTS; b++) {
          const tenant = `board-${b}`
          const sub = join(dir, tenant)
          mkdirSync(sub)
          const rows = Array.from(
            { length: PERSONS },
            (_, i) => `${b * 1000 + i},Sam,Jansen ${i},2025-08-01`,
          )
          writeFileSync(
            join(sub, 'pupils.csv'),
            `nr,voornaam,achternaam,begin\n${rows.join('\n')}\n`,
          )
          writeFileSync(join(sub, 'koppel.yaml'), config(tenant, proxy?.url ?? ''))
          configs.push(join(sub, 'koppel.yaml'))
          const r = await loadEngine(join(sub, 'koppel.yaml'), connectorDefinitions, {
            env: { ...process.env, ...env },
            now,
          })
          if (!r.ok) assert.fail(r.errors.join('\n'))
          loaded.push(r.loaded)
        }
        let out = ''
        const child = spawn(
          process.execPath,
          ['--no-warnings', KOPPEL_BIN, 'worker', '-c', ...configs],
          { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
        )
        worker = child
        child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d))
        child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d))
        const exited = new Promise<void>((r) => child.on('exit', () => r()))
        while (!out.includes('"msg":"lanes of this process, for all its tenants"')) {
          assert.equal(child.exitCode, null, `the worker exited before it started:\n${out}`)
          await new Promise((r) => setTimeout(r, 50))
        }
        // the window opens: every board plans and applies at once
        const results = await Promise.all(
          loaded.map(async (l) => {
            const planned = await makePlan(l.engine, { actor: 'test' })
            assert.ok(planned.ok && planned.plan.actions.length === PERSONS)
            return applyStoredPlan(l.engine, planned.plan.id, { actor: 'test' })
          }),
        )
        for (const r of results) assert.ok(r.ok && r.report.state === 'done')
        assert.equal(sim?.users.size, TENANTS * PERSONS)
        child.kill('SIGTERM')
        await exited
        assert.equal(child.exitCode, 0, out.slice(-2000))
      } finally {
        for (const l of loaded) await l.close()
        await watch.stop()
      }
      t.diagnostic(
        `peak ${watch.peak} connections for ${TENANTS} boards (bound ${BOUND}): ${JSON.stringify(watch.peakByName)}`,
      )
      const listens = Object.entries(watch.peakByName).filter(([name]) => name.endsWith(' listen'))
      assert.ok(
        listens.every(([, n]) => n <= 1),
        `one LISTEN connection per process: ${JSON.stringify(watch.peakByName)}`,
      )
      assert.ok(
        watch.peak <= BOUND,
        `${watch.peak} connections at the peak, more than ${BOUND}: ${JSON.stringify(watch.peakByName)}`,
      )
    },
  )
})
