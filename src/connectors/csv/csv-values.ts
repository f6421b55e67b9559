/**
 * Parses the typed values of a plain CSV row (dates in two notations, grades, roles with Dutch synonyms, name
 * conventions). Pure; returns undefined for a value it cannot read, and the caller names line and column.
 */
import type { ContractRole, NameConvention } from '../../model/index.ts'

export type DateFormat = 'YYYY-MM-DD' | 'DD-MM-YYYY'

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/
const DUTCH = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/

/** Reads a date in the configured notation and returns it as YYYY-MM-DD; rejects 31-02-2026. */
export function parseDate(s: string, format: DateFormat): string | undefined {
  const m = (format === 'YYYY-MM-DD' ? ISO : DUTCH).exec(s.trim())
  if (m === null) return undefined
  const [y, mo, d] = format === 'YYYY-MM-DD' ? [m[1], m[2], m[3]] : [m[3], m[2], m[1]]
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate())
    return undefined
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

export function parseGrade(s: string): number | undefined {
  return /^\s*\d{1,3}\s*$/.test(s) ? Number(s) : undefined
}

/** School systems export roles in Dutch as often as in English. */
const ROLES: Readonly<Record<string, ContractRole>> = {
  student: 'student',
  leerling: 'student',
  pupil: 'student',
  teacher: 'teacher',
  docent: 'teacher',
  leraar: 'teacher',
  leerkracht: 'teacher',
  staff: 'staff',
  medewerker: 'staff',
  personeel: 'staff',
  administrator: 'administrator',
  beheerder: 'administrator',
  guardian: 'guardian',
  ouder: 'guardian',
  verzorger: 'guardian',
  other: 'other',
  overig: 'other',
}

export function parseRole(s: string): ContractRole | undefined {
  return ROLES[s.trim().toLowerCase()]
}

export const ROLE_WORDS = Object.keys(ROLES)

export function parseNameConvention(s: string): NameConvention | undefined {
  const v = s.trim().toUpperCase()
  return v === 'B' || v === 'BP' || v === 'P' || v === 'PB' ? v : undefined
}

/** "van den Berg" with prefix "van den" → "Berg"; a name already without its prefix is left alone. */
export function withoutPrefix(name: string, prefix: string): string {
  const n = name.trim()
  const p = prefix.trim()
  if (
    p !== '' &&
    n.length > p.length &&
    n.slice(0, p.length).toLowerCase() === p.toLowerCase() &&
    /\s/.test(n.charAt(p.length))
  ) {
    return n.slice(p.length).trim()
  }
  return n
}
