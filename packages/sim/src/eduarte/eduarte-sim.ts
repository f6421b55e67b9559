// An Eduarte (Topicus, MBO) simulator: the SOAP 1.1 services under /services/api/algemeen/ that the public
// HelloID Eduarte connectors call (deelnemers, gebruikers, medewerkers), with `apiSleutel` inside each
// operation, plus paged list operations for the read side (GUESS: not publicly documented). Requests whose
// parameters are not in the order the public connectors send, or whose objects' properties are not in
// (case-insensitive) alphabetical order, are refused, as the Eduarte-Employee README says the API does.
import { randomUUID } from 'node:crypto'
import { XMLParser } from 'fast-xml-parser'
import {
  parseSoapEnvelope,
  soapEnvelope,
  textOf,
  XmlSyntaxError,
} from '../../../../src/protocol/index.ts'
import {
  startSimHttpServer,
  type SimHttpServer,
  type SimRequest,
  type SimResponse,
} from '../http/sim-http-server.ts'
import type {
  EduarteBegeleider,
  EduarteContact,
  EduarteData,
  EduarteDeelnemer,
  EduarteMedewerker,
  EduarteVerbintenis,
} from './eduarte-data.ts'

export const EDUARTE_NS = 'http://api.algemeen.webservices.eduarte.topicus.nl/'

export interface EduarteSimOptions {
  readonly apiSleutel: string
  readonly data: EduarteData
  /** GUESS: the largest page the list operations hand out. Default 500. */
  readonly maxPageSize?: number
  readonly port?: number
}

export interface EduarteSim {
  readonly url: string
  readonly server: SimHttpServer
  readonly data: EduarteData
  /** Operations received, in order (without the apiSleutel). */
  readonly calls: { service: string; operation: string; params: Record<string, unknown> }[]
  close(): Promise<void>
}

const SERVICES: Record<string, readonly string[]> = {
  deelnemers: ['getDeelnemer', 'getDeelnemers', 'updateContactgegevens'],
  gebruikers: ['createDeelnemerGebruiker', 'activeerGebruiker', 'deactiveerGebruiker'],
  medewerkers: [
    'getMedewerkers',
    'getMedewerkerMetId',
    'getMedewerkerMetAfkorting',
    'getMedewerkerMetGebruikersnaam',
  ],
}

/**
 * Operation parameters after apiSleutel, in the order the public HelloID connectors send them
 * (Tools4everBV/HelloID-Conn-Prov-Target-Eduarte-Student create.ps1/update.ps1: getDeelnemer,
 * createDeelnemerGebruiker, updateContactgegevens; -Employee: activeer/deactiveerGebruiker, getMedewerkerMet*).
 * Operation parameters are not sorted: only the properties of objects are.
 */
const PARAMETER_ORDER: Record<string, readonly string[]> = {
  getDeelnemer: ['apiSleutel', 'deelnemernummer'],
  createDeelnemerGebruiker: [
    'apiSleutel',
    'deelnemernummer',
    'gebruikersnaam',
    'wachtwoord',
    'emailadres',
  ],
  updateContactgegevens: ['apiSleutel', 'deelnemerNummer', 'contactgegeven'],
  activeerGebruiker: ['apiSleutel', 'gebruikernaam'],
  deactiveerGebruiker: ['apiSleutel', 'gebruikernaam'],
  getMedewerkerMetId: ['apiSleutel', 'id'],
  getMedewerkerMetAfkorting: ['apiSleutel', 'afkorting'],
  getMedewerkerMetGebruikersnaam: ['apiSleutel', 'gebruikersnaam'],
  // GUESS: the read operations are not public
  getDeelnemers: ['apiSleutel', 'pagina', 'paginaGrootte', 'peildatum'],
  getMedewerkers: ['apiSleutel', 'pagina', 'paginaGrootte', 'peildatum'],
}

/** Elements whose children keep a fixed, non-alphabetical order: `contactgegeven` (contactgegeven, soort, geheim). */
const FIXED_ORDER: Record<string, readonly string[]> = {
  ...PARAMETER_ORDER,
  contactgegeven: ['contactgegeven', 'soort', 'geheim'],
}

