/**
 * Generates docs/rules.md (`npm run docs:fields`) from the code: the fields from fields.ts (typed against the
 * model) and per source from the connectors' declarations, the functions with examples whose results
 * rules-doc.test.ts evaluates, and recipes it compiles. test/rules-doc-fresh.test.ts fails when docs/rules.md
 * differs from what this generates, so the doc cannot drift.
 */
import {
  CONTRACT_FIELDS,
  GROUP_FIELDS,
  MEMBERSHIP_FIELDS,
  PERSON_FIELDS,
  VARIABLES,
} from './fields.ts'
import type { FieldDoc } from './fields.ts'

export interface FunctionDoc {
  readonly name: string
  readonly signature: string
  readonly description: string
  /** A mapping expression over EXAMPLE_PERSON / EXAMPLE_CONTRACT, and what it gives. */
  readonly example: string
  readonly result: string
}

/** The person and contract the examples are evaluated for. */
export const EXAMPLE_PERSON = {
  key: 'p-1001',
  givenName: 'Anne-Marie',
  preferredGivenName: 'Anne',
  familyName: 'Berg',
  familyNamePrefix: 'van den',
  partnerName: 'Vries',
  partnerNamePrefix: 'de',
  nameConvention: 'BP',
  birthDate: '2011-03-14',
} as const

export const EXAMPLE_CONTRACT = {
  role: 'student',
  organisation: 'org-1',
  organisationCode: '12AB',
  schoolYear: '2026-2027',
  grade: 2,
  programme: 'havo',
  classGroup: 'H2B',
} as const

export const EXAMPLE_TODAY = '2026-11-23'

export const FUNCTION_DOCS: readonly FunctionDoc[] = [
  {
    name: 'familyName',
    signature: 'familyName(person)',
    description:
      'Family name as the person uses it, by `nameConvention`: B own, BP own-partner, P partner, PB partner-own; without a partner name always own.',
    example: 'familyName(person)',
    result: 'van den Berg-de Vries',
  },
  {
    name: 'fullName',
    signature: 'fullName(person)',
    description: 'Preferred (else given) name and family name.',
    example: 'fullName(person)',
    result: 'Anne van den Berg-de Vries',
  },
  {
    name: 'sortName',
    signature: 'sortName(person)',
    description: 'Dutch sorting: family name first, its prefix after the given name.',
    example: 'sortName(person)',
    result: 'Berg-de Vries, Anne van den',
  },
  {
    name: 'givenName',
    signature: 'givenName(person)',
    description: 'Preferred given name (roepnaam) if set, else the given name.',
    example: 'givenName(person)',
    result: 'Anne',
  },
  {
    name: 'initials',
    signature: 'initials(person), initials(s)',
    description:
      'Official initials if the source has them, else from given and middle names (hyphenated names give one per part; IJ stays together).',
    example: 'initials(person)',
    result: 'A.M.',
  },
  {
    name: 'ascii',
    signature: 'ascii(s)',
    description:
      'Diacritics to ASCII (ß → ss, ø → o, ł → l), other scripts transliterated (张伟 → Zhang Wei, a Cyrillic А → A), what has no Latin reading (emoji) dropped; the result is always ASCII.',
    example: 'ascii("Çiğdem Şahin")',
    result: 'Cigdem Sahin',
  },
  {
    name: 'slug',
    signature: 'slug(s)',
    description:
      'A username part: ASCII, lower case, only a-z 0-9 . - _; spaces and apostrophes removed.',
    example: 'slug(givenName(person) + "." + familyName(person))',
    result: 'anne.vandenberg-devries',
  },
  {
    name: 'left',
    signature: 'left(s, n)',
    description: 'The first n characters.',
    example: 'left(person.familyName, 3)',
    result: 'Ber',
  },
  {
    name: 'prefixLetters',
    signature: 'prefixLetters(s, n)',
    description:
      'The first n letters, skipping anything that is not a letter (apostrophes, spaces, hyphens).',
    example: 'prefixLetters("O\'Neill", 3)',
    result: 'ONe',
  },
  {
    name: 'lower',
    signature: 'lower(s)',
    description: 'Lower case.',
    example: 'lower(contract.classGroup)',
    result: 'h2b',
  },
  {
    name: 'upper',
    signature: 'upper(s)',
    description: 'Upper case.',
    example: 'upper(contract.programme)',
    result: 'HAVO',
  },
  {
    name: 'capitalize',
    signature: 'capitalize(s)',
    description: 'First character upper case.',
    example: 'capitalize(contract.programme)',
    result: 'Havo',
  },
  {
    name: 'trim',
    signature: 'trim(s)',
    description: 'Without leading and trailing white space.',
    example: 'trim("  H2B ")',
    result: 'H2B',
  },
  {
    name: 'replace',
    signature: 'replace(s, from, to)',
    description: 'Every occurrence of `from` (literally, not a pattern) replaced.',
    example: 'replace(contract.schoolYear, "-", "/")',
    result: '2026/2027',
  },
  {
    name: 'join',
    signature: 'join(list, sep)',
    description: 'A list as one string.',
    example: 'join([contract.organisationCode, contract.classGroup], "-")',
    result: '12AB-H2B',
  },
  {
    name: 'dnEscape',
    signature: 'dnEscape(s)',
    description:
      'The value escaped for a DN (RFC 4514). In a `dn` mapping every part that is not a string literal is escaped anyway; a group id in a rule is not.',
    example: 'dnEscape("x+uid=admin")',
    result: 'x\\2Buid\\3Dadmin',
  },
  {
    name: 'rdn',
    signature: 'rdn(type, s)',
    description: 'One attribute-value pair with the value escaped: for group ids built from data.',
    example: 'rdn("cn", contract.classGroup) + ",ou=groups,dc=school,dc=nl"',
    result: 'cn=H2B,ou=groups,dc=school,dc=nl',
  },
  {
    name: 'coalesce',
    signature: 'coalesce(a, b, …)',
    description:
      'The first argument (2 to 8) that is present, not null and not "": safe with absent fields.',
    example: 'coalesce(person.email, person.key + "@leerling.school.nl")',
    result: 'p-1001@leerling.school.nl',
  },
  {
    name: 'orElse',
    signature: 'orElse(a, b)',
    description: '`coalesce` with two arguments.',
    example: 'orElse(contract.location, "hoofdlocatie")',
    result: 'hoofdlocatie',
  },
  {
    name: 'yearOf',
    signature: 'yearOf(date)',
    description: 'The year of a `YYYY-MM-DD` date, as an int.',
    example: 'string(yearOf(person.birthDate))',
    result: '2011',
  },
  {
    name: 'daysBetween',
    signature: 'daysBetween(from, to)',
    description: 'Days from one date to another (negative when `to` is earlier).',
    example: 'string(daysBetween(person.birthDate, today))',
    result: '5733',
  },
  {
    name: 'addDays',
    signature: 'addDays(date, n)',
    description: 'The date n days later (n may be negative).',
    example: 'addDays(today, 14)',
    result: '2026-12-07',
  },
  {
    name: 'schoolYearOf',
    signature: 'schoolYearOf(date)',
    description: 'The school year a date falls in; it turns over on 1 August.',
    example: 'schoolYearOf(today)',
    result: '2026-2027',
  },
  {
    name: 'graduationYear',
    signature: 'graduationYear(contract[, lastGrade])',
    description:
      'End year of `contract.schoolYear` plus the grades still to go; the last grade comes from `programme` (vmbo/mavo 4, havo 5, else 6) unless given.',
    example: 'string(graduationYear(contract))',
    result: '2030',
  },
]

