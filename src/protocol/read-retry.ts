import { ConnectorError } from '../contract/index.ts'

export interface ReadRetryOptions {
  /** Attempts in total, the first included. Default 5. */
  readonly attempts?: number
  /** First backoff; doubles each time (with jitter), capped at 30 s. Default 500 ms. */
  readonly baseDelayMs?: number
  readonly signal?: AbortSignal
  readonly onRetry?: (error: ConnectorError, attempt: number, delayMs: number) => void
}

/**
 * Retries one read call (a page) on transient and rate-limited errors, honouring Retry-After. Sources need
 * this themselves: the engine's retry policy covers apply actions, and a read that gives up fails as a whole
 * (never a partial snapshot), so a single 429 halfway must not cost the run.
 */
export async function withReadRetry<T>(
  call: () => Promise<T>,
  options: ReadRetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5
  let delay = options.baseDelayMs ?? 500
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (e) {
      if (
        !ConnectorError.isInstance(e) ||
        (e.kind !== 'transient' && e.kind !== 'rate-limited') ||
        attempt >= attempts
      )
        throw e
      const wait = Math.min(30_000, e.retryAfterMs ?? delay * (0.75 + Math.random() / 2))
      options.onRetry?.(e, attempt, wait)
      await sleep(wait, options.signal)
      delay *= 2
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason as Error)
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(signal?.reason as Error)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
