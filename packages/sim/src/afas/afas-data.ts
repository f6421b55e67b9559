// The generator's staff as AFAS Profit would hold them, in the rows of the HelloID GetConnectors
// (T4E_HelloID_Users_v2, _Employments_v2, _Positions_v2, _OrganizationalUnits_v2). Field names are those the
// public HelloID-Conn-Prov-Source-AFAS-Profit scripts and mappings read; departments are invented here,
// deterministically per location (the generator has none). Pure apart from the mutable user rows that the
// simulated update connectors change.
import type { SimBoard, SimStaff } from '../generator/index.ts'
import { addDays } from '../../../../src/util/dates.ts'

/** One row as a GetConnector returns it: AFAS sends absent values as null. */
export type AfasRow = Record<string, string | number | boolean | null>

export interface AfasData {
  readonly users: AfasRow[]
  readonly employments: AfasRow[]
  readonly positions: AfasRow[]
  readonly organisationalUnits: AfasRow[]
}

/** naamgebruik code in AFAS (ViUs) as the HelloID mapping reads it: 0 B, 1 PB, 2 P, 3 BP. */
export const NAME_USAGE_CODE = { B: '0', PB: '1', P: '2', BP: '3' } as const

export const ROOT_UNIT = 'BESTUUR'

/** AFAS sends dates as date-times at midnight UTC. */
const afasDate = (date: string): string => `${date}T00:00:00Z`

function functionCode(title: string): string {
  return (
    title
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .slice(0, 8)
      .toUpperCase() || 'ONB'
  )
}

function initials(givenName: string): string {
  return givenName
    .split(/[\s-]+/)
    .filter((p) => p !== '')
    .map((p) => `${p[0]?.toUpperCase() ?? ''}.`)
    .join('')
}

/**
 * Departments per location: `<locatiecode>-OND` (teachers) and `<locatiecode>-OOP` (support staff) under the
 * location's unit `<locatiecode>`, under the board's root unit. The manager of a department is its member
 * with the lowest employee number; a location's manager is its OND manager (else its OOP manager); the root's
 * is the first location's. Every seventh employee (employee number divisible by 7) has a second position
 * (20 %, "Coördinator") in the other department of their location.
 *
 * Employments_v2 has one row per functie period of a dienstverband (the HelloID AFAS source reads a contract's
 * dates from Begindatum_functie/Einddatum_functie and sorts by ExternalID,Medewerker,Begindatum_functie): every
 * fifth employee (number ≡ 1 mod 5) changed functie a year before the school year, so their dienstverband has an
 * ended period in the other department ("Onderwijsassistent") and the current one. `Medewerkernummer_leidinggevende`
 * is the department's manager (the location's when that is the employee), except for every fourth employee, who
 * reports to the root unit's manager directly.
 */
