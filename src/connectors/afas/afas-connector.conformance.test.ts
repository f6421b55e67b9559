// The shared source conformance suite against the AFAS Profit simulator (HR: employees and dienstverbanden).
import { afasConnector, afasOptions } from './index.ts'
import { generateBoard } from '@koppel/sim/generator'
import { startAfasSim, type AfasSim } from '@koppel/sim/afas'
import { runSourceConformance } from '../../../test/conformance/source-conformance.ts'

const TODAY = '2026-11-23'
const TOKEN = 'sim-token-data'
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${TODAY}T06:00:00Z`) }
const usersPath = '/profitrestservices/connectors/T4E_HelloID_Users_v2'

function source(sim: AfasSim, pageSize: number, token = TOKEN) {
  const o = afasOptions.parse({
    baseUrl: sim.url,
    token: '${env:AFAS_TOKEN}',
    pageSize,
    timeoutMs: 5000,
    readAttempts: 2,
  })
  return afasConnector.create('hr', { ...o, token }, context)
}

runSourceConformance({
  name: 'afas',
  async setup({ pageSize }) {
    // about 8 % of a board is staff, and AFAS serves only staff: 250 persons give three pages and more
    const board = generateBoard({ seed: 'conformance-afas', persons: 250, today: TODAY })
    const sim = await startAfasSim({ board, token: TOKEN })
    const extra: AfasSim[] = []
    return {
      connector: source(sim, pageSize),
      today: TODAY,
      pageRequests: () => sim.http.requests.get(`GET ${usersPath}`) ?? 0,
      withBadCredentials: () => source(sim, pageSize, 'wrong'),
      failPartWay: () =>
        sim.http.inject({
          match: (r) => r.url.pathname === usersPath,
          after: 1,
          times: 10,
          response: {
            status: 503,
            headers: { 'retry-after': '0' },
            json: { externalMessage: 'onderhoud' },
          },
        }),
      async breakRecord() {
        const e = sim.data.employments[0] as Record<string, unknown>
        e.Begindatum_functie = 'gisteren'
        return { record: String(e.ExternalID), field: 'Begindatum_functie' }
      },
      async empty() {
        const none = await startAfasSim({
          data: { users: [], employments: [], positions: [], organisationalUnits: [] },
          token: TOKEN,
        })
        extra.push(none)
        return source(none, pageSize)
      },
      async teardown() {
        await sim.close()
        for (const s of extra) await s.close()
      },
    }
  },
})
