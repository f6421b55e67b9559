// The connection parts every LDAP-based target builds from its options the same way: the CA file read and the
// list filter parsed at start, so a bad config fails before the first run, with the target's name.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { FilterParser, type Filter } from 'ldapts'
import { ConnectorError } from '../../contract/index.ts'
import { LdapClient } from './ldap-client.ts'
import { messageOf } from '../../util/message-of.ts'

export interface LdapConnectionOptions {
  readonly url: string
  readonly bindDn: string
  readonly password: string
  readonly startTls: boolean
  readonly timeoutMs: number
  readonly connectTimeoutMs: number
  readonly tlsCaFile?: string
  /** Name the server certificate must carry when it differs from the URL's host. */
  readonly tlsServerName?: string
  readonly listFilter: string
}

export function openLdapConnection(
  name: string,
  options: LdapConnectionOptions,
  baseDir: string,
): { client: LdapClient; listFilter: Filter } {
  let ca: string | undefined
  if (options.tlsCaFile !== undefined) {
    const path = resolve(baseDir, options.tlsCaFile)
    try {
      ca = readFileSync(path, 'utf8')
    } catch (e) {
      throw new ConnectorError(
        'config',
        `target ${name}: cannot read tlsCaFile ${path}: ${messageOf(e)}`,
        { cause: e },
      )
    }
  }
  let listFilter: Filter
  try {
    listFilter = FilterParser.parseString(options.listFilter)
  } catch (e) {
    throw new ConnectorError(
      'config',
      `target ${name}: listFilter ${JSON.stringify(options.listFilter)}: ${messageOf(e)}`,
      { cause: e },
    )
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
  return { client, listFilter }
}
