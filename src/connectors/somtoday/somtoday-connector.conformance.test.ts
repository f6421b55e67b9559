// The shared source conformance suite against the Somtoday Connect simulator (leerlingen and medewerkers).
import assert from 'node:assert/strict'
import { somtodayConnector } from './index.ts'
import { generateBoard } from '@koppel/sim/generator'
import { startSomtodaySim, type SomtodaySim, type SomtodaySimOptions } from '@koppel/sim/somtoday'
import { runSourceConformance } from '../../../test/conformance/source-conformance.ts'

const TODAY = '2026-11-23'
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${TODAY}T06:00:00Z`) }

function source(sim: SomtodaySim, pageSize: number, secret = 'koppel-secret') {
  const o = somtodayConnector.schema.parse({
    baseUrl: sim.baseUrl,
    tokenUrl: sim.tokenUrl,
    clientId: 'koppel',
    clientSecret: '${env:SOMTODAY_SECRET}',
    organisation: sim.instelling.uuid,
    pageSize,
    pageAttempts: 2,
  })
  return somtodayConnector.create('somtoday', { ...o, clientSecret: secret }, context)
}

type Rewrite = NonNullable<SomtodaySimOptions['corrupt']>

runSourceConformance({
  name: 'somtoday',
  async setup({ pageSize, persons }) {
    const board = generateBoard({ seed: 'conformance-somtoday', persons, today: TODAY })
    // the malformed case serves what the spec forbids, through the simulator's one way around its own check
    let corrupt: Rewrite | undefined
    const sim = await startSomtodaySim({ board, corrupt: (kind, r) => corrupt?.(kind, r) ?? r })
    const isLeerlingen = (r: { url: URL }) => r.url.pathname.endsWith('/leerling')
    return {
      connector: source(sim, pageSize),
      today: TODAY,
      pageRequests: () => [...sim.pages.values()].reduce((a, b) => a + b, 0),
      withBadCredentials: () => source(sim, pageSize, 'wrong-secret'),
      failPartWay: () =>
        sim.http.inject({
          match: (r) => isLeerlingen(r) && r.url.searchParams.get('offset') !== '0',
          times: 10,
          response: {
            status: 503,
            headers: { 'retry-after': '0' },
            json: { errors: [{ code: 503, problem: 'Onderhoud', clarification: '' }] },
          },
        }),
      async breakRecord() {
        const pupil = [...board.chunks()].flatMap((c) => c.pupils)[3]
        assert.ok(pupil)
        corrupt = (_kind, r) =>
          r.uuid === pupil.id
            ? {
                ...r,
                plaatsingen: [{ ...(r.plaatsingen as object[])[0], startdatum: '2026-13-45' }],
              }
            : r
        return { record: pupil.id, field: 'plaatsingen[0].startdatum' }
      },
      async empty() {
        // a school without leerlingen and medewerkers: empty pages, as the spec's list responses allow
        for (const [path, wrapper] of [
          ['/leerling', 'leerlingen'],
          ['/medewerker', 'medewerkers'],
        ] as const) {
          sim.http.inject({
            match: (r) => r.url.pathname.endsWith(path),
            times: 1000,
            response: { status: 200, json: { [wrapper]: [] } },
          })
        }
        return source(sim, pageSize)
      },
      async teardown() {
        await sim.close()
        assert.deepEqual(sim.violations, [], 'the simulator served only what the spec allows')
      },
    }
  },
})
