// The shared source conformance suite against the Eduarte (Topicus) SOAP simulator.
import assert from 'node:assert/strict'
import { eduarteConnector, eduarteOptions } from './index.ts'
import { generateBoard } from '@koppel/sim/generator'
import { eduarteData, startEduarteSim, type EduarteSim } from '@koppel/sim/eduarte'
import { runSourceConformance } from '../../../test/conformance/source-conformance.ts'

const TODAY = '2026-11-23'
const KEY = 'sleutel<&>"1'
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${TODAY}T06:00:00Z`) }

function source(sim: EduarteSim, pageSize: number, apiKey = KEY) {
  const o = eduarteOptions.parse({
    baseUrl: sim.url,
    apiKey: '${env:EDUARTE_KEY}',
    pageSize,
    timeoutMs: 5000,
    readAttempts: 2,
  })
  return eduarteConnector.create('eduarte', { ...o, apiKey }, context)
}

const isList = (body: string) => body.includes('getDeelnemers') || body.includes('getMedewerkers')

runSourceConformance({
  name: 'eduarte',
  async setup({ pageSize, persons }) {
    const board = generateBoard({ seed: 'conformance-eduarte', persons, today: TODAY })
    const sim = await startEduarteSim({ apiSleutel: KEY, data: eduarteData(board) })
    return {
      connector: source(sim, pageSize),
      today: TODAY,
      pageRequests: () =>
        sim.calls.filter((c) => c.operation === 'getDeelnemers' || c.operation === 'getMedewerkers')
          .length,
      withBadCredentials: () => source(sim, pageSize, 'verkeerd-123'),
      failPartWay: () =>
        sim.server.inject({
          match: (r) => isList(r.body),
          after: 1,
          times: 10,
          response: { status: 503, text: 'Service Unavailable' },
        }),
      async breakRecord() {
        const d = sim.data.deelnemers[2]
        assert.ok(d?.verbintenissen[0])
        d.verbintenissen[0].begindatum = '31-02-2026'
        return {
          record: `deelnemer ${d.deelnemernummer}`,
          field: 'verbintenissen.verbintenis[0].begindatum',
        }
      },
      async empty() {
        sim.data.deelnemers = []
        sim.data.medewerkers = []
        return source(sim, pageSize)
      },
      teardown: () => sim.close(),
    }
  },
})
