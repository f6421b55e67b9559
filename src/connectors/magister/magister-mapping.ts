/**
 * Magister layout CSV → persons, contracts, groups. One row per enrolment, grouped per stamnummer as the public
 * HelloID Magister source does; rows without STUDYPERIOD are skipped with a warning; every malformed value is
 * an issue naming the row's line, the stamnummer and the column.
 */
import { parse } from 'csv-parse/sync'
import type { Contract, Group, Issue, Membership, Person, Scalar } from '../../model/index.ts'
import { messageOf } from '../../util/message-of.ts'
import { addDays, isCalendarDate } from '../../util/dates.ts'
import { IssueCollector, type IssueInput } from '../../contract/issue-collector.ts'

export interface MagisterMappingOptions {
  readonly source: string
  /** BRIN of the school when the layout has no BRIN column. */
  readonly brin?: string
  readonly schoolName?: string
  readonly file: string
  /** Candidate column names, the first the export has wins (see the connector's `columns` option). */
  readonly columns?: {
    readonly login: readonly string[]
    readonly email: readonly string[]
    readonly mobile: readonly string[]
  }
}

const DEFAULT_COLUMNS = {
  login: ['Loginaccount.Naam', 'sis_gebr__login_naam'],
  email: ['EMAIL'],
  mobile: ['Mobiel_nr', 'gsm'],
}

/** The date forms accepted: no public source settles Magister's, so the plausible ones are. */
const DATE_FORMS = 'dd-mm-yyyy, yyyy-mm-dd or dd/mm/yyyy'

export interface MappedMagister {
  readonly persons: Person[]
  readonly groups: Group[]
  readonly warnings: Issue[]
  readonly errors: Issue[]
  /** stamnummer → login name, for UpdateGebruiker (which wants the current login name). */
  readonly logins: Map<string, string>
}

/** Columns the mapping needs; the others of the layout are optional. */
export const REQUIRED_COLUMNS = [
  'STAMNR',
  'FIRSTNAME',
  'LASTNAME',
  'STUDYPERIOD',
  'studiebegindatum',
  'studieeinddatum',
] as const

const MAX_ERRORS = 200

/**
 * A Magister date: dd-mm-yyyy, dd/mm/yyyy (day and month may have one digit, a time may follow) or yyyy-mm-dd.
 * Returns undefined for text that is not a calendar date in one of these forms.
 */
