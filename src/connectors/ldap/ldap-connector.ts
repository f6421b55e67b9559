// The `ldap` target definition: option schema, capabilities through LdapTarget, and the factory that wires
// the client. Reading the CA file and parsing the list filter happen here, so a bad config fails at start.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { FilterParser } from 'ldapts'
import { ConnectorError, type TargetDefinition } from '../../contract/index.ts'
import { LdapClient } from '../../protocol/ldap/ldap-client.ts'
import { ldapOptionsSchema, type LdapOptions } from '../../protocol/ldap/ldap-options.ts'
import { LdapTarget } from '../../protocol/ldap/ldap-target.ts'

export const ldapTarget: TargetDefinition<typeof ldapOptionsSchema> = {
  role: 'target',
  type: 'ldap',
  description:
    'Generic LDAP directory (OpenLDAP, 389-DS): accounts below a base DN identified by entryUUID, disable by OU move or attribute, groups as memberships',
  schema: ldapOptionsSchema,
  create(name, options, context) {
    return createLdapTarget(name, options, context.baseDir)
  },
}

export function createLdapTarget(name: string, options: LdapOptions, baseDir: string): LdapTarget {
  let ca: string | undefined
  if (options.tlsCaFile !== undefined) {
    const path = resolve(baseDir, options.tlsCaFile)
    try {
      ca = readFileSync(path, 'utf8')
    } catch (e) {
      throw new ConnectorError('config', `target ${name}: cannot read tlsCaFile ${path}: ${(e as Error).message}`, { cause: e })
    }
  }
  let listFilter
  try {
    listFilter = FilterParser.parseString(options.listFilter)
  } catch (e) {
    throw new ConnectorError('config', `target ${name}: listFilter ${JSON.stringify(options.listFilter)}: ${(e as Error).message}`, { cause: e })
  }
  const client = new LdapClient({
    url: options.url,
    bindDn: options.bindDn,
    password: options.password,
    startTls: options.startTls,
    timeoutMs: options.timeoutMs,
    connectTimeoutMs: options.connectTimeoutMs,
    ...(ca === undefined ? {} : { ca }),
  })
  return new LdapTarget(name, options, { client, listFilter })
}
