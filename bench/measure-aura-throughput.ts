// Measures the Aura Online connector against this simulator at its default concurrency (4): N creates (each a
// read, then a create), N updates of one field (read, then update), N disables (read, then update). Run by hand:
// `node bench/measure-aura-throughput.ts [borrowers]`. Prints one JSON line of operations per second.
import { auraOptionsSchema, createAuraTarget } from '../src/connectors/aura/index.ts'
import { startAuraSim } from '@koppel/sim/aura'

const total = Number(process.argv[2] ?? 2000)
const sim = await startAuraSim({ password: 'measure', partner: 'partner' })
const options = {
  ...auraOptionsSchema.parse({ baseUrl: sim.url, password: '${env:X}', partner: '${env:Y}' }),
  password: 'measure',
  partner: 'partner',
}
const aura = createAuraTarget('measure', options)

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

const id = (i: number) => `L${100000 + i}`
const create = await timed((i) =>
  aura.create({
    attributes: {
      LENERSCODE: id(i),
      VOORN: 'Jan',
      LENERSNAAM: `Jansen ${i}`,
      EMAILADRES: `l${i}@school.test`,
      KAMERNR: '3A',
      TELEFOON: '030-1234567',
    },
    anchor: { attribute: 'LENERSCODE', value: id(i) },
    enabled: true,
  }),
)
const update = await timed((i) =>
  aura.update({ id: id(i), locator: id(i) }, [
    { field: 'EMAILADRES', new: `nieuw${i}@school.test` },
  ]),
)
const disable = await timed((i) => aura.disable({ id: id(i), locator: id(i) }))
process.stdout.write(
  JSON.stringify({
    borrowers: total,
    concurrency: options.concurrency,
    createPerSecond: create,
    updatePerSecond: update,
    disablePerSecond: disable,
    handshakes: aura.client.handshakes,
  }) + '\n',
)
await sim.close()