// GUESS: which form Magister's CSV uses is not settled by the public scripts (they pass dates through)
export function parseMagisterDate(text: string): string | undefined {
  const t = text.trim()
  let y: string, m: string, d: string
  const nl = /^(\d{1,2})([-/])(\d{1,2})\2(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(t)
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$/.exec(t)
  if (nl !== null) [, d, , m, y] = nl as unknown as [string, string, string, string, string]
  else if (iso !== null) [, y, m, d] = iso as unknown as [string, string, string, string]
  else return undefined
  const out = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`
  return isCalendarDate(out) ? out : undefined
}

/** `2026/2027` (or `2026-2027`) → `2026-2027`; undefined when it is not a school year. */
function schoolYearOf(period: string): string | undefined {
  const m = /^(\d{4})\s*[/-]\s*(\d{4})$/.exec(period.trim())
  return m !== null && Number(m[2]) === Number(m[1]) + 1 ? `${m[1]}-${m[2]}` : undefined
}

export function mapMagisterCsv(text: string, options: MagisterMappingOptions): MappedMagister {
  const issues = new IssueCollector(options.source, { cap: MAX_ERRORS, file: options.file })
  const mapped = mapRows(text, options, issues)
  return { ...mapped, errors: [...issues.errors()], warnings: [...issues.warnings()] }
}

function mapRows(
  text: string,
  options: MagisterMappingOptions,
  issues: IssueCollector,
): Omit<MappedMagister, 'errors' | 'warnings'> {
  const logins = new Map<string, string>()
  const fail = (issue: IssueInput) => issues.error(issue)
  const out = { persons: [] as Person[], groups: [] as Group[], logins }

  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      delimiter: ';',
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
    }) as unknown as typeof records
  } catch (e) {
    fail({
      code: 'bad_csv',
      message: `the export is not readable as ;-separated CSV: ${messageOf(e)}`,
    })
    return out
  }
  const header = records[0]?.record
  if (header === undefined || records.length < 2) {
    fail({
      code: 'empty_export',
      message:
        'Magister returned an empty export (no rows): refusing it rather than treating every pupil as gone',
    })
    return out
  }
  // Columns are matched by exact name first (EMAIL is the pupil's, `email` the parent's), then ignoring case.
  const exact = new Map(header.map((h, i) => [h.trim(), i]))
  const loose = new Map(header.map((h, i) => [h.trim().toLowerCase(), i]))
  const col = (name: string): number | undefined =>
    exact.get(name) ?? (name === 'email' ? undefined : loose.get(name.toLowerCase()))
  for (const c of REQUIRED_COLUMNS) {
    if (col(c) === undefined)
      fail({ code: 'missing_column', line: 1, field: c, message: `the layout has no column ${c}` })
  }
  if (issues.errorCount > 0) return out
  const columns = options.columns ?? DEFAULT_COLUMNS
  const firstPresent = (names: readonly string[]): string | undefined =>
    names.find((n) => col(n) !== undefined)
  const loginColumn = firstPresent(columns.login)
  const emailColumn = firstPresent(columns.email)
  const mobileColumn = firstPresent(columns.mobile)

  const rowsBy = new Map<string, { line: number; get: (c: string) => string }[]>()
  let dataRows = 0
  for (const { record, info } of records.slice(1)) {
    const get = (c: string): string => {
      const i = col(c)
      return i === undefined ? '' : (record[i] ?? '').trim()
    }
    const line = info.lines
    const stamnr = get('STAMNR')
    // The HelloID persons script drops every row whose Stamnr ends in "Stamnr" (PowerShell -like, so ignoring
    // case): the export repeats header lines, possibly with a qualified name. GUESS: why and how often
    if (/stamnr$/i.test(stamnr)) continue
    dataRows++
    if (!/^\d+$/.test(stamnr)) {
      fail({
        code: stamnr === '' ? 'missing_field' : 'bad_value',
        line,
        field: 'STAMNR',
        value: stamnr,
        message: stamnr === '' ? 'row without a stamnummer' : 'stamnummer is not a number',
      })
      continue
    }
    let list = rowsBy.get(stamnr)
    if (list === undefined) rowsBy.set(stamnr, (list = []))
    list.push({ line, get })
  }
  if (dataRows === 0) {
    fail({
      code: 'empty_export',
      message:
        'Magister returned an export with a header but no rows: refusing it rather than treating every pupil as gone',
    })
    return out
  }

  const groups = new Map<string, Group>()
  for (const [stamnr, rows] of rowsBy) {
    const first = rows[0] as (typeof rows)[number]
    const record = stamnr
    const given = first.get('FIRSTNAME')
    const family = first.get('LASTNAME')
    if (given === '')
      fail({
        code: 'missing_field',
        line: first.line,
        record,
        field: 'FIRSTNAME',
        message: 'first name is empty',
      })
    if (family === '')
      fail({
        code: 'missing_field',
        line: first.line,
        record,
        field: 'LASTNAME',
        message: 'last name is empty',
      })
    const birth = first.get('BIRTHDATE')
    const birthDate = birth === '' ? undefined : parseMagisterDate(birth)
    if (birth !== '' && birthDate === undefined)
      fail({
        code: 'bad_date',
        line: first.line,
        record,
        field: 'BIRTHDATE',
        value: birth,
        message: `not a date (${DATE_FORMS})`,
      })
    const contracts: Contract[] = []
    const memberships: Membership[] = []
    const seen = new Set<string>()
    for (const row of rows) {
      const period = row.get('STUDYPERIOD')
      if (period === '') {
        issues.warn({
          code: 'no_study_period',
          line: row.line,
          record,
          field: 'STUDYPERIOD',
          message: `stamnummer ${stamnr} has a row without STUDYPERIOD; the row is skipped`,
        })
        continue
      }
      const schoolYear = schoolYearOf(period)
      if (schoolYear === undefined)
        fail({
          code: 'bad_value',
          line: row.line,
          record,
          field: 'STUDYPERIOD',
          value: period,
          message: 'not a school year like 2026/2027',
        })
      const date = (field: string, required: boolean): string | undefined => {
        const v = row.get(field)
        if (v === '') {
          if (required)
            fail({
              code: 'missing_field',
              line: row.line,
              record,
              field,
              message: `${field} is empty`,
            })
          return undefined
        }
        const d = parseMagisterDate(v)
        if (d === undefined)
          fail({
            code: 'bad_date',
            line: row.line,
            record,
            field,
            value: v,
            message: `not a date (${DATE_FORMS})`,
          })
        return d
      }
      const start = date('studiebegindatum', true)
      const last = date('studieeinddatum', false)
      const left = date('vertrekdatum', false)
      const yearText = row.get('STUDYYEAR')
      const grade = yearText === '' ? undefined : Number(yearText)
      if (grade !== undefined && !(Number.isInteger(grade) && grade >= 0 && grade <= 12)) {
        fail({
          code: 'bad_value',
          line: row.line,
          record,
          field: 'STUDYYEAR',
          value: yearText,
          message: 'leerjaar is not a whole number',
        })
      }
      // Magister's end and departure dates are the last day (GUESS: inclusive); contracts end exclusive
      const lastDay = left !== undefined && (last === undefined || left < last) ? left : last
      const classGroup = row.get('CLASS')
      const profile = row.get('PROFILECODE')
      const id = `${stamnr}_${period}_${classGroup}_${profile}_${row.get('studiebegindatum')}`
      if (seen.has(id)) continue // SELECT DISTINCT over a UNION can still yield the same enrolment twice
      seen.add(id)
      // GUESS: a school that extends the layout names the columns BRIN and ECKID
      const brin = row.get('BRIN') || options.brin
      const organisation = `school:${brin ?? options.source}`
      const mentorCode = row.get('CMENTORCODE') || row.get('PMENTORCODE')
      const mentorName =
        row.get('CMENTORCODE') !== '' ? row.get('CMENTORNAME') : row.get('PMENTORNAME')
      const attributes: Record<string, Scalar> = { studyPeriod: period }
      for (const [k, c] of [
        ['profileCode', 'PROFILECODE'],
        ['profileDescription', 'PROFILEDESC'],
        ['adjunctSector', 'ADJUNCSECTOR'],
      ] as const) {
        if (row.get(c) !== '') attributes[k] = row.get(c)
      }
      if (mentorCode !== '') attributes.mentorCode = mentorCode
      if (mentorName !== '') attributes.mentorName = mentorName
      const contract: Contract = {
        kind: 'enrolment',
        id,
        source: options.source,
        role: 'student',
        organisation,
        ...(brin !== undefined && brin !== '' ? { organisationCode: brin } : {}),
        ...(options.schoolName !== undefined ? { organisationName: options.schoolName } : {}),
        ...(start !== undefined ? { start } : {}),
        ...(lastDay !== undefined ? { end: addDays(lastDay, 1) } : {}),
        ...(row.get('LOCATION') !== '' ? { location: row.get('LOCATION') } : {}),
        ...(schoolYear !== undefined ? { schoolYear } : {}),
        ...(grade !== undefined && Number.isInteger(grade) ? { grade } : {}),
        ...(row.get('STUDY') !== '' ? { programme: row.get('STUDY') } : {}),
        ...(classGroup !== '' ? { classGroup } : {}),
        // the mentor as HelloID's Magister source maps it (Manager.ExternalId = MentorCode): the docent code,
        // so a mentor's mail is found when the staff are persons under that key
        ...(mentorCode !== '' ? { manager: mentorCode } : {}),
        attributes,
      }
      contracts.push(contract)
      if (classGroup !== '' && schoolYear !== undefined) {
        const key = `${options.source}:class:${brin ?? ''}:${schoolYear}:${classGroup}`
        if (!groups.has(key)) {
          groups.set(key, {
            kind: 'group',
            key,
            type: 'class',
            name: classGroup,
            code: classGroup,
            schoolYear,
            parent: organisation,
            attributes: {},
          })
        }
        memberships.push({
          group: key,
          role: 'student',
          ...(contract.start !== undefined ? { start: contract.start } : {}),
          ...(contract.end !== undefined ? { end: contract.end } : {}),
        })
      }
      if (!groups.has(organisation)) {
        groups.set(organisation, {
          kind: 'group',
          key: organisation,
          type: 'school',
          name: options.schoolName ?? brin ?? options.source,
          ...(brin !== undefined ? { code: brin } : {}),
          attributes: {},
        })
      }
    }
    const login = loginColumn !== undefined ? first.get(loginColumn) : ''
    if (login !== '') logins.set(stamnr, login)
    const attributes: Record<string, Scalar> = { pupilNumber: stamnr }
    const eck = first.get('ECKID')
    if (eck !== '') attributes.eckId = eck
    if (first.get('GENDER') !== '') attributes.gender = first.get('GENDER')
    const mobile = mobileColumn !== undefined ? first.get(mobileColumn) : ''
    if (mobile !== '') attributes.mobile = mobile
    const email = emailColumn !== undefined ? first.get(emailColumn) : ''
    out.persons.push({
      kind: 'person',
      key: stamnr,
      sourceIds: { [options.source]: stamnr },
      givenName: given,
      familyName: family,
      ...(first.get('PREFIX') !== '' ? { familyNamePrefix: first.get('PREFIX') } : {}),
      ...(first.get('INITIALS') !== '' ? { initials: first.get('INITIALS') } : {}),
      ...(email !== '' ? { email } : {}),
      ...(login !== '' ? { username: login } : {}),
      ...(birthDate !== undefined ? { birthDate } : {}),
      nameConvention: 'B',
      attributes,
      contracts,
      memberships,
    })
  }
  out.groups.push(...groups.values())
  return out
}
