// Public surface of the simulated LDAP directory: start it, stop it. Everything else is internal.
export { startLdapServer, type LdapServerOptions, type RunningLdapServer } from './ldap-server.ts'
