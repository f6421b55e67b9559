import type { Account, ActionSubject, Contract, Person } from '../model/index.ts'

// The person's own number as the source systems name it: leerlingnummer (Somtoday, Magister, Eduarte),
// personeelsnummer (AFAS, Somtoday staff, Eduarte), OneRoster's `identifier`.
const NUMBER_ATTRIBUTES = ['pupilNumber', 'employeeNumber', 'identifier'] as const

/** What a reader of the plan needs to recognise the person: number, class and school of this contract. */
export function subjectOf(person: Person, contract?: Contract): ActionSubject {
  const c = contract ?? latestContract(person.contracts)
  let number: string | undefined
  for (const a of NUMBER_ATTRIBUTES) {
    const v = person.attributes[a]
    if (v !== undefined && v !== null && v !== '') {
      number = String(v)
      break
    }
  }
  return compact({
    number,
    classGroup: c?.classGroup,
    school: c === undefined ? undefined : schoolOf(c),
  })
}

// A person gone from every source is known only by what Koppel last wrote to the account. Number and class are
// read from the attributes directories commonly hold them in; a target mapped otherwise shows the name alone.
const ACCOUNT_NUMBER_ATTRIBUTES = ['employeeNumber', 'employeeID', 'pupilNumber', 'studentNumber']
const ACCOUNT_CLASS_ATTRIBUTES = ['departmentNumber', 'department', 'classGroup']

/** The person's name as a table shows it ("Jan de Vries"). */
export function labelOf(p: Person): string {
  const family = [p.familyNamePrefix, p.familyName]
    .filter((s) => s !== undefined && s !== '')
    .join(' ')
  return `${p.preferredGivenName ?? p.givenName} ${family}`.trim()
}

/** A leaver gone from every source is labelled by the name Koppel last wrote to the account. */
export function labelOfAccount(a: Account): string {
  const cn = a.attributes['cn'] ?? a.attributes['displayName']
  return typeof cn === 'string' ? cn : a.person
}

export function subjectOfAccount(account: Account): ActionSubject {
  return compact({
    number: firstValue(account, ACCOUNT_NUMBER_ATTRIBUTES),
    classGroup: firstValue(account, ACCOUNT_CLASS_ATTRIBUTES),
  })
}

function firstValue(account: Account, names: readonly string[]): string | undefined {
  const lower = new Map(Object.entries(account.attributes).map(([k, v]) => [k.toLowerCase(), v]))
  for (const n of names) {
    const v = lower.get(n.toLowerCase())
    const s = typeof v === 'string' ? v : v?.[0]
    // the person key is often the anchor (employeeNumber: person.key); that is not a number a reader knows
    if (s !== undefined && s !== '' && s !== account.person) return s
  }
  return undefined
}

function latestContract(contracts: readonly Contract[]): Contract | undefined {
  let best: Contract | undefined
  for (const c of contracts) {
    if (c.primary === true) return c
    if (best === undefined || (best.end !== undefined && (c.end === undefined || c.end > best.end)))
      best = c
  }
  return best
}

function schoolOf(c: Contract): string {
  return c.organisationCode ?? c.organisationName ?? c.organisation
}

function compact(s: {
  number?: string | undefined
  classGroup?: string | undefined
  school?: string | undefined
}): ActionSubject {
  return {
    ...(s.number !== undefined ? { number: s.number } : {}),
    ...(s.classGroup !== undefined ? { classGroup: s.classGroup } : {}),
    ...(s.school !== undefined ? { school: s.school } : {}),
  }
}
