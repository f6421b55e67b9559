// LDAP result codes (RFC 4511 §4.1.9) used by the simulator, and the error a directory operation throws to
// end with one. Diagnostic texts follow OpenLDAP's wording where the clients may show them.

export const ResultCode = {
  success: 0,
  operationsError: 1,
  protocolError: 2,
  sizeLimitExceeded: 4,
  compareFalse: 5,
  compareTrue: 6,
  authMethodNotSupported: 7,
  strongerAuthRequired: 8,
  unavailableCriticalExtension: 12,
  noSuchAttribute: 16,
  undefinedAttributeType: 17,
  inappropriateMatching: 18,
  constraintViolation: 19,
  attributeOrValueExists: 20,
  invalidAttributeSyntax: 21,
  noSuchObject: 32,
  invalidDnSyntax: 34,
  invalidCredentials: 49,
  insufficientAccessRights: 50,
  unwillingToPerform: 53,
  namingViolation: 64,
  objectClassViolation: 65,
  notAllowedOnNonLeaf: 66,
  notAllowedOnRdn: 67,
  entryAlreadyExists: 68,
  objectClassModsProhibited: 69,
  other: 80,
} as const

export type ResultCodeValue = (typeof ResultCode)[keyof typeof ResultCode]

export class LdapResultError extends Error {
  readonly code: ResultCodeValue
  readonly matchedDn: string

  constructor(code: ResultCodeValue, message = '', matchedDn = '') {
    super(message)
    this.name = 'LdapResultError'
    this.code = code
    this.matchedDn = matchedDn
  }
}

export function fail(code: ResultCodeValue, message = '', matchedDn = ''): never {
  throw new LdapResultError(code, message, matchedDn)
}
