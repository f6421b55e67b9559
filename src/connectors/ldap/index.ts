// Public surface of the generic LDAP target connector.
export { ldapTarget, createLdapTarget } from './ldap-connector.ts'
export { ldapOptionsSchema, type LdapOptions } from '../../protocol/ldap/ldap-options.ts'
export type { LdapTarget } from '../../protocol/ldap/ldap-target.ts'
export { escapeDnValue, parseDn, formatDn, type Rdn, type Ava } from '../../protocol/ldap/ldap-escape.ts'
export { toConnectorError } from '../../protocol/ldap/ldap-errors.ts'
