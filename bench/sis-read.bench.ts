// Read throughput of the Magister and Eduarte sources against their simulators on loopback:
//   node bench/sis-read.bench.ts [persons] [eduartePageSize] [magister|eduarte]
// Prints persons read, wall and CPU seconds and peak RSS per connector (both, or only the one named: `npm run
// bench` runs each in a process of its own so that each peak RSS is its own). Figures only, never asserted; the
// simulators run in the same process, so the time and memory include serving (CSV building, SOAP envelopes).
import { magisterConnector, magisterOptions } from '../src/connectors/magister/index.ts'
import { eduarteConnector, eduarteOptions } from '../src/connectors/eduarte/index.ts'
import type { SourceConnector } from '../src/contract/index.ts'
import { generateBoard } from '@koppel/sim/generator'
import { magisterRows, startMagisterSim } from '@koppel/sim/magister'
import { eduarteData, startEduarteSim } from '@koppel/sim/eduarte'

const persons = Number(process.argv[2] ?? 10_000)
const pageSize = Number(process.argv[3] ?? 500)
const only = process.argv[4]
const today = '2026-11-23'
const board = generateBoard({ seed: 'sis-read', persons, today })
const context = { baseDir: '.', log: () => undefined, now: () => new Date() }

async function measure(label: string, source: SourceConnector): Promise<void> {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
  const started = performance.now()
  const cpu = process.cpuUsage()
  const r = await source.read({ today })
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  const cpuSeconds = (used.user + used.system) / 1e6
  clearInterval(timer)
  if (!r.ok) throw new Error(`${label}: ${r.issues[0]?.message ?? 'failed'}`)
  const n = r.snapshot.persons.length
  console.log(
    `${label}: ${n} persons, ${r.snapshot.groups.length} groups in ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU (client and simulator), peak RSS ${(peak / 1e6).toFixed(0)} MB`,
  )
}

if (only === undefined || only === 'magister') {
  const m = await startMagisterSim({
    username: 'koppel',
    password: 'pw',
    rows: magisterRows(board),
  })
  try {
    const o = magisterOptions.parse({ baseUrl: m.url, username: 'koppel', password: '${env:X}' })
    await measure(
      'magister (one GetData, ANSI CSV)',
      magisterConnector.create('magister', { ...o, password: 'pw' }, context),
    )
  } finally {
    await m.close()
  }
}

if (only === undefined || only === 'eduarte') {
  const e = await startEduarteSim({ apiSleutel: 'k', data: eduarteData(board) })
  try {
    const o = eduarteOptions.parse({ baseUrl: e.url, apiKey: '${env:X}', pageSize })
    await measure(
      `eduarte (SOAP pages of ${pageSize})`,
      eduarteConnector.create('eduarte', { ...o, apiKey: 'k' }, context),
    )
  } finally {
    await e.close()
  }
}
