// The Somtoday mapper's CPU alone: fetches a generated board's lesgroep and leerling pages from the simulator
// once, then maps them five times (`process.cpuUsage()` per round; the first rounds include V8 warming up).
// `node bench/measure-somtoday-mapper.ts [pupils=5000]`. Prints figures, asserts nothing.
import { SomtodayApi } from '../src/connectors/somtoday/somtoday-api.ts'
import { SomtodayMapper } from '../src/connectors/somtoday/somtoday-mapping.ts'
import { somtodayOptions } from '../src/connectors/somtoday/somtoday-options.ts'
import { IssueCollector } from '../src/contract/issue-collector.ts'
import { generateBoard, PUPIL_SHARE } from '@koppel/sim/generator'
import { startSomtodaySim } from '@koppel/sim/somtoday'
const pupils = Number(process.argv[2] ?? 5000)
const board = generateBoard({
  seed: 'mapbench',
  persons: Math.round(pupils / PUPIL_SHARE),
  today: '2026-11-23',
})
const sim = await startSomtodaySim({ board })
const o = {
  ...somtodayOptions.parse({
    baseUrl: sim.baseUrl,
    tokenUrl: sim.tokenUrl,
    clientId: 'koppel',
    clientSecret: '${env:X}',
    organisation: sim.instelling.uuid,
    pageSize: 200,
  }),
  clientSecret: 'koppel-secret',
}
const api = new SomtodayApi(o)
const vs = await api.vestigingen()
const pages: { v: (typeof vs)[number]; kind: string; records: unknown[]; offset: number }[] = []
for (const v of vs)
  for (const [kind, w] of [
    ['lesgroep', 'lesgroepen'],
    ['leerling', 'leerlingen'],
  ] as const)
    for await (const p of api.pages(v.uuid, kind, w, { peilschooljaar: 'HUIDIG' }))
      pages.push({ v, kind, ...p })
await sim.close()
const times: number[] = []
for (let round = 0; round < 5; round++) {
  const c = process.cpuUsage()
  const m = new SomtodayMapper('s', new IssueCollector('s', { cap: 100 }), { vakkeuzes: true })
  let cur
  for (const p of pages) {
    if (p.v !== cur) m.vestigingGroup((cur = p.v))
    p.records.forEach((r, i) =>
      p.kind === 'lesgroep' ? m.lesgroep(p.v, r) : m.leerling(p.v, r, p.offset + i),
    )
  }
  const { persons } = m.finish()
  const u = process.cpuUsage(c)
  times.push((u.user + u.system) / 1000)
  if (round === 0) console.log('persons', persons.length)
}
console.log('mapper CPU ms per round', times.map((t) => t.toFixed(0)).join(' '))
