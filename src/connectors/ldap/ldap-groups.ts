// Group membership in a generic LDAP directory: grant and revoke one member value (creating a missing group,
// keeping a groupOfNames valid when its last member leaves), reading who is in which group, and rewriting
// member values after a rename or move where the directory does not (OpenLDAP without its refint overlay,
// the common case; AD rewrites its linked `member` values itself, so the search finds nothing there). Large
// groups whose server hands out members in ranges (AD: `member;range=0-1499`) are read to the end.
import { Attribute, Change, EqualityFilter, PresenceFilter, type Entry } from 'ldapts'
import { ConnectorError } from '../../contract/index.ts'
import type { LdapClient } from './ldap-client.ts'
import { entryAttribute, toDn, type Dn } from './ldap-mapping.ts'

export interface GroupOptions {
  readonly memberAttribute: 'member' | 'uniqueMember'
  readonly createMissing: boolean
  readonly objectClass: string
  readonly placeholderMember?: string | undefined
  readonly pageSize: number
  /**
   * Asked when a revoke's answer is ambiguous (AD answers 53 unwillingToPerform for "not a member"): true
   * when `account` is a member of `group`. Without it such an answer is an error.
   */
  readonly isMember?: ((client: LdapClient, group: Dn, account: Dn) => Promise<boolean>) | undefined
}

type Outcome = 'updated' | 'unchanged'

const member = (attribute: string, values: string[], operation: 'add' | 'delete') =>
  new Change({ operation, modification: new Attribute({ type: attribute, values }) })

const isKind = (e: unknown, kind: string, code: number) =>
  ConnectorError.isInstance(e) && e.kind === kind && e.code === code

