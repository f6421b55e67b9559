import type { AuthProvider } from './auth-provider.ts'
import { cachedBearerToken, requestToken } from './oauth2-token.ts'

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
  return cachedBearerToken(async (signal) => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(options.extra ?? {}) })
    if (options.scope !== undefined) form.set('scope', options.scope)
    const headers: Record<string, string> = {}
    if (options.clientAuth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`
    } else {
      form.set('client_id', options.clientId)
      form.set('client_secret', options.clientSecret)
    }
    // The token endpoint answers 400/401 invalid_client for wrong credentials: that is an auth failure.
    const request = {
      tokenUrl: options.tokenUrl,
      form,
      headers,
      label: 'token',
      authStatuses: [400, 401],
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    }
    return requestToken(request, signal)
  }, options.now)
}
