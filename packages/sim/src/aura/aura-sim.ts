// Aura Online simulator: the single `uPersonManagementServiceSync.asmx` endpoint with the IMS Person
// Management (pms v1.0) messages the Aura connector of HelloID uses (Tools4everBV/HelloID-Conn-Prov-Target-Aura):
// the SOAP 1.2 Challenge/Response handshake that yields a session cookie, then SOAP 1.1 readPersonRequest,
// createPersonRequest and updatePersonRequest. Every element of a request (sourcedId, person) must be in the
// namespace the HelloID script puts it in (aura-namespaces.ts); values are then read by local name. Everything
// undocumented is marked GUESS and listed in README.md.
import { createHash, randomBytes } from 'node:crypto'
import {
  startSimHttpServer,
  type SimHttpServer,
  type SimRequest,
  type SimResponse,
} from '../http/sim-http-server.ts'
import { listOf, parseSoapEnvelope, soapEnvelope, textOf } from '../../../../src/protocol/index.ts'
import { requestNamespaceProblem } from './aura-namespaces.ts'
import { messageOf } from '../../../../src/util/message-of.ts'

export const AURA_PATH = '/uPersonManagementServiceSync.asmx'
const WSDL_NS = 'http://www.imsglobal.org/services/pms/wsdl/imsPersonManServiceSync_v1p0'
const MESS_NS = 'http://www.imsglobal.org/services/pms/xsd/imsPersonManMessSchema_v1p0'
const DATA_NS = 'http://www.imsglobal.org/services/pms/xsd/imsPersonManDataSchema_v1p0'
const COMMON_NS = 'http://www.imsglobal.org/services/common/imsCommonSchema_v1p0'
const ARRAYS = ['partName', 'tel', 'extensionField']

/** An Aura borrower as the simulator keeps it: Aura field names (LENERSCODE, VOORN, …, UITSDATUM) → value. */
export type AuraRecord = Record<string, string>

export interface AuraUpdateLog {
  readonly lenerscode: string
  /** The Aura fields the update carried (an empty value clears), besides userIdValue. */
  readonly fields: Readonly<Record<string, string>>
}

export interface AuraSimOptions {
  readonly password: string
  /** The partner string hashed between challenge and password ("tools4ever" for HelloID). */
  readonly partner: string
  /** Session lifetime; default 20 minutes (GUESS: the ASP.NET session default). */
  readonly sessionTtlMs?: number
  /** The simulator's clock, for session expiry and "today" (an end date on or before today disables). */
  readonly now?: () => Date
  /**
   * How a read of an unknown borrower is answered. GUESS: not public; the HelloID script ignores the status and
   * looks only at userId/userIdValue, so each of these must read as "not there". Default `success-empty`.
   * `success-empty`: codeMajor success, no person; `failure-unknown`: failure, codeMinor unknownobject, an empty
   * person; `failure-other`: Failure, codeMinor invaliddata, no person.
   */
  readonly unknownBorrower?: 'success-empty' | 'failure-unknown' | 'failure-other'
}

export interface AuraSim {
  /** The endpoint URL (the `baseUrl` of the connector). */
  readonly url: string
  readonly http: SimHttpServer
  readonly persons: Map<string, AuraRecord>
  /** Every successful updatePersonRequest, in order: what it sent. */
  readonly updates: AuraUpdateLog[]
  /** The initial password each create carried in userId/passWord (common namespace), by LENERSCODE. */
  readonly initialPasswords: Map<string, string>
  /** Handshakes completed (sessions issued). */
  sessionsIssued(): number
  /** Forget every session, as a server restart or a session timeout would. */
  expireSessions(): void
  close(): Promise<void>
}

/** Aura fields that travel as IMS extension fields: IMS fieldName → Aura field. */
const EXTENSIONS: Record<string, string> = {
  rentalcode: 'PASNUMMER',
  cc_emailadres: 'CC_EMAILADRES',
  vestiging: 'VESTIGING',
  userprincipalname: 'UserPrincipalName',
  // GUESS: the read reports the end date (uitschrijfdatum) as an extension field; the HelloID connector never reads it.
  uitschrijfdatum: 'UITSDATUM',
}
const EXTENSION_NAMES: Record<string, string> = {
  PASNUMMER: 'rentalcode',
  CC_EMAILADRES: 'cc_emailadres',
  VESTIGING: 'vestiging',
  UserPrincipalName: 'UserPrincipalName',
  UITSDATUM: 'uitschrijfdatum',
}

