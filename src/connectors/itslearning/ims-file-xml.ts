// The IMS Enterprise 1.1 document itslearning imports, built with the shared XML builder (every value escaped),
// and a reader for IMS Enterprise 1.1 files (ours, and other producers' such as Moodle's examples).
import { buildXml, listOf, parseXml, textOf } from '../../protocol/index.ts'
import { IMS_ROLETYPE, type GroupKind, type ImsPerson } from './itslearning-conventions.ts'
import type { ImsModel } from './ims-file-model.ts'

export interface XmlHeader {
  /** properties/datasource and every sourcedid/source. */
  readonly source: string
  /** ISO timestamp for properties/datetime. */
  readonly datetime: string
  /**
   * The institutionroletype written for carers (Koppel's `Carer`): the 1.1 binding has no such value, so a
   * binding value (default `Other`) that the school maps to its Parent profile, or itslearning's own `Carer`.
   */
  readonly carerInstitutionRole?: string
}

// GUESS: itslearning's IMS 1.1 import documents the person element only; the group type vocabulary is taken
// from IMS ES (scheme ItslearningOrganisationTypes, School level 1, Unspecified -1), the school year is an
// Unspecified hierarchy between school and course.
const GROUP_TYPE: Readonly<Record<GroupKind, { type: string; level: string }>> = {
  School: { type: 'School', level: '1' },
  SchoolYear: { type: 'Unspecified', level: '-1' },
  Course: { type: 'Course', level: '2' },
  CourseGroup: { type: 'CourseGroup', level: '3' },
}

const SUBROLE = {
  learner: 'Learner',
  instructor: 'Instructor',
  mentor: 'Mentor',
  carer: 'Carer',
} as const

export function modelToXml(model: ImsModel, header: XmlHeader): string {
  const sourcedid = (id: string) => ({ source: header.source, id })
  const titles = new Map(model.groups.map((g) => [g.syncKey, g.title]))
  const byGroup = new Map<string, ImsModel['memberships'][number][]>()
  for (const m of model.memberships) {
    const list = byGroup.get(m.group)
    if (list === undefined) byGroup.set(m.group, [m])
    else list.push(m)
  }
  const doc = {
    enterprise: {
      properties: {
        '@_lang': 'nl',
        datasource: header.source,
        target: 'itslearning',
        type: 'full',
        datetime: header.datetime,
      },
      person: model.persons.map((p) =>
        person(p, sourcedid, header.carerInstitutionRole ?? 'Other'),
      ),
      group: model.groups.map((g) => ({
        sourcedid: sourcedid(g.syncKey),
        grouptype: {
          scheme: 'ItslearningOrganisationTypes',
          typevalue: { '@_level': GROUP_TYPE[g.kind].level, '#text': GROUP_TYPE[g.kind].type },
        },
        description: { short: g.title, ...(g.code !== undefined ? { long: g.code } : {}) },
        // an archived course stays (its content with it) but its timeframe ends: restrict 1 = no participation
        // after that day (IMS 1.1 group/timeframe; PIFU 5.10). Leaving it out would make itslearning delete it.
        ...(g.ended !== undefined
          ? { timeframe: { end: { '@_restrict': '1', '#text': g.ended } } }
          : {}),
        // GUESS: a school has no parent relationship: it goes below the site root the import is configured for
        ...(g.parent !== undefined
          ? {
              relationship: {
                '@_relation': '1',
                sourcedid: sourcedid(g.parent),
                label: titles.get(g.parent) ?? g.parent,
              },
            }
          : {}),
      })),
      membership: [...byGroup.entries()].map(([group, members]) => ({
        sourcedid: sourcedid(group),
        member: members.map((m) => ({
          sourcedid: sourcedid(m.member),
          idtype: '1',
          role: { '@_roletype': IMS_ROLETYPE[m.role], subrole: SUBROLE[m.role], status: '1' },
        })),
      })),
    },
  }
  return `${buildXml(doc, { pretty: true })}\n`
}

