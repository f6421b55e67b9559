import { ConnectorError } from '../contract/index.ts'
import type { AuthProvider } from './auth-provider.ts'
import { httpError, networkError } from './http-error.ts'

export interface ClientCredentialsOptions {
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret: string
  readonly scope?: string
  /** Extra form fields (Entra: none; some APIs want `resource` or `audience`). */
  readonly extra?: Readonly<Record<string, string>>
  /** `body` (client_id/client_secret as form fields, the default) or `basic` (HTTP Basic header). */
  readonly clientAuth?: 'body' | 'basic'
  readonly timeoutMs?: number
  readonly now?: () => number
}

/**
 * OAuth 2.0 client-credentials grant (RFC 6749 §4.4) with a cached token, renewed 60 s before `expires_in`
 * runs out or after the server rejected it (invalidate). Concurrent callers share one token request.
 */
export function clientCredentials(options: ClientCredentialsOptions): AuthProvider {
  const now = options.now ?? Date.now
  let token: { value: string; expiresAt: number } | undefined
  let pending: Promise<string> | undefined

  async function fetchToken(signal?: AbortSignal): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(options.extra ?? {}) })
    if (options.scope !== undefined) form.set('scope', options.scope)
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
    if (options.clientAuth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`
    } else {
      form.set('client_id', options.clientId)
      form.set('client_secret', options.clientSecret)
    }
    const what = `POST ${new URL(options.tokenUrl).pathname} (token)`
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000)
    let res: Response
    try {
      res = await fetch(options.tokenUrl, { method: 'POST', headers, body: form.toString(), signal: signal ? AbortSignal.any([signal, timeout]) : timeout })
    } catch (e) {
      throw networkError(what, e)
    }
    const text = await res.text()
    if (!res.ok) {
      const err = httpError(res.status, what, tokenErrorDetail(text), res.headers)
      // The token endpoint answers 400/401 invalid_client for wrong credentials: that is an auth failure.
      if (res.status === 400 || res.status === 401) throw new ConnectorError('auth', err.message, { code: res.status })
      throw err
    }
    let body: { access_token?: unknown; expires_in?: unknown }
    try {
      body = JSON.parse(text) as typeof body
    } catch (e) {
      throw new ConnectorError('invalid', `${what} answered with a body that is not JSON`, { cause: e })
    }
    if (typeof body.access_token !== 'string') throw new ConnectorError('invalid', `${what} answered without access_token`)
    const seconds = Number(body.expires_in ?? 3600)
    token = { value: body.access_token, expiresAt: now() + Math.max(0, seconds - 60) * 1000 }
    return body.access_token
  }

  return {
    async header(signal) {
      if (token !== undefined && now() < token.expiresAt) return `Bearer ${token.value}`
      pending ??= fetchToken(signal).finally(() => {
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
