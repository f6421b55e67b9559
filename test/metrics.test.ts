// /metrics on koppel serve, scraped before and after a real run (OneRoster CSV → the in-process LDAP directory):
// the counters move by what the run did. The registry is the process's, so the test compares differences.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startLdapServer, type RunningLdapServer } from '@koppel/sim/ldap-server'
import { loadEngine } from '../src/app/load-engine.ts'
import type { RunLog } from '../src/app/unattended-run.ts'
import { demoConfig } from '../src/cli/demo-config.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { startServe } from '../src/serve/serve.ts'
import { metricsRegistry, runMetrics } from '../src/ops/metrics.ts'

const DAY = '2026-11-23'
const quiet: RunLog = { info() {}, warn() {}, error() {}, child: () => quiet }

/** The value of one sample in the Prometheus text format; 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line)
    if (m?.[1] !== name) continue
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
    )
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3])
  }
  return 0
}

let dir = ''
let ldap: RunningLdapServer
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'koppel-metrics-'))
  await writeOneRosterCsv(
    join(dir, 'export'),
    generateBoard({ seed: 'metrics', persons: 60, today: DAY }),
    { version: '1.2' },
  )
  ldap = await startLdapServer({ adminPassword: 'secret' })
  await mkdir(join(dir, 'secrets'))
  await writeFile(join(dir, 'secrets', 'ldap-password'), 'secret\n', { mode: 0o600 })
  const schedule = 'schedules:\n  - name: nightly\n    cron: "0 2 * * *"\n    timezone: UTC\n'
  await writeFile(join(dir, 'koppel.yaml'), `${demoConfig(ldap.url)}\n${schedule}`)
})
after(async () => {
  await ldap?.stop()
  await rm(dir, { recursive: true, force: true })
})

test('after a scheduled run /metrics counts the run, its actions by kind and outcome, and the plan and read times', async () => {
  // the nightly schedule runs when the injected clock reaches 02:00
  let at = Date.parse(`${DAY}T01:59:00Z`)
  const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
    env: {},
    now: () => new Date(at++),
  })
  if (!r.ok) throw new Error(r.errors.join('\n'))
  const loaded = r.loaded
  const serve = await startServe(loaded, {
    log: quiet,
    listen: { host: '127.0.0.1', port: 0 },
    maxSleepMs: 20,
  })
  try {
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${serve.port}/metrics`)
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
      return res.text()
    }
    const was = await scrape()
    const tenant = loaded.config.tenant
    const runs = (t: string) => sample(t, 'koppel_runs_total', { tenant, outcome: 'completed' })
    const created = (t: string) =>
      sample(t, 'koppel_actions_total', {
        tenant,
        target: 'directory',
        kind: 'create',
        outcome: 'applied',
      })
    const plans = (t: string) =>
      sample(t, 'koppel_run_phase_seconds_count', { tenant, phase: 'plan' })
    const reads = (t: string) =>
      sample(t, 'koppel_source_read_seconds_count', { tenant, source: 'school' })

    at = Date.parse(`${DAY}T02:00:00Z`)
    await waitFor(async () => runs(await scrape()) > runs(was))
    const now = await scrape()
    const [report] = await loaded.engine.store.listRuns(1)
    const applied = report?.counts['directory']?.create?.applied ?? 0
    assert.ok(applied > 20, `accounts created: ${applied}`)
    assert.equal(runs(now) - runs(was), 1)
    assert.equal(created(now) - created(was), applied)
    assert.equal(plans(now) - plans(was), 1)
    assert.equal(reads(now) - reads(was), 1)
    assert.match(now, /^koppel_process_cpu_user_seconds_total /m)
  } finally {
    await serve.stop('test')
    await loaded.close()
  }
})

test('a source read lasts until the next stage; a note that sources were not re-read is no source', async () => {
  let t = 1000
  const timer = runMetrics.stageTimer('timer-test', () => t)
  timer.onStage('read', 'sis')
  t += 2500
  timer.onStage('read', 'sources unchanged; not re-read')
  timer.onStage('plan', 'merging persons')
  timer.end()
  const text = await metricsRegistry.metrics()
  assert.equal(
    sample(text, 'koppel_source_read_seconds_sum', { tenant: 'timer-test', source: 'sis' }),
    2.5,
  )
  assert.equal(
    sample(text, 'koppel_source_read_seconds_count', {
      tenant: 'timer-test',
      source: 'sources unchanged; not re-read',
    }),
    0,
  )
})

async function waitFor(check: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting for the run')
    await new Promise((r) => setTimeout(r, 100))
  }
}
