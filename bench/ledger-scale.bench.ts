// Issue 18: a store holding ROWS ledger rows (other boards' accounts, 1,000 per tenant, as in an installation of
// many boards) — does one board's plan and apply slow down with them? The same board (PERSONS pupils, CSV source,
// SCIM simulator in this process, no added latency) is planned, applied and planned again (no-op) on PostgreSQL
// and on SQLite, each store filled first. Prints wall and CPU seconds and the 1-minute load average per figure.
//   node bench/ledger-scale.bench.ts [rows=1000000] [persons=1000]
// Not part of `npm run bench`: filling a million rows takes minutes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startScimSim } from '@koppel/sim/scim'
import { loadEngine } from '../src/app/load-engine.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import { openStore, type StoreOptions } from '../src/store/index.ts'
import { account } from '../src/store/store-fixtures.ts'
import { postgresSkipReason, startPostgres } from '../test/harness/postgres.ts'
import { scimBoardConfig } from '../test/harness/scim-board-config.ts'

const ROWS = Number(process.argv[2] ?? 1_000_000)
const PERSONS = Number(process.argv[3] ?? 1000)
const PER_TENANT = 1000
const CHUNK = 5000
const TOKEN = 'bench-token'
const say = (line: string) => console.log(line)
const load = () => loadavg()[0]?.toFixed(2)

async function timed<T>(fn: () => Promise<T>): Promise<[T, string]> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const r = await fn()
  const c = process.cpuUsage(c0)
  const figure = `${((performance.now() - t0) / 1000).toFixed(2)} s (CPU ${((c.user + c.system) / 1e6).toFixed(2)} s, load ${load()})`
  return [r, figure]
}

/** ROWS accounts of other tenants, PER_TENANT each, in chunks. */
async function fill(options: StoreOptions): Promise<void> {
  for (let t = 0; t * PER_TENANT < ROWS; t++) {
    const store = await openStore(options, { tenant: `other-${t}` })
    try {
      const n = Math.min(PER_TENANT, ROWS - t * PER_TENANT)
      const rows = Array.from({ length: n }, (_, i) =>
        account(`p${String(i).padStart(6, '0')}`, { target: 'app' }),
      )
      for (let i = 0; i < rows.length; i += CHUNK)
        await store.upsertAccounts(rows.slice(i, i + CHUNK))
    } finally {
      await store.close()
    }
  }
}

const config = (store: string, scimUrl: string) =>
  scimBoardConfig({ tenant: 'measured', store, scimUrl, apply: '{ concurrency: 16 }' })

async function measure(label: string, options: StoreOptions, storeYaml: string): Promise<void> {
  const [, filled] = await timed(() => fill(options))
  say(
    `  ${label}: ${ROWS} ledger rows of ${Math.ceil(ROWS / PER_TENANT)} other tenants written in ${filled}`,
  )
  const sim = await startScimSim({ token: TOKEN })
  const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-ledger-'))
  try {
    const rows = Array.from(
      { length: PERSONS },
      (_, i) => `${100000 + i},Kim,Visser ${i},2025-08-01`,
    )
    writeFileSync(join(dir, 'pupils.csv'), `nr,voornaam,achternaam,begin\n${rows.join('\n')}\n`)
    writeFileSync(join(dir, 'koppel.yaml'), config(storeYaml, new URL(sim.url).origin))
    const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
      env: { ...process.env, SCIM_TOKEN: TOKEN },
    })
    if (!r.ok) throw new Error(r.errors.join('\n'))
    try {
      const engine = r.loaded.engine
      const [planned, planFigure] = await timed(() => makePlan(engine, { actor: 'bench' }))
      if (!planned.ok || planned.plan.actions.length !== PERSONS)
        throw new Error('the plan is not the expected creates')
      const [applied, applyFigure] = await timed(() =>
        applyStoredPlan(engine, planned.plan.id, { actor: 'bench' }),
      )
      if (!applied.ok || applied.report.state !== 'done') throw new Error('the apply failed')
      const [again, noopFigure] = await timed(() => makePlan(engine, { actor: 'bench' }))
      if (!again.ok || again.plan.actions.length !== 0)
        throw new Error('the second plan is not empty')
      say(`  ${label}: plan ${PERSONS} creates ${planFigure}`)
      say(`  ${label}: apply them ${applyFigure}`)
      say(`  ${label}: plan again (0 actions) ${noopFigure}`)
    } finally {
      await r.loaded.close()
    }
  } finally {
    await sim.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

say(
  `# ledger scale: ${ROWS} ledger rows of other boards, one board of ${PERSONS} (load before: ${load()})`,
)
const skip = postgresSkipReason()
if (skip !== undefined) say(`  PostgreSQL skipped: ${skip}`)
else {
  const server = await startPostgres()
  try {
    await measure(
      'PostgreSQL',
      { kind: 'postgres', url: server.url },
      `{ kind: postgres, url: '${server.url}' }`,
    )
  } finally {
    await server.stop()
  }
}
const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-ledger-sqlite-'))
try {
  const path = join(dir, 'koppel.db')
  await measure('SQLite', { kind: 'sqlite', path }, `{ kind: sqlite, path: '${path}' }`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