export interface Recipe {
  readonly title: string
  readonly text: string
  /** YAML shown in the doc; every `expressions` entry is compiled by the test. */
  readonly yaml: string
  readonly expressions: readonly { readonly scope: 'rule' | 'mapping'; readonly source: string }[]
}

export const RECIPES: readonly Recipe[] = [
  {
    title: 'Usernames: first name and family name, unique, kept',
    text: 'The first candidate that no other person holds in the target wins; with `once` it never changes afterwards (a marriage does not rename an account). When every candidate is taken, `iterate` numbers the last one.',
    yaml: `uid:
  candidates:
    - slug(givenName(person) + "." + familyName(person))
    - slug(initials(person) + familyName(person))
  unique: true
  once: true
  maxLength: 20`,
    expressions: [
      { scope: 'mapping', source: 'slug(givenName(person) + "." + familyName(person))' },
      { scope: 'mapping', source: 'slug(initials(person) + familyName(person))' },
    ],
  },
  {
    title: 'OU per school and graduation year',
    text: 'Pupils stay in one OU from their first to their last year; `graduationYear` needs `schoolYear` and `grade` from the source.',
    yaml: `dn: '"uid=" + account.uid + ",ou=" + string(graduationYear(contract)) + ",ou=" + contract.organisationCode + ",ou=leerlingen,dc=school,dc=nl"'`,
    expressions: [
      {
        scope: 'mapping',
        source:
          '"uid=" + account.uid + ",ou=" + string(graduationYear(contract)) + ",ou=" + contract.organisationCode + ",ou=leerlingen,dc=school,dc=nl"',
      },
    ],
  },
  {
    title: 'Class groups',
    text: 'One group per school and class; a pupil who changes class is moved from the old group to the new one.',
    yaml: `rules:
  - name: Stamgroep
    when: contract.role == "student" && has(contract.classGroup)
    grant:
      - permission: { target: directory, type: group, id: '"cn=" + contract.organisationCode + "-" + contract.classGroup + ",ou=groups,dc=school,dc=nl"' }`,
    expressions: [
      { scope: 'rule', source: 'contract.role == "student" && has(contract.classGroup)' },
      {
        scope: 'rule',
        source:
          '"cn=" + contract.organisationCode + "-" + contract.classGroup + ",ou=groups,dc=school,dc=nl"',
      },
    ],
  },
  {
    title: 'Courses and lesson groups from memberships',
    text: 'A permission id may be a list: one group per membership. Teachers and pupils of a course section get its group.',
    yaml: `  - name: Lesgroepen
    when: size(person.memberships) > 0
    grant:
      - permission: { target: directory, type: group, id: 'person.memberships.map(m, "cn=les-" + m.group + ",ou=groups,dc=school,dc=nl")' }`,
    expressions: [
      { scope: 'rule', source: 'size(person.memberships) > 0' },
      {
        scope: 'rule',
        source: 'person.memberships.map(m, "cn=les-" + m.group + ",ou=groups,dc=school,dc=nl")',
      },
    ],
  },
  {
    title: 'Licences by role',
    text: 'Staff and pupils get different licence SKUs (Entra ID: the licence permission type).',
    yaml: `  - name: Licenties
    when: contract.role in ["teacher", "staff", "student"]
    grant:
      - permission: { target: entra, type: licence, id: 'contract.role == "student" ? "STANDARDWOFFPACK_STUDENT" : "STANDARDWOFFPACK_FACULTY"' }`,
    expressions: [
      { scope: 'rule', source: 'contract.role in ["teacher", "staff", "student"]' },
      {
        scope: 'rule',
        source:
          'contract.role == "student" ? "STANDARDWOFFPACK_STUDENT" : "STANDARDWOFFPACK_FACULTY"',
      },
    ],
  },
  {
    title: 'An optional field with a default',
    text: 'Reading an absent field fails the expression for that person; `coalesce`, `has()` or `.?field.orValue()` handle it.',
    yaml: `mail: 'coalesce(person.email, account.uid + "@leerling.school.nl")'
givenName: 'person.?preferredGivenName.orValue(person.givenName)'`,
    expressions: [
      { scope: 'mapping', source: 'coalesce(person.email, account.uid + "@leerling.school.nl")' },
      { scope: 'mapping', source: 'person.?preferredGivenName.orValue(person.givenName)' },
    ],
  },
]

