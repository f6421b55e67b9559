// Fair scheduling across tenants (issue 18): one `koppel worker` process serves a big and a small school board
// of one store. The big board's apply is enqueued first with far more jobs than the worker's lanes; the small
// board's few jobs, enqueued after, still finish long before the big board's backlog (each tenant's queues have
// their own fetch loops and lanes in the worker, so a backlog never stands in front of another board's jobs).
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
import { startLatencyProxy, type LatencyProxy } from './harness/latency-proxy.ts'
import { postgresSkipReason, startPostgres, type PostgresServer } from './harness/postgres.ts'
import { postgresWorkersStore, scimBoardConfig } from './harness/scim-board-config.ts'
import { KOPPEL_BIN } from './support/koppel-cli.ts'

const BIG = 120
const SMALL = 4
const TOKEN = 'tenants-test-token'
const now = () => new Date('2026-11-23T06:00:00Z')

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

function board(dir: string, tenant: string, persons: number, first: number, scimUrl: string) {
  const sub = join(dir, tenant)
  mkdirSync(sub)
  const rows = Array.from({ length: persons }, (_, i) => `${first + i},Sam,Jansen ${i},2025-08-01`)
  writeFileSync(join(sub, 'pupils.csv'), `nr,voornaam,achternaam,begin\n${rows.join('\n')}\n`)
  writeFileSync(join(sub, 'koppel.yaml'), config(tenant, scimUrl))
  return join(sub, 'koppel.yaml')
}

