import { ConnectorError } from '../contract/index.ts'
import type { HttpClient } from './http-client.ts'
import { buildXml, parseXml, textOf, XmlSyntaxError, type ParseXmlOptions } from './xml.ts'
import { messageOf } from '../util/message-of.ts'

export type SoapVersion = '1.1' | '1.2'

const ENVELOPE_NS: Record<SoapVersion, string> = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
}
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'
const PASSWORD_TEXT =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText'

export interface EnvelopeParts {
  readonly version: SoapVersion
  /** Header blocks as XML objects (see xml.ts), e.g. `usernameToken(...)`. */
  readonly headers?: readonly Record<string, unknown>[]
  /** The body's single child, e.g. `{ 'tns:readPersonRequest': { '@_xmlns:tns': ns, ... } }`. */
  readonly body: Record<string, unknown>
}

/** A SOAP envelope as text; every value is escaped by the XML builder. */
export function soapEnvelope(parts: EnvelopeParts): string {
  const header: Record<string, unknown> = {}
  for (const h of parts.headers ?? []) Object.assign(header, h)
  return buildXml({
    'soap:Envelope': {
      '@_xmlns:soap': ENVELOPE_NS[parts.version],
      ...(parts.headers !== undefined && parts.headers.length > 0 ? { 'soap:Header': header } : {}),
      'soap:Body': parts.body,
    },
  })
}

/** WS-Security UsernameToken header block with a PasswordText password (the profile these services use). */
export function usernameToken(username: string, password: string): Record<string, unknown> {
  return {
    'wsse:Security': {
      '@_xmlns:wsse': WSSE,
      '@_soap:mustUnderstand': '1',
      'wsse:UsernameToken': {
        'wsse:Username': username,
        'wsse:Password': { '@_Type': PASSWORD_TEXT, '#text': password },
      },
    },
  }
}

export interface SoapFault {
  readonly code: string
  readonly reason: string
  readonly detail?: unknown
}

export interface ParsedEnvelope {
  readonly version: SoapVersion
  readonly header: Record<string, unknown>
  readonly body: Record<string, unknown>
  readonly fault?: SoapFault
}

/** Parses a SOAP 1.1 or 1.2 envelope (namespace prefixes removed); throws XmlSyntaxError if it is not one. */
export function parseSoapEnvelope(text: string, options: ParseXmlOptions = {}): ParsedEnvelope {
  const doc = parseXml(text, options)
  const env = doc.Envelope as Record<string, unknown> | undefined
  if (env === undefined || typeof env !== 'object')
    throw new XmlSyntaxError('not a SOAP envelope (no Envelope element)')
  // the parser drops xmlns attributes with the prefixes, so the version is read from the text
  const version: SoapVersion = text.includes(ENVELOPE_NS['1.2']) ? '1.2' : '1.1'
  const header = (
    typeof env.Header === 'object' && env.Header !== null ? env.Header : {}
  ) as Record<string, unknown>
  const body = (typeof env.Body === 'object' && env.Body !== null ? env.Body : {}) as Record<
    string,
    unknown
  >
  const f = body.Fault as Record<string, unknown> | undefined
  if (f === undefined) return { version, header, body }
  // 1.1: faultcode/faultstring; 1.2: Code/Value and Reason/Text
  const code =
    textOf(f.faultcode) ??
    textOf((f.Code as Record<string, unknown> | undefined)?.Value) ??
    'Server'
  const reasonNode = (f.Reason as Record<string, unknown> | undefined)?.Text
  const reason =
    textOf(f.faultstring) ?? textOf(Array.isArray(reasonNode) ? reasonNode[0] : reasonNode) ?? ''
  const detail = f.detail ?? f.Detail
  return {
    version,
    header,
    body,
    fault: { code, reason, ...(detail !== undefined ? { detail } : {}) },
  }
}

export interface SoapCallOptions {
  readonly path: string
  readonly version: SoapVersion
  /** SOAPAction (1.1 header; 1.2 `action` parameter of the content type). */
  readonly action?: string
  readonly envelope: string
  readonly signal?: AbortSignal
  readonly headers?: Readonly<Record<string, string>>
  readonly parse?: ParseXmlOptions
  /** Names the call in errors ("Aura readPersonRequest"). */
  readonly what: string
}

/**
 * Posts an envelope and returns the parsed answer. A SOAP Fault becomes a ConnectorError: `auth` for
 * security faults, `invalid` for client/sender faults, `transient` for server/receiver faults that name no
 * business reason. Transport errors are mapped by HttpClient.
 */
export async function soapCall(
  http: HttpClient,
  options: SoapCallOptions,
): Promise<ParsedEnvelope> {
  const contentType =
    options.version === '1.1'
      ? 'text/xml; charset=utf-8'
      : `application/soap+xml; charset=utf-8${options.action !== undefined ? `; action="${options.action}"` : ''}`
  const headers: Record<string, string> = {
    accept: 'text/xml, application/soap+xml',
    ...(options.headers ?? {}),
  }
  if (options.version === '1.1') headers.soapaction = `"${options.action ?? ''}"`
  const res = await http.request({
    method: 'POST',
    path: options.path,
    body: options.envelope,
    contentType,
    headers,
    accept: [400, 500],
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  })
  let parsed: ParsedEnvelope
  try {
    parsed = parseSoapEnvelope(res.text, options.parse)
  } catch (e) {
    const kind = res.status >= 500 ? 'transient' : 'invalid'
    throw new ConnectorError(
      kind,
      `${options.what}: answered ${res.status} with no readable SOAP envelope: ${messageOf(e)}`,
      { cause: e, code: res.status },
    )
  }
  if (parsed.fault !== undefined) throw faultError(options.what, parsed.fault, res.status)
  if (res.status >= 400)
    throw new ConnectorError('transient', `${options.what}: answered ${res.status}`, {
      code: res.status,
    })
  return parsed
}

export function faultError(what: string, fault: SoapFault, status?: number): ConnectorError {
  const code = fault.code.replace(/^.*:/, '')
  const text = `${what}: SOAP fault ${fault.code}: ${fault.reason}`
  if (
    /security|authentic|FailedAuthentication|InvalidSecurity/i.test(`${fault.code} ${fault.reason}`)
  )
    return new ConnectorError('auth', text, { code: fault.code })
  if (code === 'Client' || code === 'Sender')
    return new ConnectorError('invalid', text, { code: fault.code })
  return new ConnectorError(status === 503 ? 'transient' : 'invalid', text, { code: fault.code })
}