function fieldTable(prefix: string, fields: Readonly<Record<string, FieldDoc>>): string {
  const rows = Object.entries(fields).map(
    ([name, f]) => `| \`${prefix}${name}\` | ${f.type} | ${f.description} |`,
  )
  return ['| field | type | meaning |', '| --- | --- | --- |', ...rows].join('\n')
}

/** A source connector's declared fields (SourceDefinition.fills), for the per-source table. */
export interface SourceFieldsDoc {
  readonly type: string
  readonly fills?: {
    readonly person: readonly string[]
    readonly contract: readonly string[]
    readonly membership: readonly string[]
  }
}

function sourceTable(sources: readonly SourceFieldsDoc[]): string {
  const declared = sources.filter((s) => s.fills !== undefined)
  const undeclared = sources.filter((s) => s.fills === undefined).map((s) => `\`${s.type}\``)
  if (declared.length === 0) return ''
  const head = `| field | ${declared.map((s) => s.type).join(' | ')} |`
  const rule = `| --- | ${declared.map(() => '---').join(' | ')} |`
  const rows: string[] = []
  const kinds = [
    ['person', PERSON_FIELDS],
    ['contract', CONTRACT_FIELDS],
    ['membership', MEMBERSHIP_FIELDS],
  ] as const
  for (const [kind, fields] of kinds) {
    for (const name of Object.keys(fields)) {
      const cells = declared.map((s) => ((s.fills?.[kind] ?? []).includes(name) ? '✓' : ''))
      rows.push(`| \`${kind === 'membership' ? 'm' : kind}.${name}\` | ${cells.join(' | ')} |`)
    }
  }
  const rest =
    undeclared.length > 0
      ? `\n\nNot declared yet (see their connector docs): ${undeclared.join(', ')}.`
      : ''
  return `\n\n### Fields per source\n\nWhat each source connector declares it fills, when the service has the data (checked against the connector's\nsimulator or generated export by test/source-fields.test.ts). \`koppel validate\` warns about a field that none\nof the configured sources fills.\n\n${[head, rule, ...rows].join('\n')}${rest}`
}

