// Test-only helpers for the SCIM connector tests: options against the SCIM simulator and the conformance
// fixture (users anchored on externalId). Not exported by index.ts.
import type { TargetFixture } from '../../../test/conformance/target-conformance.ts'
import type { Attributes } from '../../model/index.ts'
import { scimOptionsSchema, type ScimOptions } from './scim-options.ts'
import { ScimTarget } from './scim-target.ts'

export function scimTestOptions(
  url: string,
  token: string,
  extra: Record<string, unknown> = {},
): ScimOptions {
  const parsed = scimOptionsSchema.parse({
    baseUrl: url,
    token: '${env:KOPPEL_TEST_SCIM_TOKEN}',
    ...extra,
  })
  return { ...parsed, token }
}

export function scimPerson(i: number, overrides: Record<string, string> = {}) {
  const externalId = overrides.externalId ?? `p${i}`
  const attributes: Attributes = {
    userName: `u${i}@school.test`,
    externalId,
    'name.givenName': 'Jan',
    'name.familyName': 'Jansen',
    displayName: `Jan Jansen ${i}`,
    title: 'leerling',
    'emails[type eq "work"].value': `u${i}@school.test`,
    ...Object.fromEntries(Object.entries(overrides).filter(([k]) => k !== 'externalId')),
  }
  return { attributes, anchor: { attribute: 'externalId', value: externalId } }
}

export function scimConformanceFixture(
  url: string,
  token: string,
  pageSize: number,
  teardown: () => Promise<void>,
): TargetFixture {
  return {
    connector: new ScimTarget('test-scim', scimTestOptions(url, token, { pageSize })),
    makeAttributes: (i, o) => scimPerson(i, o),
    updatableField: 'title',
    removableField: 'emails[type eq "work"].value',
    nameField: 'name.familyName',
    permission: (i) => ({ type: 'group', id: `klas ${i}` }),
    renamed: (i) => ({ userName: `hernoemd${i}@school.test`, 'name.familyName': `Hernoemd ${i}` }),
    invalidAttributes: (i) => {
      const { attributes, anchor } = scimPerson(i)
      const { userName: _u, ...withoutUserName } = attributes // userName is required (RFC 7643 §4.1)
      return { attributes: withoutUserName, anchor }
    },
    teardown,
  }
}
