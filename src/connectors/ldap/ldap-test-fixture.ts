// Test-only helpers shared by the LDAP connector tests: connector options for a test slapd and the
// conformance fixture (accounts named `cn=<sn> <i>` below ou=1a, anchored on uid). Not exported by index.ts.
import type { Attributes } from '../../model/index.ts'
import { createLdapTarget } from './ldap-connector.ts'
import { escapeDnValue } from '../../protocol/ldap-escape.ts'
import { ldapOptionsSchema, type LdapOptions } from './ldap-options.ts'
import type { LdapTarget } from './ldap-target.ts'
import type { TargetFixture } from '../../../test/conformance/target-conformance.ts'

export interface SlapdLike {
  readonly url: string
  readonly baseDn: string
  readonly adminDn: string
  readonly adminPassword: string
  readonly peopleDn: string
  readonly groupsDn: string
}

export const READ_ATTRIBUTES = ['uid', 'cn', 'sn', 'givenName', 'mail', 'title', 'telephoneNumber']

/** Options through the real schema (so defaults apply), with the password resolved as the loader would. */
export function testOptions(s: SlapdLike, extra: Record<string, unknown> = {}): LdapOptions {
  const parsed = ldapOptionsSchema.parse({
    url: s.url,
    bindDn: s.adminDn,
    password: '${env:KOPPEL_TEST_LDAP_PASSWORD}',
    baseDn: s.peopleDn,
    readAttributes: READ_ATTRIBUTES,
    groups: { baseDn: s.groupsDn },
    ...extra,
  })
  return { ...parsed, password: s.adminPassword }
}

export function testTarget(s: SlapdLike, extra: Record<string, unknown> = {}): LdapTarget {
  return createLdapTarget('test-ldap', testOptions(s, extra), process.cwd())
}

export function personAttributes(s: SlapdLike, i: number, overrides: Record<string, string> = {}) {
  const uid = overrides.uid ?? `u${i}`
  const sn = overrides.sn ?? `Jansen`
  const cn = `${sn} ${i}`
  const attributes: Attributes = {
    dn: `cn=${escapeDnValue(cn)},ou=1a,${s.peopleDn}`,
    uid,
    cn,
    sn,
    givenName: 'Jan',
    mail: `u${i}@school.test`,
    title: 'leerling',
    telephoneNumber: `+31 20 555 ${String(i).padStart(4, '0')}`,
    ...Object.fromEntries(Object.entries(overrides).filter(([k]) => k !== 'uid' && k !== 'sn')),
  }
  return { attributes, anchor: { attribute: 'uid', value: uid } }
}

export function renamedAttributes(s: SlapdLike, i: number): Attributes {
  const cn = `Hernoemd ${i}`
  return { dn: `cn=${escapeDnValue(cn)},ou=2b,${s.peopleDn}`, cn }
}

/** OUs the fixture uses: two classes below people, and a disabled OU outside it. */
export const TEST_OUS = (s: SlapdLike) => [
  `ou=1a,${s.peopleDn}`,
  `ou=2b,${s.peopleDn}`,
  `ou=disabled,${s.baseDn}`,
]

/** The conformance fixture for a directory shaped like the test slapd: slapd itself, or the demo's simulator. */
export function conformanceFixture(
  s: SlapdLike,
  pageSize: number,
  disable: Record<string, unknown>,
  teardown: () => Promise<void>,
): TargetFixture {
  return {
    connector: testTarget(s, { pageSize, disable }),
    makeAttributes: (i, o) => personAttributes(s, i, o),
    updatableField: 'title',
    removableField: 'telephoneNumber',
    nameField: 'sn',
    permission: (i) => ({ type: 'group', id: `cn=${escapeDnValue(`groep ${i}`)},${s.groupsDn}` }),
    renamed: (i) => renamedAttributes(s, i),
    invalidAttributes: (i) => {
      const { attributes, anchor } = personAttributes(s, i)
      const { sn: _sn, ...withoutSn } = attributes // inetOrgPerson requires sn
      return { attributes: withoutSn, anchor }
    },
    teardown,
  }
}
