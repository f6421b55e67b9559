/**
 * Test support: small connector definitions shaped like the real ones (oneroster-csv, ldap) plus one more
 * of each role, so the config module is tested without depending on the connectors' code. Not for runtime use.
 */
import { z } from 'zod'
import { secret } from '../contract/index.ts'
import type { ConnectorDefinition, SourceDefinition, TargetDefinition } from '../contract/index.ts'

const unused = (): never => {
  throw new Error('fake definition: create is not used in config tests')
}

export const fakeOneRoster: SourceDefinition = {
  role: 'source',
  type: 'oneroster-csv',
  description: 'OneRoster 1.1 CSV export',
  schema: z.object({ path: z.string().min(1).describe('Folder with the CSV files.') }),
  create: unused,
}

export const fakeCsv: SourceDefinition = {
  role: 'source',
  type: 'csv',
  description: 'Plain CSV',
  schema: z.object({ file: z.string(), delimiter: z.string().default(',') }),
  create: unused,
}

export const fakeLdap: TargetDefinition = {
  role: 'target',
  type: 'ldap',
  description: 'LDAP directory',
  schema: z
    .object({
      url: z.string(),
      bindDn: z.string(),
      password: secret(),
      baseDn: z.string(),
      disable: z.object({ moveTo: z.string().optional() }).strict().optional(),
    })
    .refine((o) => /^ldaps?:\/\//.test(o.url), {
      message: 'must start with ldap:// or ldaps://',
      path: ['url'],
    }),
  create: unused,
}

export const fakeScim: TargetDefinition = {
  role: 'target',
  type: 'scim',
  description: 'SCIM 2.0',
  schema: z.object({ baseUrl: z.string(), token: secret().optional() }),
  create: unused,
}

export const fakeDefinitions: readonly ConnectorDefinition[] = [
  fakeOneRoster,
  fakeCsv,
  fakeLdap,
  fakeScim,
]
