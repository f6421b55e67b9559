import { ConnectorError } from '../contract/index.ts'
import type { AuthProvider } from './auth-provider.ts'
import { httpError, networkError } from './http-error.ts'

/** An access token as the token endpoint issued it. */
export interface AccessToken {
  readonly value: string
  /** Lifetime in seconds (`expires_in`; 3600 when the endpoint does not say). */
  readonly expiresIn: number
}

export interface TokenRequest {
  readonly tokenUrl: string
  /** The grant's form fields (grant_type and what that grant needs). */
  readonly form: URLSearchParams
  /** Extra headers, e.g. HTTP Basic client authentication; content-type and accept are set. */
  readonly headers?: Readonly<Record<string, string>>
  /** Names the request in messages: `POST /token (<label>)`. */
  readonly label: string
  /** Statuses that mean the credentials or the grant were refused: these become ConnectorError 'auth'. */
  readonly authStatuses: readonly number[]
  readonly timeoutMs?: number
}

/**
 * POSTs a token request (RFC 6749 §4.4 / RFC 7523 form) and reads the JSON answer. A refusal (`authStatuses`)
 * is an 'auth' error, other statuses map as any HTTP error (incl. Retry-After), a body without access_token is
 * 'invalid'. The detail is the endpoint's `error: error_description`; the form (secrets) is never in a message.
 */
export async function requestToken(r: TokenRequest, signal?: AbortSignal): Promise<AccessToken> {
  const what = `POST ${new URL(r.tokenUrl).pathname} (${r.label})`
  const timeout = AbortSignal.timeout(r.timeoutMs ?? 30_000)
  let res: Response
  try {
    res = await fetch(r.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(r.headers ?? {}),
      },
      body: r.form.toString(),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    })
  } catch (e) {
    throw networkError(what, e)
  }
  const text = await res.text()
  if (!res.ok) {
    const err = httpError(res.status, what, tokenErrorDetail(text), res.headers)
    if (r.authStatuses.includes(res.status))
      throw new ConnectorError('auth', err.message, { code: res.status })
    throw err
  }
  let body: { access_token?: unknown; expires_in?: unknown }
  try {
    body = JSON.parse(text) as typeof body
  } catch (e) {
    throw new ConnectorError('invalid', `${what} answered with a body that is not JSON`, {
      cause: e,
    })
  }
  if (typeof body.access_token !== 'string')
    throw new ConnectorError('invalid', `${what} answered without access_token`)
  return { value: body.access_token, expiresIn: Number(body.expires_in ?? 3600) }
}

/**
 * A bearer-token AuthProvider over any grant: the token is cached until 60 s before it expires or until the
 * server rejected it (invalidate); concurrent callers share one token request.
 */
export function cachedBearerToken(
  fetchToken: (signal?: AbortSignal) => Promise<AccessToken>,
  now: () => number = Date.now,
): AuthProvider {
  let token: { value: string; expiresAt: number } | undefined
  let pending: Promise<string> | undefined
  const renew = async (signal?: AbortSignal): Promise<string> => {
    const t = await fetchToken(signal)
    token = { value: t.value, expiresAt: now() + Math.max(0, t.expiresIn - 60) * 1000 }
    return t.value
  }
  return {
    async header(signal) {
      if (token !== undefined && now() < token.expiresAt) return `Bearer ${token.value}`
      pending ??= renew(signal).finally(() => {
        pending = undefined
      })
      return `Bearer ${await pending}`
    },
    invalidate() {
      token = undefined
    },
  }
}

function tokenErrorDetail(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: string; error_description?: string }
    return [j.error, j.error_description].filter(Boolean).join(': ')
  } catch {
    return text.slice(0, 200)
  }
}
