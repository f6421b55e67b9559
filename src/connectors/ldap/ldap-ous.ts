// Missing organizational units on the way to a computed DN (an OU per school and graduation year that is new
// this year): created top-down, only below baseDn and only as `ou=` containers, so a typo in a DN expression
// cannot make a `dc=`, `cn=` or `o=` object appear. Safe under concurrency: two creates below one new OU both
// try to add it, and the one that finds it there (68 entryAlreadyExists) goes on.
import { ConnectorError } from '../../contract/index.ts'
import type { LdapClient } from './ldap-client.ts'
import { fromRdns, isUnder, type Dn } from './ldap-mapping.ts'

/** The OUs between `base` (exclusive) and `parent` (inclusive) that do not exist yet, top-down. */
export async function missingOus(client: LdapClient, base: Dn, parent: Dn): Promise<Dn[]> {
  const missing: Dn[] = []
  for (let at = parent; at.key !== base.key && isUnder(at, base); at = fromRdns(at.rdns.slice(1))) {
    if (await exists(client, at)) break
    missing.unshift(at)
  }
  return missing
}

/**
 * Creates every missing OU from below `base` down to `parent`. Refuses (invalid, naming the DN) a missing
 * level that is not a single `ou=` RDN, and a parent that is not below `base`. Returns the OUs it added.
 */
export async function ensureOus(
  client: LdapClient,
  base: Dn,
  parent: Dn,
  context: string,
): Promise<Dn[]> {
  if (parent.key !== base.key && !isUnder(parent, base)) {
    throw new ConnectorError(
      'invalid',
      `${context}: parent ${parent.text} is not below baseDn ${base.text}`,
    )
  }
  const missing = await missingOus(client, base, parent)
  const added: Dn[] = []
  for (const ou of missing) {
    const rdn = ou.rdns[0]
    const ava = rdn?.[0]
    if (
      rdn === undefined ||
      rdn.length !== 1 ||
      ava === undefined ||
      ava.type.toLowerCase() !== 'ou'
    ) {
      throw new ConnectorError(
        'invalid',
        `${context}: parent ${ou.text} does not exist, and Koppel creates only ou= containers (createOus)`,
      )
    }
    try {
      await client.add(ou.text, { objectClass: ['top', 'organizationalUnit'], ou: [ava.value] })
      added.push(ou)
    } catch (e) {
      // another worker added it first: what we wanted is there
      if (!(ConnectorError.isInstance(e) && e.code === 68)) throw e
    }
  }
  return added
}

async function exists(client: LdapClient, dn: Dn): Promise<boolean> {
  try {
    return (await client.search(dn.text, { scope: 'base', attributes: ['1.1'] })).length > 0
  } catch (e) {
    if (ConnectorError.isInstance(e) && e.kind === 'not-found' && e.code === 32) return false
    throw e
  }
}