function person(p: ImsPerson, sourcedid: (id: string) => unknown, carerRole: string) {
  const fn = [p.nickname ?? p.givenName, p.prefix, p.familyName]
    .filter((s) => s !== undefined)
    .join(' ')
  // GUESS: UPN and ECK iD travel as person/extension fields (itslearning documents ECK iD as extension field
  // "EckId" for IMS ES; the element names inside the 1.1 extension are ours).
  const extension = {
    ...(p.upn !== undefined ? { upn: p.upn } : {}),
    ...(p.eckId !== undefined ? { eckid: p.eckId } : {}),
  }
  return {
    sourcedid: sourcedid(p.syncKey),
    ...(p.userId !== undefined ? { userid: p.userId } : {}),
    name: {
      fn,
      ...(p.nickname !== undefined ? { nickname: p.nickname } : {}),
      n: {
        family: p.familyName,
        given: p.givenName,
        // GUESS: the Dutch tussenvoegsel as partname Prefix (IMS ES has name/partName Prefix ≤ 32)
        ...(p.prefix !== undefined
          ? { partname: { '@_partnametype': 'Prefix', '#text': p.prefix } }
          : {}),
      },
    },
    ...(p.birthDate !== undefined ? { demographics: { bday: p.birthDate } } : {}),
    ...(p.email !== undefined ? { email: p.email } : {}),
    ...(p.mobile !== undefined ? { tel: { '@_teltype': 'Mobile', '#text': p.mobile } } : {}),
    ...(p.institutionRole !== undefined
      ? {
          institutionrole: {
            '@_primaryrole': 'Yes',
            '@_institutionroletype': p.institutionRole === 'Carer' ? carerRole : p.institutionRole,
          },
        }
      : {}),
    ...(Object.keys(extension).length > 0 ? { extension } : {}),
  }
}

/** A parsed IMS Enterprise 1.1 document in plain terms (what the tests and the validator read). */
export interface ParsedIms {
  readonly properties: Record<string, unknown>
  readonly persons: readonly {
    id: string
    userid?: string
    given?: string
    family?: string
    email?: string
    role?: string
    raw: Record<string, unknown>
  }[]
  readonly groups: readonly {
    id: string
    type?: string
    short?: string
    parent?: string
    /** timeframe/end, when the group has one. */
    ends?: string
    raw: Record<string, unknown>
  }[]
  readonly memberships: readonly {
    group: string
    members: readonly { id: string; idtype?: string; roletype?: string; status?: string }[]
  }[]
}

const ARRAYS = [
  'person',
  'group',
  'membership',
  'member',
  'role',
  'sourcedid',
  'relationship',
  'userid',
  'grouptype',
  'tel',
]

/** Reads an IMS Enterprise 1.1 file; accepts `idtype` as text or as attribute, trims ids. */
export function readImsXml(text: string): ParsedIms {
  const doc = parseXml(text, { arrays: ARRAYS })
  const ent = doc.enterprise as Record<string, unknown> | undefined
  if (ent === undefined || typeof ent !== 'object') throw new Error('no <enterprise> root element')
  const id = (node: unknown) =>
    (textOf((listOf<Record<string, unknown>>(node)[0] ?? {}).id) ?? '').trim()
  return {
    properties: (ent.properties ?? {}) as Record<string, unknown>,
    persons: listOf<Record<string, unknown>>(ent.person).map((p) => {
      const name = (p.name ?? {}) as Record<string, unknown>
      const n = (name.n ?? {}) as Record<string, unknown>
      const role = (p.institutionrole ?? {}) as Record<string, unknown>
      return {
        id: id(p.sourcedid),
        ...opt('userid', textOf(listOf(p.userid)[0])),
        ...opt('given', textOf(n.given)),
        ...opt('family', textOf(n.family)),
        ...opt('email', textOf(p.email)),
        ...opt('role', textOf(role['@_institutionroletype'])),
        raw: p,
      }
    }),
    groups: listOf<Record<string, unknown>>(ent.group).map((g) => {
      const type = listOf<Record<string, unknown>>(g.grouptype)[0]
      const rel = listOf<Record<string, unknown>>(g.relationship).find(
        (r) => r['@_relation'] === '1',
      )
      return {
        id: id(g.sourcedid),
        ...opt('type', textOf(type?.typevalue)),
        ...opt('short', textOf((g.description as Record<string, unknown> | undefined)?.short)),
        ...opt('parent', rel !== undefined ? id(rel.sourcedid) : undefined),
        ...opt('ends', textOf((g.timeframe as Record<string, unknown> | undefined)?.end)),
        raw: g,
      }
    }),
    memberships: listOf<Record<string, unknown>>(ent.membership).map((m) => ({
      group: id(m.sourcedid),
      members: listOf<Record<string, unknown>>(m.member).map((mm) => {
        const idtype = mm.idtype as Record<string, unknown> | string | undefined
        const role = listOf<Record<string, unknown>>(mm.role)[0]
        return {
          id: id(mm.sourcedid),
          ...opt(
            'idtype',
            typeof idtype === 'object' ? (textOf(idtype['@_idtype']) ?? textOf(idtype)) : idtype,
          ),
          ...opt('roletype', textOf(role?.['@_roletype'])),
          ...opt('status', textOf(role?.status)),
        }
      }),
    })),
  }
}

const opt = <K extends string>(k: K, v: string | undefined) =>
  v === undefined || v === '' ? {} : ({ [k]: v } as Record<K, string>)
