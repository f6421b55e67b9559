// Measures the OutSystems connector against this simulator at its default concurrency (4): N creates (each
// lists every user first, as the API has no filter: the cost grows with the user count), N grants (GET + PUT),
// N disables (GET + PUT), and one listing. Run by hand: `node bench/measure-outsystems-throughput.ts [users]`.
// Prints one JSON line.
import {
  createOutSystemsTarget,
  outSystemsOptionsSchema,
} from '../src/connectors/outsystems/index.ts'
import { startOutSystemsSim } from '@koppel/sim/outsystems'

const total = Number(process.argv[2] ?? 2000)
const sim = await startOutSystemsSim({ token: 'measure' })
const options = {
  ...outSystemsOptionsSchema.parse({ baseUrl: sim.url, token: '${env:T}' }),
  token: 'measure',
}
const os = createOutSystemsTarget('measure', options)

const ids: string[] = []
async function timed(work: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0
  const start = performance.now()
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      for (let i = next++; i < total; i = next++) await work(i)
    }),
  )
  return Math.round(total / ((performance.now() - start) / 1000))
}

const create = await timed(async (i) => {
  const r = await os.create({
    attributes: {
      username: `u${i}@school.test`,
      name: `Gebruiker ${i}`,
      email: `u${i}@school.test`,
    },
    anchor: { attribute: 'username', value: `u${i}@school.test` },
    enabled: true,
  })
  ids[i] = r.id
})
const grant = await timed((i) =>
  os.grant({ id: ids[i] as string, locator: ids[i] as string }, { type: 'role', id: 'Docent' }),
)
const disable = await timed((i) => os.disable({ id: ids[i] as string, locator: ids[i] as string }))
const listStart = performance.now()
let listed = 0
for await (const _ of os.listAccounts()) listed++
const listMs = Math.round(performance.now() - listStart)
process.stdout.write(
  JSON.stringify({
    users: total,
    concurrency: options.concurrency,
    createPerSecond: create,
    grantPerSecond: grant,
    disablePerSecond: disable,
    listed,
    listMs,
  }) + '\n',
)
await sim.close()
