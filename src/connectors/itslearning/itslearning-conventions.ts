// The conventions both itslearning connectors share: the person attributes they understand, the permission-id
// convention that carries the group hierarchy and the role, sync-key limits, and role/profile mappings.
// Pure functions; no I/O.
import { createHash } from 'node:crypto'
import { ConnectorError } from '../../contract/index.ts'
import type { Attributes, AttributeValue } from '../../model/index.ts'

/** itslearning's sync ids (syncPersonKey, Hierarchy.syncLocationId, SyncPersonHierarchyId): 64 is the safe limit. */
// GUESS: itslearning's pages give 64 and 255 in different places; 64 is taken for every sync id.
export const MAX_SYNC_KEY = 64

/** The only permission type both connectors grant: a membership of a course or course group. */
export const MEMBERSHIP = 'membership'

/**
 * Person attributes (the keys of a target's `attributes:` mapping in koppel.yaml). `syncPersonKey` is the
 * anchor and the person's sync key in itslearning; the rest are optional except the names.
 */
export const PERSON_ATTRIBUTES = [
  'syncPersonKey',
  'userId',
  'givenName',
  'familyName',
  'nickname',
  'prefix',
  'email',
  'institutionRole',
  'upn',
  'eckId',
  'mobile',
  'birthDate',
] as const
export type PersonAttribute = (typeof PERSON_ATTRIBUTES)[number]
export const SYNC_KEY_ATTRIBUTE = 'syncPersonKey'

/** Koppel's institution roles and the IMS institutionroletype / institutionRoleType they are written as. */
export const INSTITUTION_ROLES: Readonly<Record<string, string>> = {
  student: 'Student',
  staff: 'Staff',
  teacher: 'Staff',
  administrator: 'Administrator',
  guest: 'Guest',
  // GUESS: itslearning documents "Carer" as a non-standard type mapped to the Parent profile.
  carer: 'Carer',
  guardian: 'Carer',
}

/**
 * The values of `institutionrole@institutionroletype` the IMS Enterprise 1.1 XML binding allows. itslearning's
 * profile mapping lists the same thirteen plus its own non-standard `Carer` (→ Parent profile) and custom
 * profile names (developer.itslearning.com, "How to assign profiles to users").
 */
export const IMS11_INSTITUTION_ROLE_TYPES: readonly string[] = [
  'Student',
  'Faculty',
  'Member',
  'Learner',
  'Instructor',
  'Mentor',
  'Staff',
  'Alumni',
  'ProspectiveStudent',
  'Guest',
  'Other',
  'Administrator',
  'Observer',
]

/** Accepts Koppel's words and the IMS words themselves (Student, Staff, …); custom profiles pass through. */
export function institutionRoleType(value: string): string {
  return INSTITUTION_ROLES[value.toLowerCase()] ?? value
}

export type MembershipRole = 'learner' | 'instructor' | 'mentor' | 'carer'
export const MEMBERSHIP_ROLES: readonly MembershipRole[] = [
  'learner',
  'instructor',
  'mentor',
  'carer',
]

/** IMS Enterprise 1.1 `role@roletype` codes. */
export const IMS_ROLETYPE: Readonly<Record<MembershipRole, string>> = {
  learner: '01',
  instructor: '02',
  mentor: '06',
  // GUESS: IMS 1.1 has no carer role; guardians are written as Member (04) with subrole Carer.
  carer: '04',
}

/** IMS ES `member/role/roleType` literals. */
export const ES_ROLETYPE: Readonly<Record<MembershipRole, string>> = {
  learner: 'Learner',
  instructor: 'Instructor',
  mentor: 'Mentor',
  // GUESS: as above; Member maps to Guest in the course, the Parent profile comes from institutionRoleType.
  carer: 'Member',
}

export type GroupKind = 'School' | 'SchoolYear' | 'Course' | 'CourseGroup'

/** One level of the hierarchy a membership names. */
export interface GroupRef {
  readonly kind: GroupKind
  /** Sync key in itslearning (≤ 64 characters). */
  readonly syncKey: string
  /** Sync key of the parent; undefined for a school. */
  readonly parent?: string
  /** Title (descShort): the code from the permission id. */
  readonly title: string
  /** The course code, for courses. */
  readonly code?: string
}

export interface MembershipGrant {
  /** The permission id as granted. */
  readonly id: string
  readonly role: MembershipRole
  /** School, school year, course and (optional) course group, top down; the last one is the member's group. */
  readonly chain: readonly GroupRef[]
  readonly group: GroupRef
}

/**
 * Parses a membership permission id: `<school>/<schoolYear>/<course>[/<courseGroup>]#<role>`.
 * Segments are percent-decoded, so a code holding `/` or `#` is written `%2F` / `%23`. Group sync keys are the
 * paths (`12AB`, `12AB/2026-2027`, `12AB/2026-2027/wiskunde-3`, `…/3a`): so a course's key is unique per school
 * year by construction. A path longer than 64 characters is shortened deterministically (see `syncKeyFor`).
 */
