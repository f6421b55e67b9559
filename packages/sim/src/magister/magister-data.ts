// Maps a generated board to the rows of the Magister layout `tools4ever-leerlingen-actief`: one row per pupil
// enrolment (stamgroep), in the columns the public HelloID Magister source documents. Pure data; the server
// (magister-sim.ts) turns the rows into the `;`-separated CSV.
import type { SimBoard, SimStaff } from '../generator/index.ts'
import { displayFamilyName } from '../generator/index.ts'
import { addDays } from '../../../../src/util/dates.ts'

/** The layout's columns, in the order of Tools4everBV/HelloID-Conn-Prov-Source-Magister (SQL + README). */
export const MAGISTER_COLUMNS = [
  'STAMNR',
  'INITIALS',
  'FIRSTNAME',
  'PREFIX',
  'LASTNAME',
  'EMAIL',
  'GENDER',
  'BIRTHDATE',
  'STREET',
  'HOUSENR',
  'HOUSENRSUFIX',
  'POSTALCODE',
  'CITY',
  'STUDYPERIOD',
  'CLASS',
  'PROFILECODE',
  'PROFILEDESC',
  'STUDY',
  'LOCATION',
  'STUDYYEAR',
  'PMENTORCODE',
  'PMENTORNAME',
  'CMENTORCODE',
  'CMENTORNAME',
  'ADJUNCSECTOR',
  'Aanmelddatum',
  'studiebegindatum',
  'studieeinddatum',
  'vertrekdatum',
  'sis_gebr__login_naam',
  'email',
  'gsm',
  'rfid',
] as const

export type MagisterRow = { [K in (typeof MAGISTER_COLUMNS)[number]]: string } & {
  BRIN?: string
  ECKID?: string
}

const LEVEL_CODE: Record<string, string> = {
  brugklas: 'B',
  'vmbo-b': 'VB',
  'vmbo-k': 'VK',
  'vmbo-t': 'M',
  havo: 'H',
  vwo: 'V',
}
const PROFILE_NAME: Record<string, string> = {
  NT: 'Natuur en Techniek',
  NG: 'Natuur en Gezondheid',
  EM: 'Economie en Maatschappij',
  CM: 'Cultuur en Maatschappij',
}

/** dd-mm-yyyy, GUESS: the Dutch date format Magister's CSV export uses (the HelloID scripts pass dates through). */
export function magisterDate(iso: string): string {
  if (iso === '') return ''
  return `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)}`
}

export interface MagisterDataOptions {
  /** Add an `ECKID` column (a layout extended by the school; not in the public layout). */
  readonly eckId?: boolean
  /** Add a `BRIN` column (a layout extended by the school). */
  readonly brin?: boolean
}

/** One row per pupil and stamgroep enrolment of the board's current school year. */
export function magisterRows(board: SimBoard, options: MagisterDataOptions = {}): MagisterRow[] {
  const rows: MagisterRow[] = []
  const period = board.schoolYear.title.replace('-', '/')
  for (const chunk of board.chunks()) {
    const staff = new Map<string, SimStaff>(chunk.staff.map((s) => [s.id, s]))
    const groups = new Map(chunk.groups.map((g) => [g.id, g]))
    const locations = new Map(chunk.school.locations.map((l) => [l.id, l]))
    const mentorOf = new Map<string, SimStaff>()
    for (const e of chunk.enrolments) {
      const s = staff.get(e.personId)
      if (e.role === 'mentor' && s !== undefined && !mentorOf.has(e.groupId))
        mentorOf.set(e.groupId, s)
    }
    const pupils = new Map(chunk.pupils.map((p) => [p.id, p]))
    for (const e of chunk.enrolments) {
      if (e.role !== 'pupil') continue
      const group = groups.get(e.groupId)
      const pupil = pupils.get(e.personId)
      if (group === undefined || group.kind !== 'stamgroep' || pupil === undefined) continue
      const mentor = mentorOf.get(group.id)
      const begin = e.beginDate !== '' ? e.beginDate : board.schoolYear.startDate
      const row: MagisterRow = {
        STAMNR: pupil.number,
        INITIALS: `${pupil.givenName.slice(0, 1)}.`,
        FIRSTNAME: pupil.givenName,
        PREFIX: pupil.familyNamePrefix,
        LASTNAME: pupil.familyName,
        EMAIL: '',
        GENDER: pupil.sex === 'male' ? 'M' : pupil.sex === 'female' ? 'V' : 'O',
        BIRTHDATE: magisterDate(pupil.birthDate),
        STREET: '',
        HOUSENR: '',
        HOUSENRSUFIX: '',
        POSTALCODE: '',
        CITY: locations.get(pupil.locationId)?.city ?? '',
        STUDYPERIOD: period,
        CLASS: group.title,
        PROFILECODE: pupil.profile,
        PROFILEDESC: PROFILE_NAME[pupil.profile] ?? pupil.profile,
        STUDY: `${LEVEL_CODE[pupil.level] ?? ''}${pupil.grade}`,
        LOCATION: locations.get(pupil.locationId)?.name ?? '',
        STUDYYEAR: String(pupil.grade),
        PMENTORCODE: mentor?.employeeNumber ?? '',
        PMENTORNAME: mentor !== undefined ? `${mentor.givenName} ${displayFamilyName(mentor)}` : '',
        CMENTORCODE: '',
        CMENTORNAME: '',
        ADJUNCSECTOR: '',
        Aanmelddatum: magisterDate(board.schoolYear.startDate),
        studiebegindatum: magisterDate(begin),
        // Magister's end dates are the last day (inclusive); the generator's are exclusive
        studieeinddatum: magisterDate(addDays(board.schoolYear.endDate, -1)),
        vertrekdatum: e.endDate !== '' ? magisterDate(addDays(e.endDate, -1)) : '',
        sis_gebr__login_naam: `${pupil.number}`,
        email: '',
        gsm: '',
        rfid: '',
      }
      if (options.brin === true) row.BRIN = chunk.school.brin
      // GUESS: a school that exports the ECK iD adds it as a column; its value here is a stable fake
      if (options.eckId === true)
        row.ECKID = `https://ketenid.nl/201703/${pupil.number.padStart(8, '0')}`
      rows.push(row)
    }
  }
  return rows
}
