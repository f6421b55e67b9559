// Maps the generator's board (packages/sim/src/generator) to Somtoday ConnectAPI shapes, one vestiging at a time.
// Field names and shapes follow the Somtoday ConnectAPI OpenAPI 14.10 description (transcribed in
// connect-schema.ts, which the simulator checks every response against).
// A board is served school by school: the cursor keeps only the chunk of the school being read, so 100,000
// pupils are never held as JSON (or as generator objects) at once.
import { createHash } from 'node:crypto'
import type {
  Level,
  SchoolChunk,
  SimBoard,
  SimEnrolment,
  SimGroup,
  SimGuardian,
  SimLocation,
  SimPupil,
  SimSchool,
  SimStaff,
} from '../generator/index.ts'
import { subjectTitles } from '../generator/curriculum.ts'
import { addDays } from '../../../../src/util/dates.ts'

export type Peil = 'VANDAAG' | 'HUIDIG' | 'VOLGEND'
type Json = Record<string, unknown>

/** A stable UUID for a generator id that is not one (groups, locations, the board): sha1-based, version 5 layout. */
export function uuidFrom(name: string): string {
  const h = createHash('sha1').update(`koppel-somtoday:${name}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`
}

/**
 * A UUID derived from another one and a salt without hashing: the salt's FNV-1a hash is XOR-ed into the last
 * 48 bits. For the many per-pupil records (plaatsingen, vakkeuzes) where sha1 per record costs too much.
 */
export function deriveUuid(base: string, salt: string): string {
  let h = 0xcbf29ce4
  let l = 0x84222325
  for (let i = 0; i < salt.length; i++) {
    h = Math.imul(h ^ salt.charCodeAt(i), 0x01000193) >>> 0
    l = Math.imul(l ^ (h & 0xff), 0x01000193) >>> 0
  }
  const tail =
    (parseInt(base.slice(24, 30), 16) ^ (h & 0xffffff)).toString(16).padStart(6, '0') +
    (parseInt(base.slice(30, 36), 16) ^ (l & 0xffffff)).toString(16).padStart(6, '0')
  return `${base.slice(0, 24)}${tail}`
}

const OPLEIDING: Record<Level, { afkorting: string; naam: string; laatste: number }> = {
  brugklas: { afkorting: 'BRUG', naam: 'Brugklas mavo/havo/vwo', laatste: 1 },
  'vmbo-b': { afkorting: 'VMBO-B', naam: 'vmbo basisberoepsgerichte leerweg', laatste: 4 },
  'vmbo-k': { afkorting: 'VMBO-K', naam: 'vmbo kaderberoepsgerichte leerweg', laatste: 4 },
  'vmbo-t': { afkorting: 'MAVO', naam: 'vmbo theoretische leerweg (mavo)', laatste: 4 },
  havo: { afkorting: 'HAVO', naam: 'havo', laatste: 5 },
  vwo: { afkorting: 'VWO', naam: 'vwo', laatste: 6 },
}

const GESLACHT = { male: 'MAN', female: 'VROUW', unspecified: 'ONBEKEND' } as const

/**
 * Landelijke vakcodes for the generator's subjects. Invented, not the national list: the simulator only needs
 * a stable numeric code per subject (the spec types it as a string with a numeric example, "191").
 */
const LANDELIJKE_VAKCODE = new Map(
  Object.keys(subjectTitles).map((code, i) => [code, String(1000 + i)]),
)

/**
 * An ECK iD for a generator id: the "https://ketenid.nl/201703/" form of Edu-K's pseudonym, filled with the
 * id's hex digits twice (not a real pseudonym; stable and cheap for 100,000 pupils).
 */
export function eckIdOf(id: string): string {
  const hex = id.replace(/-/g, '')
  return `https://ketenid.nl/201703/${hex}${hex}`
}

/** The spec's medewerkernummer: "Medewerker " and the number (example "Medewerker 51326"). */
export const medewerkernummerOf = (employeeNumber: string): string => `Medewerker ${employeeNumber}`

function initials(givenName: string): string {
  return givenName
    .split(/[\s-]+/)
    .filter(Boolean)
    .map((p) => `${p[0]?.toUpperCase() ?? ''}.`)
    .join('')
}

/** Drops null/undefined/empty-string fields: Somtoday omits fields without a value. */
export function compact(o: Json): Json {
  const out: Json = {}
  for (const k in o) {
    const v = o[k]
    if (v !== undefined && v !== null && v !== '') out[k] = v
  }
  return out
}

export interface Dates {
  /** today */
  readonly today: string
  /** first and last day (inclusive) of the current school year */
  readonly yearStart: string
  readonly yearLast: string
  /** "2026/2027" */
  readonly label: string
  readonly nextLabel: string
}

export function datesOf(board: SimBoard, today: string): Dates {
  const y = board.schoolYear
  // schooljaar is written "2026/2027", as the spec's example "2021/2022"; the connector accepts "-" too
  const [a, b] = y.title.split('-')
  return {
    today,
    yearStart: y.startDate,
    yearLast: addDays(y.endDate, -1),
    label: `${a}/${b}`,
    nextLabel: `${b}/${Number(b) + 1}`,
  }
}

interface Window {
  readonly start: string
  readonly last: string
}

/** Whether a window (inclusive dates) is visible for a peilschooljaar (see the spec's parameter text). */
export function visible(w: Window, peil: Peil, d: Dates): boolean {
  if (peil === 'VANDAAG') return w.start <= d.today && d.today <= w.last
  if (peil === 'HUIDIG') return w.last >= d.today && w.start <= d.yearLast
  return w.last > d.yearLast // VOLGEND: runs into next school year
}

function windowOf(e: SimEnrolment | undefined, d: Dates): Window {
  return {
    start: e?.beginDate || d.yearStart,
    last: e?.endDate ? addDays(e.endDate, -1) : d.yearLast,
  }
}

export interface AccountState {
  usertype: 'LEERLING' | 'MEDEWERKER' | 'VERZORGER'
  gebruikersnaam?: string
  emailadres?: string
  remoteidentifiers: { providerType: string; domain: string; identifier: string }[]
  accountUuid: string
}

/** One vestiging's data, indexed for the endpoints. Built for all locations of a school chunk at once. */
export class VestigingData {
  readonly uuid: string
  readonly location: SimLocation
  readonly school: SimSchool
  readonly pupils: SimPupil[] = []
  readonly staff: SimStaff[] = []
  readonly guardians: SimGuardian[] = []
  readonly stamgroepen: SimGroup[] = []
  readonly lesgroepen: SimGroup[] = []
  readonly groups = new Map<string, SimGroup>()
  readonly byPerson = new Map<string, SimEnrolment[]>()
  readonly byGroup = new Map<string, SimEnrolment[]>()
  readonly pupilByUuid = new Map<string, SimPupil>()
  readonly staffByUuid = new Map<string, SimStaff>()
  readonly guardianByUuid = new Map<string, SimGuardian>()
  readonly subjectTitle = new Map<string, string>()
  readonly afkorting: ReadonlyMap<string, string>
  readonly #uuids = new Map<string, string>()
  /** `{uuid}` of this vestiging, shared by every nested reference */
  readonly #ref: Json
  readonly #filtered = new Map<string, SimPupil[]>()

  constructor(
    school: SimSchool,
    location: SimLocation,
    chunk: SchoolChunk,
    afkorting: ReadonlyMap<string, string>,
  ) {
    this.school = school
    this.location = location
    this.uuid = uuidFrom(location.id)
    this.#ref = { uuid: this.uuid }
    this.afkorting = afkorting
    for (const c of chunk.courses)
      if (c.locationId === location.id) this.subjectTitle.set(c.code, c.title)
    for (const g of chunk.groups) {
      if (g.locationId !== location.id) continue
      this.groups.set(g.id, g)
      ;(g.kind === 'stamgroep' ? this.stamgroepen : this.lesgroepen).push(g)
    }
    const staffHere = new Set<string>()
    for (const e of chunk.enrolments) {
      if (e.locationId !== location.id) continue
      push(this.byPerson, e.personId, e)
      push(this.byGroup, e.groupId, e)
      if (e.role !== 'pupil') staffHere.add(e.personId)
    }
    for (const p of chunk.pupils) {
      if (p.locationId !== location.id) continue
      this.pupils.push(p)
      this.pupilByUuid.set(p.id, p)
    }
    for (const s of chunk.staff) {
      if (s.locationId !== location.id && !staffHere.has(s.id)) continue
      this.staff.push(s)
      this.staffByUuid.set(s.id, s)
    }
    for (const g of chunk.guardians) {
      if (!g.childIds.some((c) => this.pupilByUuid.has(c))) continue
      this.guardians.push(g)
      this.guardianByUuid.set(g.id, g)
    }
  }

  groupUuid(id: string): string {
    let u = this.#uuids.get(id)
    if (u === undefined) this.#uuids.set(id, (u = uuidFrom(id)))
    return u
  }

  ref(): Json {
    return { uuid: this.uuid, naam: this.location.name }
  }

  stamgroepEnrolment(p: SimPupil): SimEnrolment | undefined {
    return this.byPerson.get(p.id)?.find((e) => e.groupId === p.stamgroepId && e.role === 'pupil')
  }

  /** The pupils a leerling list returns for this peilschooljaar (a pupil with a visible plaatsing). */
  pupilsFor(peil: Peil, d: Dates): SimPupil[] {
    const key = `${peil}|${d.today}`
    let list = this.#filtered.get(key)
    if (list === undefined) {
      list = this.pupils.filter((p) => this.plaatsingWindow(p, peil, d) !== undefined)
      this.#filtered.set(key, list)
    }
    return list
  }

  /** The medewerkers in dienst during the peilschooljaar (today without one), as the spec's list describes. */
  staffFor(peil: Peil, d: Dates): SimStaff[] {
    return this.staff.filter((s) => {
      const e = employment(s, d)
      const from =
        peil === 'VANDAAG' ? d.today : peil === 'HUIDIG' ? d.yearStart : addDays(d.yearLast, 1)
      const until =
        peil === 'VANDAAG' ? d.today : peil === 'HUIDIG' ? d.yearLast : addDays(d.yearLast, 365)
      return (
        e.datum_in_dienst <= until &&
        (e.datum_uit_dienst === undefined || e.datum_uit_dienst >= from)
      )
    })
  }

  /** The visible plaatsing's window: this year's, or (VOLGEND) next year's for a pupil who moves up a grade. */
  plaatsingWindow(p: SimPupil, peil: Peil, d: Dates): Window | undefined {
    const w = windowOf(this.stamgroepEnrolment(p), d)
    if (peil !== 'VOLGEND') return visible(w, peil, d) ? w : undefined
    // GUESS: the generator has one school year; for VOLGEND a pupil whose plaatsing runs to the end of the year
    // and who is not in the last grade of the level is placed one grade up next year, without groups.
    if (w.last !== d.yearLast || (p.grade >= OPLEIDING[p.level].laatste && p.level !== 'brugklas'))
      return undefined
    return { start: addDays(d.yearLast, 1), last: addDays(d.yearLast, 365) }
  }

  leerling(p: SimPupil, peil: Peil, d: Dates, account: AccountState | undefined): Json {
    const win = this.plaatsingWindow(p, peil, d)
    const next = peil === 'VOLGEND'
    const stamgroep = this.groups.get(p.stamgroepId)
    const plaatsingen: Json[] = []
    if (win !== undefined) {
      const level: Level = next && p.level === 'brugklas' ? 'havo' : p.level
      const opl = OPLEIDING[level]
      const mentors = (this.byGroup.get(p.stamgroepId) ?? []).filter((e) => e.role === 'mentor')
      plaatsingen.push(
        compact({
          uuid: deriveUuid(p.id, `plaatsing:${next ? d.nextLabel : d.label}`),
          schooljaar: next ? d.nextLabel : d.label,
          startdatum: win.start,
          einddatum: win.last,
          leerjaar: next ? p.grade + 1 : p.grade,
          opleiding: {
            uuid: this.groupUuid(`opleiding:${level}`),
            afkorting: opl.afkorting,
            naam: opl.naam,
          },
          stamgroep:
            next || stamgroep === undefined
              ? undefined
              : {
                  uuid: this.groupUuid(stamgroep.id),
                  naam: stamgroep.title,
                  omschrijving: stamgroep.title,
                  leerjaar: stamgroep.grade,
                },
          mentoren: next
            ? []
            : mentors.map((e, i) => ({
                medewerker_uuid: e.personId,
                toewijzing: i === 0 ? 'EersteMentorStamgroep' : 'TweedeMentorStamgroep',
              })),
        }),
      )
    }
    const lesgroepen: Json[] = []
    if (!next) {
      for (const e of this.byPerson.get(p.id) ?? []) {
        const g = this.groups.get(e.groupId)
        if (g?.kind !== 'lesgroep' || !visible(windowOf(e, d), peil, d)) continue
        lesgroepen.push({ uuid: this.groupUuid(g.id), naam: g.title, vestiging: this.#ref })
      }
    }
    const vakkeuzes: Json[] = []
    if (win !== undefined && !next) {
      for (const code of p.subjects) {
        vakkeuzes.push({
          uuid: deriveUuid(p.id, `vakkeuze:${code}`),
          begindatum: win.start,
          einddatum: win.last,
          school_vakafkorting: code,
          school_vaknaam: this.subjectTitle.get(code) ?? code,
          landelijke_vakcode: LANDELIJKE_VAKCODE.get(code),
          landelijke_vaknaam: subjectTitles[code],
          leerjaar: p.grade,
          vestiging: this.#ref,
        })
      }
    }
    return compact({
      uuid: p.id,
      eckid: eckIdOf(p.id),
      leerlingnummer: Number(p.number),
      roepnaam: p.givenName,
      voornamen: p.givenName,
      voorletters: initials(p.givenName),
      voorvoegsel: p.familyNamePrefix,
      achternaam: p.familyName,
      geslacht: GESLACHT[p.sex],
      geboortedatum: p.birthDate,
      emailadres: account?.emailadres,
      gebruikersnaam: account?.gebruikersnaam,
      verzorgers: p.guardianIds.map((uuid, i) => ({ uuid, volgnummer: i + 1 })),
      vestiging: this.ref(),
      plaatsingen,
      lesgroepen,
      vakkeuzes,
      isActief: win !== undefined && win.start <= d.today,
    })
  }

  medewerker(s: SimStaff, peil: Peil, d: Dates, account: AccountState | undefined): Json {
    const lesgroepen: Json[] = []
    if (peil !== 'VOLGEND') {
      for (const e of this.byPerson.get(s.id) ?? []) {
        const g = this.groups.get(e.groupId)
        if (g?.kind !== 'lesgroep' || e.role !== 'teacher') continue
        lesgroepen.push({
          uuid: this.groupUuid(g.id),
          naam: g.title,
          vestiging: { uuid: this.uuid },
        })
      }
    }
    return compact({
      uuid: s.id,
      roepnaam: s.givenName,
      voorletters: initials(s.givenName),
      voorvoegsel: s.familyNamePrefix,
      achternaam: s.familyName,
      geslacht: GESLACHT[s.sex],
      geboortedatum: s.birthDate,
      emailadres: account?.emailadres ?? s.email,
      medewerkernummer: medewerkernummerOf(s.employeeNumber),
      eckid: eckIdOf(s.id),
      afkorting: this.afkorting.get(s.id),
      lesgroepen,
      vestiging: this.ref(),
      hoofdvestiging: { uuid: uuidFrom(s.locationId) },
      is_docent: s.function === 'teacher',
      functie: s.title,
      gebruikersnaam: account?.gebruikersnaam,
      ...employment(s, d),
    })
  }

  /** The pupils of this vestiging a guardian may be read for: their children visible for this peilschooljaar. */
  childrenOf(g: SimGuardian, peil: Peil, d: Dates): string[] {
    const visibleHere = new Set(this.pupilsFor(peil, d).map((p) => p.id))
    return g.childIds.filter((c) => visibleHere.has(c))
  }

  /**
   * The spec's OuderVerzorger: names are voorletters, voorvoegsel and achternaam only (no roepnaam, no
   * voornamen); the children are `leerlingen_van_vestiging` plus `relatie_tot_leerlingen`.
   */
  ouderVerzorger(
    g: SimGuardian,
    children: readonly string[],
    account: AccountState | undefined,
  ): Json {
    return compact({
      uuid: g.id,
      geslacht: GESLACHT[g.sex],
      voorletters: initials(g.givenName),
      voorvoegsel: g.familyNamePrefix,
      achternaam: g.familyName,
      emailadres: account?.emailadres ?? g.email,
      gebruikersnaam: account?.gebruikersnaam,
      leerlingen_van_vestiging: children,
      // GUESS: the spec types relatiesoort as free text; "Ouder" with parental authority is the common case
      relatie_tot_leerlingen: children.map((uuid) => ({
        uuid,
        relatiesoort: 'Ouder',
        ouderlijk_gezag: true,
        mag_post_ontvangen: true,
      })),
    })
  }

  stamgroep(g: SimGroup, d: Dates): Json {
    const es = this.byGroup.get(g.id) ?? []
    return compact({
      uuid: this.groupUuid(g.id),
      naam: g.title,
      omschrijving: g.title,
      leerjaar: g.grade,
      leerlingen: es
        .filter((e) => e.role === 'pupil' && visible(windowOf(e, d), 'HUIDIG', d))
        .map((e) => ({ uuid: e.personId, vestiging: this.#ref })),
      // a stamgroep has no schooljaar or vestiging in the spec; its mentoren are Mentor objects
      mentoren: es
        .filter((e) => e.role === 'mentor')
        .map((e, i) => ({
          medewerker_uuid: e.personId,
          toewijzing: i === 0 ? 'EersteMentorStamgroep' : 'TweedeMentorStamgroep',
        })),
    })
  }

  lesgroep(g: SimGroup, d: Dates): Json {
    const es = this.byGroup.get(g.id) ?? []
    return compact({
      uuid: this.groupUuid(g.id),
      naam: g.title,
      vak: g.subject,
      vaknaam: this.subjectTitle.get(g.subject),
      landelijke_vakcode: LANDELIJKE_VAKCODE.get(g.subject),
      vakuuid: this.groupUuid(`vak:${this.location.id}:${g.subject}`),
      leerjaar: g.grade,
      schooljaar: d.label,
      vestiging: { uuid: this.uuid },
      leerlingen: es
        .filter((e) => e.role === 'pupil' && visible(windowOf(e, d), 'HUIDIG', d))
        .map((e) => ({ uuid: e.personId, vestiging: { uuid: this.uuid } })),
      docenten: es.filter((e) => e.role === 'teacher').map((e) => e.personId),
    })
  }
}

/**
 * datum_in_dienst / datum_uit_dienst for a generated staff member, who has no dates of their own: hired on
 * 1 August 0–14 years before this school year (from the employee number), and one in 13 on a contract that
 * ends with this school year, so both fields are served.
 */
function employment(s: SimStaff, d: Dates): { datum_in_dienst: string; datum_uit_dienst?: string } {
  const n = Number(s.employeeNumber.replace(/\D/g, '')) || 0
  const startYear = Number(d.yearStart.slice(0, 4)) - (n % 15)
  const inDienst = `${startYear}-08-01` < d.yearStart ? `${startYear}-08-01` : d.yearStart
  return n % 13 === 0
    ? { datum_in_dienst: inDienst, datum_uit_dienst: d.yearLast }
    : { datum_in_dienst: inDienst }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k)
  if (l === undefined) m.set(k, [v])
  else l.push(v)
}

/** Afkortingen (staff codes) for one school: 3 letters of the family name + 1 of the given name, numbered on clashes. */
function afkortingen(chunk: SchoolChunk): Map<string, string> {
  const out = new Map<string, string>()
  const used = new Set<string>()
  const ascii = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toUpperCase()
  for (const s of chunk.staff) {
    const base = `${ascii(s.familyName).slice(0, 3)}${ascii(s.givenName).slice(0, 1)}` || 'MDW'
    let code = base
    for (let n = 2; used.has(code); n++) code = `${base}${n}`
    used.add(code)
    out.set(s.id, code)
  }
  return out
}

/**
 * Hands out vestigingen of a board, generating one school chunk at a time. Reading the vestigingen in order
 * (what a client does) generates each school once; the last few schools stay at hand for a client that reads
 * several vestigingen at once; going back further restarts the generator.
 */
export class BoardCursor {
  /** Schools kept generated: a client paging up to 8 listings at once stays within them. */
  static readonly KEPT = 8
  readonly board: SimBoard
  readonly #locationSchool = new Map<string, number>()
  readonly locations: { school: SimSchool; location: SimLocation; uuid: string }[] = []
  #iterator: Iterator<SchoolChunk> | undefined
  #index = -1
  /** school index → its vestigingen, the most recently generated last. */
  readonly #kept = new Map<number, Map<string, VestigingData>>()

  constructor(board: SimBoard) {
    this.board = board
    for (const school of board.schools) {
      for (const location of school.locations) {
        const uuid = uuidFrom(location.id)
        this.#locationSchool.set(uuid, school.index)
        this.locations.push({ school, location, uuid })
      }
    }
  }

  has(vestigingUuid: string): boolean {
    return this.#locationSchool.has(vestigingUuid)
  }

  vestiging(vestigingUuid: string): VestigingData | undefined {
    const index = this.#locationSchool.get(vestigingUuid)
    if (index === undefined) return undefined
    const kept = this.#kept.get(index)
    if (kept !== undefined) return kept.get(vestigingUuid)
    if (index < this.#index || this.#iterator === undefined) {
      this.#iterator = this.board.chunks()[Symbol.iterator]()
      this.#index = -1
    }
    while (this.#index < index) {
      const next = this.#iterator.next()
      if (next.done === true) return undefined
      this.#index++
      const chunk = next.value
      if (this.#index < index - BoardCursor.KEPT) continue
      const afk = afkortingen(chunk)
      this.#kept.set(
        this.#index,
        new Map(
          chunk.school.locations.map((l) => [
            uuidFrom(l.id),
            new VestigingData(chunk.school, l, chunk, afk),
          ]),
        ),
      )
      for (const old of this.#kept.keys()) {
        if (this.#kept.size <= BoardCursor.KEPT) break
        this.#kept.delete(old)
      }
    }
    return this.#kept.get(index)?.get(vestigingUuid)
  }
}