export function parseMembership(id: string): MembershipGrant {
  const hash = id.lastIndexOf('#')
  if (hash < 0) throw invalid(id, 'has no "#<role>" (learner, instructor, mentor or carer)')
  const role = id.slice(hash + 1) as MembershipRole
  if (!MEMBERSHIP_ROLES.includes(role))
    throw invalid(id, `has role "${role}"; expected learner, instructor, mentor or carer`)
  const raw = id.slice(0, hash).split('/')
  if (raw.length < 3 || raw.length > 4)
    throw invalid(id, 'must be <school>/<schoolYear>/<course>[/<courseGroup>]#<role>')
  let segments: string[]
  try {
    segments = raw.map((s) => decodeURIComponent(s).trim())
  } catch {
    throw invalid(id, 'has a malformed %-escape')
  }
  if (segments.some((s) => s === '')) throw invalid(id, 'has an empty segment')
  const kinds: GroupKind[] = ['School', 'SchoolYear', 'Course', 'CourseGroup']
  const chain: GroupRef[] = []
  let path = ''
  let parent: string | undefined
  for (const [i, title] of segments.entries()) {
    path = i === 0 ? encode(title) : `${path}/${encode(title)}`
    const kind = kinds[i] as GroupKind
    const syncKey = syncKeyFor(path)
    chain.push({
      kind,
      syncKey,
      ...(parent !== undefined ? { parent } : {}),
      title: title.slice(0, MAX_SYNC_KEY),
      ...(kind === 'Course' ? { code: title } : {}),
    })
    parent = syncKey
  }
  return { id, role, chain, group: chain[chain.length - 1] as GroupRef }
}

export function formatMembership(segments: readonly string[], role: MembershipRole): string {
  return `${segments.map(encode).join('/')}#${role}`
}

const encode = (s: string) => s.replace(/%/g, '%25').replace(/\//g, '%2F').replace(/#/g, '%23')

/**
 * A sync key of at most 64 characters: the text itself when it fits, else its first 40 characters, `~` and
 * 23 characters of base64url sha256 — deterministic, so the same path always gets the same key.
 */
export function syncKeyFor(text: string): string {
  if (text.length <= MAX_SYNC_KEY) return text
  return `${text.slice(0, 40)}~${createHash('sha256').update(text).digest('base64url').slice(0, 23)}`
}

/** The membership's own sync id (itslearning finds memberships only by it): person, group and role. */
export function membershipSyncKey(person: string, grant: MembershipGrant): string {
  return syncKeyFor(`${person}|${grant.group.syncKey}|${grant.role}`)
}

export function checkSyncKey(what: string, key: string): void {
  if (key.trim() === '') throw new ConnectorError('invalid', `${what} is empty`)
  if (key.length > MAX_SYNC_KEY)
    throw new ConnectorError(
      'invalid',
      `${what} is ${key.length} characters long; itslearning accepts at most ${MAX_SYNC_KEY}`,
    )
}

function invalid(id: string, why: string): ConnectorError {
  return new ConnectorError('invalid', `membership permission ${JSON.stringify(id)} ${why}`)
}

export function single(v: AttributeValue | undefined): string | undefined {
  if (v === undefined) return undefined
  const s = Array.isArray(v) ? v[0] : v
  return s === undefined || s === '' ? undefined : (s as string)
}

/** A person as both connectors write it, read from Koppel attributes. */
export interface ImsPerson {
  readonly syncKey: string
  readonly userId?: string
  readonly givenName: string
  readonly familyName: string
  readonly nickname?: string
  readonly prefix?: string
  readonly email?: string
  readonly institutionRole?: string
  readonly upn?: string
  readonly eckId?: string
  readonly mobile?: string
  readonly birthDate?: string
}

/** Checks and converts create attributes; throws `invalid` naming the field. */
export function personFrom(attributes: Attributes, what: string): ImsPerson {
  const unknown = Object.keys(attributes).filter(
    (k) => !(PERSON_ATTRIBUTES as readonly string[]).includes(k),
  )
  if (unknown.length > 0)
    throw new ConnectorError(
      'invalid',
      `${what}: unknown attribute(s) ${unknown.join(', ')}; known: ${PERSON_ATTRIBUTES.join(', ')}`,
    )
  const get = (k: PersonAttribute) => single(attributes[k])
  const syncKey = get('syncPersonKey')
  if (syncKey === undefined)
    throw new ConnectorError('invalid', `${what}: syncPersonKey is missing`)
  checkSyncKey(`${what}: syncPersonKey`, syncKey)
  const givenName = get('givenName')
  const familyName = get('familyName')
  if (givenName === undefined)
    throw new ConnectorError(
      'invalid',
      `${what}: givenName is missing (itslearning requires the first name)`,
    )
  if (familyName === undefined)
    throw new ConnectorError(
      'invalid',
      `${what}: familyName is missing (itslearning requires the last name)`,
    )
  const prefix = get('prefix')
  if (prefix !== undefined && prefix.length > 32)
    throw new ConnectorError('invalid', `${what}: prefix is longer than 32 characters`)
  const birthDate = get('birthDate')
  if (birthDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(birthDate))
    throw new ConnectorError('invalid', `${what}: birthDate must be YYYY-MM-DD`)
  const out: Record<string, string> = { syncKey, givenName, familyName }
  for (const k of [
    'userId',
    'nickname',
    'prefix',
    'email',
    'upn',
    'eckId',
    'mobile',
    'birthDate',
  ] as const) {
    const v = get(k)
    if (v !== undefined) out[k] = v
  }
  const role = get('institutionRole')
  if (role !== undefined) out.institutionRole = institutionRoleType(role)
  return out as unknown as ImsPerson
}