export async function startAuraSim(options: AuraSimOptions): Promise<AuraSim> {
  const now = options.now ?? (() => new Date())
  const ttl = options.sessionTtlMs ?? 20 * 60_000
  const persons = new Map<string, AuraRecord>()
  const updates: AuraUpdateLog[] = []
  const initialPasswords = new Map<string, string>()
  const challenges = new Set<string>()
  const sessions = new Map<string, number>()
  let issued = 0

  const handler = (req: SimRequest): SimResponse => {
    if (req.url.pathname !== AURA_PATH)
      return {
        status: 404,
        contentType: 'text/html',
        text: '<html><body>404 Not Found</body></html>',
      }
    if (req.method !== 'POST')
      return {
        status: 405,
        contentType: 'text/html',
        text: '<html><body>Method Not Allowed</body></html>',
      }
    let env
    try {
      env = parseSoapEnvelope(req.body, { arrays: ARRAYS, trimValues: false })
    } catch (e) {
      return fault('1.1', 'soap:Client', `Server was unable to read request. ${messageOf(e)}`)
    }
    const [op = '', body] =
      Object.entries(env.body).find(([k]) => !k.startsWith('@_') && k !== '#text') ?? []
    const node = (body ?? {}) as Record<string, unknown>
    switch (op) {
      case 'Challenge': {
        const c = randomBytes(16).toString('hex').toUpperCase() // GUESS: the challenge's format
        challenges.add(c)
        return soap('1.2', { ChallengeResponse: { '@_xmlns': WSDL_NS, ChallengeResult: c } })
      }
      case 'Response': {
        const code = (textOf(node.respCode) ?? '').trim()
        for (const c of challenges) {
          if (sha1Upper(c + options.partner + options.password) !== code) continue
          challenges.delete(c)
          const id = randomBytes(12).toString('hex')
          sessions.set(id, now().getTime() + ttl)
          issued++
          // GUESS: the cookie name (ASP.NET's) and a `ResponseResult` of true
          return soap(
            '1.2',
            { ResponseResponse: { '@_xmlns': WSDL_NS, ResponseResult: 'true' } },
            { 'set-cookie': `ASP.NET_SessionId=${id}; path=/; HttpOnly` },
          )
        }
        // documented: a refused response sets no cookie ("check your password"); GUESS: the body says false
        return soap('1.2', { ResponseResponse: { '@_xmlns': WSDL_NS, ResponseResult: 'false' } })
      }
      case 'readPersonRequest':
      case 'createPersonRequest':
      case 'updatePersonRequest': {
        if (!validSession(req)) {
          // GUESS: an absent or expired session is a failure status with codeMinor unauthorisedrequest
          return auraStatus(
            op.replace('Request', 'Response'),
            'failure',
            'unauthorisedrequest',
            'Niet aangemeld: sessie ontbreekt of is verlopen',
          )
        }
        // GUESS: the fault text; the real service (ASP.NET XmlSerializer) would probably drop the element silently
        const problem = requestNamespaceProblem(req.body)
        if (problem !== undefined)
          return fault('1.1', 'soap:Client', `Server was unable to read request: ${problem}`)
        return operation(op, node)
      }
      default:
        return fault('1.1', 'soap:Client', `Unknown operation ${op || '(none)'}`)
    }
  }

  function validSession(req: SimRequest): boolean {
    const m = /(?:^|;\s*)ASP\.NET_SessionId=([^;]+)/.exec(req.headers.cookie ?? '')
    const until = m ? sessions.get(m[1] as string) : undefined
    if (until === undefined) return false
    if (until < now().getTime()) {
      sessions.delete((m as RegExpExecArray)[1] as string)
      return false
    }
    return true
  }

  function operation(op: string, node: Record<string, unknown>): SimResponse {
    const responseName = op.replace('Request', 'Response')
    const id = textOf((node.sourcedId as Record<string, unknown> | undefined)?.identifier) ?? ''
    if (id === '')
      return auraStatus(
        responseName,
        'failure',
        'invalidsourcedid',
        'sourcedId/identifier ontbreekt',
      ) // GUESS: codeMinor
    const existing = persons.get(id)
    if (op === 'readPersonRequest') {
      if (existing === undefined) {
        const text = `Lener ${id} niet gevonden`
        switch (options.unknownBorrower ?? 'success-empty') {
          case 'success-empty':
            return auraStatus(responseName, 'success', 'fullsuccess', text)
          case 'failure-unknown':
            return auraStatus(responseName, 'failure', 'unknownobject', text, { person: '' })
          case 'failure-other':
            return auraStatus(responseName, 'Failure', 'invaliddata', text)
        }
      }
      return auraStatus(responseName, 'success', 'fullsuccess', 'alles Ok', {
        person: personXml(existing),
      })
    }
    const sent = readPerson(node.person)
    if (op === 'createPersonRequest') {
      if (existing !== undefined)
        return auraStatus(responseName, 'failure', 'objectexists', `Lener ${id} bestaat al`) // GUESS: codeMinor
      const userIdValue = sent.LENERSCODE
      if (userIdValue !== undefined && userIdValue !== id)
        return auraStatus(
          responseName,
          'failure',
          'invaliddata',
          'userIdValue wijkt af van sourcedId',
        ) // GUESS
      const record: AuraRecord = { LENERSCODE: id }
      apply(record, sent)
      // GUESS: Aura requires a last name (LENERSNAAM) for a borrower
      if ((record.LENERSNAAM ?? '') === '')
        return auraStatus(responseName, 'failure', 'invaliddata', 'LENERSNAAM is verplicht')
      persons.set(id, record)
      if (sent.password !== undefined) initialPasswords.set(id, sent.password)
      return auraStatus(responseName, 'success', 'fullsuccess', 'alles Ok')
    }
    if (existing === undefined)
      return auraStatus(responseName, 'failure', 'unknownobject', `Lener ${id} niet gevonden`)
    const next = { ...existing }
    apply(next, sent)
    if ((next.LENERSNAAM ?? '') === '')
      return auraStatus(responseName, 'failure', 'invaliddata', 'LENERSNAAM is verplicht')
    persons.set(id, next)
    const { LENERSCODE: _id, ...fields } = sent
    updates.push({ lenerscode: id, fields })
    return auraStatus(responseName, 'success', 'fullsuccess', 'alles Ok')
  }

  /** Writes sent fields: an empty value clears; address/extadd is an end date when it is a valid yyyyMMdd. */
  function apply(record: AuraRecord, sent: AuraRecord): void {
    for (const [field, value] of Object.entries(sent)) {
      if (field === 'LENERSCODE' || field === 'password') continue
      let target = field
      // documented (v1 README): extadd holding a valid date yyyyMMdd is the uitschrijfdatum, else the room number
      if (field === 'KAMERNR' && isYmd(value)) target = 'UITSDATUM'
      if (value === '') delete record[target]
      else record[target] = value
    }
  }

  const http = await startSimHttpServer(handler)
  return {
    url: `${http.url}${AURA_PATH}`,
    http,
    persons,
    updates,
    initialPasswords,
    sessionsIssued: () => issued,
    expireSessions: () => sessions.clear(),
    close: () => http.close(),
  }
}

