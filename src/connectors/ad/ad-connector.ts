// The `active-directory` target definition and its factory: reads the CA file, parses the list filter and
// refuses a connection without TLS (unicodePwd is only accepted over an encrypted connection).
import {
  ConnectorError,
  type ConnectorContext,
  type TargetDefinition,
} from '../../contract/index.ts'
import { openLdapConnection } from '../ldap/ldap-connection.ts'
import { adOptionsSchema, type AdOptions } from './ad-options.ts'
import { AdTarget } from './ad-target.ts'

export const adConnector: TargetDefinition<typeof adOptionsSchema> = {
  role: 'target',
  type: 'active-directory',
  description:
    'Microsoft Active Directory or Samba AD over LDAPS/StartTLS: objectGUID ids, sAMAccountName/UPN/mail uniqueness, unicodePwd initial passwords, userAccountControl enable/disable, group membership',
  schema: adOptionsSchema,
  create(name, options, context) {
    return createAdTarget(name, options, context.baseDir, context.mappedAttributes, context.log)
  },
}

export function createAdTarget(
  name: string,
  options: AdOptions,
  baseDir: string,
  mappedAttributes: readonly string[] = [],
  log?: ConnectorContext['log'],
): AdTarget {
  if (!options.url.startsWith('ldaps:') && !options.startTls) {
    throw new ConnectorError(
      'config',
      `target ${name}: Active Directory takes passwords only over TLS: use an ldaps:// url or startTls: true`,
    )
  }
  const { client, listFilter } = openLdapConnection(name, options, baseDir)
  return new AdTarget(name, options, {
    client,
    listFilter,
    mappedAttributes,
    ...(log === undefined ? {} : { log }),
  })
}
