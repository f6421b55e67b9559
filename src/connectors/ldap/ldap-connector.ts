// The `ldap` target definition: option schema, capabilities through LdapTarget, and the factory that wires
// the client (protocol/ldap/ldap-connection.ts reads the CA file and parses the list filter, so a bad config fails at start).
import type { TargetDefinition } from '../../contract/index.ts'
import { openLdapConnection } from './ldap-connection.ts'
import { ldapOptionsSchema, type LdapOptions } from './ldap-options.ts'
import { LdapTarget } from './ldap-target.ts'

export const ldapConnector: TargetDefinition<typeof ldapOptionsSchema> = {
  role: 'target',
  type: 'ldap',
  description:
    'Generic LDAP directory (OpenLDAP, 389-DS): accounts below a base DN identified by entryUUID, disable by OU move or attribute, groups as memberships',
  schema: ldapOptionsSchema,
  create(name, options, context) {
    return createLdapTarget(name, options, context.baseDir, context.mappedAttributes)
  },
}

export function createLdapTarget(
  name: string,
  options: LdapOptions,
  baseDir: string,
  mappedAttributes: readonly string[] = [],
): LdapTarget {
  const { client, listFilter } = openLdapConnection(name, options, baseDir)
  return new LdapTarget(name, options, { client, listFilter, mappedAttributes })
}
