// A pupil's class change, end to end through `koppel serve`'s change path: a OneRoster 1.2 CSV delta package is
// dropped into the watched export folder; measured until the pupil's new class (departmentNumber) is committed in
// a real slapd. One change at a time, each a different pupil, after a full first run. Prints p50/p95/max and the
// goal (p95 ≤ 5 s); asserts nothing. The folder settles 500 ms before it is read (serve's default), which is in
// every figure.
// Usage: node bench/change-latency.bench.ts [changes=100] [persons=600]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { Client, EqualityFilter } from 'ldapts'
import { loadEngine } from '../src/app/load-engine.ts'
import type { RunLog } from '../src/app/unattended-run.ts'
import { demoConfig } from '../src/cli/demo-config.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { startServe } from '../src/serve/serve.ts'
import { toIsoDate } from '../src/util/dates.ts'
import { startSlapd } from '../test/harness/slapd.ts'
import { keepBulk, movablePupils, writeClassChangeDelta } from '../test/support/oneroster-delta.ts'

const changes = Number(process.argv[2] ?? 100)
const persons = Number(process.argv[3] ?? 600)

const quiet: RunLog = { info: () => {}, warn: () => {}, error: (f, m) => console.error(m, f), child: () => quiet }

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

const slapd = await startSlapd()
const dir = await mkdtemp(join(tmpdir(), 'koppel-change-latency-'))
try {
  await mkdir(join(dir, 'export'))
  await writeOneRosterCsv(join(dir, 'export'), generateBoard({ seed: 'change-latency', persons, today: toIsoDate(new Date()) }), { version: '1.2' })
  await mkdir(join(dir, 'secrets'))
  await writeFile(join(dir, 'secrets', 'ldap-password'), `${slapd.adminPassword}\n`, { mode: 0o600 })
  const config = demoConfig(slapd.url).replace('    path: ./export\n', '    path: ./export\n    deltas: true\n')
  await writeFile(join(dir, 'koppel.yaml'), `${config}\nschedules:\n  - name: nightly\n    cron: "0 2 * * *"\nserve:\n  watch:\n    - source: school\n`)
  const bulk = await keepBulk(join(dir, 'export'))
  const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, { env: {} })
  if (!r.ok) throw new Error(r.errors.join('\n'))
  const loaded = r.loaded
  const serve = await startServe(loaded, { log: quiet, listen: false, runAtStart: true })
  const client = new Client({ url: slapd.url })
  await client.bind(slapd.adminDn, slapd.adminPassword)
  const department = async (user: string): Promise<string> => {
    const filter = new EqualityFilter({ attribute: 'employeeNumber', value: user })
    const { searchEntries } = await client.search(slapd.baseDn, { filter, attributes: ['departmentNumber'] })
    return String(searchEntries[0]?.['departmentNumber'] ?? '')
  }
  try {
    const moves = await movablePupils(bulk)
    while ((await loaded.engine.store.listRuns(1)).length === 0) await new Promise((res) => setTimeout(res, 50))
    const latencies: number[] = []
    for (let i = 0; i < changes; i++) {
      const move = moves[i % moves.length]
      if (move === undefined) throw new Error('no pupil to move')
      const before = await department(move.user)
      const t0 = performance.now()
      await writeClassChangeDelta(bulk, join(dir, 'export'), move, new Date().toISOString())
      const deadline = t0 + 60_000
      while ((await department(move.user)) === before) {
        if (performance.now() > deadline) throw new Error(`change ${i} of ${move.user} not committed within 60 s`)
        await new Promise((res) => setTimeout(res, 10))
      }
      latencies.push(performance.now() - t0)
      await serve.changes.idle()
    }
    const sorted = [...latencies].sort((a, b) => a - b)
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
    console.log(`class changes through a OneRoster CSV delta → slapd, ${changes} changes, ${persons} persons`)
    console.log(`p50 ${s(percentile(sorted, 50))}  p95 ${s(percentile(sorted, 95))}  max ${s(sorted.at(-1) ?? NaN)}  (goal: p95 ≤ 5 s)`)
  } finally {
    await client.unbind()
    await serve.stop('bench done')
    await loaded.close()
  }
} finally {
  await slapd.stop()
  await rm(dir, { recursive: true, force: true })
}
