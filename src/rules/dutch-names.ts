/**
 * Dutch personal names: the family name as used under the four name-usage conventions ("naamgebruik"),
 * the full name, the name to sort on, and initials.
 *
 * Conventions (as in the BRP and the HR/school systems' codes):
 *   B  = birth name                         "van den Berg"
 *   BP = birth name - partner's name        "van den Berg-de Vries"
 *   P  = partner's name                     "de Vries"
 *   PB = partner's name - birth name        "de Vries-van den Berg"
 * No convention means B; P, BP and PB without a partner name fall back to B.
 *
 * Sorting follows Dutch (not Belgian) practice: the prefix ("tussenvoegsel") of the first family name is not
 * part of the sort key and moves after the given name: "Berg-de Vries, Jan van den". The prefix of the second
 * name in a double name stays attached to it. Prefixes keep the case the source gives them (lower case in
 * Dutch when preceded by a given name or initials); capitalising a leading prefix ("Van den Berg") is left to
 * the mapping, because it depends on where the name is shown.
 *
 * Works on any object with the Person name fields, so both model persons and their CEL views fit.
 */
import type { NameConvention } from '../model/person.ts'
import { initialsOf } from './text-functions.ts'

export interface NameParts {
  readonly givenName?: string
  readonly preferredGivenName?: string
  readonly middleName?: string
  readonly initials?: string
  readonly familyName?: string
  readonly familyNamePrefix?: string
  readonly partnerName?: string
  readonly partnerNamePrefix?: string
  readonly nameConvention?: NameConvention | string
}

interface NamePart {
  readonly prefix: string
  readonly name: string
}

const clean = (s: string | undefined): string => (s ?? '').trim().replace(/\s+/g, ' ')
const withPrefix = (p: NamePart): string => (p.prefix === '' ? p.name : `${p.prefix} ${p.name}`)

/** The name parts in the order the convention puts them; one part for B and P, two for BP and PB. */
function usedParts(person: NameParts): NamePart[] {
  const birth = { prefix: clean(person.familyNamePrefix), name: clean(person.familyName) }
  const partner = { prefix: clean(person.partnerNamePrefix), name: clean(person.partnerName) }
  if (partner.name === '') return [birth]
  switch (person.nameConvention) {
    case 'P':
      return [partner]
    case 'BP':
      return [birth, partner]
    case 'PB':
      return [partner, birth]
    case 'B':
    case undefined:
    default:
      return [birth]
  }
}

/** The family name as used, with prefixes: "van den Berg-de Vries". */
export function familyName(person: NameParts): string {
  return usedParts(person).map(withPrefix).join('-')
}

/** The given name used in daily life: the preferred one ("roepnaam") if set. */
export function givenName(person: NameParts): string {
  const preferred = clean(person.preferredGivenName)
  return preferred !== '' ? preferred : clean(person.givenName)
}

/** "Jan van den Berg-de Vries". */
export function fullName(person: NameParts): string {
  return [givenName(person), familyName(person)].filter((s) => s !== '').join(' ')
}

/** "Berg-de Vries, Jan van den": the first name's prefix goes after the given name. */
export function sortName(person: NameParts): string {
  const [first, ...rest] = usedParts(person)
  if (first === undefined) return givenName(person)
  const surname = [first.name, ...rest.map(withPrefix)].filter((s) => s !== '').join('-')
  const after = [givenName(person), first.prefix].filter((s) => s !== '').join(' ')
  return after === '' ? surname : `${surname}, ${after}`
}

/** The source's official initials if it has them, else derived from the given (and middle) names. */
export function personInitials(person: NameParts): string {
  const official = clean(person.initials)
  if (official !== '') return official
  return initialsOf([clean(person.givenName), clean(person.middleName)].join(' '))
}
