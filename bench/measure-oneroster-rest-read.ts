// Measures a full and a delta read of the OneRoster REST source against this simulator:
// `node bench/measure-oneroster-rest-read.ts <persons> [pageSize] [1.1|1.2]`. A tool for the docs' figures.
import {
  oneRosterRestConnector,
  oneRosterRestOptions,
} from '../src/connectors/oneroster-rest/index.ts'
import { generateBoard } from '@koppel/sim/generator'
import { startOneRosterRestSim } from '@koppel/sim/oneroster-rest'

const persons = Number(process.argv[2] ?? 10_000)
const pageSize = Number(process.argv[3] ?? 1000)
const version = (process.argv[4] ?? '1.2') as '1.1' | '1.2'
const today = '2026-11-23'
let t = performance.now()
const sim = await startOneRosterRestSim({
  board: generateBoard({ seed: 'measure', persons, today }),
  version,
  clientId: 'koppel',
  clientSecret: 's',
})
const simSeconds = (performance.now() - t) / 1000
const options = {
  ...oneRosterRestOptions.parse({
    baseUrl: sim.url,
    tokenUrl: sim.tokenUrl,
    clientId: 'koppel',
    clientSecret: '${env:X}',
    version,
    pageSize,
  }),
  clientSecret: 's',
}
const source = oneRosterRestConnector.create('school', options, {
  baseDir: '.',
  log: () => undefined,
  now: () => new Date(),
})
const requests = () => [...sim.http.requests.values()].reduce((a, b) => a + b, 0)
t = performance.now()
const full = await source.read({ today })
if (!full.ok) throw new Error(full.issues.map((i) => i.message).join('\n'))
const coldSeconds = (performance.now() - t) / 1000
// again, with the simulator's sorted collections and record JSON cached: closer to the connector's own cost
t = performance.now()
const cpu = process.cpuUsage()
if (!(await source.read({ today })).ok) throw new Error('second full read failed')
const fullSeconds = (performance.now() - t) / 1000
const fullCpu = process.cpuUsage(cpu)
const fullRequests = requests()
// 1 % of the users change, 0.2 % are deleted
const at = '2026-11-24T08:00:00.000Z'
sim.data.users.forEach((u, i) => {
  if (i % 100 === 0) sim.modify('users', u.sourcedId, { givenName: `${String(u.givenName)}x` }, at)
  else if (i % 500 === 7) sim.remove('users', u.sourcedId, at)
})
t = performance.now()
const delta = await source.read({ today, since: full.snapshot.cursor as string })
if (!delta.ok) throw new Error(delta.issues.map((i) => i.message).join('\n'))
const deltaSeconds = (performance.now() - t) / 1000
process.stdout.write(
  `OneRoster REST ${version}, ${persons} persons, pageSize ${pageSize} (sim built in ${simSeconds.toFixed(1)} s): ` +
    `full read ${coldSeconds.toFixed(2)} s (simulator cold), ${fullSeconds.toFixed(2)} s warm (${((fullCpu.user + fullCpu.system) / 1e6).toFixed(1)} s CPU, client and simulator in one process), ` +
    `${full.snapshot.persons.length} persons, ${fullRequests / 2} requests each; ` +
    `delta read ${deltaSeconds.toFixed(2)} s, ${delta.snapshot.persons.length} changed + ${delta.snapshot.removed.length} removed, ${requests() - fullRequests} requests\n`,
)
await sim.close()
