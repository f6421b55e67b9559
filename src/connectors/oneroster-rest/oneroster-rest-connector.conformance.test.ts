// The shared source conformance suite against the OneRoster REST simulator.
import { oneRosterRestConnector, oneRosterRestOptions } from './index.ts'
import { generateBoard } from '@koppel/sim/generator'
import { startOneRosterRestSim, type OneRosterRestSim } from '@koppel/sim/oneroster-rest'
import { runSourceConformance } from '../../../test/conformance/source-conformance.ts'

const TODAY = '2026-11-23'
const SECRET = 's3cret'
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${TODAY}T10:00:00Z`) }

function source(sim: OneRosterRestSim, pageSize: number, secret = SECRET) {
  const o = oneRosterRestOptions.parse({
    baseUrl: sim.url,
    tokenUrl: sim.tokenUrl,
    clientId: 'koppel',
    clientSecret: '${env:OR_SECRET}',
    pageSize,
    timeoutMs: 5000,
  })
  return oneRosterRestConnector.create('school', { ...o, clientSecret: secret }, context)
}

const usersPath = (sim: OneRosterRestSim) => `GET ${new URL(sim.url).pathname}/users`

runSourceConformance({
  name: 'oneroster-rest',
  async setup({ pageSize, persons }) {
    const board = generateBoard({ seed: 'conformance-or-rest', persons, today: TODAY })
    const sim = await startOneRosterRestSim({ board, clientId: 'koppel', clientSecret: SECRET })
    const empty = async () => {
      const none = await startOneRosterRestSim({ board, clientId: 'koppel', clientSecret: SECRET })
      extra.push(none)
      for (const list of Object.values(none.data)) list.length = 0
      return source(none, pageSize)
    }
    const extra: OneRosterRestSim[] = []
    return {
      connector: source(sim, pageSize),
      today: TODAY,
      pageRequests: () => sim.http.requests.get(usersPath(sim)) ?? 0,
      withBadCredentials: () => source(sim, pageSize, 'wrong'),
      failPartWay: () =>
        sim.http.inject({
          match: (r) => `${r.method} ${r.url.pathname}` === usersPath(sim),
          after: 1,
          times: 10,
          response: {
            status: 500,
            headers: { 'retry-after': '0' },
            json: { imsx_codeMajor: 'failure', imsx_description: 'boom' },
          },
        }),
      async breakRecord() {
        const u = sim.data.users[3] as { sourcedId: string }
        sim.modify('users', u.sourcedId, { familyName: '' }, `${TODAY}T00:00:00.000Z`)
        return { record: u.sourcedId, field: 'familyName' }
      },
      empty,
      async changeOne() {
        const u = sim.data.users[5] as { sourcedId: string }
        sim.modify(
          'users',
          u.sourcedId,
          { givenName: 'Conformance-Changed' },
          `${TODAY}T08:00:00.000Z`,
        )
        return 'Conformance-Changed'
      },
      async teardown() {
        await sim.close()
        for (const s of extra) await s.close()
      },
    }
  },
})
