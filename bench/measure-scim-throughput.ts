// Measures the SCIM and Google Workspace targets against their simulators, as the engine drives them: N creates
// (each with its anchor look-up first) at the connector's default concurrency, then one listing of everything.
// SCIM once with Bulk (auto) and once without. Run by hand:
//   node bench/measure-scim-throughput.ts [creates]
// Prints one JSON line per run. The simulators run in the same process as the client (same cores).
import { ScimTarget } from '../src/connectors/scim/scim-target.ts'
import { scimPerson, scimTestOptions } from '../src/connectors/scim/scim-test-fixture.ts'
import {
  googlePerson,
  googleTestTarget,
  makeServiceAccount,
} from '../src/connectors/google/google-test-fixture.ts'
import type { TargetConnector } from '../src/contract/index.ts'
import type { Attributes } from '../src/model/index.ts'
import { startGoogleSim } from '@koppel/sim/google'
import { startScimSim } from '@koppel/sim/scim'

const total = Number(process.argv[2] ?? 2000)

async function run(
  label: string,
  c: TargetConnector,
  spec: (i: number) => { attributes: Attributes; anchor: { attribute: string; value: string } },
  requests: () => number,
) {
  let next = 0
  const start = performance.now()
  await Promise.all(
    Array.from({ length: c.capabilities.defaultConcurrency }, async () => {
      for (let i = next++; i < total; i = next++) await c.create({ ...spec(i), enabled: true })
    }),
  )
  const createS = (performance.now() - start) / 1000
  const listStart = performance.now()
  let listed = 0
  for await (const _ of c.listAccounts!()) listed++
  const listS = (performance.now() - listStart) / 1000
  process.stdout.write(
    `${JSON.stringify({ label, creates: total, concurrency: c.capabilities.defaultConcurrency, createsPerS: Math.round(total / createS), httpRequests: requests(), listed, listS: Number(listS.toFixed(2)) })}\n`,
  )
}

for (const bulk of ['auto', 'never'] as const) {
  const sim = await startScimSim()
  const count = () => [...sim.http.requests.values()].reduce((a, b) => a + b, 0)
  await run(
    `scim bulk=${bulk}`,
    new ScimTarget('m', scimTestOptions(sim.url, 'test-token', { bulk, pageSize: 200 })),
    (i) => scimPerson(i),
    count,
  )
  await sim.close()
}
const sa = makeServiceAccount()
const g = await startGoogleSim({ serviceAccount: sa })
await run(
  'google-workspace',
  googleTestTarget(g, sa.keyJson),
  (i) => googlePerson(i),
  () => [...g.http.requests.values()].reduce((a, b) => a + b, 0),
)
await g.close()
