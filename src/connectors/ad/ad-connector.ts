// The `active-directory` target definition and its factory: reads the CA file, parses the list filter and
// refuses a connection without TLS (unicodePwd is only accepted over an encrypted connection).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { FilterParser } from 'ldapts'
import { ConnectorError, type TargetDefinition } from '../../contract/index.ts'
import { LdapClient } from '../../protocol/ldap/ldap-client.ts'
import { adOptionsSchema, type AdOptions } from './ad-options.ts'
import { AdTarget } from './ad-target.ts'

export const adTarget: TargetDefinition<typeof adOptionsSchema> = {
  role: 'target',
  type: 'active-directory',
  description:
    'Microsoft Active Directory or Samba AD over LDAPS/StartTLS: objectGUID ids, sAMAccountName/UPN/mail uniqueness, unicodePwd initial passwords, userAccountControl enable/disable, group membership',
  schema: adOptionsSchema,
  create(name, options, context) {
    return createAdTarget(name, options, context.baseDir)
  },
}

export function createAdTarget(name: string, options: AdOptions, baseDir: string): AdTarget {
  if (!options.url.startsWith('ldaps:') && !options.startTls) {
    throw new ConnectorError('config', `target ${name}: Active Directory takes passwords only over TLS: use an ldaps:// url or startTls: true`)
  }
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
    ...(options.tlsServerName === undefined ? {} : { servername: options.tlsServerName }),
  })
  return new AdTarget(name, options, { client, listFilter })
}
