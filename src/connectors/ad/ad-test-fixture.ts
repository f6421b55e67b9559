// Test-only helpers shared by the AD connector tests on Samba and the AD simulator's tests: connector options
// for a test DC and the ONE conformance fixture both run (accounts `CN=<sn> <i>` below OU=1a,OU=people,
// anchored on employeeID), so the simulator cannot drift from Samba. Not exported by index.ts.
import type { Attributes } from '../../model/index.ts'
import type { TargetFixture } from '../../../test/conformance/target-conformance.ts'
import { escapeDnValue } from '../../protocol/ldap-escape.ts'
import { createAdTarget } from './ad-connector.ts'
import { adOptionsSchema, AD_READ_ATTRIBUTES, type AdOptions } from './ad-options.ts'
import type { AdTarget } from './ad-target.ts'

export interface AdLike {
  /** ldaps:// or ldap:// (then `startTls`). */
  readonly url: string
  readonly startTls?: boolean
  /** PEM file of the CA; relative paths resolve against the working directory. */
  readonly caFile?: string
  /** The name in the server certificate (Samba: DC1.school.test). */
  readonly tlsServerName?: string
  readonly baseDn: string
  readonly adminDn: string
  readonly adminPassword: string
}

export const peopleDn = (s: AdLike) => `OU=people,${s.baseDn}`
export const groupsDn = (s: AdLike) => `OU=groups,${s.baseDn}`
/** OUs the fixture uses (parents first). */
export const AD_TEST_OUS = (s: AdLike) => [
  peopleDn(s),
  `OU=1a,${peopleDn(s)}`,
  `OU=2b,${peopleDn(s)}`,
  groupsDn(s),
]

export const FIXTURE_READ_ATTRIBUTES = [...AD_READ_ATTRIBUTES, 'title', 'telephoneNumber']

export function adTestOptions(s: AdLike, extra: Record<string, unknown> = {}): AdOptions {
  const parsed = adOptionsSchema.parse({
    url: s.url,
    startTls: s.startTls ?? false,
    ...(s.caFile === undefined ? {} : { tlsCaFile: s.caFile }),
    ...(s.tlsServerName === undefined ? {} : { tlsServerName: s.tlsServerName }),
    bindDn: s.adminDn,
    password: '${env:KOPPEL_TEST_AD_PASSWORD}',
    baseDn: peopleDn(s),
    readAttributes: FIXTURE_READ_ATTRIBUTES,
    groups: { baseDn: groupsDn(s), createMissing: true },
    ...extra,
  })
  return { ...parsed, password: s.adminPassword }
}

export function adTestTarget(s: AdLike, extra: Record<string, unknown> = {}): AdTarget {
  return createAdTarget('test-ad', adTestOptions(s, extra), process.cwd())
}

export function adPerson(s: AdLike, i: number, overrides: Record<string, string> = {}) {
  const employeeID = overrides.employeeID ?? `e${i}`
  const sn = overrides.sn ?? 'Jansen'
  const cn = `${sn} ${i}`
  const attributes: Attributes = {
    dn: `CN=${escapeDnValue(cn)},OU=1a,${peopleDn(s)}`,
    employeeID,
    sAMAccountName: `u${i}`,
    userPrincipalName: `u${i}@school.test`,
    mail: `u${i}@school.test`,
    displayName: `Jan ${sn}`,
    givenName: 'Jan',
    sn,
    title: 'leerling',
    telephoneNumber: `+31 20 555 ${String(i).padStart(4, '0')}`,
    ...Object.fromEntries(
      Object.entries(overrides).filter(([k]) => k !== 'employeeID' && k !== 'sn'),
    ),
  }
  return { attributes, anchor: { attribute: 'employeeID', value: employeeID } }
}

export function adRenamed(s: AdLike, i: number): Attributes {
  const cn = `Hernoemd ${i}`
  return { dn: `CN=${escapeDnValue(cn)},OU=2b,${peopleDn(s)}`, cn }
}

/** The conformance fixture for a DC shaped like the test DC: Samba itself, or the AD simulator. */
export function adConformanceFixture(
  s: AdLike,
  pageSize: number,
  teardown: () => Promise<void>,
): TargetFixture {
  return {
    connector: adTestTarget(s, { pageSize }),
    makeAttributes: (i, o) => adPerson(s, i, o),
    updatableField: 'title',
    removableField: 'telephoneNumber',
    nameField: 'sn',
    permission: (i) => ({ type: 'group', id: `CN=${escapeDnValue(`groep ${i}`)},${groupsDn(s)}` }),
    renamed: (i) => adRenamed(s, i),
    invalidAttributes: (i) => {
      const { attributes } = adPerson(s, i)
      // employeeID has rangeUpper 16 in the AD schema: the DC refuses a longer value (constraint violation)
      return {
        attributes: { ...attributes, employeeID: 'x'.repeat(17) },
        anchor: { attribute: 'employeeID', value: 'x'.repeat(17) },
      }
    },
    teardown,
  }
}
