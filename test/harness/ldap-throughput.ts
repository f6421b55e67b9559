// Measures LDAP create throughput: N inetOrgPerson accounts through the Koppel LDAP connector with K creates
// in flight, raw ldapts adds with K in flight, and `ldapadd -f` of the same entries as LDIF, each against a
// fresh slapd. Usage: node test/harness/ldap-throughput.ts [count=5000] [inFlight=20] [--sync]
// (A bench/ runner may import `measureLdapThroughput` later; this file only prints when run directly.)
import { execFileSync } from 'node:child_process'
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from 'ldapts'
import { personAttributes, testTarget } from '../../src/connectors/ldap/ldap-test-fixture.ts'
import { startSlapd, type Slapd } from './slapd.ts'

export interface ThroughputResult {
  readonly count: number
  readonly inFlight: number
  readonly nosync: boolean
  readonly connector: { seconds: number; perSecond: number }
  readonly rawLdapts: { seconds: number; perSecond: number }
  readonly ldapadd: { seconds: number; perSecond: number; command: string }
}

async function fresh(nosync: boolean): Promise<Slapd> {
  const s = await startSlapd({ nosync })
  const c = new Client({ url: s.url })
  try {
    await c.bind(s.adminDn, s.adminPassword)
    await c.add(`ou=1a,${s.peopleDn}`, { objectClass: 'organizationalUnit', ou: '1a' })
  } finally {
    await c.unbind()
  }
  return s
}

async function pool(
  count: number,
  inFlight: number,
  work: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await work(next++)
    }),
  )
  return (performance.now() - started) / 1000
}

const rate = (count: number, seconds: number) => ({
  seconds: round(seconds),
  perSecond: Math.round(count / seconds),
})
const round = (x: number) => Math.round(x * 1000) / 1000

export async function measureLdapThroughput(
  count = 5000,
  inFlight = 20,
  nosync = true,
): Promise<ThroughputResult> {
  let s = await fresh(nosync)
  let connectorSeconds: number
  const target = testTarget(s, { concurrency: inFlight })
  try {
    connectorSeconds = await pool(count, inFlight, async (i) => {
      const spec = personAttributes(s, i + 1)
      const r = await target.create({ ...spec, enabled: true })
      if (r.outcome !== 'created') throw new Error(`account ${i}: ${r.outcome}`)
    })
  } finally {
    await target.close()
    await s.stop()
  }

  s = await fresh(nosync)
  let rawSeconds: number
  const client = new Client({ url: s.url })
  try {
    await client.bind(s.adminDn, s.adminPassword)
    rawSeconds = await pool(count, inFlight, async (i) => {
      const { attributes } = personAttributes(s, i + 1)
      const { dn, ...rest } = attributes
      await client.add(String(dn), {
        objectClass: 'inetOrgPerson',
        ...(rest as Record<string, string>),
      })
    })
  } finally {
    await client.unbind()
    await s.stop()
  }

  s = await fresh(nosync)
  const dir = mkdtempSync(join(tmpdir(), 'koppel-ldif-'))
  try {
    const ldif = join(dir, 'people.ldif')
    const pwFile = join(dir, 'pw')
    writeFileSync(pwFile, s.adminPassword)
    writeFileSync(
      ldif,
      Array.from({ length: count }, (_, i) => toLdif(personAttributes(s, i + 1).attributes)).join(
        '\n',
      ),
    )
    const args = ['-x', '-H', s.url, '-D', s.adminDn, '-y', pwFile, '-f', ldif]
    const started = performance.now()
    execFileSync('ldapadd', args, { stdio: 'ignore' })
    const seconds = (performance.now() - started) / 1000
    return {
      count,
      inFlight,
      nosync,
      connector: rate(count, connectorSeconds),
      rawLdapts: rate(count, rawSeconds),
      ldapadd: { ...rate(count, seconds), command: `ldapadd ${args.join(' ')}` },
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await s.stop()
  }
}

// LDIF values that are not plain printable ASCII, or start with space, colon or <, go base64 (`::`, RFC 2849)
function toLdif(attributes: Record<string, unknown>): string {
  const line = (name: string, value: string) =>
    /^[!-9;=-~][ -~]*$/.test(value) && !value.endsWith(' ')
      ? `${name}: ${value}`
      : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`
  const lines = [line('dn', String(attributes.dn)), 'objectClass: inetOrgPerson']
  for (const [name, value] of Object.entries(attributes))
    if (name !== 'dn') lines.push(line(name, String(value)))
  return `${lines.join('\n')}\n`
}

if (import.meta.main) {
  const [count = '5000', inFlight = '20'] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
  const result = await measureLdapThroughput(
    Number(count),
    Number(inFlight),
    !process.argv.includes('--sync'),
  )
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  process.stdout.write(
    `connector/ldapadd = ${(result.connector.perSecond / result.ldapadd.perSecond).toFixed(2)}, ` +
      `raw ldapts/ldapadd = ${(result.rawLdapts.perSecond / result.ldapadd.perSecond).toFixed(2)}\n`,
  )
}
