import { ConnectorError, type ConnectorErrorKind } from '../contract/index.ts'
import { parseRetryAfter } from './retry-after.ts'

/** Maps an HTTP status to the connector error kind the engine's retry policy understands. */
export function kindForStatus(status: number): ConnectorErrorKind {
  if (status === 401 || status === 403) return 'auth'
  if (status === 404 || status === 410) return 'not-found'
  if (status === 409 || status === 412) return 'conflict'
  if (status === 429) return 'rate-limited'
  if (status === 408 || status >= 500) return 'transient'
  if (status === 413) return 'invalid'
  return 'invalid'
}

/**
 * A ConnectorError for a non-2xx answer. `what` names the call ("GET /connect/vestiging"); `detail` is the
 * service's own message, already extracted from its error body by the caller (never the request, which may
 * carry secrets).
 */
export function httpError(
  status: number,
  what: string,
  detail: string,
  headers?: Headers,
): ConnectorError {
  const kind = kindForStatus(status)
  const retryAfterMs = parseRetryAfter(headers?.get('retry-after'))
  const message = `${what} answered ${status}${detail ? `: ${truncate(detail, 500)}` : ''}`
  return new ConnectorError(kind, message, {
    code: status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  })
}

/** A ConnectorError for a request that got no answer (refused, reset, DNS, timeout). */
export function networkError(what: string, cause: unknown): ConnectorError {
  const timeout =
    cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError')
  const reason =
    cause instanceof Error
      ? ((cause.cause as Error | undefined)?.message ?? cause.message)
      : String(cause)
  return new ConnectorError('transient', `${what} failed: ${timeout ? 'timed out' : reason}`, {
    cause,
  })
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}…`
}

/**
 * The service's own words from a JSON error body, as `pick` finds them; the start of the body when it is not
 * JSON, or `pick` finds nothing (an HTML error page from a proxy, a plain-text 502).
 */
export function jsonErrorDetail(
  text: string,
  pick: (body: Record<string, unknown>) => string | undefined,
): string {
  try {
    const body: unknown = JSON.parse(text)
    const found =
      body !== null && typeof body === 'object' ? pick(body as Record<string, unknown>) : undefined
    if (found !== undefined && found !== '') return found
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 300)
}