/** Alphabetical as the reference sorts (PowerShell Sort-Object: case-insensitive), ties by code unit. */
export function compareNames(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()]
  if (x !== y) return x < y ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

const orderParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  processEntities: false,
})

type OrderedNode = Record<string, unknown>

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text')
}

/**
 * The first element whose children are out of order, as "parent: <b> after <a>", or undefined. Operation
 * parameters must come in their documented order (an unknown parameter is out of order too), object properties
 * alphabetically.
 */
export function outOfOrder(nodes: OrderedNode[], parent: string): string | undefined {
  const names = nodes.map(elementName).filter((n): n is string => n !== undefined)
  const fixed = FIXED_ORDER[parent]
  for (let i = 0; i < names.length; i++) {
    const b = names[i] as string
    if (fixed !== undefined && !fixed.includes(b)) return `${parent}: unexpected element <${b}>`
    if (i === 0) continue
    const a = names[i - 1] as string
    const wrong = fixed !== undefined ? fixed.indexOf(b) < fixed.indexOf(a) : compareNames(b, a) < 0
    if (wrong) return `${parent}: <${b}> after <${a}>`
  }
  for (const n of nodes) {
    const name = elementName(n)
    if (name === undefined) continue
    const children = n[name]
    if (Array.isArray(children)) {
      const found = outOfOrder(children as OrderedNode[], name)
      if (found !== undefined) return found
    }
  }
  return undefined
}

function operationChildren(body: string): { op: string; children: OrderedNode[] } | undefined {
  const doc = orderParser.parse(body) as OrderedNode[]
  const find = (nodes: OrderedNode[], name: string): OrderedNode[] | undefined => {
    for (const n of nodes) {
      const k = elementName(n)
      if (k === name) return n[k] as OrderedNode[]
    }
    return undefined
  }
  const env = find(doc, 'Envelope')
  const soapBody = env !== undefined ? find(env, 'Body') : undefined
  const opNode = soapBody?.find((n) => elementName(n) !== undefined)
  if (opNode === undefined) return undefined
  const op = elementName(opNode) as string
  return { op, children: opNode[op] as OrderedNode[] }
}

function fault(code: string, reason: string): SimResponse {
  const text = soapEnvelope({
    version: '1.1',
    body: { 'soap:Fault': { faultcode: `soap:${code}`, faultstring: reason } },
  })
  return { status: 500, text, contentType: 'text/xml; charset=utf-8' }
}

/**
 * A write's {status, melding}, one level deeper than the operation's response element, as the Student connector
 * reads updateContactgegevens' answer (`updateContactgegevensResponse/updateContactgegevensResponse`). GUESS:
 * the other write operations answer in the same shape (the public connectors do not read their answers).
 */
function written(op: string, ok: boolean, melding: string): SimResponse {
  return answer(op, { [`${op}Response`]: { melding, status: ok ? 'OK' : 'FOUT' } })
}

function answer(op: string, content: Record<string, unknown>): SimResponse {
  const text = soapEnvelope({
    version: '1.1',
    body: { [`ns2:${op}Response`]: { '@_xmlns:ns2': EDUARTE_NS, ...content } },
  })
  return { status: 200, text, contentType: 'text/xml; charset=utf-8' }
}

/** Object keys in alphabetical order, as the service writes (and wants) its objects. */
function sorted(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(o).sort(compareNames)) out[k] = o[k]
  return out
}

const contactXml = (c: EduarteContact) => ({
  contactgegeven: c.contactgegeven,
  soort: { code: c.soort.code, naam: c.soort.naam },
  geheim: String(c.geheim),
})
const begeleiderXml = (b: EduarteBegeleider) =>
  sorted({ medewerker: sorted(b.medewerker), rol: sorted(b.rol) })
const verbintenisXml = (v: EduarteVerbintenis) =>
  sorted({
    ...v,
    begeleiders: { begeleider: v.begeleiders.map(begeleiderXml) },
    locatie: sorted(v.locatie),
    opleiding: sorted(v.opleiding),
    organisatieEenheid: sorted(v.organisatieEenheid),
  })