export function rulesDoc(sources: readonly SourceFieldsDoc[] = []): string {
  const variables = Object.entries(VARIABLES).map(
    ([name, v]) => `| \`${name}\` | ${v.description} |`,
  )
  const functions = FUNCTION_DOCS.map(
    (f) =>
      `| \`${f.signature}\` | ${f.description} | \`${f.example.replace(/\|/g, '\\|')}\` → \`${f.result}\` |`,
  )
  const recipes = RECIPES.map((r) => `### ${r.title}\n\n${r.text}\n\n\`\`\`yaml\n${r.yaml}\n\`\`\``)
  return `<!-- Generated by \`npm run docs:fields\` from src/rules/fields.ts and src/rules/rules-doc.ts; do not edit by hand. -->
# Writing rules and mappings

Rules (\`rules:\`) decide which accounts and permissions a person gets; mappings (a target's \`attributes:\`) decide
an account's attribute values. Both are CEL expressions (cel-js). \`koppel validate\` compiles every one of them
and names file, line and column of each problem, including a field name that does not exist
(\`contract.rol\` → did you mean \`contract.role\`). The config file's own keys are in [config.md](config.md).

## Variables

| variable | meaning |
| --- | --- |
${variables.join('\n')}

A rule is evaluated once for each active contract of each person, with that contract as \`contract\`. Whole
numbers are CEL \`int\` (\`contract.grade >= 2\`). Dates are \`YYYY-MM-DD\` strings and compare as strings
(\`contract.start <= today\`). Reading a field the person does not have is an error for that person (the
person is left untouched and named in the plan's issues); use \`has(contract.grade)\`, \`coalesce(…)\` or
\`contract.?grade.orValue(0)\`.

## Person fields

${fieldTable('person.', PERSON_FIELDS)}

## Contract fields

${fieldTable('contract.', CONTRACT_FIELDS)}

## Membership fields

Each element of \`person.memberships\`:

${fieldTable('m.', MEMBERSHIP_FIELDS)}

A rule with \`for: membership\` runs once for each membership of the person that is active today (its
\`start\`/\`end\` window holds today), with that membership as \`membership\` and its group as \`group\`
(\`contract\` is the person's primary active contract). Its \`member\` grant puts the person's account in the
provisioned group of that membership, with a role the target understands; the plan's reason names the
membership. A person without an active contract gets nothing, whatever her memberships.

## Group fields

\`group\` in a rule with \`for: membership\`, and in a target's \`provisionGroups:\` entries (\`when\`, \`id\`, \`title\`, …),
which see \`group\` and \`today\` only:

${fieldTable('group.', GROUP_FIELDS)}

Which fields a source fills depends on the source: see its connector doc in [connectors/](connectors/). A field
the source leaves empty is absent, so guard optional fields with \`has()\` or \`coalesce()\`.${sourceTable(sources)}

## Functions

The examples are evaluated by the test suite for a pupil Anne-Marie (roepnaam Anne) van den Berg, married
name convention BP with partner de Vries, born 2011-03-14, in havo 2 class H2B of school 12AB in 2026-2027, on
${EXAMPLE_TODAY}. String functions also work as methods: \`person.familyName.slug()\`.

| function | what it gives | example |
| --- | --- | --- |
${functions.join('\n')}

CEL's own functions and macros work too: \`size\`, \`in\`, \`startsWith\`, \`endsWith\`, \`contains\`, \`matches\`,
\`exists\`, \`all\`, \`map\`, \`filter\`, \`string()\`, \`int()\`, the conditional \`a ? b : c\`.

## Mapping options

An attribute is a CEL string, or \`{ value | candidates, unique, once, maxLength, iterate, lowercase }\`:

| option | meaning |
| --- | --- |
| \`value\` | one expression |
| \`candidates\` | expressions tried in order; the first whose value is free (with \`unique\`) is used |
| \`unique\` | the value must not be held by another person in this target (case-insensitive) |
| \`once\` | computed once, then kept from the ledger (a username that must not change) |
| \`maxLength\` | the value, or the base before the number, is cut to fit |
| \`iterate\` | when every candidate is taken: the template for numbering the last one, default \`{value}{n}\` (n = 2, 3, …). With \`iterate: '{value}.{n}'\`, \`jan.jansen\` taken gives \`jan.jansen.2\` |
| \`lowercase\` | the value in lower case |

\`account\` holds the attributes computed before this one, in the order they are written: \`dn\` can use
\`account.uid\`. Null, \`""\` and \`[]\` leave the attribute out.

## Recipes

${recipes.join('\n\n')}
`
}
