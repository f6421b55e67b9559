// Measures the Entra ID connector against this simulator as the engine drives it: N creates (each a find, a
// deleted-items look-up and a POST) and N group grants with `inFlight` operations at once, then one listing,
// once with $batch (batchSize 20) and once without. Loopback only, so this measures Koppel's and the
// simulator's overhead and the number of HTTP requests, not Graph's latency. Run by hand:
// `node bench/measure-entra-throughput.ts [users] [inFlight]`. Prints one JSON line per batch size.
import { EntraTarget, entraOptionsSchema } from '../src/connectors/entra/index.ts'
import { startEntraSim } from '@koppel/sim/entra'

const total = Number(process.argv[2] ?? 2000)
const inFlight = Number(process.argv[3] ?? 8)

for (const batchSize of [20, 1]) {
  const sim = await startEntraSim()
  const group = sim.addGroup('Alle leerlingen')
  const options = entraOptionsSchema.parse({
    tenantId: sim.tenantId,
    clientId: 'koppel-client',
    clientSecret: '${env:X}',
    graphUrl: sim.url,
    loginUrl: sim.url,
    batchSize,
  })
  const target = new EntraTarget('measure', { ...options, clientSecret: 'koppel-secret' })
  const run = async (work: (i: number) => Promise<unknown>) => {
    let next = 0
    const start = performance.now()
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let i = next++; i < total; i = next++) await work(i)
      }),
    )
    return (performance.now() - start) / 1000
  }
  const ids: string[] = []
  const createS = await run(async (i) => {
    const r = await target.create({
      attributes: {
        displayName: `Leerling ${i}`,
        userPrincipalName: `u${i}@school.test`,
        employeeId: `E${i}`,
        givenName: 'Jan',
        surname: 'Jansen',
      },
      anchor: { attribute: 'employeeId', value: `E${i}` },
      enabled: true,
    })
    ids[i] = r.id
  })
  const grantS = await run((i) =>
    target.grant({ id: ids[i] as string, locator: ids[i] as string }, { type: 'group', id: group }),
  )
  const listStart = performance.now()
  let listed = 0
  for await (const _ of target.listAccounts()) listed++
  const listS = (performance.now() - listStart) / 1000
  const requests = [...sim.http.requests.values()].reduce((a, b) => a + b, 0)
  process.stdout.write(
    `${JSON.stringify({
      batchSize,
      users: total,
      inFlight,
      createPerS: Math.round(total / createS),
      grantPerS: Math.round(total / grantS),
      listS: Number(listS.toFixed(2)),
      listed,
      httpRequests: requests,
      batches: sim.batchSizes.length,
      meanBatch:
        sim.batchSizes.length === 0
          ? 0
          : Number((sim.batchSizes.reduce((a, b) => a + b, 0) / sim.batchSizes.length).toFixed(1)),
    })}\n`,
  )
  await target.close()
  await sim.close()
}