function isYmd(v: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(v)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
  )
}

/** SHA-1 over the text as .NET's ASCIIEncoding encodes it (characters beyond ASCII become '?'), uppercase hex. */
function sha1Upper(s: string): string {
  return (
    createHash('sha1')
      // eslint-disable-next-line no-control-regex
      .update(s.replace(/[^\x00-\x7f]/g, '?'), 'ascii')
      .digest('hex')
      .toUpperCase()
  )
}

/** The Aura fields present in a `person` element (matched by local name); an empty element reads as ''. */
export function readPerson(node: unknown): AuraRecord {
  const out: AuraRecord = {}
  if (node === null || typeof node !== 'object') return out
  const p = node as Record<string, unknown>
  const obj = (v: unknown) =>
    v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {}
  const set = (field: string, v: unknown) => {
    const t = textOf(v)
    if (t !== undefined) out[field] = t
  }
  const userId = obj(p.userId)
  set('LENERSCODE', userId.userIdValue)
  set('password', userId.passWord ?? userId.password)
  for (const part of listOf<Record<string, unknown>>(obj(p.name).partName)) {
    // compared case-insensitively, as the reference reads them back
    const type = (textOf(part.namePartType) ?? '').toLowerCase()
    const field =
      type === 'first'
        ? 'VOORN'
        : type === 'middle'
          ? 'VOORV'
          : type === 'last'
            ? 'LENERSNAAM'
            : undefined
    if (field !== undefined) set(field, part.namePartValue ?? '')
  }
  set('EMAILADRES', p.email)
  const address = obj(p.address)
  set('ADRES', address.street)
  set('POSTCODE', address.postcode)
  set('PLAATS', address.locality)
  set('KAMERNR', address.extadd)
  const demo = obj(p.demographics)
  set('GEBDATUM', demo.bday)
  set('GESLACHT', demo.gender)
  for (const tel of listOf<Record<string, unknown>>(p.tel)) {
    const type = (textOf(tel.telType_) ?? '').toLowerCase()
    if (type === 'voice' || type === 'item1') set('TELEFOON', tel.telValue ?? '')
    else if (type === 'mobile') set('GSM', tel.telValue ?? '')
  }
  for (const f of listOf<Record<string, unknown>>(obj(p.extension).extensionField)) {
    const field = EXTENSIONS[(textOf(f.fieldName) ?? '').toLowerCase()]
    if (field !== undefined) set(field, f.fieldValue ?? '')
  }
  return out
}

