// HRMService client: createPerson (SOAP 1.1, create-or-update of a medewerker's HR card) with a WS-Security
// UsernameToken and the Brinnummer header. The service wants every field on every call, so the card is built
// from the medewerker as the ConnectAPI returns it, with the written fields replaced.
import { HttpClient, soapCall, soapEnvelope, usernameToken } from '../../protocol/index.ts'
import type { Json } from './somtoday-api.ts'
import { employeeNumberOf } from './somtoday-mapping.ts'

const HRM_NS = 'http://hrm.webservices.iridium.topicus.nl/'
const BRIN_NS = 'http://hrm.koppelingen.iridium.topicus.nl/'

export interface HrmOptions {
  readonly url: string
  readonly username: string
  readonly password: string
  readonly timeoutMs: number
}

export interface HrmWrite {
  /** BRIN of the vestiging (BRIN6); the header gets its first four characters. */
  readonly brin6: string
  readonly vestigingAfkorting?: string
  readonly vestigingNaam: string
  readonly medewerker: Json
  readonly gebruikersnaam?: string
  readonly email?: string
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined

/** The HRMperson element in the PDF's field order; optional fields without a value are left out, not sent empty. */
export function hrmPerson(w: HrmWrite): Record<string, unknown> {
  const m = w.medewerker
  const p: Record<string, unknown> = {}
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined) p[k] = v
  }
  // GUESS: HRMService takes the bare number (what an HR system sends), not the ConnectAPI's "Medewerker 51326"
  const nummer = text(m.medewerkernummer)
  put('medewerkernummer', nummer === undefined ? undefined : employeeNumberOf(nummer))
  put('afkorting', text(m.afkorting))
  put('achternaam', text(m.achternaam))
  put('voorletters', text(m.voorletters))
  put('voorvoegsel', text(m.voorvoegsel))
  put('roepnaam', text(m.roepnaam))
  put('geslacht', text(m.geslacht))
  put('geboortedatum', text(m.geboortedatum))
  put('bsn', text(m.bsn))
  put('onderwijsPersoneel', m.is_docent === true ? '1' : m.is_docent === false ? '0' : undefined)
  put('externMedewerkerNummer', text(m.externnummer))
  p.vestigingen = {
    afkorting: w.vestigingAfkorting ?? w.brin6,
    naam: w.vestigingNaam,
    brinNummer: w.brin6,
  }
  put('gebruikersnaam', w.gebruikersnaam ?? text(m.gebruikersnaam) ?? text(m.afkorting))
  // GUESS: wachtwoord is mandatory in the PDF, but Koppel does not know it; it is left out so an update keeps it
  put('email', w.email ?? text(m.emailadres))
  put('functie', text(m.functie))
  put('datumInDienst', text(m.datum_in_dienst))
  put('datumUitDienst', text(m.datum_uit_dienst))
  return p
}

export class HrmClient {
  readonly #http: HttpClient
  readonly #options: HrmOptions

  constructor(options: HrmOptions) {
    this.#options = options
    this.#http = new HttpClient({
      baseUrl: options.url,
      timeoutMs: options.timeoutMs,
      userAgent: 'Koppel',
    })
  }

  async createPerson(w: HrmWrite, signal?: AbortSignal): Promise<void> {
    const envelope = soapEnvelope({
      version: '1.1',
      headers: [
        usernameToken(this.#options.username, this.#options.password),
        { 'hrm:Brinnummer': { '@_xmlns:hrm': BRIN_NS, '#text': w.brin6.slice(0, 4) } },
      ],
      body: { 'tns:createPerson': { '@_xmlns:tns': HRM_NS, HRMperson: hrmPerson(w) } },
    })
    await soapCall(this.#http, {
      path: this.#options.url,
      version: '1.1',
      envelope,
      what: 'HRMService createPerson',
      ...(signal ? { signal } : {}),
    })
  }
}
