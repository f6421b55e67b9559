// A loopback simulator of itslearning's IMS Enterprise Services (Person, Group and Membership management,
// SOAP 1.1), written from itslearning's developer documentation (seed-systems.md §8, standards.md §2) and
// independent of the connector. Guesses about undocumented behaviour are marked GUESS (see README.md).
import {
  buildXml,
  listOf,
  parseSoapEnvelope,
  textOf,
  XmlSyntaxError,
} from '../../../../src/protocol/index.ts'
import {
  startSimHttpServer,
  type SimHttpServer,
  type SimRequest,
  type SimResponse,
} from '../http/sim-http-server.ts'

type Node = Record<string, unknown>

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/'
const MESS_BIND = 'http://www.imsglobal.org/services/common/imsMessBindSchema_v1p0'
const NS = {
  pms: 'http://www.imsglobal.org/services/pms/xsd/imsPersonManMessSchema_v1p0',
  gms: 'http://www.imsglobal.org/services/gms/xsd/imsGroupManMessSchema_v1p0',
  mms: 'http://www.imsglobal.org/services/mms/xsd/imsMemberManMessSchema_v1p0',
}
const MAX_KEY = 64
export const DEFAULT_PROFILE = 'Default profile for external enrolment'
/** institutionRoleType → profile (How_to_assign_profiles_to_users.html); anything else → the default profile. */
export const PROFILES: Readonly<Record<string, string>> = {
  Student: 'Pupil',
  Staff: 'Staff',
  Guest: 'Guest',
  Administrator: 'Administrator',
  Carer: 'Parent',
}
const GROUP_TYPES = new Set(['School', 'Course', 'CourseGroup', 'Unspecified'])
const ROLE_TYPES = new Set([
  'Learner',
  'Instructor',
  'ContentDeveloper',
  'Member',
  'Manager',
  'Mentor',
  'Administrator',
  'TeachingAssistant',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '07',
  '08',
])

export interface SimPerson {
  syncKey: string
  fields: Record<string, string>
  /** The institutionRoleType last sent ('' after an empty one). */
  institutionRoleType: string
  profile: string
  /** In the trash can (deletePerson); create or update with the same key restores. */
  deleted: boolean
  restored: number
}

export interface SimGroup {
  syncKey: string
  type: string
  parent?: string
  title: string
  courseTitle?: string
  courseCode?: string
}

export interface SimMembership {
  id: string
  group: string
  person: string
  role: string
}

export interface ItslearningEsSimulator {
  readonly url: string
  readonly server: SimHttpServer
  readonly persons: Map<string, SimPerson>
  readonly groups: Map<string, SimGroup>
  readonly memberships: Map<string, SimMembership>
  /** Operations answered, in order (createPersons counted once per call). */
  readonly calls: string[]
  close(): Promise<void>
}

export interface SimOptions {
  readonly username: string
  readonly password: string
  /** GUESS: itslearning documents no bulk limit; a bulk call with more items fails as a whole. Default 100. */
  readonly maxBulk?: number
}

const ARRAYS = [
  'partName',
  'extensionField',
  'tel',
  'personIdPair',
  'groupIdPair',
  'membershipIdPair',
  'relationship',
  'sourcedId',
]

class Failure extends Error {
  readonly minor: string
  constructor(minor: string, message: string) {
    super(message)
    this.minor = minor
  }
}

