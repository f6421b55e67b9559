// A Magister (Iddink/Schoolware) simulator: the `/doc?Function=…` web service the HelloID Magister connectors
// use. GetData (Library=Data) answers a layout as `;`-separated CSV; UpdateLeerEMail and UpdateGebruiker
// (Library=ADFuncties) change the pupil's e-mail address and login name, so the next GetData shows them.
import { stringify } from 'csv-stringify/sync'
import {
  startSimHttpServer,
  type SimHttpServer,
  type SimRequest,
  type SimResponse,
} from '../http/sim-http-server.ts'
import { MAGISTER_COLUMNS, type MagisterRow } from './magister-data.ts'

export interface MagisterSimOptions {
  readonly username: string
  readonly password: string
  /** Layout name the application manager created. Default `tools4ever-leerlingen-actief`. */
  readonly layout?: string
  readonly rows: MagisterRow[]
  /** Columns of the layout; default the public layout's plus any extra keys of the first row. */
  readonly columns?: readonly string[]
  /**
   * GUESS: the HelloID script drops a data row whose Stamnr reads "Stamnr" ("skip the first line containing the
   * column headers"), so the export seems to repeat its header line. Default true.
   */
  readonly repeatHeader?: boolean
  /**
   * The header names. `script` (default): the names the HelloID persons scripts read from the CSV
   * (Tools4everBV/HelloID-Conn-Prov-Source-Magister-Students persons.ps1: `Stamnr`, `Loginaccount.Naam`,
   * `email_1`, `Mobiel_nr`); `sql`: the aliases of the public SQL layout (`STAMNR`, `sis_gebr__login_naam`,
   * `email`, `gsm`). Which one a school's export has depends on its layout.
   */
  readonly headers?: 'script' | 'sql'
  /** GUESS: the export's date form is not public; rows hold dd-mm-yyyy and are served in this form. */
  readonly dateFormat?: 'dd-mm-yyyy' | 'yyyy-mm-dd' | 'dd/mm/yyyy'
  /** Functions the user has rights on; default all three. */
  readonly rights?: readonly string[]
  readonly port?: number
}

export interface MagisterSim {
  readonly url: string
  readonly server: SimHttpServer
  /** The rows served; tests may change them (an empty array serves an empty export). */
  readonly rows: MagisterRow[]
  /** Write-back calls received, in order. */
  readonly calls: { fn: string; params: Record<string, string> }[]
  close(): Promise<void>
}

const text = (status: number, body: string): SimResponse => ({
  status,
  text: body,
  contentType: 'text/plain; charset=utf-8',
})

