// Group membership in a generic LDAP directory: grant and revoke one member value (creating a missing group,
// keeping a groupOfNames valid when its last member leaves) and reading who is in which group. Does not
// follow renames: OpenLDAP needs its refint overlay for that (the report explains).
import { Attribute, Change, EqualityFilter, PresenceFilter } from 'ldapts'
import { ConnectorError } from '../../contract/index.ts'
import type { LdapClient } from './ldap-client.ts'
import { entryAttribute, toDn, type Dn } from './ldap-mapping.ts'

export interface GroupOptions {
  readonly memberAttribute: 'member' | 'uniqueMember'
  readonly createMissing: boolean
  readonly objectClass: string
  readonly placeholderMember?: string | undefined
  readonly pageSize: number
}

type Outcome = 'updated' | 'unchanged'

const member = (attribute: string, values: string[], operation: 'add' | 'delete') =>
  new Change({ operation, modification: new Attribute({ type: attribute, values }) })

const isKind = (e: unknown, kind: string, code: number) =>
  ConnectorError.isInstance(e) && e.kind === kind && e.code === code

export async function grantMember(client: LdapClient, o: GroupOptions, group: Dn, account: Dn): Promise<Outcome> {
  try {
    await client.modify(group.text, [member(o.memberAttribute, [account.text], 'add')])
    return 'updated'
  } catch (e) {
    if (isKind(e, 'conflict', 20)) return 'unchanged' // already a member
    if (!isKind(e, 'not-found', 32) || !o.createMissing) throw e
  }
  const rdn = group.rdns[0]?.[0]
  if (rdn === undefined) throw new ConnectorError('invalid', `cannot create group ${group.text}: empty DN`)
  try {
    await client.add(group.text, {
      objectClass: [o.objectClass],
      ...(rdn.type.toLowerCase() === 'cn' ? {} : { [rdn.type]: [rdn.value] }),
      cn: [rdn.value],
      [o.memberAttribute]: [account.text],
    })
    return 'updated'
  } catch (e) {
    // another worker created it between our modify and add: add the member to theirs
    if (!isKind(e, 'conflict', 68)) throw e
    return grantMember(client, { ...o, createMissing: false }, group, account)
  }
}

export async function revokeMember(client: LdapClient, o: GroupOptions, group: Dn, account: Dn): Promise<Outcome> {
  try {
    await client.modify(group.text, [member(o.memberAttribute, [account.text], 'delete')])
    return 'updated'
  } catch (e) {
    if (isKind(e, 'not-found', 16) || isKind(e, 'not-found', 32)) return 'unchanged' // not a member, or no group
    if (!isKind(e, 'invalid', 65)) throw e
  }
  // the schema needs at least one member (groupOfNames): swap the last one for the placeholder in one modify
  const placeholder = o.placeholderMember ?? group.text
  await client.modify(group.text, [
    member(o.memberAttribute, [placeholder], 'add'),
    member(o.memberAttribute, [account.text], 'delete'),
  ])
  return 'updated'
}

/** Group DNs that name `account` as a member, below `base`. */
export async function groupsOf(client: LdapClient, o: GroupOptions, base: Dn, account: Dn): Promise<string[]> {
  const filter = new EqualityFilter({ attribute: o.memberAttribute, value: account.text })
  const entries = await client.search(base.text, { scope: 'sub', filter, attributes: ['1.1'] })
  return entries.map((e) => toDn(e.dn).text).sort()
}

/** Every membership below `base` in one paged search: account DN key → sorted group DNs. */
export async function allMemberships(client: LdapClient, o: GroupOptions, base: Dn): Promise<Map<string, string[]>> {
  const byMember = new Map<string, string[]>()
  const filter = new PresenceFilter({ attribute: o.memberAttribute })
  const pages = client.searchPages(base.text, {
    scope: 'sub',
    filter,
    attributes: [o.memberAttribute],
    paged: { pageSize: o.pageSize },
  })
  for await (const page of pages) {
    for (const entry of page) {
      const group = toDn(entry.dn).text
      const values = entryAttribute(entry, o.memberAttribute) ?? []
      for (const value of typeof values === 'string' ? [values] : values) {
        let key: string
        try {
          key = toDn(value).key
        } catch {
          continue // a member value that is not a DN cannot be one of our accounts
        }
        const list = byMember.get(key) ?? []
        list.push(group)
        byMember.set(key, list)
      }
    }
  }
  for (const list of byMember.values()) list.sort()
  return byMember
}
