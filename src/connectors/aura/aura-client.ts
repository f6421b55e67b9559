// The Aura Online transport: one .asmx endpoint, POST text/xml without SOAPAction (as the HelloID scripts
// send it), a SOAP 1.2 challenge/response handshake that yields a session cookie, and SOAP 1.1 operations that
// carry that cookie. An expired session is re-established once per call.
import { createHash } from 'node:crypto'
import { ConnectorError } from '../../contract/index.ts'
import {
  faultError,
  HttpClient,
  parseSoapEnvelope,
  soapEnvelope,
  textOf,
  type ParsedEnvelope,
} from '../../protocol/index.ts'
import { AURA_ARRAYS, MESS_NS, statusOf, WSDL_NS, type AuraStatus } from './aura-xml.ts'
import { messageOf } from '../../util/message-of.ts'

export interface AuraClientOptions {
  readonly url: string
  readonly password: string
  readonly partner: string
  readonly timeoutMs: number
  readonly log?: (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => void
}

export interface AuraAnswer {
  readonly env: ParsedEnvelope
  readonly status: AuraStatus
}

/** codeMinor values (GUESS: the vocabulary of the IMS pms statusInfo; Aura's own list is not public). */
const SESSION_GONE = 'unauthorisedrequest'

export class AuraClient {
  readonly #options: AuraClientOptions
  readonly #http: HttpClient
  #session: Promise<string> | undefined
  handshakes = 0

  constructor(options: AuraClientOptions) {
    this.#options = options
    this.#http = new HttpClient({
      baseUrl: options.url,
      timeoutMs: options.timeoutMs,
      userAgent: 'koppel-aura',
    })
  }

  /**
   * Sends one pms operation (`readPersonRequest`, …) with the session cookie. A session that the server no
   * longer knows (HTTP 401/403, or statusInfo codeMinor `unauthorisedrequest`) is replaced by a fresh
   * handshake once; a second refusal is an `auth` error.
   */
  async call(
    operation: string,
    content: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<AuraAnswer> {
    const envelope = soapEnvelope({
      version: '1.1',
      body: { [operation]: { '@_xmlns': MESS_NS, ...content } },
    })
    const what = `Aura ${operation}`
    for (let attempt = 1; ; attempt++) {
      const session = (this.#session ??= this.#handshake())
      let cookie: string
      try {
        cookie = await session
      } catch (e) {
        if (this.#session === session) this.#session = undefined
        throw e
      }
      let answer: AuraAnswer
      try {
        const env = await this.#post(envelope, what, signal, cookie)
        answer = { env, status: statusOf(env) }
      } catch (e) {
        if (attempt === 1 && ConnectorError.isInstance(e) && (e.code === 401 || e.code === 403)) {
          this.#drop(session, what)
          continue
        }
        throw e
      }
      if (!answer.status.success && answer.status.codeMinor.toLowerCase() === SESSION_GONE) {
        if (attempt === 1) {
          this.#drop(session, what)
          continue
        }
        throw new ConnectorError(
          'auth',
          `${what}: the session was refused again right after a new handshake: ${answer.status.text}`,
        )
      }
      return answer
    }
  }

  #drop(session: Promise<string>, what: string): void {
    this.#options.log?.('info', 'Aura session expired; handshaking again', { operation: what })
    if (this.#session === session) this.#session = undefined
  }

  /** Challenge → SHA-1 response → the first `name=value` of Set-Cookie (HelloID's Get-AuraAuthenticationCookie). */
  async #handshake(): Promise<string> {
    this.handshakes++
    const challengeEnv = soapEnvelope({
      version: '1.2',
      body: { Challenge: { '@_xmlns': WSDL_NS } },
    })
    const first = await this.#post(challengeEnv, 'Aura Challenge')
    const challenge = textOf(
      (first.body.ChallengeResponse as Record<string, unknown> | undefined)?.ChallengeResult,
    )
    if (challenge === undefined || challenge === '')
      throw new ConnectorError(
        'invalid',
        'Aura Challenge: the answer has no ChallengeResponse/ChallengeResult',
      )
    const respCode = challengeResponse(challenge, this.#options.partner, this.#options.password)
    const responseEnv = soapEnvelope({
      version: '1.2',
      body: { Response: { '@_xmlns': WSDL_NS, respCode } },
    })
    const headers: Headers[] = []
    await this.#post(responseEnv, 'Aura Response', undefined, undefined, headers)
    const cookie = headers[0]?.getSetCookie()[0]?.split(';')[0]?.trim() ?? ''
    if (!/^[^=\s]+=\S*$/.test(cookie)) {
      throw new ConnectorError(
        'auth',
        'Aura refused the challenge response (no session cookie): check the password and the partner string',
      )
    }
    return cookie
  }

  async #post(
    envelope: string,
    what: string,
    signal?: AbortSignal,
    cookie?: string,
    headersOut?: Headers[],
  ): Promise<ParsedEnvelope> {
    const res = await this.#http.request({
      method: 'POST',
      path: this.#options.url,
      body: envelope,
      contentType: 'text/xml; charset=utf-8',
      headers: { accept: 'text/xml', ...(cookie !== undefined ? { cookie } : {}) },
      accept: [500],
      ...(signal !== undefined ? { signal } : {}),
    })
    headersOut?.push(res.headers)
    let env: ParsedEnvelope
    try {
      env = parseSoapEnvelope(res.text, { arrays: AURA_ARRAYS, trimValues: false })
    } catch (e) {
      throw new ConnectorError(
        res.status >= 500 ? 'transient' : 'invalid',
        `${what}: answered ${res.status} with no readable SOAP envelope: ${messageOf(e)}`,
        {
          cause: e,
          code: res.status,
        },
      )
    }
    if (env.fault !== undefined) throw faultError(what, env.fault, res.status)
    if (res.status >= 400)
      throw new ConnectorError('transient', `${what}: answered ${res.status}`, { code: res.status })
    return env
  }
}

/** Uppercase hex SHA-1 over challenge + partner + password as ASCII (.NET ASCIIEncoding: other characters become '?'). */
export function challengeResponse(challenge: string, partner: string, password: string): string {
  // eslint-disable-next-line no-control-regex
  const ascii = (challenge + partner + password).replace(/[^\x00-\x7f]/g, '?')
  return createHash('sha1').update(ascii, 'ascii').digest('hex').toUpperCase()
}
