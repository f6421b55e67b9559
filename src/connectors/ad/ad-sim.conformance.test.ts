// Runs the target conformance suite against the AD simulator through Koppel's real AD connector, with the SAME
// fixture the connector's Samba run uses (src/connectors/ad/ad-test-fixture.ts), so the simulator cannot drift
// from Samba AD on anything the connector relies on; plus the AD semantics the connector depends on.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Client } from 'ldapts'
import { ConnectorError } from '../../contract/index.ts'
import { runTargetConformance } from '../../../test/conformance/target-conformance.ts'
import {
  adConformanceFixture,
  adPerson,
  adTestTarget,
  AD_TEST_OUS,
  type AdLike,
} from './ad-test-fixture.ts'
import { startAdServer, type RunningAdServer } from '@koppel/sim/ad-server'

async function startSimulated(): Promise<{ s: AdLike; server: RunningAdServer }> {
  const adminPassword = `pw-${Math.random().toString(36).slice(2)}`
  const server = await startAdServer({ adminPassword })
  const s: AdLike = {
    url: server.url,
    caFile: server.caFile,
    baseDn: server.baseDn,
    adminDn: server.adminDn,
    adminPassword,
  }
  const c = new Client({ url: s.url, tlsOptions: { ca: [readFileSync(server.caFile)] } })
  try {
    await c.bind(s.adminDn, adminPassword)
    for (const dn of AD_TEST_OUS(s)) {
      await c.add(dn, { objectClass: 'organizationalUnit' }).catch((e: { code?: number }) => {
        if (e.code !== 68) throw e
      })
    }
  } finally {
    await c.unbind()
  }
  return { s, server }
}

runTargetConformance({
  name: 'active-directory simulator',
  async setup({ pageSize }) {
    const { s, server } = await startSimulated()
    return adConformanceFixture(s, pageSize, () => server.stop())
  },
})

describe('AD simulator semantics', () => {
  test('objectGUID, userAccountControl, unicodePwd (bind works), sAMAccountName unique, employeeID length', async () => {
    const { s, server } = await startSimulated()
    const ad = adTestTarget(s)
    try {
      const spec = adPerson(s, 1)
      const r = await ad.create({
        attributes: spec.attributes,
        anchor: spec.anchor,
        enabled: false,
        secrets: { password: 'Init!1' },
      })
      assert.match(r.id, /^[0-9a-f]{8}-[0-9a-f]{4}-/)
      assert.equal((await ad.find(spec.anchor))?.enabled, false)
      await ad.enable(r)
      const user = new Client({ url: s.url, tlsOptions: { ca: [readFileSync(server.caFile)] } })
      await user.bind(r.locator, 'Init!1')
      await user.unbind()
      const other = adPerson(s, 2, { sAMAccountName: 'u1' })
      await assert.rejects(
        ad.create({ attributes: other.attributes, anchor: other.anchor, enabled: true }),
        { kind: 'conflict' },
      )
      const long = adPerson(s, 3, { employeeID: 'x'.repeat(17) })
      await assert.rejects(
        ad.create({ attributes: long.attributes, anchor: long.anchor, enabled: true }),
        { kind: 'invalid' },
      )
    } finally {
      await ad.close()
      await server.stop()
    }
  })

  test('groups: groupType must be one scope with or without the security bit; default global security', async () => {
    const { s, server } = await startSimulated()
    const c = new Client({ url: s.url, tlsOptions: { ca: [readFileSync(server.caFile)] } })
    try {
      await c.bind(s.adminDn, s.adminPassword)
      const plain = `CN=plain,OU=groups,${s.baseDn}`
      await c.add(plain, { objectClass: 'group', adminDescription: 'k/1', managedBy: s.adminDn })
      const { searchEntries } = await c.search(plain, { scope: 'base', attributes: ['groupType'] })
      assert.equal(searchEntries[0]?.['groupType'], '-2147483646')
      await assert.rejects(
        c.add(`CN=bad,OU=groups,${s.baseDn}`, { objectClass: 'group', groupType: '3' }),
        { code: 53 },
      )
      await assert.rejects(
        c.add(`CN=long,OU=groups,${s.baseDn}`, {
          objectClass: 'group',
          adminDescription: 'x'.repeat(1025),
        }),
        { code: 21 },
      )
    } finally {
      await c.unbind()
      await server.stop()
    }
  })

  test('a wrong bind password (AD simulator) fails as auth and the message holds no password', async () => {
    const server = await startAdServer({ adminPassword: 'right-Secret1' })
    const ad = adTestTarget({
      url: server.url,
      caFile: server.caFile,
      baseDn: server.baseDn,
      adminDn: server.adminDn,
      adminPassword: 'wrong-Secret2',
    })
    try {
      await assert.rejects(ad.find({ attribute: 'employeeID', value: 'e1' }), (e: unknown) => {
        assert.ok(ConnectorError.isInstance(e))
        assert.equal(e.kind, 'auth')
        assert.doesNotMatch(e.message, /Secret/)
        return true
      })
    } finally {
      await ad.close()
      await server.stop()
    }
  })

  test('a CA that did not sign the server certificate fails as config', async () => {
    const server = await startAdServer({ adminPassword: 'pw' })
    const ad = adTestTarget({
      url: server.url,
      baseDn: server.baseDn,
      adminDn: server.adminDn,
      adminPassword: 'pw',
    })
    try {
      await assert.rejects(
        ad.find({ attribute: 'employeeID', value: 'e1' }),
        (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'config',
      )
    } finally {
      await ad.close()
      await server.stop()
    }
  })
})

describe('AD provisioned groups on the simulator', () => {
  test('a changed ou moves the group to the other school OU (created on the way), keeping id and members', async () => {
    const { s, server } = await startSimulated()
    const ad = adTestTarget(s)
    try {
      const request = {
        key: '2026-2027/wi-3b',
        title: 'Wiskunde 3B',
        attributes: { title: 'Wiskunde 3B', ou: '99XX00' },
      }
      const created = await ad.createGroup(request)
      assert.match(created.locator, /^cn=Wiskunde 3B,OU=99XX00,OU=groups,/i)
      const spec = adPerson(s, 1)
      const ref = await ad.create({
        attributes: spec.attributes,
        anchor: spec.anchor,
        enabled: true,
      })
      await ad.grant(ref, { type: 'group', id: created.locator, role: 'member' })
      const moved = await ad.updateGroup(created, [{ field: 'ou', old: '99XX00', new: '88YY00' }], {
        ...request,
        attributes: { ...request.attributes, ou: '88YY00' },
      })
      assert.equal(moved.outcome, 'updated')
      assert.equal(moved.id, created.id)
      assert.match(moved.locator, /^cn=Wiskunde 3B,OU=88YY00,OU=groups,/i)
      assert.equal(
        (await ad.grant(ref, { type: 'group', id: moved.locator, role: 'member' })).outcome,
        'unchanged',
        'the member moved with the group',
      )
    } finally {
      await ad.close()
      await server.stop()
    }
  })
})
