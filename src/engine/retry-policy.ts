import { ConnectorError } from '../contract/index.ts'
import { redactSecrets } from '../util/secret-redaction.ts'
import type { ApplySettings } from './engine-types.ts'

/**
 * The one place that turns a failure into a decision. Only transient and rate-limited connector errors are
 * retried; everything else (conflict, invalid data, auth, config, a bug) fails the action at once, because
 * retrying it cannot help and may hide the cause.
 */
export function retryDelay(error: unknown, attempt: number, settings: ApplySettings, random: () => number = Math.random): number | undefined {
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
