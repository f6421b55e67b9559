// Maps a generated (VO) board to an MBO flavour of Eduarte data: every pupil becomes a deelnemer with one
// verbintenis (the level picks an MBO opleiding, the leerjaar folds into 1–4), every staff member a medewerker
// with a functie. Plain mutable records: the simulator serves them and its write operations change them.
import type { SimBoard } from '../generator/index.ts'
import { addDays } from '../../../../src/util/dates.ts'

export interface EduarteContact {
  contactgegeven: string
  soort: { code: string; naam: string }
  geheim: boolean
}

export interface EduarteVerbintenis {
  id: string
  /** dd-mm-yyyy (GUESS, as the medewerker begindatum in the public field mapping) */
  begindatum: string
  einddatum: string
  cohort: string
  groep: string
  leerjaar: string
  locatie: { afkorting: string; naam: string }
  opleiding: { code: string; naam: string }
  organisatieEenheid: { afkorting: string; naam: string }
  status: string
  /** GUESS: the deelnemer's begeleiders on the verbintenis; the SLB'er (studieloopbaanbegeleider) is the mentor */
  begeleiders: EduarteBegeleider[]
}

export interface EduarteBegeleider {
  medewerker: { afkorting: string; id: string }
  rol: { code: string; naam: string }
}

export interface EduarteDeelnemer {
  deelnemernummer: string
  achternaam: string
  voorvoegsel: string
  roepnaam: string
  voornamen: string
  voorletters: string
  geslacht: string
  geboortedatum: string
  eckId: string
  gebruikersNaam: string
  contactgegevens: EduarteContact[]
  verbintenissen: EduarteVerbintenis[]
}

export interface EduarteMedewerker {
  id: string
  afkorting: string
  achternaam: string
  voorvoegsel: string
  roepnaam: string
  voornamen: string
  voorletters: string
  geslacht: string
  actief: boolean
  begindatum: string
  einddatum: string
  functie: { code: string; naam: string }
  defaultOrganisatieEenheid: { afkorting: string; naam: string }
  gebruikersnaam: string
  contactgegevens: EduarteContact[]
}

export interface EduarteGebruiker {
  gebruikernaam: string
  actief: boolean
  deelnemernummer?: string
  medewerkerId?: string
}

export interface EduarteData {
  deelnemers: EduarteDeelnemer[]
  medewerkers: EduarteMedewerker[]
  gebruikers: Map<string, EduarteGebruiker>
}

// MBO opleidingen (crebo + name) standing in for the VO levels of the generated board
const OPLEIDING: Record<string, { code: string; naam: string }> = {
  brugklas: { code: '25998', naam: 'Entree' },
  'vmbo-b': { code: '25655', naam: 'Verzorgende-IG' },
  'vmbo-k': { code: '25604', naam: 'Medewerker ICT support' },
  'vmbo-t': { code: '25187', naam: 'Software developer' },
  havo: { code: '25168', naam: 'Bedrijfsadministratief medewerker' },
  vwo: { code: '25180', naam: 'Expert IT systems and devices' },
}

// GUESS: dd-mm-yyyy for every date
export function eduarteDate(iso: string): string {
  return iso === '' ? '' : `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)}`
}

const sexName = (s: string) => (s === 'male' ? 'Man' : s === 'female' ? 'Vrouw' : 'Onbekend')

export interface EduarteDataOptions {
  /** Every n-th deelnemer has no user account yet (for createDeelnemerGebruiker). Default 3. */
  readonly withoutUserEvery?: number
  /** Fill `eckId` (GUESS: an element of the deelnemer). Default true. */
  readonly eckId?: boolean
}

const slb = (m: { afkorting: string; id: string } | undefined): EduarteBegeleider[] =>
  m === undefined ? [] : [{ medewerker: m, rol: { code: 'SLB', naam: 'Studieloopbaanbegeleider' } }]

