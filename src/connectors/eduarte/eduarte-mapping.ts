/**
 * Eduarte deelnemers (with their verbintenissen) and medewerkers → persons, contracts, groups. The read side's
 * element names follow the documented ones (getDeelnemer's deelnemer, the medewerker field mapping); what is not
 * documented is marked GUESS. Every malformed value is an issue naming the record and the field.
 */
import type { Contract, Group, Membership, Person, Scalar } from '../../model/index.ts'
import { listOf, textOf } from '../../protocol/index.ts'
import { addDays, isCalendarDate } from '../../util/dates.ts'
import { IssueCollector } from '../../contract/issue-collector.ts'

export interface EduarteMappingOptions {
  readonly source: string
  /** Contact soort code that holds the school e-mail (HelloID `ContactgegevenSoort`, e.g. ES). */
  readonly emailSoort: string
  readonly medewerkerKeyPrefix: string
  /** Begeleider rol codes (e.g. SLB) that make the medewerker the deelnemer's mentor; compared ignoring case. */
  readonly mentorRollen?: readonly string[]
}

type Node = Record<string, unknown>

/** GUESS: dates are dd-mm-yyyy (as the medewerker begindatum in the public field mapping); xs:date is accepted too. */
// GUESS: dd-mm-yyyy for every Eduarte date
export function parseEduarteDate(text: string): string | undefined {
  const t = text.trim()
  const nl = /^(\d{2})-(\d{2})-(\d{4})$/.exec(t)
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*|[+-]\d{2}:\d{2}|Z)?$/.exec(t)
  const out =
    nl !== null
      ? `${nl[3]}-${nl[2]}-${nl[1]}`
      : iso !== null
        ? `${iso[1]}-${iso[2]}-${iso[3]}`
        : undefined
  if (out === undefined) return undefined
  return isCalendarDate(out) ? out : undefined
}

const str = (n: unknown): string => (textOf(n) ?? '').trim()
const child = (n: unknown, k: string): Node | undefined =>
  typeof n === 'object' && n !== null ? ((n as Node)[k] as Node | undefined) : undefined

export class EduarteMapper {
  readonly issues: IssueCollector
  readonly groups = new Map<string, Group>()
  readonly #o: EduarteMappingOptions

  constructor(options: EduarteMappingOptions) {
    this.#o = options
    this.issues = new IssueCollector(options.source, { cap: 200, valueLength: 100 })
  }

