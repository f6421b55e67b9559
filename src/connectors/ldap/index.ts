// Public surface of the generic LDAP target connector.
export { ldapConnector, createLdapTarget } from './ldap-connector.ts'
export { ldapOptionsSchema, type LdapOptions } from './ldap-options.ts'
export type { LdapTarget } from './ldap-target.ts'
export { escapeDnValue, parseDn, formatDn, type Rdn, type Ava } from '../../protocol/ldap-escape.ts'
export { toConnectorError } from './ldap-errors.ts'
