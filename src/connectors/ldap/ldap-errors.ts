// The one place where ldapts errors (LDAP result codes), socket and TLS errors become ConnectorError kinds.
// It does not decide retries: the apply stage does that from the kind.
import { ResultCodeError } from 'ldapts'
import { ConnectorError, type ConnectorErrorKind } from '../../contract/index.ts'

/** LDAP result codes (RFC 4511 §4.1.9 and RFC 4528 for 122) and what they mean for the engine. */
const BY_RESULT_CODE: Readonly<Record<number, ConnectorErrorKind>> = {
  1: 'transient', // operationsError: server-side trouble
  2: 'invalid', // protocolError
  3: 'transient', // timeLimitExceeded
  4: 'invalid', // sizeLimitExceeded: a search that must be paged or narrowed
  7: 'config', // authMethodNotSupported
  8: 'config', // strongAuthRequired: use StartTLS or ldaps
  10: 'config', // referral: the base DN lives on another server
  11: 'transient', // adminLimitExceeded
  12: 'unsupported', // unavailableCriticalExtension
  13: 'config', // confidentialityRequired
  16: 'not-found', // noSuchAttribute: the value to delete is not there
  17: 'invalid', // undefinedAttributeType
  18: 'invalid', // inappropriateMatching
  19: 'invalid', // constraintViolation
  20: 'conflict', // attributeOrValueExists
  21: 'invalid', // invalidAttributeSyntax
  32: 'not-found', // noSuchObject
  34: 'invalid', // invalidDNSyntax
  48: 'auth', // inappropriateAuthentication
  49: 'auth', // invalidCredentials
  50: 'auth', // insufficientAccessRights
  51: 'transient', // busy
  52: 'transient', // unavailable
  53: 'invalid', // unwillingToPerform: OpenLDAP uses it for refused writes (e.g. no global superior)
  54: 'config', // loopDetect
  64: 'invalid', // namingViolation
  65: 'invalid', // objectClassViolation
  66: 'invalid', // notAllowedOnNonLeaf
  67: 'invalid', // notAllowedOnRDN
  68: 'conflict', // entryAlreadyExists
  69: 'invalid', // objectClassModsProhibited
  71: 'config', // affectsMultipleDSAs
  80: 'transient', // other
  122: 'not-found', // assertionFailed: the entry at the locator is not the one we meant
}

const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ESOCKETTIMEDOUT',
])

// ldapts reports a dropped or timed-out connection as a plain Error with one of these messages
const TRANSIENT_MESSAGE =
  /Socket error|Connection closed|Socket connection not established|timed out|Connection timeout|reconnect/i

/** Maps any error from an LDAP operation to a ConnectorError; `context` names the operation and DN. */
export function toConnectorError(error: unknown, fullContext: string): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const message = error instanceof Error ? error.message.trim() : String(error)
  // the context names a DN, which holds person data of any length; the report and audit need only its ends
  const context = shorten(fullContext)
  // BER that cannot be written (a value over 16 MB) or read: sending it again gives the same result
  if (error instanceof Error && error.name === 'InvalidAsn1Error') {
    return new ConnectorError(
      'invalid',
      `${context}: the LDAP message cannot be encoded: ${message}`,
      { cause: error },
    )
  }
  if (error instanceof ResultCodeError || isResultCodeError(error)) {
    const code = (error as { code: number }).code
    const kind = BY_RESULT_CODE[code] ?? 'invalid'
    return new ConnectorError(kind, `${context}: LDAP result ${code} ${message}`, {
      cause: error,
      code,
    })
  }
  const errno = (error as { code?: unknown } | null)?.code
  if (typeof errno === 'string') {
    if (TRANSIENT_ERRNO.has(errno))
      return new ConnectorError('transient', `${context}: ${message}`, {
        cause: error,
        code: errno,
      })
    // unknown host, bad certificate: retrying cannot help, the configuration must change
    if (errno === 'ENOTFOUND' || /CERT|SELF_SIGNED|SSL|TLS|UNABLE_TO_|SIGNATURE/.test(errno)) {
      return new ConnectorError('config', `${context}: ${message}`, { cause: error, code: errno })
    }
  }
  if (TRANSIENT_MESSAGE.test(message))
    return new ConnectorError('transient', `${context}: ${message}`, { cause: error })
  if (/invalid LDAP URL/i.test(message))
    return new ConnectorError('config', `${context}: ${message}`, { cause: error })
  return new ConnectorError('transient', `${context}: ${message}`, { cause: error })
}

const MAX_CONTEXT = 300

function shorten(text: string): string {
  if (text.length <= MAX_CONTEXT) return text
  return `${text.slice(0, 200)}… (${text.length - 250} characters left out) …${text.slice(-50)}`
}

// A second copy of ldapts in the tree would break instanceof; the shape is enough
function isResultCodeError(error: unknown): boolean {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'number'
}
