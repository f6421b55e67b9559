// Service-account authentication for Google APIs: a JWT signed RS256 with the key's private key (jose), traded
// at the token endpoint for an access token (RFC 7523 JWT bearer grant). `sub` is the admin impersonated
// through domain-wide delegation. The token is cached until a minute before it expires, or a 401.
import { importPKCS8, SignJWT, type CryptoKey } from 'jose'
import { ConnectorError } from '../../contract/index.ts'
import { cachedBearerToken, requestToken, type AuthProvider } from '../../protocol/index.ts'

export interface ServiceAccountKey {
  readonly clientEmail: string
  readonly privateKey: string
  readonly privateKeyId?: string
  readonly tokenUri: string
}

/** Reads the JSON key file's content. The message never includes the content (it holds the private key). */
export function parseServiceAccountKey(text: string, connector: string): ServiceAccountKey {
  let j: Record<string, unknown>
  try {
    j = JSON.parse(text) as Record<string, unknown>
  } catch {
    throw new ConnectorError(
      'config',
      `target ${connector}: serviceAccountKey is not a JSON service-account key`,
    )
  }
  if (
    j === null ||
    typeof j !== 'object' ||
    j.type !== 'service_account' ||
    typeof j.client_email !== 'string' ||
    typeof j.private_key !== 'string'
  ) {
    throw new ConnectorError(
      'config',
      `target ${connector}: serviceAccountKey needs type "service_account", client_email and private_key`,
    )
  }
  return {
    clientEmail: j.client_email,
    privateKey: j.private_key,
    ...(typeof j.private_key_id === 'string' ? { privateKeyId: j.private_key_id } : {}),
    tokenUri: typeof j.token_uri === 'string' ? j.token_uri : 'https://oauth2.googleapis.com/token',
  }
}

export interface ServiceAccountAuthOptions {
  readonly key: ServiceAccountKey
  readonly subject: string
  readonly scopes: readonly string[]
  /** Default: the key's token_uri. */
  readonly tokenUrl?: string
  readonly timeoutMs?: number
  readonly now?: () => number
}

export function serviceAccountAuth(options: ServiceAccountAuthOptions): AuthProvider {
  const now = options.now ?? Date.now
  const tokenUrl = options.tokenUrl ?? options.key.tokenUri
  let signingKey: Promise<CryptoKey> | undefined

  async function assertion(): Promise<string> {
    signingKey ??= importPKCS8(options.key.privateKey, 'RS256').catch(() => {
      signingKey = undefined
      throw new ConnectorError(
        'config',
        'the service account key has no readable RS256 private key (PKCS#8 PEM)',
      )
    })
    const iat = Math.floor(now() / 1000)
    return (
      new SignJWT({ scope: options.scopes.join(' ') })
        .setProtectedHeader({
          alg: 'RS256',
          typ: 'JWT',
          ...(options.key.privateKeyId !== undefined ? { kid: options.key.privateKeyId } : {}),
        })
        .setIssuer(options.key.clientEmail)
        .setSubject(options.subject)
        // Google's token endpoint takes only its own URL (the key's token_uri) as the audience, also when the
        // request goes through another URL (a proxy, the simulator).
        .setAudience(options.key.tokenUri)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 3600)
        .sign(await signingKey)
    )
  }

  return cachedBearerToken(async (signal) => {
    const form = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: await assertion(),
    })
    // invalid_grant (bad signature, unknown subject) and unauthorized_client (scopes not delegated)
    const request = {
      tokenUrl,
      form,
      label: 'service-account token',
      authStatuses: [400, 401, 403],
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    }
    return requestToken(request, signal)
  }, now)
}
