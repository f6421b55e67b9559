// The anchor look-up before each create, against a real Samba AD DC: Samba's subschema gives employeeID no
// EQUALITY rule, so before the connector read AD's own schema every create sent its own anchor search, and on an
// unindexed anchor each of those reads every user (docs/benchmarks.md, "Active Directory"). Here creates in
// flight share their anchor searches (anchor term first, which Samba's ldb answers from the anchor's index alone),
// the missing index is named once in a warning, and indexing it (as
// docs/connectors/active-directory.md tells an admin) is seen. Its own DC, as the test changes the schema.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { SearchOptions } from 'ldapts'
import { sambaSkipReason, startSambaAd, type SambaAd } from '../../../test/harness/samba-ad.ts'
import { openLdapConnection } from '../ldap/ldap-connection.ts'
import { AD_TEST_OUS, adPerson, adTestOptions, type AdLike } from './ad-test-fixture.ts'
import { AdTarget } from './ad-target.ts'

const skip = sambaSkipReason()
const IN_FLIGHT = 8

type Logged = { level: string; message: string }

/** An AD target whose client records the filter of every search it sends. */
function countingTarget(s: SambaAd, logged: Logged[]) {
  const options = adTestOptions(like(s))
  const { client, listFilter } = openLdapConnection('counted', options, process.cwd())
  const filters: string[] = []
  const search = client.search.bind(client)
  client.search = (base: string, o: SearchOptions, controls) => {
    filters.push(String(o.filter ?? ''))
    return search(base, o, controls)
  }
  const log = (level: string, message: string) => logged.push({ level, message })
  return { target: new AdTarget('counted', options, { client, listFilter, log }), filters }
}

const like = (s: SambaAd): AdLike => ({
  url: s.url,
  caFile: s.caFile,
  tlsServerName: s.tlsServerName,
  baseDn: s.baseDn,
  adminDn: s.adminDn,
  adminPassword: s.adminPassword,
})

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50))
  assert.ok(check(), what)
}

describe('active-directory on Samba AD: the anchor look-up', { skip, timeout: 300_000 }, () => {
  let s: SambaAd
  before(async () => {
    s = await startSambaAd()
    const c = await s.admin()
    for (const dn of AD_TEST_OUS(like(s))) await c.add(dn, { objectClass: 'organizationalUnit' })
  })
  after(async () => {
    await s?.stop()
  })

  test('creates in flight share anchor searches; an unindexed anchor is named once, until it is indexed', async () => {
    const logged: Logged[] = []
    const { target, filters } = countingTarget(s, logged)
    try {
      const created = await Promise.all(
        Array.from({ length: IN_FLIGHT }, async (_, n) => {
          const { attributes, anchor } = adPerson(like(s), 100 + n)
          return target.create({ attributes, anchor, enabled: true })
        }),
      )
      assert.deepEqual(
        created.map((c) => c.outcome),
        Array(IN_FLIGHT).fill('created'),
      )
      assert.equal(new Set(created.map((c) => c.id)).size, IN_FLIGHT)
      const anchorSearches = filters.filter((f) => f.includes('(employeeID='))
      // Samba takes an AND's terms in order: the anchor, which matches one user, before the list filter's terms
      for (const f of anchorSearches) assert.match(f, /^\(&\((\|\()?employeeID=/)
      assert.ok(
        anchorSearches.length < IN_FLIGHT,
        `${IN_FLIGHT} creates sent ${anchorSearches.length} anchor searches: ${anchorSearches.join(' ')}`,
      )
      // the batched search still tells each create its own account: a second round finds them all
      const again = await Promise.all(
        Array.from({ length: IN_FLIGHT }, async (_, n) => {
          const { attributes, anchor } = adPerson(like(s), 100 + n)
          return target.create({ attributes, anchor, enabled: true })
        }),
      )
      assert.deepEqual(
        again.map((c) => [c.outcome, c.id]),
        created.map((c) => ['unchanged', c.id]),
      )

      await until(() => logged.length > 0, 'the missing index is reported')
      assert.equal(logged.length, 1, 'once per attribute, not per create')
      assert.equal(logged[0]?.level, 'warn')
      assert.match(logged[0]?.message ?? '', /employeeID is not indexed/)
      assert.equal(await target.anchorIndexed('employeeID'), false)
      assert.equal(await target.anchorIndexed('sAMAccountName'), true)

      await s.indexAttribute('Employee-ID')
      assert.equal(await target.anchorIndexed('employeeID'), true)
    } finally {
      await target.close()
    }
  })
})