function personXml(r: AuraRecord): Record<string, unknown> {
  const person: Record<string, unknown> = {
    userId: { '@_xmlns': DATA_NS, userIdValue: { '@_xmlns': COMMON_NS, '#text': r.LENERSCODE } },
  }
  const parts = (
    [
      ['VOORN', 'First'],
      ['VOORV', 'Middle'],
      ['LENERSNAAM', 'Last'],
    ] as const
  )
    .filter(([f]) => r[f] !== undefined)
    .map(([f, type]) => ({ namePartType: type, namePartValue: r[f] }))
  if (parts.length > 0) person.name = { '@_xmlns': DATA_NS, partName: parts }
  if (r.EMAILADRES !== undefined) person.email = { '@_xmlns': COMMON_NS, '#text': r.EMAILADRES }
  const address = pick(r, {
    ADRES: 'street',
    POSTCODE: 'postcode',
    PLAATS: 'locality',
    KAMERNR: 'extadd',
  })
  if (address !== undefined) person.address = { '@_xmlns': DATA_NS, ...address }
  const demo = pick(r, { GEBDATUM: 'bday', GESLACHT: 'gender' })
  if (demo !== undefined) person.demographics = { '@_xmlns': DATA_NS, ...demo }
  const tels = (
    [
      ['TELEFOON', 'Voice'],
      ['GSM', 'Mobile'],
    ] as const
  )
    .filter(([f]) => r[f] !== undefined)
    .map(([f, type]) => ({ '@_xmlns': DATA_NS, telValue: r[f], telType_: type }))
  if (tels.length > 0) person.tel = tels
  const ext = Object.entries(EXTENSION_NAMES)
    .filter(([f]) => r[f] !== undefined)
    .map(([f, name]) => ({
      '@_xmlns': COMMON_NS,
      fieldName: name,
      fieldType: 'String',
      fieldValue: r[f],
    }))
  if (ext.length > 0) person.extension = { '@_xmlns': DATA_NS, extensionField: ext }
  return person
}

function pick(r: AuraRecord, names: Record<string, string>): Record<string, string> | undefined {
  const out: Record<string, string> = {}
  for (const [field, element] of Object.entries(names))
    if (r[field] !== undefined) out[element] = r[field]
  return Object.keys(out).length > 0 ? out : undefined
}

function soap(
  version: '1.1' | '1.2',
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): SimResponse {
  const contentType =
    version === '1.1' ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8'
  return { status: 200, contentType, headers, text: soapEnvelope({ version, body }) }
}

/** An operation's answer with its IMS statusInfo header (exported for tests that inject failures). */
export function auraStatus(
  responseName: string,
  codeMajor: 'success' | 'failure' | 'Failure',
  codeMinor: string,
  text: string,
  content: Record<string, unknown> = {},
): SimResponse {
  const header = {
    syncResponseHeaderInfo: {
      '@_xmlns': MESS_NS,
      messageIdentifier: randomBytes(8).toString('hex'),
      statusInfo: {
        codeMajor,
        severity: codeMajor === 'success' ? 'status' : 'error',
        codeMinor: {
          codeMinorField: { codeMinorFieldName: 'TargetEndSystem', codeMinorFieldValue: codeMinor },
        },
        description: { language: 'nl', text },
      },
    },
  }
  return {
    status: 200,
    contentType: 'text/xml; charset=utf-8',
    text: soapEnvelope({
      version: '1.1',
      headers: [header],
      body: { [responseName]: { '@_xmlns': MESS_NS, ...content } },
    }),
  }
}

function fault(version: '1.1', code: string, reason: string): SimResponse {
  return {
    status: 500,
    contentType: 'text/xml; charset=utf-8',
    text: soapEnvelope({
      version,
      body: { 'soap:Fault': { faultcode: code, faultstring: reason } },
    }),
  }
}
