// Reads provisioned groups back from a real AD (Samba) over LDAP, as an administrator would see them: shared by
// the engine → Samba test and the groups end-to-end test. Accounts are named by their CN (the tests' mapping
// puts the person key there), so a member DN reads back as the person it stands for.
import type { Client } from 'ldapts'
import { toDn } from '../../src/connectors/ldap/ldap-mapping.ts'

/** The value of a DN's first RDN (CN=p1,OU=… → p1). */
export const firstRdnValue = (dn: string): string => toDn(dn).rdns[0]?.[0]?.value ?? ''

export interface AdGroupHeld {
  readonly dn: string
  readonly cn: string
  /** The CNs of the member accounts, sorted. */
  readonly members: string[]
  /** The CN of the account in managedBy (AD's one owner), if any. */
  readonly managedBy: string | undefined
}

/** The groups below (scope sub) or directly in (scope one) an OU. */
export async function adGroupsIn(
  client: Client,
  base: string,
  scope: 'one' | 'sub' = 'sub',
): Promise<AdGroupHeld[]> {
  const { searchEntries } = await client.search(base, {
    scope,
    filter: '(objectClass=group)',
    attributes: ['cn', 'member', 'managedBy'],
  })
  return searchEntries.map((e) => {
    const owner = e['managedBy']
    return {
      dn: e.dn,
      cn: String(e['cn']),
      members: [e['member'] ?? []].flat().map(String).map(firstRdnValue).sort(),
      managedBy: typeof owner === 'string' && owner !== '' ? firstRdnValue(owner) : undefined,
    }
  })
}