export function deelnemerXml(d: EduarteDeelnemer): Record<string, unknown> {
  return sorted({
    ...d,
    contactgegevens: { contactgegeven: d.contactgegevens.map(contactXml) },
    verbintenissen: { verbintenis: d.verbintenissen.map(verbintenisXml) },
  })
}

export function medewerkerXml(m: EduarteMedewerker): Record<string, unknown> {
  return sorted({
    ...m,
    actief: String(m.actief),
    contactgegevens: { contactgegeven: m.contactgegevens.map(contactXml) },
    defaultOrganisatieEenheid: sorted(m.defaultOrganisatieEenheid),
    functie: sorted(m.functie),
  })
}

export async function startEduarteSim(options: EduarteSimOptions): Promise<EduarteSim> {
  const data = options.data
  const calls: EduarteSim['calls'] = []
  const maxPage = options.maxPageSize ?? 500

  function handle(req: SimRequest): SimResponse {
    const m = /^\/services\/api\/algemeen\/(deelnemers|gebruikers|medewerkers)$/.exec(
      req.url.pathname,
    )
    if (m === null) return { status: 404, text: 'Not Found' }
    const service = m[1] as string
    if (req.method !== 'POST') return { status: 405, text: 'Method Not Allowed' }
    if (!/^text\/xml/i.test(req.headers['content-type'] ?? ''))
      return { status: 415, text: 'Unsupported Media Type' }
    let parsed
    try {
      parsed = parseSoapEnvelope(req.body)
    } catch (e) {
      return fault(
        'Client',
        `Unmarshalling Error: ${e instanceof XmlSyntaxError ? e.message : 'not a SOAP envelope'}`,
      )
    }
    const ordered = operationChildren(req.body)
    const op = ordered?.op ?? ''
    if (!(SERVICES[service] ?? []).includes(op))
      return fault(
        'Client',
        `Unexpected wrapper element {${EDUARTE_NS}}${op} found on service ${service}`,
      )
    const p = (parsed.body[op] ?? {}) as Record<string, unknown>
    // GUESS: a wrong or missing apiSleutel is a Client fault whose text says authentication failed
    if (textOf(p.apiSleutel) !== options.apiSleutel)
      return fault('Client', 'Authenticatie mislukt: ongeldige apiSleutel')
    // Parameters in their documented order, object properties alphabetically (Eduarte-Employee README, "API
    // specifications"); GUESS: the message, in the style of the JAXB unmarshaller behind the service
    const wrong = outOfOrder(ordered?.children ?? [], op)
    if (wrong !== undefined)
      return fault('Client', `Unmarshalling Error: unexpected element order in ${wrong}`)
    const params = Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'apiSleutel'))
    calls.push({ service, operation: op, params })
    return operation(op, p)
  }

  function page<T>(
    op: string,
    p: Record<string, unknown>,
    list: T[],
    key: string,
    toXml: (t: T) => Record<string, unknown>,
  ): SimResponse {
    const pagina = Number(textOf(p.pagina) ?? '1')
    const grootte = Number(textOf(p.paginaGrootte) ?? '100')
    if (!Number.isInteger(pagina) || pagina < 1)
      return fault('Client', 'pagina moet 1 of hoger zijn')
    if (!Number.isInteger(grootte) || grootte < 1 || grootte > maxPage)
      return fault('Client', `paginaGrootte moet tussen 1 en ${maxPage} liggen`)
    const slice = list.slice((pagina - 1) * grootte, pagina * grootte)
    return answer(op, {
      [`${key}s`]: { [key]: slice.map(toXml) },
      totaalAantal: String(list.length),
    })
  }

  function operation(op: string, p: Record<string, unknown>): SimResponse {
    const deelnemer = (nr: unknown) => data.deelnemers.find((d) => d.deelnemernummer === textOf(nr))
    switch (op) {
      case 'getDeelnemers':
        return page(op, p, data.deelnemers, 'deelnemer', deelnemerXml)
      case 'getMedewerkers':
        return page(op, p, data.medewerkers, 'medewerker', medewerkerXml)
      case 'getDeelnemer': {
        const d = deelnemer(p.deelnemernummer)
        return answer(op, d === undefined ? {} : { deelnemer: deelnemerXml(d) })
      }
      case 'getMedewerkerMetId':
      case 'getMedewerkerMetAfkorting':
      case 'getMedewerkerMetGebruikersnaam': {
        const [field, value] =
          op === 'getMedewerkerMetId'
            ? ['id', p.id]
            : op === 'getMedewerkerMetAfkorting'
              ? ['afkorting', p.afkorting]
              : ['gebruikersnaam', p.gebruikersnaam]
        const mw = data.medewerkers.find((x) => x[field as 'id'] === textOf(value))
        return answer(op, mw === undefined ? {} : { medewerker: medewerkerXml(mw) })
      }
      case 'updateContactgegevens': {
        const d = deelnemer(p.deelnemerNummer)
        if (d === undefined)
          return written(op, false, `Deelnemer ${textOf(p.deelnemerNummer) ?? ''} niet gevonden`)
        const c = p.contactgegeven as Record<string, unknown> | undefined
        const soort = c?.soort as Record<string, unknown> | undefined
        const value = textOf(c?.contactgegeven) ?? ''
        const code = textOf(soort?.code) ?? ''
        if (value === '' || code === '')
          return written(op, false, 'contactgegeven en soort.code zijn verplicht')
        const entry: EduarteContact = {
          contactgegeven: value,
          soort: { code, naam: textOf(soort?.naam) ?? '' },
          geheim: textOf(c?.geheim) === 'true',
        }
        // GUESS: a contactgegeven of the same soort is replaced, not added
        const i = d.contactgegevens.findIndex((x) => x.soort.code === code)
        if (i >= 0) d.contactgegevens[i] = entry
        else d.contactgegevens.push(entry)
        return written(op, true, 'Contactgegevens bijgewerkt')
      }
      case 'createDeelnemerGebruiker': {
        const d = deelnemer(p.deelnemernummer)
        const naam = textOf(p.gebruikersnaam) ?? ''
        // The public connectors look for "niet gevonden" / "heeft reeds een account" in 200 answers and in the
        // body of HTTP 500 faults (Employee create.ps1); this simulator sends the first as an answer, the second
        // as a fault. GUESS: which of the two the real service uses for which case
        if (d === undefined)
          return written(op, false, `Deelnemer ${textOf(p.deelnemernummer) ?? ''} niet gevonden`)
        if (d.gebruikersNaam !== '')
          return fault('Server', `Deelnemer ${d.deelnemernummer} heeft reeds een account`)
        if (naam === '' || (textOf(p.wachtwoord) ?? '') === '')
          return written(op, false, 'gebruikersnaam en wachtwoord zijn verplicht')
        if (data.gebruikers.has(naam))
          return written(op, false, `Gebruikersnaam ${naam} is al in gebruik`)
        d.gebruikersNaam = naam
        data.gebruikers.set(naam, {
          gebruikernaam: naam,
          actief: true,
          deelnemernummer: d.deelnemernummer,
        })
        const mail = textOf(p.emailadres) ?? ''
        if (mail !== '' && !d.contactgegevens.some((c) => c.contactgegeven === mail)) {
          d.contactgegevens.push({
            contactgegeven: mail,
            soort: { code: 'E', naam: 'E-mail' },
            geheim: false,
          })
        }
        return written(op, true, `Gebruiker ${naam} aangemaakt (${randomUUID().slice(0, 8)})`)
      }
      case 'activeerGebruiker':
      case 'deactiveerGebruiker': {
        const naam = textOf(p.gebruikernaam) ?? ''
        const g = data.gebruikers.get(naam)
        // the Employee scripts catch "niet gevonden" from the fault of an unknown gebruiker
        if (g === undefined) return fault('Server', `Gebruiker ${naam} niet gevonden`)
        g.actief = op === 'activeerGebruiker'
        return written(op, true, `Gebruiker ${naam} ${g.actief ? 'geactiveerd' : 'gedeactiveerd'}`)
      }
      default:
        return fault('Client', `Onbekende operatie ${op}`)
    }
  }

  const server = await startSimHttpServer(
    handle,
    options.port !== undefined ? { port: options.port } : {},
  )
  return { url: server.url, server, data, calls, close: () => server.close() }
}
