// The OneRoster REST source's own memory: one full read with the simulator in a child process, as the real
// service would be elsewhere, so that the peak RSS printed is Koppel's alone (bench/measure-oneroster-rest-read.ts
// runs both in one process, so its peak includes the simulator's board and caches).
// `node bench/measure-oneroster-rest-client.ts <persons> [pageSize]`; prints one JSON line.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { loadavg } from 'node:os'
import { generateBoard } from '@koppel/sim/generator'
import { startOneRosterRestSim } from '@koppel/sim/oneroster-rest'
import {
  oneRosterRestConnector,
  oneRosterRestOptions,
} from '../src/connectors/oneroster-rest/index.ts'

const persons = Number(process.argv[2] ?? 10_000)
const today = '2026-11-23'

if (process.argv.includes('--serve')) {
  const sim = await startOneRosterRestSim({
    board: generateBoard({ seed: 'measure', persons, today }),
    version: '1.2',
    clientId: 'koppel',
    clientSecret: 's',
  })
  console.log(JSON.stringify({ url: sim.url, tokenUrl: sim.tokenUrl }))
  // stops when the parent closes stdin (also when the parent dies)
  process.stdin.resume()
  process.stdin.on('end', () => void sim.close().then(() => process.exit(0)))
} else {
  const pageSize = Number(process.argv[3] ?? 1000)
  const server = spawn(
    process.execPath,
    ['--no-warnings', import.meta.filename, String(persons), '--serve'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  try {
    const [line] = (await once(server.stdout, 'data')) as [Buffer]
    const { url, tokenUrl } = JSON.parse(line.toString()) as { url: string; tokenUrl: string }
    const options = {
      ...oneRosterRestOptions.parse({
        baseUrl: url,
        tokenUrl,
        clientId: 'koppel',
        clientSecret: '${env:X}',
        version: '1.2',
        pageSize,
      }),
      clientSecret: 's',
    }
    const source = oneRosterRestConnector.create('school', options, {
      baseDir: '.',
      log: () => undefined,
      now: () => new Date(),
    })
    const cpu = process.cpuUsage()
    const started = performance.now()
    const r = await source.read({ today })
    if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'))
    const used = process.cpuUsage(cpu)
    console.log(
      JSON.stringify({
        persons: r.snapshot.persons.length,
        readS: Number(((performance.now() - started) / 1000).toFixed(1)),
        clientCpuS: Number(((used.user + used.system) / 1e6).toFixed(1)),
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        load: Number(loadavg()[0]?.toFixed(1)),
      }),
    )
  } finally {
    server.stdin.end()
  }
}
