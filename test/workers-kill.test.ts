// Issue 18's "Done means": a real PostgreSQL, three `koppel worker` processes against a latency-bound target
// (the SCIM simulator behind a proxy that adds 50 ms to every request and counts requests in flight), one worker
// SIGKILLed mid-run. The run completes, every action exactly once (the journal, the audit log and the target's
// own count of users and POSTs), the target's concurrency limit held across the workers, and the next plan is empty.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { startScimSim, type ScimSim } from '@koppel/sim/scim'
import { loadEngine } from '../src/app/load-engine.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import { startLatencyProxy, type LatencyProxy } from './harness/latency-proxy.ts'
import { postgresSkipReason, startPostgres, type PostgresServer } from './harness/postgres.ts'
import { metricsRegistry } from '../src/ops/metrics.ts'
import { pgTargetPause } from '../src/worker/target-pause.ts'
import { KOPPEL_BIN } from './support/koppel-cli.ts'

const PERSONS = 90
const CONCURRENCY = 3
const LATENCY_MS = 50
const TOKEN = 'worker-test-token'
const now = () => new Date('2026-11-23T06:00:00Z')

function config(scimUrl: string, inProcess = false): string {
  return `version: 1
store:
  kind: postgres
  url: \${env:KOPPEL_TEST_DATABASE_URL}
  workers:
    enabled: true
    inProcess: ${inProcess}
    heartbeatSeconds: 10
    checkSeconds: 1
sources:
  - name: school
    type: csv
    file: ./pupils.csv
    columns: { key: nr, givenName: voornaam, familyName: achternaam, classGroup: klas, start: begin }
    defaults: { role: student, organisation: school }
targets:
  - name: app
    type: scim
    baseUrl: ${scimUrl}/scim/v2
    token: \${env:SCIM_TOKEN}
    bulk: never
    readAttributes: [userName, externalId, displayName, name.givenName, name.familyName]
    anchor: { attribute: externalId, value: person.key }
    attributes:
      externalId: person.key
      userName: 'person.key + "@school.test"'
      displayName: fullName(person)
      name.givenName: person.givenName
      name.familyName: familyName(person)
    apply: { concurrency: ${CONCURRENCY}, retries: 2 }
rules:
  - name: every pupil
    when: contract.role == "student"
    grant:
      - account: app
`
}

interface Worker {
  readonly child: ChildProcess
  readonly output: () => string
  readonly jobsDone: () => number
  /** Jobs taken and not finished, by its log (the worker runs with --log-level debug). */
  readonly inHand: () => number
  readonly exited: Promise<void>
}

function startWorker(dir: string, env: Record<string, string>): Promise<Worker> {
  const child = spawn(
    process.execPath,
    ['--no-warnings', KOPPEL_BIN, 'worker', '-c', join(dir, 'koppel.yaml'), '--log-level', 'debug'],
    { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d))
  const exited = new Promise<void>((r) => child.on('exit', () => r()))
  const count = (msg: string) => out.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length
  const worker: Worker = {
    child,
    output: () => out,
    jobsDone: () => count('job done'),
    inHand: () => count('job started') - count('job done'),
    exited,
  }
  return new Promise((resolve, reject) => {
    const started = setInterval(() => {
      if (out.includes('"msg":"worker started"')) {
        clearInterval(started)
        resolve(worker)
      }
    }, 50)
    void exited.then(() => {
      clearInterval(started)
      reject(new Error(`the worker exited before it started:\n${out}`))
    })
  })
}

