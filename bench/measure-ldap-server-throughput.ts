// Measures the simulated directory through ldapts as the LDAP connector drives it: N adds with 20 in flight
// on one connection, then anchor searches (uid equality, indexed) one at a time, then one paged listing of
// everything. Run by hand: `node bench/measure-ldap-server-throughput.ts [entries]`. Prints one JSON line.
import { Client } from 'ldapts'
import { startLdapServer } from '@koppel/sim/ldap-server'

const total = Number(process.argv[2] ?? 10_000)
const inFlight = 20
const server = await startLdapServer({ adminPassword: 'measure' })
const client = new Client({ url: server.url, timeout: 60_000 })
await client.bind(server.adminDn, 'measure')
const people = `ou=people,${server.baseDn}`

let next = 0
const addStart = performance.now()
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    for (let i = next++; i < total; i = next++) {
      await client.add(`uid=u${i},${people}`, {
        objectClass: ['inetOrgPerson'],
        uid: `u${i}`,
        cn: `Leerling ${i}`,
        sn: `Jansen`,
        givenName: 'Jan',
        mail: `u${i}@school.test`,
        employeeNumber: String(100000 + i),
      })
    }
  }),
)
const addSeconds = (performance.now() - addStart) / 1000

const lookups = 1000
const searchStart = performance.now()
for (let k = 0; k < lookups; k++) {
  const i = Math.floor((k * 7919) % total)
  const r = await client.search(people, { filter: `(uid=u${i})`, attributes: ['entryUUID'] })
  if (r.searchEntries.length !== 1) throw new Error(`u${i} not found`)
}
const searchSeconds = (performance.now() - searchStart) / 1000

const listStart = performance.now()
const listed = await client.search(people, {
  scope: 'one',
  filter: '(objectClass=inetOrgPerson)',
  attributes: ['uid', 'entryUUID'],
  paged: { pageSize: 500 },
})
const listSeconds = (performance.now() - listStart) / 1000
if (listed.searchEntries.length !== total) throw new Error(`listed ${listed.searchEntries.length}`)

await client.unbind()
await server.stop()
process.stdout.write(
  JSON.stringify({
    entries: total,
    inFlight,
    addsPerSecond: Math.round(total / addSeconds),
    addSeconds: +addSeconds.toFixed(2),
    anchorSearchesPerSecond: Math.round(lookups / searchSeconds),
    pagedListSeconds: +listSeconds.toFixed(2),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  }) + '\n',
)
