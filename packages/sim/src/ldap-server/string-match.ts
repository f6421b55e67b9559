// String preparation for LDAP matching rules (RFC 4518, simplified): case folding, insignificant-space
// handling, telephone-number and numeric-string folding. Pure functions on strings; DN matching lives in
// dn-key.ts, the per-attribute dispatch in matching.ts.

/** caseIgnoreMatch and friends: NFKC, lower case, no leading/trailing space, inner runs of space as one. */
export function foldCaseIgnore(value: string): string {
  return foldSpaces(value.normalize('NFKC').toLowerCase())
}

export function foldCaseExact(value: string): string {
  return foldSpaces(value.normalize('NFKC'))
}

export function foldSpaces(value: string): string {
  return value.replace(/\s+/g, ' ').trim()
}

/** telephoneNumberMatch ignores spaces and hyphens. */
export function foldTelephone(value: string): string {
  return value.replace(/[\s-]/g, '').toLowerCase()
}

/** numericStringMatch ignores spaces. */
export function foldNumeric(value: string): string {
  return value.replace(/\s/g, '')
}

/** The folding that equality and substring rules with this name apply, or undefined for an unknown rule. */
export function folderFor(rule: string): ((value: string) => string) | undefined {
  switch (rule) {
    case 'caseIgnoreMatch':
    case 'caseIgnoreSubstringsMatch':
    case 'caseIgnoreIA5Match':
    case 'caseIgnoreIA5SubstringsMatch':
    case 'caseIgnoreListMatch':
    case 'caseIgnoreListSubstringsMatch':
      return foldCaseIgnore
    case 'caseExactMatch':
    case 'caseExactIA5Match':
    case 'caseExactIA5SubstringsMatch':
      return foldCaseExact
    case 'telephoneNumberMatch':
    case 'telephoneNumberSubstringsMatch':
      return foldTelephone
    case 'numericStringMatch':
    case 'numericStringSubstringsMatch':
      return foldNumeric
    default:
      return undefined
  }
}