describe('koppel worker on PostgreSQL', { skip: postgresSkipReason() ?? false }, () => {
  let server: PostgresServer | undefined
  let sim: ScimSim | undefined
  let proxy: LatencyProxy | undefined
  let dir = ''
  const workers: Worker[] = []
  before(async () => {
    server = await startPostgres()
    sim = await startScimSim({ token: TOKEN })
    proxy = await startLatencyProxy(Number(new URL(sim.url).port), LATENCY_MS)
    dir = mkdtempSync(join(tmpdir(), 'koppel-workers-'))
  })
  after(async () => {
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL')
    await Promise.all(workers.map((w) => w.exited))
    await proxy?.close()
    await sim?.close()
    await server?.stop()
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })

  test(
    'three workers, one SIGKILLed mid-run: every action exactly once, the target limit held, the next plan empty',
    { timeout: 180_000 },
    async (t) => {
      const env = { KOPPEL_TEST_DATABASE_URL: server?.url ?? '', SCIM_TOKEN: TOKEN }
      const rows = [
        'nr,voornaam,achternaam,klas,begin',
        ...Array.from(
          { length: PERSONS },
          (_, i) => `${1000 + i},Kim,Visser ${i},${1 + (i % 3)}A,2025-08-01`,
        ),
      ]
      writeFileSync(join(dir, 'pupils.csv'), `${rows.join('\n')}\n`)
      writeFileSync(join(dir, 'koppel.yaml'), config(proxy?.url ?? ''))
      const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
        env: { ...process.env, ...env },
        now,
      })
      if (!r.ok) assert.fail(r.errors.join('\n'))
      const loaded = r.loaded
      try {
        const planned = await makePlan(loaded.engine, { actor: 'test' })
        if (!planned.ok) assert.fail(planned.issues.map((i) => i.message).join('\n'))
        const plan = planned.plan
        assert.equal(plan.status, 'planned', plan.findings.map((f) => f.message).join('; '))
        assert.equal(plan.actions.length, PERSONS)

        for (let i = 0; i < 3; i++) workers.push(await startWorker(dir, env))
        const applying = applyStoredPlan(loaded.engine, plan.id, { actor: 'test' })

        // mid-run: a quarter of the actions recorded, and the worker killed has jobs in hand
        const store = loaded.engine.store
        let victim: Worker | undefined
        while (victim === undefined) {
          const applied = (await store.journalFor(plan.id)).filter(
            (e) => e.phase === 'applied',
          ).length
          assert.ok(applied < PERSONS, 'the run ended before a worker could be killed mid-run')
          if (applied >= PERSONS / 4)
            victim = [...workers]
              .sort((a, b) => b.inHand() - a.inHand())
              .find((w) => w.inHand() > 0 && w.jobsDone() > 0)
          if (victim === undefined) await new Promise((res) => setTimeout(res, 10))
        }
        victim.child.kill('SIGKILL')
        await victim.exited
        const recordedAtKill = (await store.journalFor(plan.id)).filter(
          (e) => e.phase === 'applied',
        ).length
        assert.ok(
          recordedAtKill < PERSONS,
          `killed mid-run (${recordedAtKill} of ${PERSONS} recorded)`,
        )

        const started = Date.now()
        const result = await applying
        t.diagnostic(
          `killed a worker at ${recordedAtKill} of ${PERSONS} recorded; the rest took ${Date.now() - started} ms`,
        )
        assert.ok(result.ok, result.ok ? '' : result.message)
        assert.equal(
          result.report.state,
          'done',
          JSON.stringify(result.report.failures.slice(0, 3)),
        )

        // exactly once: the journal, the audit log, and the target's own users and POSTs
        const journal = await store.journalFor(plan.id)
        assert.equal(journal.length, PERSONS)
        assert.ok(journal.every((e) => e.phase === 'applied'))
        const events = await store.listAudit({ planId: plan.id, limit: 10_000 })
        const appliedEvents = events.filter((e) => e.type === 'action.applied')
        assert.equal(appliedEvents.length, PERSONS)
        assert.equal(new Set(appliedEvents.map((e) => e.actionId)).size, PERSONS)
        assert.equal(sim?.users.size, PERSONS)
        assert.equal(
          new Set([...(sim?.users.values() ?? [])].map((u) => u['externalId'])).size,
          PERSONS,
        )
        assert.equal(
          sim?.http.requests.get('POST /scim/v2/Users'),
          PERSONS,
          'one POST per account: a re-sent create found its account',
        )
        assert.equal((await store.listAccounts('app')).length, PERSONS)
        // three processes appended to one audit chain at once, one of them killed: the chain still verifies
        const chain = await store.verifyAudit()
        assert.ok(chain.ok, JSON.stringify(chain))

        // the killed worker's jobs were taken over after its heartbeat stopped
        const db = new pg.Client(server?.url)
        await db.connect()
        try {
          const { rows: retried } = await db.query<{ n: number }>(
            "select count(*)::int as n from koppel_jobs.job where retry_count > 0 and state = 'completed'",
          )
          t.diagnostic(
            `jobs retried after the kill: ${retried[0]?.n}; most requests in flight: ${proxy?.maxInFlight()}`,
          )
          assert.ok((retried[0]?.n ?? 0) > 0, 'a job of the killed worker was retried by another')
        } finally {
          await db.end()
        }
        // three workers with three jobs each, yet never more than the target's limit in flight
        assert.ok(
          (proxy?.maxInFlight() ?? 0) <= CONCURRENCY,
          `at most ${CONCURRENCY} requests in flight, saw ${proxy?.maxInFlight()}`,
        )
        assert.ok(
          workers.filter((w) => w !== victim).every((w) => w.jobsDone() > 0),
          'both surviving workers took jobs',
        )

        // /metrics of the applying process shows the target's queue (counted on pg-boss's monitor pass)
        assert.match(
          await metricsRegistry.metrics(),
          /^koppel_queue_jobs\{tenant="default",target="app",state="active"\} \d+$/m,
        )

        const next = await makePlan(loaded.engine, { actor: 'test' })
        assert.ok(next.ok)
        assert.equal(next.plan.actions.length, 0)
      } finally {
        await loaded.close()
      }
      for (const w of workers)
        if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM')
      await Promise.all(workers.map((w) => w.exited))
      for (const w of workers)
        if (w.child.signalCode !== 'SIGKILL')
          assert.equal(w.child.exitCode, 0, w.output().slice(-2000))
    },
  )

  test(
    'SIGTERM mid-job: the worker finishes the jobs in hand (none is retried) and exits 0',
    { timeout: 120_000 },
    async () => {
      const admin = new pg.Client(server?.url)
      await admin.connect()
      await admin.query('create database koppel_sigterm')
      await admin.end()
      const own = await startScimSim({ token: TOKEN })
      const slow = await startLatencyProxy(Number(new URL(own.url).port), LATENCY_MS)
      const sub = mkdtempSync(join(dir, 'sigterm-'))
      const env = {
        KOPPEL_TEST_DATABASE_URL: (server?.url ?? '').replace(/\/postgres$/, '/koppel_sigterm'),
        SCIM_TOKEN: TOKEN,
      }
      const mine: Worker[] = []
      try {
        writeFileSync(
          join(sub, 'pupils.csv'),
          `nr,voornaam,achternaam,klas,begin\n${Array.from({ length: 30 }, (_, i) => `${3000 + i},Lotte,Bos ${i},2B,2025-08-01`).join('\n')}\n`,
        )
        writeFileSync(join(sub, 'koppel.yaml'), config(slow.url))
        const r = await loadEngine(join(sub, 'koppel.yaml'), connectorDefinitions, {
          env: { ...process.env, ...env },
          now,
        })
        if (!r.ok) assert.fail(r.errors.join('\n'))
        try {
          const planned = await makePlan(r.loaded.engine, { actor: 'test' })
          assert.ok(planned.ok)
          for (let i = 0; i < 2; i++) mine.push(await startWorker(sub, env))
          const applying = applyStoredPlan(r.loaded.engine, planned.plan.id, { actor: 'test' })
          let stopped: Worker | undefined
          while (stopped === undefined) {
            stopped = mine.find((w) => w.inHand() > 0 && w.jobsDone() > 0)
            if (stopped === undefined) await new Promise((res) => setTimeout(res, 10))
          }
          stopped.child.kill('SIGTERM')
          await stopped.exited
          assert.equal(stopped.child.exitCode, 0, stopped.output().slice(-2000))
          assert.equal(stopped.inHand(), 0, 'every job it had taken was done before it exited')
          const result = await applying
          assert.ok(
            result.ok && result.report.state === 'done',
            result.ok ? JSON.stringify(result.report.failures.slice(0, 3)) : result.message,
          )
          assert.equal(own.users.size, 30)
          const db = new pg.Client(env.KOPPEL_TEST_DATABASE_URL)
          await db.connect()
          try {
            const { rows } = await db.query<{ n: number }>(
              'select count(*)::int as n from koppel_jobs.job where retry_count > 0',
            )
            assert.equal(rows[0]?.n, 0, 'no job was failed by the stop and retried')
          } finally {
            await db.end()
          }
        } finally {
          await r.loaded.close()
        }
      } finally {
        for (const w of mine)
          if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM')
        await Promise.all(mine.map((w) => w.exited))
        await slow.close()
        await own.close()
      }
    },
  )

  test('a Retry-After one worker got holds for the others: the pause is a row on the database clock', async () => {
    const url = server?.url ?? ''
    const one = pgTargetPause(url, 'board-a')
    const other = pgTargetPause(url, 'board-a', 200)
    const otherTenant = pgTargetPause(url, 'board-b')
    try {
      await other.wait('app') // read once: nothing paused, and cached for its refresh time (200 ms)
      const paused = Date.now()
      await one.pause('app', 1200)
      await one.pause('app', 100) // a shorter pause set later does not shorten it
      await otherTenant.wait('app')
      await other.wait('directory')
      assert.ok(Date.now() - paused < 400, 'another tenant and another target are not paused')
      await new Promise((r) => setTimeout(r, 250))
      await other.wait('app')
      // the other worker read the pause after its refresh time and waited for the rest of it
      assert.ok(
        Date.now() - paused >= 1100,
        `waited until ${Date.now() - paused} ms after the pause`,
      )
      const signal = AbortSignal.timeout(50)
      await one.pause('app', 5000)
      await assert.rejects(one.wait('app', signal))
    } finally {
      await Promise.all([one.close(), other.close(), otherTenant.close()])
    }
  })

  test('no worker processes: the applying process takes the jobs itself (inProcess, the default) and stops them on close', async () => {
    const admin = new pg.Client(server?.url)
    await admin.connect()
    await admin.query('create database koppel_in_process')
    await admin.end()
    const own = await startScimSim({ token: TOKEN })
    const sub = mkdtempSync(join(dir, 'in-process-'))
    try {
      const env = {
        KOPPEL_TEST_DATABASE_URL: (server?.url ?? '').replace(/\/postgres$/, '/koppel_in_process'),
        SCIM_TOKEN: TOKEN,
      }
      writeFileSync(
        join(sub, 'pupils.csv'),
        `nr,voornaam,achternaam,klas,begin\n${Array.from({ length: 12 }, (_, i) => `${2000 + i},Noor,Smit ${i},1A,2025-08-01`).join('\n')}\n`,
      )
      writeFileSync(join(sub, 'koppel.yaml'), config(own.url.replace(/\/scim\/v2$/, ''), true))
      const r = await loadEngine(join(sub, 'koppel.yaml'), connectorDefinitions, {
        env: { ...process.env, ...env },
        now,
      })
      if (!r.ok) assert.fail(r.errors.join('\n'))
      try {
        assert.ok(r.loaded.engine.queue, 'the engine applies through the queue')
        const planned = await makePlan(r.loaded.engine, { actor: 'test' })
        assert.ok(planned.ok)
        const result = await applyStoredPlan(r.loaded.engine, planned.plan.id, { actor: 'test' })
        assert.ok(
          result.ok && result.report.state === 'done',
          result.ok ? JSON.stringify(result.report.failures) : result.message,
        )
        assert.equal(own.users.size, 12)
        const db = new pg.Client(env.KOPPEL_TEST_DATABASE_URL)
        await db.connect()
        try {
          const { rows } = await db.query<{ n: number }>(
            "select count(*)::int as n from koppel_jobs.job where state = 'completed'",
          )
          assert.equal(rows[0]?.n, 12, 'one job per account, run through the queue')
        } finally {
          await db.end()
        }
        const next = await makePlan(r.loaded.engine, { actor: 'test' })
        assert.ok(next.ok)
        assert.equal(next.plan.actions.length, 0)
      } finally {
        await r.loaded.close()
      }
    } finally {
      await own.close()
    }
  })
})
