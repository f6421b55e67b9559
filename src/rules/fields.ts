/**
 * Every field a rule or mapping can read, with its CEL type and meaning: what `koppel validate` checks field
 * names against (`contract.rol` → did you mean `contract.role`) and what docs/rules.md is generated from
 * (`npm run docs:fields`). The tables are typed against the model, so a model field without an entry here (or
 * an entry for a field the model does not have) is a type error: the doc cannot drift from the code.
 */
import type { Contract, Group, Membership, Person } from '../model/index.ts'

export interface FieldDoc {
  readonly type: string
  readonly description: string
}

type Catalog<T> = { readonly [K in Exclude<keyof T, 'kind'>]-?: FieldDoc }

export const PERSON_FIELDS: Catalog<Person> = {
  key: {
    type: 'string',
    description:
      "Stable id of the person across runs (for one source: its record id; merged persons: the first source's).",
  },
  sourceIds: {
    type: 'map(string, string)',
    description: "Source name → the record's id in that source: `person.sourceIds.somtoday`.",
  },
  givenName: { type: 'string', description: 'Given (first) name; always present.' },
  preferredGivenName: {
    type: 'string',
    description: 'Roepnaam, when the source has one apart from the given name.',
  },
  middleName: { type: 'string', description: 'Middle name(s), if the source has them.' },
  initials: {
    type: 'string',
    description: 'Official initials ("J.P."); `initials(person)` derives them when absent.',
  },
  familyName: {
    type: 'string',
    description:
      'Birth family name without its prefix ("Berg" for "van den Berg"); always present.',
  },
  familyNamePrefix: {
    type: 'string',
    description: 'Prefix (tussenvoegsel) of the birth family name ("van den").',
  },
  partnerName: {
    type: 'string',
    description: "Partner's family name, for the name conventions that use it.",
  },
  partnerNamePrefix: { type: 'string', description: "Prefix of the partner's family name." },
  nameConvention: {
    type: 'string',
    description:
      'Naamgebruik: `B` own name, `BP` own-partner, `P` partner, `PB` partner-own (used by `familyName()`).',
  },
  email: { type: 'string', description: 'E-mail address as the source knows it.' },
  username: {
    type: 'string',
    description: 'Username as the source knows it (OneRoster `username`, a written-back login).',
  },
  birthDate: { type: 'string', description: 'Date of birth, `YYYY-MM-DD`.' },
  attributes: {
    type: 'map(string, scalar)',
    description:
      'Source-specific fields: `person.attributes.eckId`, `person.attributes["metadata.x"]` (see the source\'s connector doc).',
  },
  contracts: {
    type: 'list(map)',
    description: 'All contracts of the person; the active ones are also the variable `contracts`.',
  },
  memberships: {
    type: 'list(map)',
    description:
      'Group memberships (class, course, lesson group), each with the membership fields below.',
  },
}

export const CONTRACT_FIELDS: Catalog<Contract> = {
  id: {
    type: 'string',
    description: 'Id of the enrolment or employment, unique within its source.',
  },
  source: { type: 'string', description: 'Name of the source the contract came from.' },
  role: {
    type: 'string',
    description: '`student`, `teacher`, `staff`, `administrator`, `guardian` or `other`.',
  },
  start: { type: 'string', description: 'First day (`YYYY-MM-DD`, inclusive); absent: no start.' },
  end: {
    type: 'string',
    description: 'Day it ended (`YYYY-MM-DD`, exclusive); absent: open-ended.',
  },
  organisation: {
    type: 'string',
    description: 'Key of the school or organisational unit; always present.',
  },
  organisationCode: {
    type: 'string',
    description: 'Official code of the organisation: BRIN ("12AB") or a department code.',
  },
  organisationName: { type: 'string', description: 'Name of the school or unit.' },
  location: { type: 'string', description: 'Vestiging (site), when the source has one.' },
  schoolYear: { type: 'string', description: 'The school year\'s label, e.g. "2026-2027".' },
  grade: { type: 'int', description: 'Leerjaar 1–6 (VO) or similar.' },
  programme: { type: 'string', description: 'Opleiding / profile / study programme.' },
  classGroup: { type: 'string', description: 'Name of the class (stamgroep), e.g. "2B".' },
  title: { type: 'string', description: 'Job title / functie (staff).' },
  department: { type: 'string', description: 'Department / afdeling (staff).' },
  manager: { type: 'string', description: 'Person key of the manager (staff) or mentor (pupil).' },
  primary: {
    type: 'bool',
    description:
      "Whether this is the person's primary contract (set by the merge, `merge.primaryContract`).",
  },
  attributes: {
    type: 'map(string, scalar)',
    description: 'Source-specific fields of the contract.',
  },
}