  #fail(record: string, field: string, code: string, message: string, value?: string): void {
    this.issues.error({ record, field, code, message, value })
  }

  #date(record: string, field: string, v: string, required: boolean): string | undefined {
    if (v === '') {
      if (required) this.#fail(record, field, 'missing_field', `${field} is empty`)
      return undefined
    }
    const d = parseEduarteDate(v)
    if (d === undefined) this.#fail(record, field, 'bad_date', 'not a date (dd-mm-yyyy)', v)
    return d
  }

  #school(unit: Node | undefined): { organisation: string; code?: string; name?: string } {
    const code = str(unit?.afkorting)
    const name = str(unit?.naam)
    const key = `school:${code !== '' ? code : name !== '' ? name : this.#o.source}`
    if (!this.groups.has(key))
      this.groups.set(key, {
        kind: 'group',
        key,
        type: 'school',
        name: name || code || this.#o.source,
        ...(code !== '' ? { code } : {}),
        attributes: {},
      })
    return { organisation: key, ...(code !== '' ? { code } : {}), ...(name !== '' ? { name } : {}) }
  }

  #email(n: Node, soort: string): string | undefined {
    for (const c of listOf<Node>(child(n, 'contactgegevens')?.contactgegeven)) {
      if (str(child(c, 'soort')?.code) === soort)
        return str(listOf(c.contactgegeven)[0]) || undefined
    }
    return undefined
  }

  /**
   * The person key of the verbintenis's mentor: the first begeleider whose rol code is one of `mentorRollen`
   * (the SLB'er by default), keyed as medewerkers are (prefix + medewerker id).
   */
  // GUESS: begeleiders/begeleider{medewerker{afkorting, id}, rol{code, naam}} on the verbintenis (no public
  // reference documents the read side)
  #mentor(v: Node, record: string, at: string): string | undefined {
    const rollen = new Set((this.#o.mentorRollen ?? ['SLB', 'MENTOR']).map((r) => r.toUpperCase()))
    const list = listOf<Node>(child(v, 'begeleiders')?.begeleider)
    for (const [i, b] of list.entries()) {
      if (!rollen.has(str(child(b, 'rol')?.code).toUpperCase())) continue
      // `medewerker` is a list element everywhere in the answer (getMedewerkers), so here too
      const id = str(listOf<Node>(child(b, 'medewerker'))[0]?.id)
      if (id === '') {
        this.#fail(
          record,
          `${at}.begeleiders.begeleider[${i}].medewerker.id`,
          'missing_field',
          'a mentor (begeleider) without medewerker id',
        )
        return undefined
      }
      return `${this.#o.medewerkerKeyPrefix}${id}`
    }
    return undefined
  }

  /** `where` names the element when it has no number yet ("deelnemer 3 of page 2"). */
  // GUESS: the deelnemer's elements beyond deelnemernummer, gebruikersNaam and contactgegevens (documented by
  // getDeelnemer): achternaam, eckId, geboortedatum, geslacht, roepnaam, verbintenissen, voorletters, voornamen,
  // voorvoegsel; the verbintenis's begindatum, cohort, einddatum, groep, id, leerjaar, locatie, opleiding,
  // organisatieEenheid, status
  deelnemer(n: Node, where: string): Person | undefined {
    const nummer = str(n.deelnemernummer)
    const record = nummer !== '' ? `deelnemer ${nummer}` : where
    const before = this.issues.reported
    if (!/^\d+$/.test(nummer))
      this.#fail(
        record,
        'deelnemernummer',
        nummer === '' ? 'missing_field' : 'bad_value',
        'deelnemernummer is missing or not a number',
        nummer,
      )
    const given = str(n.roepnaam) || str(n.voornamen).split(' ')[0] || ''
    const family = str(n.achternaam)
    if (given === '')
      this.#fail(record, 'roepnaam', 'missing_field', 'roepnaam and voornamen are empty')
    if (family === '') this.#fail(record, 'achternaam', 'missing_field', 'achternaam is empty')
    const birthDate = this.#date(record, 'geboortedatum', str(n.geboortedatum), false)
    const contracts: Contract[] = []
    const memberships: Membership[] = []
    listOf<Node>(child(n, 'verbintenissen')?.verbintenis).forEach((v, i) => {
      const at = `verbintenissen.verbintenis[${i}]`
      const id = str(v.id)
      if (id === '') this.#fail(record, `${at}.id`, 'missing_field', 'verbintenis without id')
      const start = this.#date(record, `${at}.begindatum`, str(v.begindatum), true)
      const last = this.#date(record, `${at}.einddatum`, str(v.einddatum), false)
      const leerjaar = str(v.leerjaar)
      const grade = leerjaar === '' ? undefined : Number(leerjaar)
      if (grade !== undefined && !(Number.isInteger(grade) && grade >= 0 && grade <= 8))
        this.#fail(
          record,
          `${at}.leerjaar`,
          'bad_value',
          'leerjaar is not a whole number',
          leerjaar,
        )
      const school = this.#school(child(v, 'organisatieEenheid'))
      const opleiding = child(v, 'opleiding')
      const groep = str(v.groep)
      const attributes: Record<string, Scalar> = {}
      for (const [k, val] of [
        ['opleidingCode', str(opleiding?.code)],
        ['cohort', str(v.cohort)],
        ['status', str(v.status)],
        ['locationCode', str(child(v, 'locatie')?.afkorting)],
      ] as const) {
        if (val !== '') attributes[k] = val
      }
      const mentor = this.#mentor(v, record, at)
      const contract: Contract = {
        kind: 'enrolment',
        id: `verbintenis:${id}`,
        source: this.#o.source,
        role: 'student',
        organisation: school.organisation,
        ...(school.code !== undefined ? { organisationCode: school.code } : {}),
        ...(school.name !== undefined ? { organisationName: school.name } : {}),
        ...(start !== undefined ? { start } : {}),
        // GUESS: einddatum is the last day (inclusive); contracts end exclusive
        ...(last !== undefined ? { end: addDays(last, 1) } : {}),
        ...(str(child(v, 'locatie')?.naam) !== ''
          ? { location: str(child(v, 'locatie')?.naam) }
          : {}),
        ...(grade !== undefined && Number.isInteger(grade) ? { grade } : {}),
        ...(str(opleiding?.naam) !== '' ? { programme: str(opleiding?.naam) } : {}),
        ...(groep !== '' ? { classGroup: groep } : {}),
        ...(mentor !== undefined ? { manager: mentor } : {}),
        attributes,
      }
      contracts.push(contract)
      if (groep !== '') {
        const key = `${this.#o.source}:groep:${school.code ?? ''}:${groep}`
        if (!this.groups.has(key))
          this.groups.set(key, {
            kind: 'group',
            key,
            type: 'class',
            name: groep,
            code: groep,
            parent: school.organisation,
            attributes: {},
          })
        memberships.push({
          group: key,
          role: 'student',
          ...(contract.start !== undefined ? { start: contract.start } : {}),
          ...(contract.end !== undefined ? { end: contract.end } : {}),
        })
      }
    })
    if (this.issues.reported > before) return undefined
    const attributes: Record<string, Scalar> = { pupilNumber: nummer }
    if (str(n.eckId) !== '') attributes.eckId = str(n.eckId)
    if (str(n.geslacht) !== '') attributes.gender = str(n.geslacht)
    const email = this.#email(n, this.#o.emailSoort)
    const username = str(n.gebruikersNaam)
    return {
      kind: 'person',
      key: nummer,
      sourceIds: { [this.#o.source]: nummer },
      givenName: given,
      familyName: family,
      ...(str(n.voorvoegsel) !== '' ? { familyNamePrefix: str(n.voorvoegsel) } : {}),
      ...(str(n.voorletters) !== '' ? { initials: str(n.voorletters) } : {}),
      ...(email !== undefined ? { email } : {}),
      ...(username !== '' ? { username } : {}),
      ...(birthDate !== undefined ? { birthDate } : {}),
      attributes,
      contracts,
      memberships,
    }
  }

  medewerker(n: Node, where: string): Person | undefined {
    const id = str(n.id)
    const afkorting = str(n.afkorting)
    const record = id !== '' ? `medewerker ${id}` : where
    const before = this.issues.reported
    if (id === '') this.#fail(record, 'id', 'missing_field', 'medewerker without id')
    if (afkorting === '') this.#fail(record, 'afkorting', 'missing_field', 'afkorting is empty')
    const given = str(n.roepnaam) || str(n.voornamen).split(' ')[0] || ''
    const family = str(n.achternaam)
    if (given === '')
      this.#fail(record, 'roepnaam', 'missing_field', 'roepnaam and voornamen are empty')
    if (family === '') this.#fail(record, 'achternaam', 'missing_field', 'achternaam is empty')
    const actief = str(n.actief)
    if (actief !== '' && actief !== 'true' && actief !== 'false')
      this.#fail(record, 'actief', 'bad_value', 'actief is not true or false', actief)
    const start = this.#date(record, 'begindatum', str(n.begindatum), false)
    const last = this.#date(record, 'einddatum', str(n.einddatum), false)
    if (this.issues.reported > before) return undefined
    const school = this.#school(child(n, 'defaultOrganisatieEenheid'))
    const functie = child(n, 'functie')
    const code = str(functie?.code)
    const key = `${this.#o.medewerkerKeyPrefix}${id}`
    const attributes: Record<string, Scalar> = { employeeNumber: afkorting, medewerkerId: id }
    if (str(n.geslacht) !== '') attributes.gender = str(n.geslacht)
    const contract: Contract = {
      kind: 'employment',
      id: `medewerker:${id}`,
      source: this.#o.source,
      // GUESS: functie code DOC (Docent) marks teachers; every other functie is staff
      role: code === 'DOC' || /docent/i.test(str(functie?.naam)) ? 'teacher' : 'staff',
      organisation: school.organisation,
      ...(school.code !== undefined ? { organisationCode: school.code } : {}),
      ...(school.name !== undefined ? { organisationName: school.name } : {}),
      ...(start !== undefined ? { start } : {}),
      // an inactive medewerker ends at once when no einddatum says otherwise
      ...(last !== undefined
        ? { end: addDays(last, 1) }
        : actief === 'false'
          ? { end: start ?? '1970-01-01' }
          : {}),
      ...(str(functie?.naam) !== '' ? { title: str(functie?.naam) } : {}),
      attributes: code !== '' ? { functieCode: code } : {},
    }
    const email = this.#email(n, 'E') ?? this.#email(n, this.#o.emailSoort)
    // GUESS: the medewerker carries its user's name as `gebruikersnaam` once the user exists (README)
    const username = str(n.gebruikersnaam)
    return {
      kind: 'person',
      key,
      sourceIds: { [this.#o.source]: key },
      givenName: given,
      familyName: family,
      ...(str(n.voorvoegsel) !== '' ? { familyNamePrefix: str(n.voorvoegsel) } : {}),
      ...(str(n.voorletters) !== '' ? { initials: str(n.voorletters) } : {}),
      ...(email !== undefined ? { email } : {}),
      ...(username !== '' ? { username } : {}),
      attributes,
      contracts: [contract],
      memberships: [],
    }
  }
}