export function eduarteData(board: SimBoard, options: EduarteDataOptions = {}): EduarteData {
  const every = options.withoutUserEvery ?? 3
  const data: EduarteData = { deelnemers: [], medewerkers: [], gebruikers: new Map() }
  const startYear = Number(board.schoolYear.startDate.slice(0, 4))
  let n = 0
  let staffId = 1000
  const afkortingen = new Set<string>()
  for (const chunk of board.chunks()) {
    const school = { afkorting: chunk.school.brin, naam: chunk.school.name }
    const locations = new Map(
      chunk.school.locations.map((l) => [l.id, { afkorting: l.code, naam: l.name }]),
    )
    const groups = new Map(chunk.groups.map((g) => [g.id, g]))
    const pupils = new Map(chunk.pupils.map((p) => [p.id, p]))
    // the stamgroep's mentor is the deelnemer's SLB'er
    const medewerkerOf = new Map<string, { afkorting: string; id: string }>()
    for (const s of chunk.staff) {
      const id = String(++staffId)
      const base =
        `${s.givenName.slice(0, 1)}${s.familyName.replace(/[^A-Za-z]/g, '').slice(0, 3)}`.toUpperCase()
      let afkorting = base
      for (let i = 2; afkortingen.has(afkorting); i++) afkorting = `${base}${i}`
      afkortingen.add(afkorting)
      const gebruikersnaam = s.email.split('@')[0] ?? afkorting.toLowerCase()
      data.medewerkers.push({
        id,
        afkorting,
        achternaam: s.familyName,
        voorvoegsel: s.familyNamePrefix,
        roepnaam: s.givenName,
        voornamen: s.givenName,
        voorletters: `${s.givenName.slice(0, 1)}.`,
        geslacht: sexName(s.sex),
        actief: true,
        begindatum: eduarteDate(board.schoolYear.startDate),
        einddatum: '',
        functie:
          s.function === 'teacher'
            ? { code: 'DOC', naam: 'Docent' }
            : { code: 'OOP', naam: s.title },
        defaultOrganisatieEenheid: school,
        gebruikersnaam,
        contactgegevens: [
          { contactgegeven: s.email, soort: { code: 'E', naam: 'E-mail' }, geheim: false },
        ],
      })
      data.gebruikers.set(gebruikersnaam, {
        gebruikernaam: gebruikersnaam,
        actief: true,
        medewerkerId: id,
      })
      medewerkerOf.set(s.id, { afkorting, id })
    }
    const slbOf = new Map<string, { afkorting: string; id: string }>()
    for (const e of chunk.enrolments) {
      const m = medewerkerOf.get(e.personId)
      if (e.role === 'mentor' && m !== undefined && !slbOf.has(e.groupId)) slbOf.set(e.groupId, m)
    }
    for (const e of chunk.enrolments) {
      const pupil = pupils.get(e.personId)
      const group = groups.get(e.groupId)
      if (e.role !== 'pupil' || pupil === undefined || group?.kind !== 'stamgroep') continue
      const leerjaar = ((pupil.grade - 1) % 4) + 1
      const cohort = String(startYear - (leerjaar - 1))
      const left = e.endDate !== ''
      const d: EduarteDeelnemer = {
        deelnemernummer: pupil.number,
        achternaam: pupil.familyName,
        voorvoegsel: pupil.familyNamePrefix,
        roepnaam: pupil.givenName,
        voornamen: pupil.givenName,
        voorletters: `${pupil.givenName.slice(0, 1)}.`,
        geslacht: sexName(pupil.sex),
        geboortedatum: eduarteDate(pupil.birthDate),
        eckId:
          options.eckId === false
            ? ''
            : `https://ketenid.nl/201703/${pupil.number.padStart(8, '0')}`,
        gebruikersNaam: every > 0 && n++ % every === every - 1 ? '' : pupil.number,
        contactgegevens: [],
        verbintenissen: [
          {
            id: `V${pupil.number}`,
            begindatum: eduarteDate(e.beginDate !== '' ? e.beginDate : `${cohort}-08-01`),
            // planned end of a 4-year opleiding, or the last day for a deelnemer who left
            einddatum: left
              ? eduarteDate(addDays(e.endDate, -1))
              : eduarteDate(`${Number(cohort) + 4}-07-31`),
            cohort,
            groep: group.title,
            leerjaar: String(leerjaar),
            locatie: locations.get(pupil.locationId) ?? { afkorting: '', naam: '' },
            opleiding: OPLEIDING[pupil.level] ?? { code: '00000', naam: pupil.level },
            organisatieEenheid: school,
            // GUESS: status names
            status: left ? 'Beeindigd' : 'Definitief',
            begeleiders: slb(slbOf.get(group.id)),
          },
        ],
      }
      if (d.gebruikersNaam !== '')
        data.gebruikers.set(d.gebruikersNaam, {
          gebruikernaam: d.gebruikersNaam,
          actief: !left,
          deelnemernummer: d.deelnemernummer,
        })
      data.deelnemers.push(d)
    }
  }
  return data
}
