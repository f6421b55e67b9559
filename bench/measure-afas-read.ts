// Measures a full read of the AFAS source against this simulator:
// `node bench/measure-afas-read.ts <persons> [pageSize]` (persons of the board; about 8 % are staff).
// The simulator runs in a process of its own (it holds the whole generated board), so the peak RSS printed, and
// the one `npm run bench` takes of this script, is the connector's alone.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { loadavg } from 'node:os'
import { afasConnector, afasOptions } from '../src/connectors/afas/index.ts'
import { generateBoard } from '@koppel/sim/generator'
import { startAfasSim } from '@koppel/sim/afas'

const persons = Number(process.argv[2] ?? 100_000)
const pageSize = Number(process.argv[3] ?? 1000)

if (process.argv.includes('--serve')) {
  const t = performance.now()
  const sim = await startAfasSim({
    board: generateBoard({ seed: 'measure', persons, today: '2026-11-23' }),
    token: 'measure',
  })
  const simSeconds = (performance.now() - t) / 1000
  console.log(JSON.stringify({ url: sim.url, simSeconds }))
  // stops when the parent closes stdin, printing the requests it answered
  process.stdin.resume()
  process.stdin.on('end', () => {
    const requests = [...sim.http.requests.values()].reduce((a, b) => a + b, 0)
    void sim.close().then(() => {
      console.log(JSON.stringify({ requests }))
      process.exit(0)
    })
  })
} else {
  const server = spawn(
    process.execPath,
    ['--no-warnings', import.meta.filename, String(persons), '--serve'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  let out = ''
  server.stdout.on('data', (d: Buffer) => (out += d.toString()))
  while (!out.includes('\n')) await once(server.stdout, 'data')
  const { url, simSeconds } = JSON.parse(out.split('\n')[0] as string) as {
    url: string
    simSeconds: number
  }
  const options = {
    ...afasOptions.parse({ baseUrl: url, token: '${env:X}', pageSize }),
    token: 'measure',
  }
  const source = afasConnector.create('hr', options, {
    baseDir: '.',
    log: () => undefined,
    now: () => new Date(),
  })
  const cpu = process.cpuUsage()
  const t = performance.now()
  const r = await source.read({ today: '2026-11-23' })
  const seconds = (performance.now() - t) / 1000
  const used = process.cpuUsage(cpu)
  const ended = once(server, 'close')
  server.stdin.end()
  await ended
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'))
  const { requests } = JSON.parse(out.trim().split('\n').pop() as string) as { requests: number }
  const contracts = r.snapshot.persons.reduce((n, p) => n + p.contracts.length, 0)
  process.stdout.write(
    `AFAS, board of ${persons} persons, pageSize ${pageSize} (sim built in ${simSeconds.toFixed(1)} s, in its own process): ` +
      `full read ${seconds.toFixed(2)} s, client ${((used.user + used.system) / 1e6).toFixed(2)} s CPU, ` +
      `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB, ` +
      `${r.snapshot.persons.length} employees, ${contracts} contracts, ${r.snapshot.groups.length} departments, ` +
      `${requests} requests; load ${(loadavg()[0] ?? Number.NaN).toFixed(1)}\n`,
  )
}