export function buildAfasData(board: SimBoard): AfasData {
  const staff: SimStaff[] = []
  const locations: { code: string; name: string; id: string }[] = []
  for (const chunk of board.chunks()) {
    for (const l of chunk.school.locations) locations.push({ code: l.code, name: l.name, id: l.id })
    staff.push(...chunk.staff)
  }
  staff.sort((a, b) => Number(a.employeeNumber) - Number(b.employeeNumber))
  const codeOf = new Map(locations.map((l) => [l.id, l.code]))
  const dept = (s: SimStaff, other = false): string => {
    const teacher = (s.function === 'teacher') !== other
    return `${codeOf.get(s.locationId) ?? 'X'}-${teacher ? 'OND' : 'OOP'}`
  }
  const managerOf = new Map<string, string>()
  for (const s of staff) if (!managerOf.has(dept(s))) managerOf.set(dept(s), s.employeeNumber)

  const units: AfasRow[] = []
  const firstLocationManager = locations
    .map((l) => managerOf.get(`${l.code}-OND`) ?? managerOf.get(`${l.code}-OOP`))
    .find((m) => m !== undefined)
  units.push({
    ExternalId: ROOT_UNIT,
    DisplayName: board.name,
    ParentExternalId: null,
    ManagerExternalId: firstLocationManager ?? null,
  })
  const unitName = new Map<string, string>()
  for (const l of locations) {
    units.push({
      ExternalId: l.code,
      DisplayName: l.name,
      ParentExternalId: ROOT_UNIT,
      ManagerExternalId: managerOf.get(`${l.code}-OND`) ?? managerOf.get(`${l.code}-OOP`) ?? null,
    })
    for (const [suffix, label] of [
      ['OND', 'Onderwijs'],
      ['OOP', 'Ondersteuning'],
    ] as const) {
      const id = `${l.code}-${suffix}`
      unitName.set(id, `${label} ${l.name}`)
      units.push({
        ExternalId: id,
        DisplayName: `${label} ${l.name}`,
        ParentExternalId: l.code,
        ManagerExternalId: managerOf.get(id) ?? null,
      })
    }
  }

  const users: AfasRow[] = []
  const employments: AfasRow[] = []
  const positions: AfasRow[] = []
  for (const s of staff) {
    const n = Number(s.employeeNumber)
    const medewerker = s.employeeNumber
    const persoon = `P${medewerker}`
    const display = [s.givenName, s.familyNamePrefix, s.familyName]
      .filter((p) => p !== '')
      .join(' ')
    users.push({
      Medewerker: medewerker,
      Persoonsnummer: persoon,
      Gebruiker: `${board.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}.${medewerker}`,
      DisplayName: display,
      Voornaam: s.givenName,
      Roepnaam: s.givenName,
      Voorletters: initials(s.givenName),
      Voorvoegsel: s.familyNamePrefix || null,
      Geboortenaam: s.familyName,
      Voorvoegsel_partner: s.partnerNamePrefix || null,
      Geboortenaam_partner: s.partnerName || null,
      Naamgebruik_code: NAME_USAGE_CODE[s.nameConvention],
      Email_werk: s.email,
      Email_werk_gebruiker: s.email,
      UPN: null,
    })
    const start = `${2005 + (n % 18)}-08-01`
    const employment = `${medewerker}-1`
    const department = dept(s)
    const changed = n % 5 === 1
    const functieStart = changed
      ? `${Number(board.schoolYear.startDate.slice(0, 4)) - 1}-08-01`
      : start
    const locationManager = managerOf.get(dept(s, true)) ?? null
    const deptManager =
      managerOf.get(department) !== medewerker
        ? (managerOf.get(department) ?? null)
        : locationManager === medewerker
          ? null
          : locationManager
    const leidinggevende =
      n % 4 === 0 && firstLocationManager !== undefined && firstLocationManager !== medewerker
        ? firstLocationManager
        : deptManager
    const employmentRow = (
      from: string,
      to: string | null,
      unit: string,
      title: string,
    ): AfasRow => ({
      ExternalID: employment,
      Medewerker: medewerker,
      Persoonsnummer: persoon,
      Volgnummer_contract: 1,
      Begindatum_contract: afasDate(start),
      Einddatum_contract: null,
      Begindatum_functie: afasDate(from),
      Einddatum_functie: to === null ? null : afasDate(to),
      Functie_code: functionCode(title),
      Functie_omschrijving: title,
      Organisatorische_eenheid_code: unit,
      Organisatorische_eenheid_omschrijving: unitName.get(unit) ?? null,
      Medewerkernummer_leidinggevende: leidinggevende,
      Werkgever_code: board.id.slice(0, 10),
      Werkgever_omschrijving: board.name,
      Soort_medewerker_code: 'I',
      Soort_medewerker: 'Intern',
      FTE: n % 3 === 0 ? 0.8 : 1,
      Uren_per_week: n % 3 === 0 ? 32 : 40,
    })
    if (changed)
      employments.push(
        employmentRow(start, addDays(functieStart, -1), dept(s, true), 'Onderwijsassistent'),
      )
    employments.push(employmentRow(functieStart, null, department, s.title))
    positions.push({
      ExternalID: `${employment}-1`,
      EmploymentExternalID: employment,
      Medewerker: medewerker,
      Begindatum_functie: afasDate(functieStart),
      Einddatum_functie: null,
      Functie_code: functionCode(s.title),
      Functie_omschrijving: s.title,
      Organisatorische_eenheid_code: department,
      Percentage: n % 7 === 0 ? 80 : 100,
    })
    if (n % 7 === 0) {
      positions.push({
        ExternalID: `${employment}-2`,
        EmploymentExternalID: employment,
        Medewerker: medewerker,
        Begindatum_functie: afasDate(`${board.schoolYear.startDate}`),
        Einddatum_functie: afasDate(addDays(board.schoolYear.endDate, -1)),
        Functie_code: 'COORD',
        Functie_omschrijving: 'Coördinator',
        Organisatorische_eenheid_code: dept(s, true),
        Percentage: 20,
      })
    }
  }
  return { users, employments, positions, organisationalUnits: units }
}
