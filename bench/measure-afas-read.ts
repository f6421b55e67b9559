// Measures a full read of the AFAS source against this simulator:
// `node bench/measure-afas-read.ts <persons> [pageSize]` (persons of the board; about 8 % are staff).
import { afasConnector, afasOptions } from '../src/connectors/afas/index.ts'
import { generateBoard } from '@koppel/sim/generator'
import { startAfasSim } from '@koppel/sim/afas'

const persons = Number(process.argv[2] ?? 100_000)
const pageSize = Number(process.argv[3] ?? 1000)
let t = performance.now()
const sim = await startAfasSim({
  board: generateBoard({ seed: 'measure', persons, today: '2026-11-23' }),
  token: 'measure',
})
const simSeconds = (performance.now() - t) / 1000
const options = {
  ...afasOptions.parse({ baseUrl: sim.url, token: '${env:X}', pageSize }),
  token: 'measure',
}
const source = afasConnector.create('hr', options, {
  baseDir: '.',
  log: () => undefined,
  now: () => new Date(),
})
t = performance.now()
const r = await source.read({ today: '2026-11-23' })
if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'))
const seconds = (performance.now() - t) / 1000
const requests = [...sim.http.requests.values()].reduce((a, b) => a + b, 0)
const contracts = r.snapshot.persons.reduce((n, p) => n + p.contracts.length, 0)
process.stdout.write(
  `AFAS, board of ${persons} persons, pageSize ${pageSize} (sim built in ${simSeconds.toFixed(1)} s): full read ${seconds.toFixed(2)} s, ` +
    `${r.snapshot.persons.length} employees, ${contracts} contracts, ${r.snapshot.groups.length} departments, ${requests} requests\n`,
)
await sim.close()
