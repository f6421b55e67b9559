// Runs the target conformance suite (test/conformance) against the simulated directory through Koppel's real
// LDAP connector, with the same fixture the connector's own slapd run uses, so the simulator cannot drift
// from OpenLDAP on anything the connector relies on.
import { Client } from 'ldapts'
import { runTargetConformance } from '../../../test/conformance/target-conformance.ts'
import { conformanceFixture, TEST_OUS, type SlapdLike } from './ldap-test-fixture.ts'
import { startLdapServer } from '@koppel/sim/ldap-server'

async function startSimulated(): Promise<SlapdLike & { stop(): Promise<void> }> {
  const adminPassword = `pw-${Math.random().toString(36).slice(2)}`
  const server = await startLdapServer({ adminPassword })
  const s = {
    url: server.url,
    baseDn: server.baseDn,
    adminDn: server.adminDn,
    adminPassword,
    peopleDn: `ou=people,${server.baseDn}`,
    groupsDn: `ou=groups,${server.baseDn}`,
    stop: () => server.stop(),
  }
  const c = new Client({ url: s.url })
  try {
    await c.bind(s.adminDn, adminPassword)
    for (const dn of TEST_OUS(s)) {
      // ou=disabled is part of the simulator's initial tree
      await c
        .add(dn, { objectClass: 'organizationalUnit', ou: dn.slice(3, dn.indexOf(',')) })
        .catch((e: { code?: number }) => {
          if (e.code !== 68) throw e
        })
    }
  } finally {
    await c.unbind()
  }
  return s
}

function conformance(label: string, disable: (s: SlapdLike) => Record<string, unknown>) {
  runTargetConformance({
    name: `ldap simulator (${label})`,
    async setup({ pageSize }) {
      const s = await startSimulated()
      return conformanceFixture(s, pageSize, disable(s), () => s.stop())
    },
  })
}

conformance('disabled OU', (s) => ({
  moveTo: `ou=disabled,${s.baseDn}`,
  originAttribute: 'seeAlso',
}))
conformance('disable attribute', () => ({
  attribute: { name: 'employeeType', disabledValue: 'disabled', enabledValue: 'active' },
}))