export const MEMBERSHIP_FIELDS: Catalog<Membership> = {
  group: { type: 'string', description: 'Key of the group (class, course section, lesson group).' },
  role: {
    type: 'string',
    description: '`student`, `teacher`, `mentor`, `guardian`, `administrator` or `member`.',
  },
  start: { type: 'string', description: 'First day in the group (`YYYY-MM-DD`).' },
  end: { type: 'string', description: 'Day it ended (`YYYY-MM-DD`, exclusive).' },
  primary: { type: 'bool', description: "The person's main group of this kind (the stamgroep)." },
}

export const GROUP_FIELDS: Catalog<Group> = {
  key: {
    type: 'string',
    description: 'Key of the group in its source (what `membership.group` names).',
  },
  type: {
    type: 'string',
    description:
      '`board`, `school`, `location`, `school-year`, `class` (stamgroep), `teaching-group` (lesgroep, cluster), `course`, `department` or `other`.',
  },
  name: { type: 'string', description: 'Name as the source shows it ("3B", "wi-3b").' },
  code: {
    type: 'string',
    description: 'Code of the group or its subject, when the source has one ("wi").',
  },
  parent: {
    type: 'string',
    description: 'Key of the parent group (the school, the department above).',
  },
  schoolYear: {
    type: 'string',
    description: 'The school year\'s label, e.g. "2026-2027"; the default sync key starts with it.',
  },
  attributes: {
    type: 'map(string, scalar)',
    description: 'Source-specific fields of the group (subject name, level, …).',
  },
}

/** The variables an expression may start from, and the fields of those that are records. */
export const VARIABLES: Readonly<
  Record<
    string,
    {
      readonly description: string
      readonly fields?: Readonly<Record<string, FieldDoc>>
      readonly mappingOnly?: boolean
    }
  >
> = {
  person: { description: 'The person (merged across sources).', fields: PERSON_FIELDS },
  contract: {
    description: 'The contract the rule is evaluated for (mappings: the primary active contract).',
    fields: CONTRACT_FIELDS,
  },
  contracts: { description: "List of the person's active contracts." },
  today: { description: "The plan's day, `YYYY-MM-DD` (`--today` overrides it)." },
  account: {
    description:
      'The target attributes computed so far (mappings only): `account.uid` in the `dn`.',
    mappingOnly: true,
  },
  membership: {
    description: 'Rules with `for: membership` only: the membership the rule runs for.',
    fields: MEMBERSHIP_FIELDS,
  },
  group: {
    description:
      "Rules with `for: membership`: the membership's group; a target's `provisionGroups:` entries: the source group.",
    fields: GROUP_FIELDS,
  },
}

/**
 * A problem with a path an expression reads, or undefined: `['contract', 'rol']` → unknown field with the
 * nearest known one. Only the first step below a record variable is checked; `attributes` keys are the
 * source's own.
 */
export function unknownField(
  path: readonly string[],
  suggest: (word: string, known: readonly string[]) => string | undefined,
): string | undefined {
  const [root, field] = path
  if (root === undefined || field === undefined) return undefined
  const fields = VARIABLES[root]?.fields
  if (fields === undefined || field in fields) return undefined
  const known = Object.keys(fields)
  const near = suggest(field, known)
  return `${root}.${field} is not a field of ${root}${near !== undefined ? `; did you mean ${root}.${near}?` : ` (fields: ${known.join(', ')})`}`
}