export async function startMagisterSim(options: MagisterSimOptions): Promise<MagisterSim> {
  const layout = options.layout ?? 'tools4ever-leerlingen-actief'
  const rights = new Set(options.rights ?? ['GetData', 'UpdateLeerEMail', 'UpdateGebruiker'])
  const rows = options.rows
  const calls: MagisterSim['calls'] = []

  function handle(req: SimRequest): SimResponse {
    if (req.url.pathname !== '/doc') return text(404, 'Not found')
    const q = req.url.searchParams
    const fn = q.get('Function') ?? ''
    // SessionToken is `user;password` (URL-encoded `;` = %3B); GUESS: a wrong one is answered 401 with a text body
    const token = q.get('SessionToken') ?? ''
    const at = token.indexOf(';')
    if (
      at < 0 ||
      token.slice(0, at) !== options.username ||
      token.slice(at + 1) !== options.password
    ) {
      return text(401, 'Ongeldig SessionToken: gebruiker of wachtwoord onjuist')
    }
    // GUESS: a function the user has no right on is answered 403
    if (!rights.has(fn)) return text(403, `Geen rechten op functie ${fn}`)
    switch (fn) {
      case 'GetData':
        return getData(req, q)
      case 'UpdateLeerEMail':
      case 'UpdateGebruiker':
        return update(req, fn, q)
      default:
        return text(400, `Onbekende functie ${fn}`)
    }
  }

  function getData(req: SimRequest, q: URLSearchParams): SimResponse {
    if (req.method !== 'GET') return text(405, 'GetData: GET expected')
    if (q.get('Library') !== 'Data') return text(400, `Onbekende library ${q.get('Library') ?? ''}`)
    if (q.get('Layout') !== layout)
      return text(400, `Layout ${q.get('Layout') ?? ''} bestaat niet of is niet geautoriseerd`)
    if ((q.get('Type') ?? 'CSV') !== 'CSV')
      return text(400, 'Alleen Type=CSV wordt ondersteund door deze simulator')
    const columns = options.columns ?? [
      ...MAGISTER_COLUMNS,
      ...Object.keys(rows[0] ?? {}).filter(
        (k) => !(MAGISTER_COLUMNS as readonly string[]).includes(k),
      ),
    ]
    // GUESS: an export without rows is an empty body (no header line either)
    if (rows.length === 0) return { status: 200, text: '', contentType: 'text/csv' }
    const names = columns.map((c) =>
      (options.headers ?? 'script') === 'script' ? (SCRIPT_HEADERS[c] ?? c) : c,
    )
    const records: string[][] = [names]
    if (options.repeatHeader !== false) records.push([...names])
    const date = (c: string, v: string) =>
      DATE_COLUMNS.includes(c) ? servedDate(v, options.dateFormat ?? 'dd-mm-yyyy') : v
    for (const r of rows)
      records.push(columns.map((c) => date(c, (r as Record<string, string | undefined>)[c] ?? '')))
    const csv = stringify(records, { delimiter: ';', record_delimiter: '\r\n' })
    const ansi = (q.get('Encoding') ?? 'ANSI').toUpperCase() === 'ANSI'
    if (!ansi) return { status: 200, text: csv, contentType: 'text/csv; charset=utf-8' }
    // Encoding=ANSI: windows-1252 bytes; latin1 is the same outside 0x80–0x9F, and anything beyond it becomes '?'
    // as in an ANSI export
    const bytes = Buffer.from(csv.replace(/[\u0100-\u{10ffff}]/gu, '?'), 'latin1')
    return { status: 200, bytes, contentType: 'text/csv; charset=windows-1252' }
  }

  function update(req: SimRequest, fn: string, q: URLSearchParams): SimResponse {
    if (req.method !== 'POST') return text(405, `${fn}: POST expected`)
    if (q.get('Library') !== 'ADFuncties')
      return text(400, `Onbekende library ${q.get('Library') ?? ''}`)
    const params: Record<string, string> = {}
    for (const [k, v] of q) if (k !== 'SessionToken') params[k] = v
    if (fn === 'UpdateLeerEMail') {
      const stamnr = q.get('StamNr') ?? ''
      const mail = q.get('EMail') ?? ''
      const mine = rows.filter((r) => r.STAMNR === stamnr)
      // GUESS: an unknown stamnummer is answered 404 with a text body
      if (mine.length === 0) return text(404, `Leerling met stamnummer ${stamnr} niet gevonden`)
      if (!/^[^@\s]+@[^@\s]+$/.test(mail)) return text(400, `Ongeldig e-mailadres`)
      for (const r of mine) r.EMAIL = mail
    } else {
      const current = q.get('LoginNaam') ?? ''
      const next = q.get('NieuweLoginNaam') ?? ''
      const mine = rows.filter((r) => r.sis_gebr__login_naam === current && current !== '')
      if (mine.length === 0) return text(404, `Gebruiker ${current} niet gevonden`)
      if (next === '') return text(400, 'NieuweLoginNaam ontbreekt')
      // GUESS: a login name held by another pupil is refused with 409
      if (next !== current && rows.some((r) => r.sis_gebr__login_naam === next))
        return text(409, `Loginnaam ${next} is al in gebruik`)
      for (const r of mine) r.sis_gebr__login_naam = next
    }
    calls.push({ fn, params })
    return text(200, '')
  }

  const server = await startSimHttpServer(
    handle,
    options.port !== undefined ? { port: options.port } : {},
  )
  return { url: server.url, server, rows, calls, close: () => server.close() }
}

/** Header names as the HelloID persons scripts read them, for the layout columns that differ. */
const SCRIPT_HEADERS: Record<string, string> = {
  STAMNR: 'Stamnr',
  sis_gebr__login_naam: 'Loginaccount.Naam',
  email: 'email_1',
  gsm: 'Mobiel_nr',
}

const DATE_COLUMNS = [
  'BIRTHDATE',
  'Aanmelddatum',
  'studiebegindatum',
  'studieeinddatum',
  'vertrekdatum',
]

/** A dd-mm-yyyy value of the rows in the form the export serves; anything else is served as it is. */
function servedDate(v: string, form: 'dd-mm-yyyy' | 'yyyy-mm-dd' | 'dd/mm/yyyy'): string {
  const m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(v)
  if (m === null || form === 'dd-mm-yyyy') return v
  return form === 'yyyy-mm-dd' ? `${m[3]}-${m[2]}-${m[1]}` : `${m[1]}/${m[2]}/${m[3]}`
}
