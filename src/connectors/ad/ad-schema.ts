// What AD's own schema (the attributeSchema objects below the schema naming context) says about an attribute the
// connector searches by: its syntax and whether the DC indexes it. Samba's subschema entry lists attribute types
// without an EQUALITY rule, so the anchor batcher could not learn there that one OR search's entries can be sorted
// back to its values, and sent one search per create; an unindexed anchor (employeeID is not indexed in the stock
// schema) makes each of those searches a scan of the directory, which is what slowed creates as it grew
// (docs/benchmarks.md, "Active Directory": 1.9 ms at 200 users, 22–32 ms at 2,000).
import { EqualityFilter } from 'ldapts'
import type { LdapClient } from '../ldap/ldap-client.ts'
import { equalityRuleOf } from '../ldap/ldap-schema.ts'
import { entryValue } from '../ldap/ldap-mapping.ts'

export interface AdAttributeSchema {
  /** attributeSyntax, e.g. 2.5.5.12 (Unicode string). */
  readonly syntax: string | undefined
  /** searchFlags has fATTINDEX (bit 0): equality searches use an index instead of scanning. */
  readonly indexed: boolean
}

const F_ATTINDEX = 1

/** The attributeSchema object of `attribute` (by lDAPDisplayName); undefined when the schema has none. */
export async function adAttributeSchema(
  client: LdapClient,
  attribute: string,
): Promise<AdAttributeSchema | undefined> {
  const [dse] = await client.search('', { scope: 'base', attributes: ['schemaNamingContext'] })
  const schema = dse === undefined ? undefined : entryValue(dse, 'schemaNamingContext')
  if (schema === undefined) return undefined
  const [entry] = await client.search(schema, {
    scope: 'one',
    filter: new EqualityFilter({ attribute: 'lDAPDisplayName', value: attribute }),
    attributes: ['attributeSyntax', 'searchFlags'],
  })
  if (entry === undefined) return undefined
  const flags = Number(entryValue(entry, 'searchFlags') ?? 0)
  return {
    syntax: entryValue(entry, 'attributeSyntax'),
    indexed: Number.isInteger(flags) && (flags & F_ATTINDEX) !== 0,
  }
}

// MS-ADTS 3.1.1.2.2.2 (LDAP syntaxes): how the DC compares values of each string syntax, as the LDAP matching
// rule of the same strictness; the other syntaxes (integers, DNs, times, SIDs) get none, so they are not batched
const RULE_OF_SYNTAX: Readonly<Record<string, string>> = {
  '2.5.5.12': 'caseIgnoreMatch', // Unicode string: compared without case
  '2.5.5.4': 'caseIgnoreMatch', // case-insensitive (teletex) string
  '2.5.5.3': 'caseExactMatch', // case-sensitive string
  '2.5.5.5': 'caseExactIA5Match', // IA5 / printable string: case-sensitive
  '2.5.5.6': 'numericStringMatch',
  '2.5.5.10': 'octetStringMatch',
}

/** The LDAP equality rule that compares like AD does for this attributeSyntax, if it is a string syntax. */
export function ruleOfSyntax(syntax: string | undefined): string | undefined {
  return syntax === undefined ? undefined : RULE_OF_SYNTAX[syntax]
}

/**
 * The equality rule of `attribute` from AD's schema (what the anchor batcher asks before sorting results back), or
 * from the subschema entry where AD's schema objects cannot be read.
 */
export async function adEqualityRule(
  client: LdapClient,
  attribute: string,
): Promise<string | undefined> {
  const rule = ruleOfSyntax((await adAttributeSchema(client, attribute))?.syntax)
  return rule ?? equalityRuleOf(client, attribute)
}
