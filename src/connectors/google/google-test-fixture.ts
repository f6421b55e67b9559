// Test-only helpers for the Google Workspace tests: a generated service-account key, options against the
// simulator, and the conformance fixture (users anchored on externalId). Not exported by index.ts.
import { generateKeyPairSync } from 'node:crypto'
import type { TargetFixture } from '../../../test/conformance/target-conformance.ts'
import type { Attributes } from '../../model/index.ts'
import { createGoogleTarget } from './google-connector.ts'
import { googleOptionsSchema, type GoogleOptions } from './google-options.ts'
import type { GoogleTarget } from './google-target.ts'

export interface TestServiceAccount {
  readonly clientEmail: string
  readonly publicKeyPem: string
  /** The JSON key file's content, as Google's console downloads it. */
  readonly keyJson: string
}

export function makeServiceAccount(
  clientEmail = 'koppel@koppel-test.iam.gserviceaccount.com',
): TestServiceAccount {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const keyJson = JSON.stringify({
    type: 'service_account',
    project_id: 'koppel-test',
    private_key_id: 'test-key-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: clientEmail,
    client_id: '100000000000000000001',
    token_uri: 'https://oauth2.googleapis.com/token',
  })
  return {
    clientEmail,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyJson,
  }
}

export function googleTestOptions(
  sim: { apiUrl: string; tokenUrl: string },
  keyJson: string,
  extra: Record<string, unknown> = {},
): GoogleOptions {
  const parsed = googleOptionsSchema.parse({
    serviceAccountKey: '${file:./sa.json}',
    subject: 'admin@school.test',
    baseUrl: sim.apiUrl,
    tokenUrl: sim.tokenUrl,
    ...extra,
  })
  return { ...parsed, serviceAccountKey: keyJson }
}

export function googleTestTarget(
  sim: { apiUrl: string; tokenUrl: string },
  keyJson: string,
  extra: Record<string, unknown> = {},
): GoogleTarget {
  return createGoogleTarget('test-google', googleTestOptions(sim, keyJson, extra))
}

export function googlePerson(i: number, overrides: Record<string, string> = {}) {
  const externalId = overrides.externalId ?? `p${i}`
  const attributes: Attributes = {
    primaryEmail: `u${i}@school.test`,
    externalId,
    'name.givenName': 'Jan',
    'name.familyName': `Jansen`,
    orgUnitPath: '/Leerlingen',
    recoveryEmail: `ouder${i}@thuis.test`,
    ...Object.fromEntries(Object.entries(overrides).filter(([k]) => k !== 'externalId')),
  }
  return { attributes, anchor: { attribute: 'externalId', value: externalId } }
}

export function googleConformanceFixture(
  sim: { apiUrl: string; tokenUrl: string },
  keyJson: string,
  pageSize: number,
  teardown: () => Promise<void>,
): TargetFixture {
  return {
    connector: googleTestTarget(sim, keyJson, {
      pageSize,
      groups: { createMissing: true, domain: 'school.test', archivePrefix: '[archief] ' },
    }),
    makeAttributes: (i, o) => googlePerson(i, o),
    updatableField: 'name.givenName',
    removableField: 'recoveryEmail',
    nameField: 'name.familyName',
    permission: (i) => ({ type: 'group', id: `klas-${i}@school.test` }),
    renamed: (i) => ({ primaryEmail: `hernoemd${i}@school.test` }),
    invalidAttributes: (i) => {
      const { attributes, anchor } = googlePerson(i)
      return { attributes: { ...attributes, primaryEmail: `u${i}@elders.test` }, anchor } // not a domain of the customer
    },
    teardown,
  }
}
