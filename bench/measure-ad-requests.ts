// Times each kind of LDAP request the AD connector sends per create (ad-target.ts: the uniqueness search below the
// domain root, the anchor search below the base, the add with its password, the read-back of objectGUID) against a
// real Samba AD DC as the directory grows, one request at a time so each figure is that request's own cost. The
// users that fill the directory are added with ldbadd (no passwords: filling is not what is measured). With
// `index`, the anchor attribute is then indexed (samba-tool schema attribute modify --searchflags=fATTINDEX, as
// docs/connectors/active-directory.md tells an admin) and the same requests are timed again at the largest size.
// Prints figures with the load average, asserts nothing.
// Usage: node bench/measure-ad-requests.ts [sizes=200,2000] [samples=40] [index]
import { loadavg } from 'node:os'
import { AndFilter, Attribute, EqualityFilter, FilterParser, OrFilter, type Client } from 'ldapts'
import type { LdapClient } from '../src/connectors/ldap/ldap-client.ts'
import { equalityRuleOf } from '../src/connectors/ldap/ldap-schema.ts'
import { startSambaAd, type SambaAd } from '../test/harness/samba-ad.ts'

const sizes = (process.argv[2] ?? '200,2000').split(',').map(Number)
const samples = Number(process.argv[3] ?? 40)
const withIndex = process.argv[4] === 'index'
const IN_FLIGHT = 8
const LIST = '(&(objectCategory=person)(objectClass=user))'

const load = () => loadavg()[0]?.toFixed(2) ?? '?'
const ou = (s: SambaAd, name: string) => `OU=${name},${s.baseDn}`

function fillLdif(s: SambaAd, from: number, to: number): string {
  const out: string[] = []
  for (let i = from; i < to; i++) {
    const key = `f${String(i).padStart(6, '0')}`
    out.push(
      [
        `dn: CN=${key},${ou(s, 'fill')}`,
        'objectClass: user',
        `sAMAccountName: ${key}`,
        `userPrincipalName: ${key}@school.test`,
        `mail: ${key}@school.test`,
        `employeeID: ${key}`,
        '',
      ].join('\n'),
    )
  }
  return out.join('\n')
}

async function timed(label: string, n: number, one: (i: number) => Promise<unknown>) {
  const cpu = process.cpuUsage()
  const started = performance.now()
  for (let i = 0; i < n; i++) await one(i)
  const ms = (performance.now() - started) / n
  const { user, system } = process.cpuUsage(cpu)
  const clientUs = (user + system) / n
  console.log(
    `  ${label.padEnd(34)} ${ms.toFixed(2).padStart(7)} ms each (client CPU ${clientUs.toFixed(0)} µs)  load ${load()}`,
  )
  return ms
}

async function measure(s: SambaAd, client: Client, size: number, tag: string) {
  console.log(`directory with ${size} filled users${tag}:`)
  const list = FilterParser.parseString(LIST)
  await timed('anchor search (employeeID)', samples, (i) =>
    client.search(s.baseDn, {
      scope: 'sub',
      filter: new AndFilter({
        filters: [list, new EqualityFilter({ attribute: 'employeeID', value: `x${tag}${i}` })],
      }),
      attributes: ['objectGUID', 'employeeID'],
    }),
  )
  await timed('anchor search, anchor first', samples, (i) =>
    client.search(s.baseDn, {
      scope: 'sub',
      filter: new AndFilter({
        filters: [new EqualityFilter({ attribute: 'employeeID', value: `y${tag}${i}` }), list],
      }),
      attributes: ['objectGUID', 'employeeID'],
    }),
  )
  await timed('anchor search, no list filter', samples, (i) =>
    client.search(s.baseDn, {
      scope: 'sub',
      filter: new EqualityFilter({ attribute: 'employeeID', value: `z${tag}${i}` }),
      attributes: ['objectGUID', 'employeeID'],
    }),
  )
  await timed('uniqueness search (sAM/UPN/mail/proxy)', samples, (i) => {
    const v = `u${size}${tag.length}${i}`
    return client.search(s.baseDn, {
      scope: 'sub',
      filter: new OrFilter({
        filters: [
          new EqualityFilter({ attribute: 'sAMAccountName', value: v }),
          new EqualityFilter({ attribute: 'userPrincipalName', value: `${v}@school.test` }),
          new EqualityFilter({ attribute: 'mail', value: `${v}@school.test` }),
          new EqualityFilter({ attribute: 'proxyAddresses', value: `smtp:${v}@school.test` }),
        ],
      }),
      attributes: ['objectGUID', 'sAMAccountName', 'employeeID'],
    })
  })
  const addOu = ou(s, `adds${size}${tag.length}`)
  await client.add(addOu, { objectClass: 'organizationalUnit' })
  await timed('add with unicodePwd', samples, (i) =>
    client.add(`CN=a${i},${addOu}`, [
      new Attribute({ type: 'objectClass', values: ['user'] }),
      new Attribute({ type: 'sAMAccountName', values: [`a${size}x${tag.length}x${i}`] }),
      new Attribute({ type: 'employeeID', values: [`a${size}x${tag.length}x${i}`] }),
      new Attribute({
        type: 'unicodePwd',
        values: [Buffer.from(`"Pw-${i}-Xy9!kQ"`, 'utf16le')],
      }),
      new Attribute({ type: 'userAccountControl', values: ['512'] }),
    ]),
  )
  // the connector's default is 8 in flight; ldapadd sends one at a time: does Samba take 8 faster or slower?
  const batches = Math.max(1, Math.floor(samples / IN_FLIGHT))
  const ms = await timed(`${IN_FLIGHT} adds in flight (per batch)`, batches, (b) =>
    Promise.all(
      Array.from({ length: IN_FLIGHT }, (_, j) => {
        const n = `p${size}x${tag.length}x${b}x${j}`
        return client.add(`CN=${n},${addOu}`, [
          new Attribute({ type: 'objectClass', values: ['user'] }),
          new Attribute({ type: 'sAMAccountName', values: [n] }),
          new Attribute({ type: 'employeeID', values: [n] }),
          new Attribute({
            type: 'unicodePwd',
            values: [Buffer.from(`"Pw-${n}-Xy9!kQ"`, 'utf16le')],
          }),
          new Attribute({ type: 'userAccountControl', values: ['512'] }),
        ])
      }),
    ),
  )
  console.log(`  = ${(ms / IN_FLIGHT).toFixed(2)} ms per add with ${IN_FLIGHT} in flight`)
  await timed('read-back (base, objectGUID)', samples, (i) =>
    client.search(`CN=a${i},${addOu}`, { scope: 'base', attributes: ['objectGUID'] }),
  )
}

const s = await startSambaAd()
try {
  const client = await s.admin()
  const rule = await equalityRuleOf(
    {
      search: async (base, options) => (await client.search(base, options)).searchEntries,
    } as LdapClient,
    'employeeID',
  )
  console.log(`employeeID's EQUALITY in the subschema: ${rule ?? 'none'}`)
  await client.add(ou(s, 'fill'), { objectClass: 'organizationalUnit' })
  let filled = 0
  for (const size of sizes) {
    const started = performance.now()
    await s.ldbAdd(fillLdif(s, filled, size))
    console.log(
      `filled ${filled} → ${size} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
    filled = size
    await measure(s, client, size, '')
  }
  if (withIndex) {
    await s.indexAttribute('Employee-ID')
    await measure(s, client, filled, ' +index')
  }
} finally {
  await s.stop()
}
