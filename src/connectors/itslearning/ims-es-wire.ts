// Person, group and membership elements of IMS ES as itslearning documents them (standards.md §2.2), to and
// from Koppel's terms. Element order follows the IMS data schemas.
import { listOf, textOf } from '../../protocol/index.ts'
import type { Attributes } from '../../model/index.ts'
import {
  ES_ROLETYPE,
  type GroupRef,
  type ImsPerson,
  type MembershipRole,
} from './itslearning-conventions.ts'

type Node = Record<string, unknown>

const NAME_PARTS: ReadonlyArray<[keyof ImsPerson, string]> = [
  ['givenName', 'First'],
  ['familyName', 'Last'],
  ['nickname', 'Nick'],
  ['prefix', 'Prefix'],
]

// GUESS: updatePerson clears a field sent as an empty element and leaves absent ones (documented only for
// institutionRoleType, and for replacePerson's clearing of absent fields).
/**
 * A person element. For updates pass `partial`: fields absent from it are not sent (itslearning leaves them as
 * they are), fields set to '' are sent empty (cleared) — except institutionRoleType, which is never sent empty:
 * an empty one resets the user's profile to the default.
 */
export function personElement(p: Partial<ImsPerson>): Node {
  const has = (k: keyof ImsPerson) => p[k] !== undefined
  const parts = NAME_PARTS.filter(([k]) => has(k)).map(([k, type]) => ({
    namePartType: type,
    namePartValue: p[k],
  }))
  const ext: Node[] = []
  // ECK iD is documented as extension field "EckId" (createPerson(s)/updatePerson(s) only)
  if (has('eckId')) ext.push({ fieldName: 'EckId', fieldType: 'String', fieldValue: p.eckId })
  // GUESS: the UPN for SSO as extension field "UPN" (itslearning documents no name for it)
  if (has('upn')) ext.push({ fieldName: 'UPN', fieldType: 'String', fieldValue: p.upn })
  return {
    ...(parts.length > 0 ? { name: { partName: parts } } : {}),
    ...(has('birthDate') ? { demographics: { bday: p.birthDate } } : {}),
    ...(has('email') ? { email: p.email } : {}),
    ...(has('userId') ? { userId: { userIdValue: p.userId } } : {}),
    ...(has('mobile') ? { tel: { telType: 'Mobile', telValue: p.mobile } } : {}),
    ...(p.institutionRole !== undefined && p.institutionRole !== ''
      ? { institutionRole: { institutionRoleType: p.institutionRole, primaryRoleType: 'true' } }
      : {}),
    ...(ext.length > 0 ? { extension: { extensionField: ext } } : {}),
  }
}

/** Koppel attributes of a person read back (readPersonResponse/person). */
export function personAttributes(syncKey: string, node: Node): Attributes {
  const out: Record<string, string> = { syncPersonKey: syncKey }
  const name = (node.name ?? {}) as Node
  for (const part of listOf<Node>(name.partName)) {
    const type = textOf(part.namePartType)
    const value = textOf(part.namePartValue)
    const key = NAME_PARTS.find(([, t]) => t === type)?.[0]
    if (key !== undefined && value !== undefined && value !== '') out[key] = value
  }
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') out[k] = v
  }
  set('email', textOf(node.email))
  set('userId', textOf((node.userId as Node | undefined)?.userIdValue))
  set('birthDate', textOf((node.demographics as Node | undefined)?.bday))
  set(
    'mobile',
    textOf(listOf<Node>(node.tel).find((t) => textOf(t.telType) === 'Mobile')?.telValue),
  )
  set('institutionRole', textOf((node.institutionRole as Node | undefined)?.institutionRoleType))
  for (const f of listOf<Node>((node.extension as Node | undefined)?.extensionField)) {
    const n = textOf(f.fieldName)
    if (n === 'EckId') set('eckId', textOf(f.fieldValue))
    if (n === 'UPN') set('upn', textOf(f.fieldValue))
  }
  return out
}

// Documented: School level 1, Unspecified -1; GUESS: Course and CourseGroup are sent by type name only.
const GROUP_TYPE: Readonly<Record<GroupRef['kind'], { type: string; level?: string }>> = {
  School: { type: 'School', level: '1' },
  SchoolYear: { type: 'Unspecified', level: '-1' },
  Course: { type: 'Course' },
  CourseGroup: { type: 'CourseGroup' },
}

export function groupElement(g: GroupRef, parentTitle: string | undefined): Node {
  const t = GROUP_TYPE[g.kind]
  return {
    groupType: {
      scheme: 'ItslearningOrganisationTypes',
      typeValue: { type: t.type, ...(t.level !== undefined ? { level: t.level } : {}) },
    },
    ...(g.parent !== undefined
      ? {
          relationship: {
            relation: 'Parent',
            sourceId: { identifier: g.parent },
            label: parentTitle ?? g.parent,
          },
        }
      : {}),
    description: { descShort: g.title },
    // a course needs its title as extension field "course"; the code goes in "course/code"
    ...(g.kind === 'Course'
      ? {
          extension: {
            extensionField: [
              { fieldName: 'course', fieldType: 'String', fieldValue: g.title },
              { fieldName: 'course/code', fieldType: 'String', fieldValue: g.code ?? g.title },
            ],
          },
        }
      : {}),
  }
}

export function membershipElement(group: string, person: string, role: MembershipRole): Node {
  return {
    groupSourcedId: { identifier: group },
    member: { memberSourcedId: { identifier: person }, role: { roleType: ES_ROLETYPE[role] } },
  }
}
