/**
 * The closed set of failure kinds every connector maps its protocol errors into. The apply stage decides
 * retries from the kind alone (see engine/retry-policy.ts), never from the connector's identity.
 */
export type ConnectorErrorKind =
  | 'transient' // timeout, connection reset, 5xx, LDAP busy/unavailable: retry with backoff
  | 'rate-limited' // 429 / throttling: wait retryAfterMs, then retry
  | 'conflict' // the value or entry already exists (LDAP 68, HTTP 409)
  | 'not-found' // the object is not there (LDAP 32, HTTP 404)
  | 'invalid' // the target refused the data (schema, constraint, 400)
  | 'auth' // credentials refused or lacking rights
  | 'config' // the configuration cannot work (bad base DN, unknown host)
  | 'unsupported' // the target cannot do this operation

const BRAND = '__koppelConnectorError'

export class ConnectorError extends Error {
  readonly [BRAND] = true
  readonly kind: ConnectorErrorKind
  readonly retryAfterMs?: number
  /** Protocol detail for the log: LDAP result code, HTTP status. */
  readonly code?: string | number

  constructor(
    kind: ConnectorErrorKind,
    message: string,
    options: { cause?: unknown; retryAfterMs?: number; code?: string | number } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'ConnectorError'
    this.kind = kind
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs
    if (options.code !== undefined) this.code = options.code
  }

  /** Structural check: survives two copies of the module in one process, where instanceof does not. */
  static isInstance(e: unknown): e is ConnectorError {
    return typeof e === 'object' && e !== null && (e as Record<string, unknown>)[BRAND] === true
  }
}
