// Read throughput of the Magister and Eduarte sources against their simulators on loopback:
//   node bench/sis-read.bench.ts [persons] [eduartePageSize] [magister|eduarte]
// Prints persons read, wall and client CPU seconds, the client's peak RSS and the load average per connector
// (both, or only the one named: `npm run bench` runs each in a process of its own so that each peak RSS is its
// own). Figures only, never asserted. Each simulator runs in a process of its own, as the real service is
// elsewhere: in one process the generated board and the served CSV/SOAP text were counted as the client's
// (Magister at 100,000: 591 MB with its simulator, see docs/benchmarks.md).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { loadavg } from 'node:os'
import { magisterConnector, magisterOptions } from '../src/connectors/magister/index.ts'
import { eduarteConnector, eduarteOptions } from '../src/connectors/eduarte/index.ts'
import type { SourceConnector } from '../src/contract/index.ts'
import { generateBoard } from '@koppel/sim/generator'
import { magisterRows, startMagisterSim } from '@koppel/sim/magister'
import { eduarteData, startEduarteSim } from '@koppel/sim/eduarte'

type System = 'magister' | 'eduarte'
const persons = Number(process.argv[2] ?? 10_000)
const pageSize = Number(process.argv[3] ?? 500)
const only = process.argv[4]
const today = '2026-11-23'
const context = { baseDir: '.', log: () => undefined, now: () => new Date() }

/** The simulator's process: serves until its stdin ends, then prints its own CPU and peak RSS. */
async function serve(system: System): Promise<void> {
  const board = generateBoard({ seed: 'sis-read', persons, today })
  const sim =
    system === 'magister'
      ? await startMagisterSim({ username: 'koppel', password: 'pw', rows: magisterRows(board) })
      : await startEduarteSim({ apiSleutel: 'k', data: eduarteData(board) })
  const cpu = process.cpuUsage()
  console.log(JSON.stringify({ url: sim.url }))
  process.stdin.resume()
  process.stdin.on('end', () => {
    const used = process.cpuUsage(cpu)
    void sim.close().then(() => {
      console.log(
        JSON.stringify({
          simCpuS: (used.user + used.system) / 1e6,
          simPeakRssMb: process.resourceUsage().maxRSS / 1024,
        }),
      )
      process.exit(0)
    })
  })
}

function connectorFor(system: System, url: string): { label: string; source: SourceConnector } {
  if (system === 'magister') {
    const o = magisterOptions.parse({ baseUrl: url, username: 'koppel', password: '${env:X}' })
    return {
      label: 'magister (one GetData, ANSI CSV)',
      source: magisterConnector.create('magister', { ...o, password: 'pw' }, context),
    }
  }
  const o = eduarteOptions.parse({ baseUrl: url, apiKey: '${env:X}', pageSize })
  return {
    label: `eduarte (SOAP pages of ${pageSize})`,
    source: eduarteConnector.create('eduarte', { ...o, apiKey: 'k' }, context),
  }
}

async function measure(system: System): Promise<void> {
  const server = spawn(
    process.execPath,
    ['--no-warnings', import.meta.filename, String(persons), String(pageSize), system, '--serve'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  let out = ''
  server.stdout.on('data', (d: Buffer) => (out += d.toString()))
  while (!out.includes('\n')) await once(server.stdout, 'data')
  const { url } = JSON.parse(out.split('\n')[0] as string) as { url: string }
  const { label, source } = connectorFor(system, url)
  const started = performance.now()
  const cpu = process.cpuUsage()
  const r = await source.read({ today })
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  const load = loadavg()[0] ?? Number.NaN
  // the process's peak so far: when both connectors run in one process, the second's includes the first's
  const peakMb = process.resourceUsage().maxRSS / 1024
  const ended = once(server, 'close')
  server.stdin.end()
  await ended
  const { simCpuS, simPeakRssMb } = JSON.parse(out.trim().split('\n').pop() as string) as {
    simCpuS: number
    simPeakRssMb: number
  }
  if (!r.ok) throw new Error(`${label}: ${r.issues[0]?.message ?? 'failed'}`)
  console.log(
    `${label}: ${r.snapshot.persons.length} persons, ${r.snapshot.groups.length} groups in ${seconds.toFixed(2)} s wall, ` +
      `client ${((used.user + used.system) / 1e6).toFixed(2)} s CPU, peak RSS ${peakMb.toFixed(0)} MB; ` +
      `simulator (own process) ${simCpuS.toFixed(2)} s CPU, ${simPeakRssMb.toFixed(0)} MB; load ${load.toFixed(1)}`,
  )
}

const serving = process.argv.includes('--serve')
for (const system of ['magister', 'eduarte'] as const) {
  if (only !== undefined && only !== system) continue
  if (serving) await serve(system)
  else await measure(system)
}
