// The shared source conformance suite against the Magister (Schoolware ADFuncties export) simulator.
import assert from 'node:assert/strict'
import { magisterConnector, magisterOptions } from './index.ts'
import { generateBoard } from '@koppel/sim/generator'
import { magisterRows, startMagisterSim, type MagisterSim } from '@koppel/sim/magister'
import { runSourceConformance } from '../../../test/conformance/source-conformance.ts'

const TODAY = '2026-11-23'
const PASSWORD = 'geheim;1&2'
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${TODAY}T06:00:00Z`) }

function source(sim: MagisterSim, password = PASSWORD) {
  const o = magisterOptions.parse({
    baseUrl: sim.url,
    username: 'koppel',
    password: '${env:X}',
    timeoutMs: 5000,
    readAttempts: 2,
  })
  return magisterConnector.create('magister', { ...o, password }, context)
}

runSourceConformance({
  name: 'magister',
  skip: [
    {
      test: 'paging',
      reason: 'the export is one CSV download (GetData ADFuncties); the service has no pages',
    },
  ],
  async setup({ persons }) {
    const board = generateBoard({ seed: 'conformance-magister', persons, today: TODAY })
    const sim = await startMagisterSim({
      username: 'koppel',
      password: PASSWORD,
      rows: magisterRows(board),
    })
    return {
      connector: source(sim),
      today: TODAY,
      withBadCredentials: () => source(sim, 'fout'),
      // one download: "part-way" is that download failing for good, past the retries
      failPartWay: () =>
        sim.server.inject({ times: 10, response: { status: 503, text: 'Service Unavailable' } }),
      async breakRecord() {
        const row = sim.rows[1]
        assert.ok(row)
        row.studiebegindatum = '31-02-2026'
        return { record: row.STAMNR, field: 'studiebegindatum' }
      },
      async empty() {
        sim.rows.length = 0
        return source(sim)
      },
      teardown: () => sim.close(),
    }
  },
})
