// HRMService (SOAP 1.1): one operation, createPerson, that creates or updates a medewerker's HR card.
// WS-Security UsernameToken + a Brinnummer header; all fields are sent on every call (HRM Webservice.pdf, 2017,
// as summarised in docs/connectors/somtoday.md). The simulator keeps what it got, keyed by afkorting.
import type { SimRequest, SimResponse } from '../http/sim-http-server.ts'
import { buildXml, parseSoapEnvelope, textOf } from '../../../../src/protocol/index.ts'
import { messageOf } from '../../../../src/util/message-of.ts'

export interface HrmPerson {
  readonly afkorting: string
  readonly achternaam: string
  readonly voorletters: string
  readonly geslacht: string
  readonly gebruikersnaam: string
  readonly medewerkernummer?: string
  readonly externMedewerkerNummer?: string
  readonly email?: string
  readonly brinnummer: string
  /** Every field as received (strings), for tests. */
  readonly fields: Readonly<Record<string, unknown>>
}

export interface HrmContext {
  readonly credentials: { readonly username: string; readonly password: string }
  readonly brins: () => readonly string[]
  readonly persons: Map<string, HrmPerson>
  readonly onUpsert: (p: HrmPerson) => void
  /** Whether Somtoday already has a medewerker with this medewerkernummer/externMedewerkerNummer. */
  readonly knownStaff: (number: string) => boolean
}

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/'
const NS = 'http://hrm.webservices.iridium.topicus.nl/'

function fault(code: string, reason: string): SimResponse {
  const text = buildXml({
    'soap:Envelope': {
      '@_xmlns:soap': SOAP,
      'soap:Body': { 'soap:Fault': { faultcode: code, faultstring: reason } },
    },
  })
  return { status: 500, text, contentType: 'text/xml; charset=utf-8' }
}

export function handleHrmService(req: SimRequest, ctx: HrmContext): SimResponse {
  if (req.method !== 'POST') return { status: 405, text: 'POST a SOAP envelope' }
  let env
  try {
    env = parseSoapEnvelope(req.body)
  } catch (e) {
    return fault('soap:Client', `Ongeldig SOAP-bericht: ${messageOf(e)}`)
  }
  const security = env.header.Security as Record<string, unknown> | undefined
  const token = security?.UsernameToken as Record<string, unknown> | undefined
  const user = textOf(token?.Username)
  const password = textOf(token?.Password)
  if (user !== ctx.credentials.username || password !== ctx.credentials.password) {
    return fault(
      'wsse:FailedAuthentication',
      'The security token could not be authenticated or authorized',
    )
  }
  const brin = textOf(env.header.Brinnummer)
  // GUESS: the Brinnummer header must be one of the instelling's BRIN4 codes
  if (brin === undefined || !ctx.brins().includes(brin))
    return fault('soap:Client', `Onbekend brinnummer: ${brin ?? '(leeg)'}`)
  const op = env.body.createPerson as Record<string, unknown> | undefined
  if (op === undefined)
    return fault('soap:Client', `Onbekende operatie: ${Object.keys(env.body).join(', ')}`)
  const p = op.HRMperson as Record<string, unknown> | undefined
  if (p === undefined || typeof p !== 'object') return fault('soap:Client', 'HRMperson ontbreekt')
  const get = (k: string) => {
    const t = textOf(p[k])
    return t === undefined || t === '' ? undefined : t
  }
  const missing = ['afkorting', 'achternaam', 'voorletters', 'geslacht', 'gebruikersnaam'].filter(
    (k) => get(k) === undefined,
  )
  if (missing.length > 0)
    return fault('soap:Client', `Verplichte velden ontbreken: ${missing.join(', ')}`)
  if (!['MAN', 'VROUW', 'ONBEKEND'].includes(get('geslacht') as string))
    return fault('soap:Client', `Ongeldig geslacht: ${get('geslacht')}`)
  const key = get('externMedewerkerNummer') ?? get('medewerkernummer')
  const existing = [...ctx.persons.values()].find(
    (x) =>
      (key !== undefined && (x.externMedewerkerNummer === key || x.medewerkernummer === key)) ||
      x.afkorting === get('afkorting'),
  )
  // GUESS: wachtwoord is mandatory for a new person only; an update without it keeps the password
  const known = existing !== undefined || (key !== undefined && ctx.knownStaff(key))
  if (!known && get('wachtwoord') === undefined)
    return fault('soap:Client', 'Verplicht veld ontbreekt: wachtwoord')
  const person: HrmPerson = {
    afkorting: get('afkorting') as string,
    achternaam: get('achternaam') as string,
    voorletters: get('voorletters') as string,
    geslacht: get('geslacht') as string,
    gebruikersnaam: get('gebruikersnaam') as string,
    brinnummer: brin,
    fields: { ...p, wachtwoord: p.wachtwoord === undefined ? undefined : '(set)' },
    ...(get('medewerkernummer') !== undefined
      ? { medewerkernummer: get('medewerkernummer') as string }
      : {}),
    ...(get('externMedewerkerNummer') !== undefined
      ? { externMedewerkerNummer: get('externMedewerkerNummer') as string }
      : {}),
    ...(get('email') !== undefined ? { email: get('email') as string } : {}),
  }
  if (existing !== undefined && existing.afkorting !== person.afkorting)
    ctx.persons.delete(existing.afkorting)
  ctx.persons.set(person.afkorting, person)
  ctx.onUpsert(person)
  const text = buildXml({
    'soap:Envelope': {
      '@_xmlns:soap': SOAP,
      'soap:Body': { 'ns2:createPersonResponse': { '@_xmlns:ns2': NS } },
    },
  })
  return { status: 200, text, contentType: 'text/xml; charset=utf-8' }
}