describe('fair scheduling across tenants', { skip: postgresSkipReason() ?? false }, () => {
  let server: PostgresServer | undefined
  let sim: ScimSim | undefined
  let proxy: LatencyProxy | undefined
  let dir = ''
  let worker: ChildProcess | undefined
  before(async () => {
    server = await startPostgres()
    sim = await startScimSim({ token: TOKEN })
    proxy = await startLatencyProxy(Number(new URL(sim.url).port), 25)
    dir = mkdtempSync(join(tmpdir(), 'koppel-tenants-'))
  })
  after(async () => {
    if (worker !== undefined && worker.exitCode === null) worker.kill('SIGKILL')
    await proxy?.close()
    await sim?.close()
    await server?.stop()
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })

  test(
    "a big board's backlog does not hold a small board's few jobs behind it",
    { timeout: 240_000 },
    async (t) => {
      const env = { KOPPEL_TEST_DATABASE_URL: server?.url ?? '', SCIM_TOKEN: TOKEN }
      const bigConfig = board(dir, 'big', BIG, 10_000, proxy?.url ?? '')
      const smallConfig = board(dir, 'small', SMALL, 20_000, proxy?.url ?? '')
      const loaded: LoadedEngine[] = []
      try {
        for (const c of [bigConfig, smallConfig]) {
          const r = await loadEngine(c, connectorDefinitions, {
            env: { ...process.env, ...env },
            now,
          })
          if (!r.ok) assert.fail(r.errors.join('\n'))
          loaded.push(r.loaded)
        }
        const [big, small] = loaded as [LoadedEngine, LoadedEngine]
        const bigPlan = await makePlan(big.engine, { actor: 'test' })
        const smallPlan = await makePlan(small.engine, { actor: 'test' })
        assert.ok(bigPlan.ok && smallPlan.ok)

        let out = ''
        const child = spawn(
          process.execPath,
          ['--no-warnings', KOPPEL_BIN, 'worker', '-c', bigConfig, smallConfig],
          { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
        )
        worker = child
        child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d))
        child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d))
        const exited = new Promise<void>((r) => child.on('exit', () => r()))
        while (out.split('"msg":"worker started"').length < 3) {
          assert.equal(child.exitCode, null, `the worker exited before it started:\n${out}`)
          await new Promise((r) => setTimeout(r, 50))
        }

        const t0 = Date.now()
        const bigDone = applyStoredPlan(big.engine, bigPlan.plan.id, { actor: 'test' }).then(
          (r) => ({
            r,
            ms: Date.now() - t0,
          }),
        )
        // the big board's jobs are all queued before the small board's arrive
        while ((await big.engine.store.journalFor(bigPlan.plan.id)).length === 0)
          await new Promise((r) => setTimeout(r, 20))
        const t1 = Date.now()
        const smallResult = await applyStoredPlan(small.engine, smallPlan.plan.id, {
          actor: 'test',
        })
        const smallMs = Date.now() - t1
        const bigRecorded = (await big.engine.store.journalFor(bigPlan.plan.id)).filter(
          (e) => e.phase === 'applied',
        ).length
        const bigResult = await bigDone
        t.diagnostic(
          `small board: ${SMALL} creates in ${smallMs} ms; big board: ${BIG} creates in ${bigResult.ms} ms, ${bigRecorded} recorded when the small one ended`,
        )
        assert.ok(smallResult.ok && smallResult.report.state === 'done')
        assert.ok(bigResult.r.ok && bigResult.r.report.state === 'done')
        // served beside the backlog, not after it
        assert.ok(
          bigRecorded < BIG / 2,
          `the small board waited for ${bigRecorded} of ${BIG} big-board creates`,
        )
        assert.ok(smallMs < bigResult.ms / 3, `small ${smallMs} ms against big ${bigResult.ms} ms`)

        child.kill('SIGTERM')
        await exited
        assert.equal(child.exitCode, 0, out.slice(-2000))
      } finally {
        for (const l of loaded) await l.close()
      }
    },
  )

  test(
    "--max-lanes bounds a worker's jobs across its tenants, not per tenant",
    { timeout: 240_000 },
    async (t) => {
      const env = { KOPPEL_TEST_DATABASE_URL: server?.url ?? '', SCIM_TOKEN: TOKEN }
      // a proxy of its own: its count of requests in flight is this test's
      const own = await startLatencyProxy(Number(new URL(sim?.url ?? '').port), 25)
      const loaded: LoadedEngine[] = []
      try {
        // three boards × jobsPerTarget 2 (each board's concurrency 2): six jobs at once without the cap
        const configs = ['lanes-a', 'lanes-b', 'lanes-c'].map((tenant, i) =>
          board(dir, tenant, 8, 30_000 + i * 100, own.url),
        )
        for (const c of configs) {
          const r = await loadEngine(c, connectorDefinitions, {
            env: { ...process.env, ...env },
            now,
          })
          if (!r.ok) assert.fail(r.errors.join('\n'))
          loaded.push(r.loaded)
        }
        const plans: string[] = []
        for (const l of loaded) {
          const p = await makePlan(l.engine, { actor: 'test' })
          assert.ok(p.ok && p.plan.actions.length === 8)
          plans.push(p.plan.id)
        }
        let out = ''
        const child = spawn(
          process.execPath,
          ['--no-warnings', KOPPEL_BIN, 'worker', '--max-lanes', '2', '-c', ...configs],
          { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
        )
        worker = child
        child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d))
        child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d))
        const exited = new Promise<void>((r) => child.on('exit', () => r()))
        // the lanes line is written after every tenant's "worker started": wait for it, not for those
        while (!out.includes('"msg":"lanes of this process, for all its tenants"')) {
          assert.equal(child.exitCode, null, `the worker exited before it started:\n${out}`)
          await new Promise((r) => setTimeout(r, 50))
        }
        assert.equal(out.split('"msg":"worker started"').length, 4, out)
        assert.match(out, /"lanes":2,"msg":"lanes of this process, for all its tenants"/)
        const results = await Promise.all(
          loaded.map((l, i) => applyStoredPlan(l.engine, plans[i] ?? '', { actor: 'test' })),
        )
        for (const r of results) assert.ok(r.ok && r.report.state === 'done')
        t.diagnostic(`at most ${own.maxInFlight()} requests in flight for three boards`)
        // each lane sends one request at a time (a create: look up, then POST)
        assert.ok(own.maxInFlight() <= 2, `${own.maxInFlight()} requests in flight`)
        assert.equal(own.maxInFlight(), 2, 'both lanes were used')
        child.kill('SIGTERM')
        await exited
        assert.equal(child.exitCode, 0, out.slice(-2000))
      } finally {
        for (const l of loaded) await l.close()
        await own.close()
      }
    },
  )
})
