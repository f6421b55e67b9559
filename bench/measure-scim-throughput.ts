// Measures the SCIM and Google Workspace targets against their simulators, as the engine drives them: N creates
// (each with its anchor look-up first) at the connector's default concurrency, then one listing of everything.
// SCIM once with Bulk (auto) and once without. Run by hand:
//   node bench/measure-scim-throughput.ts [creates]
// Prints one JSON line per run. The simulators run in the same process as the client (same cores).
//
// Look-up mode measures the SCIM simulator's cost per request as its user list grows (issue 18: at 100 boards
// one simulator holds every board's users): for each size the store is filled directly, then the connector's
// look-ups by externalId and by userName and a few creates (look-up + POST) run at the
// connector's concurrency. CPU is the whole process's (client and simulator share it):
//   node bench/measure-scim-throughput.ts lookups [sizes=1000,100000] [lookups=200] [creates=50]
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
import { loadavg } from 'node:os'

if (process.argv[2] === 'lookups') {
  await measureLookups(
    (process.argv[3] ?? '1000,100000').split(',').map(Number),
    Number(process.argv[4] ?? 200),
    Number(process.argv[5] ?? 50),
  )
  process.exit(0)
}
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

async function measureLookups(sizes: readonly number[], lookups: number, creates: number) {
  for (const size of sizes) {
    const sim = await startScimSim()
    const c = new ScimTarget('m', scimTestOptions(sim.url, 'test-token', { bulk: 'never' }))
    await c.create({ ...scimPerson(0), enabled: true })
    // the stored shape of a created user, cloned: filling 100,000 through HTTP would measure the fill
    const [model] = [...sim.users.values()] as Array<Record<string, unknown>>
    const store = sim.users as Map<string, Record<string, unknown>>
    for (let i = 1; i < size; i++) {
      const id = `seed-${i}`
      store.set(id, {
        ...model,
        id,
        userName: `u${i}@school.test`,
        externalId: `p${i}`,
        displayName: `Jan Jansen ${i}`,
      })
    }
    const concurrency = c.capabilities.defaultConcurrency
    const timed = async (label: string, n: number, op: (i: number) => Promise<unknown>) => {
      const load = loadavg()[0]?.toFixed(2)
      let next = 0
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < n; i = next++) await op(i)
        }),
      )
      const s = (performance.now() - t0) / 1000
      const cpu = process.cpuUsage(cpu0)
      process.stdout.write(
        `${JSON.stringify({ users: size, op: label, n, concurrency, perS: Math.round(n / s), cpuMsEach: Number(((cpu.user + cpu.system) / 1000 / n).toFixed(2)), wallS: Number(s.toFixed(2)), load })}\n`,
      )
    }
    // spread over the whole list, so no look-up is favoured by its place in it
    const pick = (i: number) => 1 + ((i * 7919) % (size - 1))
    await timed('find externalId', lookups, async (i) => {
      const found = await c.find({ attribute: 'externalId', value: `p${pick(i)}` })
      if (found === undefined) throw new Error(`p${pick(i)} not found`)
    })
    await timed('find userName', lookups, async (i) => {
      const found = await c.find({ attribute: 'userName', value: `u${pick(i)}@school.test` })
      if (found === undefined) throw new Error(`u${pick(i)} not found`)
    })
    await timed('create (look-up + POST)', creates, (i) =>
      c.create({ ...scimPerson(size + i), enabled: true }),
    )
    await sim.close()
  }
}
