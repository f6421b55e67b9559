import { ConnectorError } from '../contract/index.ts'
import { redactSecrets } from '../util/secret-redaction.ts'
import type { ApplySettings } from './engine-types.ts'

/**
 * The one place that turns a failure into a decision. Only transient and rate-limited connector errors are
 * retried; everything else (conflict, invalid data, auth, config, a bug) fails the action at once, because
 * retrying it cannot help and may hide the cause.
 */
export function retryDelay(
  error: unknown,
  attempt: number,
  settings: ApplySettings,
  random: () => number = Math.random,
): number | undefined {
  if (!ConnectorError.isInstance(error)) return undefined
  if (error.kind !== 'transient' && error.kind !== 'rate-limited') return undefined
  if (attempt > settings.retries) return undefined
  const exp = Math.min(settings.maxBackoffMs, settings.backoffMs * 2 ** (attempt - 1))
  // jitter spreads retries of many actions that failed together, so they don't hit the target in one burst
  const backoff = Math.round(exp * (0.8 + 0.4 * random()))
  return Math.max(backoff, error.retryAfterMs ?? 0)
}

/** What the journal, the report and the audit log say about a failure; never a configured secret. */
export function describeError(error: unknown): string {
  if (ConnectorError.isInstance(error)) return redactSecrets(`${error.kind}: ${error.message}`)
  return redactSecrets(error instanceof Error ? `${error.name}: ${error.message}` : String(error))
}

// Errors that say the target could not be reached at all (no connection), rather than that one request failed.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EADDRNOTAVAIL',
])
const UNREACHABLE_MESSAGE =
  /\bconnect (ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b|Socket connection not established|Connection timeout/i

/** Retries an action whose target cannot be reached gets before the target counts as down for this apply. */
export const UNREACHABLE_RETRIES = 1

/**
 * When the failure means the target cannot be reached (connection refused, no route, name not resolved), where:
 * the address from the error (`127.0.0.1:389`) when the system error names one. Undefined for any other failure.
 */
export function unreachable(error: unknown): { readonly address?: string } | undefined {
  let found = false
  let address: string | undefined
  // connectors wrap the socket's error (ConnectorError → fetch's TypeError → the errno error): look down the chain
  for (
    let e: unknown = error, depth = 0;
    e !== null && typeof e === 'object' && depth < 6;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const x = e as {
      code?: unknown
      address?: unknown
      port?: unknown
      hostname?: unknown
      message?: unknown
    }
    if (typeof x.code === 'string' && UNREACHABLE_CODES.has(x.code)) found = true
    if (typeof x.message === 'string' && UNREACHABLE_MESSAGE.test(x.message)) found = true
    if (address === undefined && typeof x.address === 'string')
      address = typeof x.port === 'number' ? `${x.address}:${x.port}` : x.address
    if (address === undefined && typeof x.hostname === 'string') address = x.hostname
  }
  return found ? (address !== undefined ? { address } : {}) : undefined
}
