// Moved to src/protocol/ldap (shared by the ldap and active-directory connectors); kept so imports here stay valid.
export * from '../../protocol/ldap/ldap-schema.ts'
