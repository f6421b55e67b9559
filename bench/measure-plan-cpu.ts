// CPU seconds per stage of one plan (issue 17, P1), in this process, on a generated board: read, merge, plan
// (desire, diff, sort, hash) and save; then the plan hash and the stored actions' gzip again on the same
// actions, three times each. CPU (process.cpuUsage, user + system, thread pool included) rather than wall
// time, so that figures taken on the shared machine compare (the gzip also wall time: its deflate runs on the
// thread pool); the 1-minute load average is printed with them.
// Prints figures, asserts nothing. Usage: node bench/measure-plan-cpu.ts [persons=20000] [--groups]
// With `node --expose-gc`, each stage also prints the heap still live when it ends (after a full GC; the GC's
// own CPU is left out of the next stage's figure) and the peak RSS so far (the generator's included: it runs in
// this process first), to see what holds memory through the plan (P1, ≤ 1 GB).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { loadEngine } from '../src/app/load-engine.ts'
import { demoConfig } from '../src/cli/demo-config.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { planHash } from '../src/engine/build-plan.ts'
import { makePlan } from '../src/engine/index.ts'
import type { Plan } from '../src/model/index.ts'
import { gzipActions } from '../src/store/plan-document.ts'
import { withProvisionedGroups } from './plan.bench.ts'

const persons = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 20_000)
const groups = process.argv.includes('--groups')
const TODAY = '2026-11-23'
const NOW = new Date(`${TODAY}T05:00:00.000Z`)

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since)
  return (d.user + d.system) / 1000
}
const MB = 1024 * 1024
const load = () => loadavg()[0]?.toFixed(1) ?? '?'

const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-plan-cpu-'))
try {
  await writeOneRosterCsv(
    join(dir, 'export'),
    generateBoard({ seed: 'bench', persons, today: TODAY }),
    { version: '1.2' },
  )
  mkdirSync(join(dir, 'secrets'))
  writeFileSync(join(dir, 'secrets', 'ldap-password'), 'never-used\n')
  // never contacted: the plan is made without target reads
  const config = demoConfig('ldap://127.0.0.1:9')
  writeFileSync(join(dir, 'koppel.yaml'), groups ? withProvisionedGroups(config) : config)

  const started = process.cpuUsage()
  const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
    env: {},
    now: () => NOW,
  })
  if (!r.ok) throw new Error(r.errors.join('\n'))
  let stage = 'load engine'
  let since = process.cpuUsage()
  const gc = (globalThis as { gc?: () => void }).gc
  const mark = (next: string) => {
    const cpu = cpuMs(since).toFixed(0).padStart(7)
    let memory = ''
    if (gc !== undefined) {
      gc()
      const live = process.memoryUsage().heapUsed / MB
      const peak = process.resourceUsage().maxRSS / 1024
      memory = `, live heap ${live.toFixed(0)} MB, peak RSS so far ${peak.toFixed(0)} MB`
    }
    console.log(`${stage.padEnd(28)} ${cpu} ms CPU${memory}`)
    stage = next
    since = process.cpuUsage()
  }
  const store = r.loaded.engine.store
  const savePlan = store.savePlan.bind(store)
  store.savePlan = async (plan: Plan) => {
    mark('save the plan')
    await savePlan(plan)
    mark('')
  }
  const made = await makePlan(r.loaded.engine, {
    readTargets: false,
    actor: 'bench',
    onStage: (s, detail) => mark(`${s} ${detail}`),
  })
  if (!made.ok) throw new Error(JSON.stringify(made.issues.slice(0, 3)))
  const { plan } = made
  console.log(
    `${persons} persons${groups ? ' with provisioned groups' : ''}: ${plan.actions.length} actions, ` +
      `${(cpuMs(started) / 1000).toFixed(2)} s CPU in all (load average ${load()})`,
  )
  for (let i = 0; i < 3; i++) {
    let t = process.cpuUsage()
    planHash(plan.actions, plan.inputs, plan.findings, plan.issues)
    const hash = cpuMs(t)
    t = process.cpuUsage()
    // wall too: the gzip's deflate runs on the thread pool, so its CPU and the time the command waits differ
    const wall = performance.now()
    await gzipActions(plan.actions)
    console.log(
      `plan hash ${hash.toFixed(0)} ms CPU, gzip of the actions ${cpuMs(t).toFixed(0)} ms CPU / ` +
        `${(performance.now() - wall).toFixed(0)} ms wall (load average ${load()})`,
    )
  }
  await r.loaded.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