export async function startItslearningEsSimulator(
  options: SimOptions,
): Promise<ItslearningEsSimulator> {
  const persons = new Map<string, SimPerson>()
  const groups = new Map<string, SimGroup>()
  const memberships = new Map<string, SimMembership>()
  const calls: string[] = []
  const maxBulk = options.maxBulk ?? 100

  const handler = (req: SimRequest): SimResponse => {
    if (req.method !== 'POST') return { status: 405, text: 'Method not allowed' }
    const service = /PersonManagement/i.test(req.url.pathname)
      ? 'pms'
      : /GroupManagement/i.test(req.url.pathname)
        ? 'gms'
        : /MembershipManagement/i.test(req.url.pathname)
          ? 'mms'
          : undefined
    if (service === undefined) return { status: 404, text: 'Endpoint not found.' }
    let env
    try {
      env = parseSoapEnvelope(req.body, { arrays: ARRAYS, trimValues: false })
    } catch (e) {
      return fault(
        's:Client',
        `The message could not be read: ${e instanceof XmlSyntaxError ? e.message : 'not XML'}`,
        400,
      )
    }
    // WS-Security UsernameToken, PasswordText (WCF TransportWithMessageCredential)
    const token = ((env.header.Security as Node | undefined)?.UsernameToken ?? {}) as Node
    if (textOf(token.Username) !== options.username || textOf(token.Password) !== options.password)
      return fault(
        'a:InvalidSecurity',
        'An error occurred when verifying security for the message.',
        500,
      )
    const action = String(req.headers['soapaction'] ?? '').replace(/"/g, '')
    const operation = action.slice(action.lastIndexOf('/') + 1)
    const request = env.body[`${operation}Request`] as Node | undefined
    if (operation === '' || request === undefined || !action.includes(`/soap/${service}/`))
      return fault(
        'a:ActionNotSupported',
        `The message with Action '${action}' cannot be processed at the receiver.`,
        500,
      )
    const messageId = textOf(
      (env.header.syncRequestHeaderInfo as Node | undefined)?.messageIdentifier,
    )
    calls.push(operation)
    // GUESS: a request without messageIdentifier is answered with a failure status, not a fault
    if (messageId === undefined || messageId === '')
      return answer(operation, service, '', {
        status: failure(
          new Failure('invaliddata', 'syncRequestHeaderInfo/messageIdentifier is required'),
        ),
      })
    const bulk = BULK[operation]
    if (bulk !== undefined) {
      const pairs = listOf<Node>((request[bulk.set] as Node | undefined)?.[bulk.pair])
      if (pairs.length > maxBulk)
        return answer(operation, service, messageId, {
          status: failure(new Failure('overflow', `at most ${maxBulk} items per call`)),
        })
      const statuses = pairs.map((p) => run(() => SINGLE[bulk.single]?.(p)))
      return answer(operation, service, messageId, { statuses })
    }
    const single = SINGLE[operation]
    if (single === undefined)
      return answer(operation, service, messageId, {
        status: failure(new Failure('unknownoperation', `${operation} is not simulated`)),
      })
    let body: Node | undefined
    const status = run(() => {
      body = single(request) ?? undefined
    })
    return answer(operation, service, messageId, {
      status,
      ...(body !== undefined ? { body } : {}),
    })
  }

  // ---- persons
  const key = (node: Node | undefined, what = 'sourcedId/identifier'): string => {
    const id = textOf((listOf<Node>(node?.sourcedId)[0] ?? {}).identifier)
    if (id === undefined || id === '') throw new Failure('invaliddata', `${what} is required`)
    if (id.length > MAX_KEY)
      throw new Failure('invaliddata', `${what} is longer than ${MAX_KEY} characters`)
    return id
  }
  const personFields = (p: Node): Record<string, string> => {
    const f: Record<string, string> = {}
    const name = p.name as Node | undefined
    if (name !== undefined)
      for (const part of listOf<Node>(name.partName))
        f[`name:${textOf(part.namePartType) ?? ''}`] = textOf(part.namePartValue) ?? ''
    if ('email' in p) f.email = textOf(p.email) ?? ''
    if ('userId' in p) f.userId = textOf((p.userId as Node | undefined)?.userIdValue) ?? ''
    if ('demographics' in p) f.bday = textOf((p.demographics as Node | undefined)?.bday) ?? ''
    for (const t of listOf<Node>(p.tel))
      f[`tel:${textOf(t.telType) ?? 'Voice'}`] = textOf(t.telValue) ?? ''
    for (const e of listOf<Node>((p.extension as Node | undefined)?.extensionField))
      f[`ext:${textOf(e.fieldName) ?? ''}`] = textOf(e.fieldValue) ?? ''
    return f
  }
  const roleOf = (p: Node): string | undefined => {
    if (!('institutionRole' in p)) return undefined
    return textOf((p.institutionRole as Node | undefined)?.institutionRoleType) ?? ''
  }
  const checkUserId = (syncKey: string, f: Record<string, string>) => {
    // GUESS: a username held by another (not deleted) user is refused per item
    const u = f.userId
    if (u === undefined || u === '') return
    for (const other of persons.values())
      if (other.syncKey !== syncKey && !other.deleted && other.fields.userId === u)
        throw new Failure('invaliddata', `username ${u} is already in use`)
  }
  const setRole = (person: SimPerson, role: string | undefined) => {
    if (role === undefined) return // absent: the profile stays
    person.institutionRoleType = role
    // an empty institutionRoleType resets the profile to the default (How_to_assign_profiles_to_users.html)
    person.profile = PROFILES[role] ?? DEFAULT_PROFILE
  }
  const createPerson = (r: Node) => {
    const syncKey = key(r)
    const p = (r.person ?? {}) as Node
    const f = personFields(p)
    if ((f['name:First'] ?? '') === '' || (f['name:Last'] ?? '') === '')
      throw new Failure('invaliddata', 'name/partName First and Last are required')
    checkUserId(syncKey, f)
    const existing = persons.get(syncKey)
    // GUESS: createPerson of an existing sync key updates it (as createGroup does); of one in the trash, restores it
    const person: SimPerson = existing ?? {
      syncKey,
      fields: {},
      institutionRoleType: '',
      profile: DEFAULT_PROFILE,
      deleted: false,
      restored: 0,
    }
    if (existing?.deleted === true) person.restored++
    person.deleted = false
    person.fields = { ...(existing?.deleted === false ? person.fields : {}), ...f }
    setRole(person, roleOf(p) ?? (existing === undefined ? '' : undefined))
    persons.set(syncKey, person)
    return undefined
  }
  const updatePerson = (r: Node) => {
    const syncKey = key(r)
    const person = persons.get(syncKey)
    if (person === undefined) throw new Failure('unknownobject', `person ${syncKey} does not exist`)
    const p = (r.person ?? {}) as Node
    const f = personFields(p)
    checkUserId(syncKey, f)
    if (person.deleted) person.restored++
    person.deleted = false
    for (const [k, v] of Object.entries(f)) {
      if (v === '')
        delete person.fields[k] // an empty element clears the field (GUESS for fields other than the role)
      else person.fields[k] = v
    }
    setRole(person, roleOf(p))
    return undefined
  }
  const readPerson = (r: Node): Node => {
    const syncKey = key(r)
    const person = persons.get(syncKey)
    // GUESS: a person in the trash can reads as unknown
    if (person === undefined || person.deleted)
      throw new Failure('unknownobject', `person ${syncKey} does not exist`)
    const f = person.fields
    const parts = ['First', 'Last', 'Nick', 'Prefix']
      .filter((t) => f[`name:${t}`] !== undefined)
      .map((t) => ({ namePartType: t, namePartValue: f[`name:${t}`] }))
    const ext = Object.entries(f)
      .filter(([k]) => k.startsWith('ext:'))
      .map(([k, v]) => ({ fieldName: k.slice(4), fieldType: 'String', fieldValue: v }))
    const tels = Object.entries(f)
      .filter(([k]) => k.startsWith('tel:'))
      .map(([k, v]) => ({ telType: k.slice(4), telValue: v }))
    return {
      person: {
        name: { partName: parts },
        ...(f.bday !== undefined ? { demographics: { bday: f.bday } } : {}),
        ...(f.email !== undefined ? { email: f.email } : {}),
        ...(f.userId !== undefined ? { userId: { userIdValue: f.userId } } : {}),
        ...(tels.length > 0 ? { tel: tels } : {}),
        ...(person.institutionRoleType !== ''
          ? {
              institutionRole: {
                institutionRoleType: person.institutionRoleType,
                primaryRoleType: 'true',
              },
            }
          : {}),
        ...(ext.length > 0 ? { extension: { extensionField: ext } } : {}),
      },
    }
  }
  const deletePerson = (r: Node) => {
    const syncKey = key(r)
    const person = persons.get(syncKey)
    if (person === undefined || person.deleted)
      throw new Failure('unknownobject', `person ${syncKey} does not exist`)
    person.deleted = true // to the trash can
    return undefined
  }

  // ---- groups
  const createGroup = (r: Node) => {
    const syncKey = key(r)
    const g = (r.group ?? {}) as Node
    const gt = (g.groupType ?? {}) as Node
    if (textOf(gt.scheme) !== 'ItslearningOrganisationTypes')
      throw new Failure('invaliddata', 'groupType/scheme must be ItslearningOrganisationTypes')
    const tv = (gt.typeValue ?? {}) as Node
    const level = textOf(tv.level)
    const type =
      textOf(tv.type) ??
      (level === '1' ? 'School' : level === '-1' ? 'Unspecified' : level === '0' ? 'Site' : '')
    if (type === 'Site')
      throw new Failure('invaliddata', 'creating or updating a Site is not supported')
    if (!GROUP_TYPES.has(type))
      throw new Failure(
        'invaliddata',
        `groupType ${type} is not School, Course, CourseGroup or Unspecified`,
      )
    const rel = listOf<Node>(g.relationship).find((x) => textOf(x.relation) === 'Parent')
    const parent =
      rel !== undefined ? textOf((rel.sourceId as Node | undefined)?.identifier) : undefined
    if (parent === undefined && type !== 'School')
      throw new Failure('invaliddata', 'relationship with relation Parent is required')
    if (parent !== undefined && !groups.has(parent))
      throw new Failure('unknownobject', `parent ${parent} does not exist`)
    if (type === 'CourseGroup' && groups.get(parent as string)?.type !== 'Course')
      throw new Failure('invaliddata', 'a CourseGroup must have a Course parent')
    if (type === 'School')
      for (let a = parent; a !== undefined; a = groups.get(a)?.parent)
        if (groups.get(a)?.type === 'School')
          throw new Failure('invaliddata', 'a School may not have a School ancestor')
    const title = textOf((g.description as Node | undefined)?.descShort) ?? ''
    if (title === '' || title.length > 64)
      throw new Failure('invaliddata', 'description/descShort is required, at most 64 characters')
    const ext = new Map(
      listOf<Node>((g.extension as Node | undefined)?.extensionField).map((e) => [
        textOf(e.fieldName),
        textOf(e.fieldValue),
      ]),
    )
    if (type === 'Course' && (ext.get('course') ?? '') === '')
      throw new Failure('invaliddata', 'a Course needs extension field course (its title)')
    const existing = groups.get(syncKey)
    if (
      existing !== undefined &&
      existing.type !== type &&
      (existing.type === 'Course' || (type === 'Course' && existing.type !== 'Unspecified'))
    )
      throw new Failure(
        'invaliddata',
        `the type of ${syncKey} cannot change from ${existing.type} to ${type}`,
      )
    const courseTitle = ext.get('course')
    const courseCode = ext.get('course/code')
    groups.set(syncKey, {
      syncKey,
      type,
      title,
      ...(parent !== undefined ? { parent } : {}),
      ...(courseTitle !== undefined ? { courseTitle } : {}),
      ...(courseCode !== undefined ? { courseCode } : {}),
    })
    return undefined
  }
  const readGroup = (r: Node): Node => {
    const syncKey = key(r)
    const g = groups.get(syncKey)
    if (g === undefined) throw new Failure('unknownobject', `group ${syncKey} does not exist`)
    return {
      group: {
        groupType: { scheme: 'ItslearningOrganisationTypes', typeValue: { type: g.type } },
        description: { descShort: g.title },
        ...(g.parent !== undefined
          ? { relationship: { relation: 'Parent', sourceId: { identifier: g.parent } } }
          : {}),
      },
    }
  }
  const deleteGroup = (r: Node) => {
    const syncKey = key(r)
    if (!groups.delete(syncKey))
      throw new Failure('unknownobject', `group ${syncKey} does not exist`)
    return undefined
  }

  // ---- memberships
  const createMembership = (r: Node) => {
    const id = key(r)
    const m = (r.membership ?? {}) as Node
    const group = textOf((m.groupSourcedId as Node | undefined)?.identifier) ?? ''
    const member = (m.member ?? {}) as Node
    const person = textOf((member.memberSourcedId as Node | undefined)?.identifier) ?? ''
    const role = textOf((member.role as Node | undefined)?.roleType) ?? ''
    if (!groups.has(group)) throw new Failure('unknownobject', `group ${group} does not exist`)
    const p = persons.get(person)
    if (p === undefined || p.deleted)
      throw new Failure('unknownobject', `person ${person} does not exist`)
    if (!ROLE_TYPES.has(role))
      throw new Failure('invaliddata', `roleType ${role} is not an IMS role`)
    memberships.set(id, { id, group, person, role })
    return undefined
  }
  const readMembership = (r: Node): Node => {
    const id = key(r)
    const m = memberships.get(id)
    if (m === undefined) throw new Failure('unknownobject', `membership ${id} does not exist`)
    return {
      membership: {
        groupSourcedId: { identifier: m.group },
        member: { memberSourcedId: { identifier: m.person }, role: { roleType: m.role } },
      },
    }
  }
  const deleteMembership = (r: Node) => {
    const id = key(r)
    if (!memberships.delete(id))
      throw new Failure('unknownobject', `membership ${id} does not exist`)
    return undefined
  }

  const SINGLE: Record<string, (r: Node) => Node | undefined> = {
    createPerson,
    updatePerson,
    readPerson,
    deletePerson,
    createGroup,
    updateGroup: createGroup,
    readGroup,
    deleteGroup,
    createMembership,
    updateMembership: createMembership,
    readMembership,
    deleteMembership,
  }
  const BULK: Record<string, { set: string; pair: string; single: string }> = {
    createPersons: { set: 'personIdPairSet', pair: 'personIdPair', single: 'createPerson' },
    deletePersons: { set: 'personIdPairSet', pair: 'personIdPair', single: 'deletePerson' },
    createGroups: { set: 'groupIdPairSet', pair: 'groupIdPair', single: 'createGroup' },
    createMemberships: {
      set: 'membershipIdPairSet',
      pair: 'membershipIdPair',
      single: 'createMembership',
    },
    deleteMemberships: {
      set: 'membershipIdPairSet',
      pair: 'membershipIdPair',
      single: 'deleteMembership',
    },
  }

  const server = await startSimHttpServer(handler)
  return {
    url: server.url,
    server,
    persons,
    groups,
    memberships,
    calls,
    close: () => server.close(),
  }
}

type Status = Node

function run(fn: () => unknown): Status {
  try {
    fn()
    return { codeMajor: 'success', severity: 'status' }
  } catch (e) {
    if (e instanceof Failure) return failure(e)
    throw e
  }
}

function failure(e: Failure): Status {
  return {
    codeMajor: 'failure',
    severity: 'error',
    codeMinor: { codeMinorField: { codeMinorName: 'itslearning', codeMinorValue: e.minor } },
    description: { language: 'en', text: e.message },
  }
}

function answer(
  operation: string,
  service: 'pms' | 'gms' | 'mms',
  messageId: string,
  a: { status?: Status; statuses?: Status[]; body?: Node },
): SimResponse {
  const withRef = (s: Status) => ({ ...s, messageIdRef: messageId })
  const info: Node = {
    '@_xmlns:h': MESS_BIND,
    'h:messageIdentifier': `sim-${Math.random().toString(36).slice(2)}`,
    ...(a.status !== undefined ? { 'h:statusInfo': withRef(a.status) } : {}),
    ...(a.statuses !== undefined
      ? { 'h:statusInfoSet': { 'h:statusInfo': a.statuses.map(withRef) } }
      : {}),
  }
  const text = buildXml({
    's:Envelope': {
      '@_xmlns:s': SOAP_NS,
      's:Header': { 'h:syncResponseHeaderInfo': info },
      's:Body': { [`${operation}Response`]: { '@_xmlns': NS[service], ...(a.body ?? {}) } },
    },
  })
  // GUESS: failure statuses come with HTTP 200; only security and unreadable requests are SOAP faults
  return { status: 200, text, contentType: 'text/xml; charset=utf-8' }
}

function fault(code: string, reason: string, status: number): SimResponse {
  const text = buildXml({
    's:Envelope': {
      '@_xmlns:s': SOAP_NS,
      's:Body': {
        's:Fault': {
          faultcode: {
            '@_xmlns:a':
              'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
            '#text': code,
          },
          faultstring: { '@_xml:lang': 'en-US', '#text': reason },
        },
      },
    },
  })
  return { status, text, contentType: 'text/xml; charset=utf-8' }
}