export async function grantMember(
  client: LdapClient,
  o: GroupOptions,
  group: Dn,
  account: Dn,
): Promise<Outcome> {
  try {
    await client.modify(group.text, [member(o.memberAttribute, [account.text], 'add')])
    return 'updated'
  } catch (e) {
    // already a member: 20 attributeOrValueExists (OpenLDAP), 68 entryAlreadyExists on a modify (AD)
    if (isKind(e, 'conflict', 20) || isKind(e, 'conflict', 68)) return 'unchanged'
    if (!isKind(e, 'not-found', 32) || !o.createMissing) throw e
  }
  const rdn = group.rdns[0]?.[0]
  if (rdn === undefined)
    throw new ConnectorError('invalid', `cannot create group ${group.text}: empty DN`)
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

export async function revokeMember(
  client: LdapClient,
  o: GroupOptions,
  group: Dn,
  account: Dn,
): Promise<Outcome> {
  try {
    await client.modify(group.text, [member(o.memberAttribute, [account.text], 'delete')])
    return 'updated'
  } catch (e) {
    if (isKind(e, 'not-found', 16) || isKind(e, 'not-found', 32)) return 'unchanged' // not a member, or no group
    if (isKind(e, 'invalid', 53) && o.isMember !== undefined) {
      if (!(await o.isMember(client, group, account))) return 'unchanged'
      throw e
    }
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

/**
 * Makes every group below `base` that names `from` as a member name `to` instead: one modify per group
 * (add the new value, delete the old), so a group is never left without the account. Idempotent: a group
 * that already has `to` only loses `from`; one that lost `from` meanwhile is left as it is. Returns how many
 * groups were rewritten.
 */
export async function followMove(
  client: LdapClient,
  o: GroupOptions,
  base: Dn,
  from: Dn,
  to: Dn,
): Promise<number> {
  if (from.key === to.key) return 0
  const filter = new EqualityFilter({ attribute: o.memberAttribute, value: from.text })
  const groups = await client.search(base.text, { scope: 'sub', filter, attributes: ['1.1'] })
  let rewritten = 0
  for (const g of groups) {
    try {
      await client.modify(g.dn, [
        member(o.memberAttribute, [to.text], 'add'),
        member(o.memberAttribute, [from.text], 'delete'),
      ])
      rewritten++
    } catch (e) {
      // 20: the new DN is already a member (a retry, or refint half-way): only the dead value has to go
      if (isKind(e, 'conflict', 20) || isKind(e, 'conflict', 68)) {
        try {
          await client.modify(g.dn, [member(o.memberAttribute, [from.text], 'delete')])
          rewritten++
        } catch (inner) {
          if (!isKind(inner, 'not-found', 16)) throw inner
        }
        continue
      }
      // 16: the old value went away meanwhile (another worker, or the directory itself); 32: the group did
      if (!isKind(e, 'not-found', 16) && !isKind(e, 'not-found', 32)) throw e
    }
  }
  return rewritten
}

/** Group DNs that name `account` as a member, below `base`. */
export async function groupsOf(
  client: LdapClient,
  o: GroupOptions,
  base: Dn,
  account: Dn,
): Promise<string[]> {
  const filter = new EqualityFilter({ attribute: o.memberAttribute, value: account.text })
  const entries = await client.search(base.text, { scope: 'sub', filter, attributes: ['1.1'] })
  return entries.map((e) => toDn(e.dn).text).sort()
}

/** Every membership below `base` in one paged search: account DN key → sorted group DNs. */
export async function allMemberships(
  client: LdapClient,
  o: GroupOptions,
  base: Dn,
): Promise<Map<string, string[]>> {
  const byMember = new Map<string, string[]>()
  const filter = new PresenceFilter({ attribute: o.memberAttribute })
  // AD lists a group with more than MaxValRange (1500) members under `member;range=0-1499` only
  const pages = client.searchPages(base.text, {
    scope: 'sub',
    filter,
    attributes: [o.memberAttribute],
    paged: { pageSize: o.pageSize },
  })
  for await (const page of pages) {
    for (const entry of page) {
      const group = toDn(entry.dn).text
      const values = await allValues(client, entry, o.memberAttribute)
      for (const value of values) {
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

const RANGED = /^(.+);range=(\d+)-(\d+|\*)$/i
/** Values asked for per ranged read: AD's default MaxValRange; a server with a lower limit returns fewer. */
export const RANGE_STEP = 1500

/**
 * Every value of `attribute` in `entry`, following ranged retrieval (MS-ADTS 3.1.1.3.1.3.3): when the server
 * sent `member;range=0-1499`, asks for `member;range=1500-2999` and so on until a range ends in `*`.
 */
export async function allValues(
  client: LdapClient,
  entry: Entry,
  attribute: string,
): Promise<string[]> {
  const plain = entryAttribute(entry, attribute)
  const out = plain === undefined ? [] : typeof plain === 'string' ? [plain] : [...plain]
  let next = rangeOf(entry, attribute)
  if (next === undefined) return out
  out.push(...next.values)
  while (next.end !== '*') {
    const from = Number(next.end) + 1
    const [more] = await client.search(entry.dn, {
      scope: 'base',
      attributes: [`${attribute};range=${from}-${from + RANGE_STEP - 1}`],
    })
    next = more === undefined ? undefined : rangeOf(more, attribute)
    // the attribute shrank under us, or a server answers a range that does not move on: what we have is all
    if (
      next === undefined ||
      next.values.length === 0 ||
      (next.end !== '*' && Number(next.end) < from)
    )
      break
    out.push(...next.values)
  }
  return out
}

function rangeOf(entry: Entry, attribute: string): { values: string[]; end: string } | undefined {
  for (const key of Object.keys(entry)) {
    const m = RANGED.exec(key)
    if (m === null || m[1]?.toLowerCase() !== attribute.toLowerCase()) continue
    const raw = entry[key]
    // ldapts lists every requested attribute, so the range we asked for can be there empty next to the one
    // the server sent (`member;range=0-1499: []` beside `member;range=0-*`)
    if (Array.isArray(raw) && raw.length === 0) continue
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) =>
      Buffer.isBuffer(v) ? v.toString('utf8') : String(v),
    )
    return { values, end: m[3] as string }
  }
  return undefined
}

/** Whether `account` is in `group`, reading the member attribute in ranges (no filter on member). */
export async function isMemberRanged(
  client: LdapClient,
  attribute: string,
  group: Dn,
  account: Dn,
): Promise<boolean> {
  // asking for a range explicitly: Samba hands out ranges only when asked; GUESS (documented by Microsoft, not
  // run here): Windows AD also unasked beyond MaxValRange, and caps an explicit range at MaxValRange
  const [entry] = await client.search(group.text, {
    scope: 'base',
    attributes: [`${attribute};range=0-${RANGE_STEP - 1}`],
  })
  if (entry === undefined) return false
  for (const value of await allValues(client, entry, attribute)) {
    try {
      if (toDn(value).key === account.key) return true
    } catch {
      // not a DN: not our account
    }
  }
  return false
}
