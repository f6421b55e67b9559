// IMS Enterprise Services over SOAP 1.1 (src/protocol soap helpers): WS-Security UsernameToken, a fresh
// syncRequestHeaderInfo/messageIdentifier per call, and the answer's statusInfo (single calls) or
// statusInfoSet (bulk calls, one status per item in request order) mapped to ConnectorErrors.
import { randomUUID } from 'node:crypto'
import { ConnectorError, type ConnectorErrorKind } from '../../contract/index.ts'
import {
  HttpClient,
  listOf,
  soapCall,
  soapEnvelope,
  textOf,
  usernameToken,
} from '../../protocol/index.ts'
import type { ImsEsOptions } from './ims-es-options.ts'

export const NS = {
  messBind: 'http://www.imsglobal.org/services/common/imsMessBindSchema_v1p0',
  pms: 'http://www.imsglobal.org/services/pms/xsd/imsPersonManMessSchema_v1p0',
  gms: 'http://www.imsglobal.org/services/gms/xsd/imsGroupManMessSchema_v1p0',
  mms: 'http://www.imsglobal.org/services/mms/xsd/imsMemberManMessSchema_v1p0',
} as const

export type Service = 'pms' | 'gms' | 'mms'

export interface StatusInfo {
  readonly codeMajor: string
  readonly severity: string
  readonly codeMinor?: string
  readonly description?: string
}

export interface EsAnswer {
  readonly status?: StatusInfo
  readonly statuses: readonly StatusInfo[]
  /** The body's single child (e.g. readPersonResponse), prefixes removed. */
  readonly body: Record<string, unknown>
}

/** Elements that may repeat in answers: always arrays. */
const ARRAYS = [
  'statusInfo',
  'codeMinorField',
  'partName',
  'extensionField',
  'tel',
  'personIdPair',
  'membershipIdPair',
  'groupIdPair',
]

export class EsClient {
  readonly #http: HttpClient
  readonly #options: ImsEsOptions

  constructor(options: ImsEsOptions) {
    this.#options = options
    this.#http = new HttpClient({
      baseUrl: options.url,
      timeoutMs: options.timeoutMs,
      userAgent: 'koppel-itslearning-ims-es',
    })
  }

  async call(
    service: Service,
    operation: string,
    payload: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<EsAnswer> {
    const path =
      service === 'pms'
        ? this.#options.services.person
        : service === 'gms'
          ? this.#options.services.group
          : this.#options.services.membership
    const envelope = soapEnvelope({
      version: '1.1',
      headers: [
        {
          'mb:syncRequestHeaderInfo': {
            '@_xmlns:mb': NS.messBind,
            'mb:messageIdentifier': randomUUID(),
          },
        },
        usernameToken(this.#options.username, this.#options.password),
      ],
      body: { [`${operation}Request`]: { '@_xmlns': NS[service], ...payload } },
    })
    const parsed = await soapCall(this.#http, {
      path,
      version: '1.1',
      action: `http://www.imsglobal.org/soap/${service}/${operation}`,
      envelope,
      what: `itslearning ${operation}`,
      // values are kept exact: a name may start with a space
      parse: { arrays: ARRAYS, trimValues: false },
      ...(signal !== undefined ? { signal } : {}),
    })
    const info = parsed.header.syncResponseHeaderInfo as Record<string, unknown> | undefined
    if (info === undefined || typeof info !== 'object')
      throw new ConnectorError(
        'invalid',
        `itslearning ${operation}: the answer has no syncResponseHeaderInfo`,
      )
    const single = listOf<Record<string, unknown>>(info.statusInfo)[0]
    const set = info.statusInfoSet as Record<string, unknown> | undefined
    const statuses = listOf<Record<string, unknown>>(set?.statusInfo).map(readStatus)
    const bodyChild = Object.values(parsed.body).find(
      (v) => typeof v === 'object' && v !== null,
    ) as Record<string, unknown> | undefined
    return {
      ...(single !== undefined ? { status: readStatus(single) } : {}),
      statuses,
      body: bodyChild ?? {},
    }
  }
}

function readStatus(node: Record<string, unknown>): StatusInfo {
  const codeMinor = listOf<Record<string, unknown>>(
    (node.codeMinor as Record<string, unknown> | undefined)?.codeMinorField,
  )
    .map((f) => textOf(f.codeMinorValue))
    .find((v) => v !== undefined && v !== '')
  const description =
    textOf((node.description as Record<string, unknown> | undefined)?.text) ??
    textOf(node.description)
  return {
    codeMajor: textOf(node.codeMajor) ?? '',
    severity: textOf(node.severity) ?? '',
    ...(codeMinor !== undefined ? { codeMinor } : {}),
    ...(description !== undefined && description !== '' ? { description } : {}),
  }
}

export function isSuccess(s: StatusInfo | undefined): boolean {
  return s?.codeMajor === 'success'
}

export function isUnknownObject(s: StatusInfo | undefined): boolean {
  return (
    s !== undefined &&
    s.codeMajor === 'failure' &&
    /unknownobject|notfound|doesnotexist/i.test(s.codeMinor ?? '')
  )
}

// GUESS: the codeMinor vocabulary is the generic IMS/LIS one (standards.md §2.3); itslearning does not list its values.
const KIND_BY_MINOR: ReadonlyArray<[RegExp, ConnectorErrorKind]> = [
  [/unknownobject|notfound|doesnotexist/i, 'not-found'],
  [/objectexists|duplicate|alreadyexists/i, 'conflict'],
  [/unauthori[sz]ed|forbidden|security/i, 'auth'],
  [/targetisbusy|linkfailure|timeout|overload/i, 'transient'],
  [/unsupported|unknownoperation|unknownservice/i, 'unsupported'],
]

/** A failure status as a ConnectorError naming the operation and the item; `undefined` for success. */
export function statusError(s: StatusInfo | undefined, what: string): ConnectorError | undefined {
  if (s === undefined)
    return new ConnectorError('invalid', `${what}: the answer carries no statusInfo`)
  if (s.codeMajor === 'success') return undefined
  const minor = s.codeMinor ?? ''
  const kind =
    KIND_BY_MINOR.find(([re]) => re.test(minor))?.[1] ??
    (s.codeMajor === 'unsupported' ? 'unsupported' : 'invalid')
  const text = `${what}: ${s.codeMajor}${minor !== '' ? `/${minor}` : ''}${s.description !== undefined ? `: ${s.description}` : ''}`
  return new ConnectorError(kind, text, { code: minor !== '' ? minor : s.codeMajor })
}
