// Somtoday records (leerling, medewerker, ouderVerzorger) → Koppel persons, contracts, memberships and groups.
// Shapes as the vendor's OpenAPI description 14.10.0 defines them (components.schemas Leerling, Medewerker,
// OuderVerzorger, Lesgroep; see docs/connectors/somtoday.md for where it is published).
// Every record is checked first; a problem becomes an issue naming the record (uuid, leerlingnummer) and the
// field by its Somtoday path (`plaatsingen[0].startdatum`). Persons seen in several vestigingen are merged.
import type { Contract, Group, Membership, Person, Scalar } from '../../model/index.ts'
import type { IssueCollector } from '../../contract/issue-collector.ts'
import { addDays, isIsoDate } from '../../util/dates.ts'
import type { Json, Vestiging } from './somtoday-api.ts'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v : undefined

/**
 * The employee number in a medewerkernummer. The spec says it always starts with "Medewerker" (example
 * "Medewerker 51326"); what follows is the number the school's HR system knows, so that is what Koppel
 * matches and writes. A value without the prefix is taken whole.
 */
export function employeeNumberOf(medewerkernummer: string): string {
  const m = /^Medewerker\s+(\S.*)$/i.exec(medewerkernummer.trim())
  return m?.[1] ?? medewerkernummer.trim()
}

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

interface Builder {
  person: Mutable<Person>
  contracts: Contract[]
  memberships: Membership[]
}

type Names = Mutable<
  Pick<
    Person,
    | 'givenName'
    | 'familyName'
    | 'preferredGivenName'
    | 'initials'
    | 'familyNamePrefix'
    | 'email'
    | 'username'
    | 'birthDate'
  >
>

const membershipKey = (m: Membership) => `${m.group}\u0000${m.role}\u0000${m.start ?? ''}`

/** Checks one record's fields and collects issues; `ok` is false when the record cannot be mapped. */
class Checker {
  ok = true
  readonly #issues: IssueCollector
  readonly #record: string
  /** Dates already found valid in this read: the same few hundred dates recur in every pupil. */
  readonly #validDays: Set<string> | undefined
  constructor(issues: IssueCollector, record: string, validDays?: Set<string>) {
    this.#issues = issues
    this.#record = record
    this.#validDays = validDays
  }
  fail(code: string, field: string, message: string, value?: unknown): undefined {
    this.ok = false
    this.#issues.error({ code, message, record: this.#record, field, value })
    return undefined
  }
  required(o: Json, field: string, path = field): string | undefined {
    const v = o[field]
    if (typeof v === 'string' && v.trim() !== '') return v
    return v === undefined || v === null || v === ''
      ? this.fail('missing_field', path, `${path} is missing`)
      : this.fail('bad_type', path, `${path} must be text`, v)
  }
  optional(o: Json, field: string, path = field): string | undefined {
    const v = o[field]
    if (v === undefined || v === null) return undefined
    if (typeof v === 'string') return v === '' ? undefined : v
    return this.fail('bad_type', path, `${path} must be text`, v)
  }
  /** Text, or a number taken as text: for codes the spec types as string but shows as a number (vakcode 191). */
  code(o: Json, field: string, path = field): string | undefined {
    const v = o[field]
    if (typeof v === 'number' && Number.isFinite(v)) return String(v)
    return this.optional(o, field, path)
  }
  /** A list of uuids (text), as `leerlingen_van_vestiging`. */
  uuids(o: Json, field: string, path = field): string[] {
    const v = o[field]
    if (v === undefined || v === null) return []
    if (!Array.isArray(v)) {
      this.fail('bad_type', path, `${path} must be a list`, v)
      return []
    }
    const out: string[] = []
    v.forEach((x, i) =>
      typeof x === 'string' && x !== ''
        ? out.push(x)
        : this.fail('bad_type', `${path}[${i}]`, `${path}[${i}] must be a uuid`, x),
    )
    return out
  }
  date(o: Json, field: string, path = field, required = false): string | undefined {
    const v = o[field]
    if (v === undefined || v === null)
      return required ? this.fail('missing_field', path, `${path} is missing`) : undefined
    if (typeof v === 'string') {
      if (this.#validDays?.has(v) === true) return v
      if (isIsoDate(v)) {
        this.#validDays?.add(v)
        return v
      }
    }
    return this.fail('bad_date', path, `${path} must be a date YYYY-MM-DD`, v)
  }
  int(o: Json, field: string, path = field): number | undefined {
    const v = o[field]
    if (v === undefined || v === null) return undefined
    if (typeof v === 'number' && Number.isInteger(v)) return v
    if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v)
    return this.fail('bad_number', path, `${path} must be a whole number`, v)
  }
  list(o: Json, field: string, path = field): Json[] {
    const v = o[field]
    if (v === undefined || v === null) return []
    if (!Array.isArray(v)) {
      this.fail('bad_type', path, `${path} must be a list`, v)
      return []
    }
    const out: Json[] = []
    v.forEach((x, i) =>
      isObj(x)
        ? out.push(x)
        : this.fail('bad_type', `${path}[${i}]`, `${path}[${i}] must be an object`, x),
    )
    return out
  }
}

function dedupe<T>(list: readonly T[], key: (x: T) => string): T[] {
  if (list.length < 2) return [...list]
  return dedupeBy(list, key)
}

/** Memberships without duplicates; a pupil's lists rarely have any, and then no key text is built. */
function dedupeMemberships(list: readonly Membership[]): Membership[] {
  const groups = new Set<string>()
  for (const m of list) {
    if (groups.has(m.group)) return dedupeBy(list, membershipKey)
    groups.add(m.group)
  }
  return [...list]
}

function dedupeBy<T>(list: readonly T[], key: (x: T) => string): T[] {
  const seen = new Set<string>()
  return list.filter((x) => {
    const k = key(x)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

const endExclusive = (last: string | undefined) =>
  last === undefined ? undefined : addDays(last, 1)

export class SomtodayMapper {
  readonly #source: string
  readonly #issues: IssueCollector
  readonly #vakkeuzes: boolean
  readonly #persons = new Map<string, Builder>()
  readonly #groups = new Map<string, Mutable<Group>>()
  /** medewerker uuid → stamgroep keys they mentor (from the pupils' plaatsingen). */
  readonly #mentors = new Map<string, Set<string>>()
  /**
   * One string per date, and the day after each last day: two million memberships at 100,000 pupils would
   * otherwise each hold their own copies (JSON.parse and addDays make a new string every time).
   */
  readonly #days = new Map<string, string>()
  readonly #dayAfter = new Map<string, string>()
  readonly #validDays = new Set<string>()
  records = 0

  constructor(source: string, issues: IssueCollector, options: { vakkeuzes: boolean }) {
    this.#source = source
    this.#issues = issues
    this.#vakkeuzes = options.vakkeuzes
  }

  #day(d: string): string
  #day(d: string | undefined): string | undefined
  #day(d: string | undefined): string | undefined {
    if (d === undefined) return undefined
    const kept = this.#days.get(d)
    if (kept !== undefined) return kept
    this.#days.set(d, d)
    return d
  }

  /** The exclusive end after an inclusive last day, shared as #day shares dates. */
  #endAfter(last: string | undefined): string | undefined {
    if (last === undefined) return undefined
    let end = this.#dayAfter.get(last)
    if (end === undefined) this.#dayAfter.set(last, (end = this.#day(endExclusive(last) as string)))
    return end
  }

  #group(key: string, make: () => Mutable<Group>): Mutable<Group> {
    let g = this.#groups.get(key)
    if (g === undefined) this.#groups.set(key, (g = make()))
    return g
  }

  vestigingGroup(v: Vestiging): string {
    const key = `vestiging/${v.uuid}`
    this.#group(key, () => {
      const g: Mutable<Group> = {
        kind: 'group',
        key,
        type: 'location',
        name: v.naam,
        attributes: { somtodayUuid: v.uuid },
      }
      const code = v.brins[0] ?? v.afkorting
      if (code !== undefined) g.code = code
      return g
    })
    return key
  }

  /** A lesgroep as /lesgroep lists it: fills the group's code (vak) and school year. */
  lesgroep(v: Vestiging, r: unknown): void {
    if (!isObj(r) || typeof r.uuid !== 'string' || typeof r.naam !== 'string') return
    const g = this.#lesgroepGroup(v, r.uuid, r.naam)
    if (typeof r.vak === 'string' && r.vak !== '') g.code = r.vak
    if (typeof r.schooljaar === 'string') g.schoolYear = r.schooljaar.replace('/', '-')
    if (typeof r.vaknaam === 'string') g.attributes = { ...g.attributes, vaknaam: r.vaknaam }
    const landelijk =
      typeof r.landelijke_vakcode === 'number'
        ? String(r.landelijke_vakcode)
        : str(r.landelijke_vakcode)
    if (landelijk !== undefined) g.attributes = { ...g.attributes, landelijkeVakcode: landelijk }
  }

  #lesgroepGroup(v: Vestiging, uuid: string, naam: string): Mutable<Group> {
    const key = `lesgroep/${uuid}`
    return this.#group(key, () => ({
      kind: 'group',
      key,
      type: 'teaching-group',
      name: naam,
      parent: this.vestigingGroup(v),
      attributes: { somtodayUuid: uuid },
    }))
  }

  /**
   * Adds a record's contracts and memberships to the person, creating it on first sight. A person met again
   * (another vestiging) is merged without duplicates; the first sighting keeps its lists as they are, so
   * 100,000 pupils carry no dedup sets.
   */
  #put(
    uuid: string,
    base: () => Mutable<Person>,
    contracts: readonly Contract[],
    memberships: readonly Membership[],
  ): void {
    const b = this.#persons.get(uuid)
    if (b === undefined) {
      this.#persons.set(uuid, {
        person: base(),
        contracts: dedupe(contracts, (c) => c.id),
        memberships: dedupeMemberships(memberships),
      })
      return
    }
    b.contracts = dedupe([...b.contracts, ...contracts], (c) => c.id) // the same plaatsing twice (HelloID saw this across school years)
    b.memberships = dedupe([...b.memberships, ...memberships], membershipKey)
  }

  #names(c: Checker, r: Json): Names | undefined {
    const roepnaam = c.optional(r, 'roepnaam')
    const voornamen = c.optional(r, 'voornamen')
    const achternaam = c.required(r, 'achternaam')
    const voorletters = c.optional(r, 'voorletters')
    const voorvoegsel = c.optional(r, 'voorvoegsel')
    const email = c.optional(r, 'emailadres')
    const username = c.optional(r, 'gebruikersnaam')
    const birthDate = c.date(r, 'geboortedatum')
    const givenName = roepnaam ?? voornamen?.split(/\s+/)[0]
    if (givenName === undefined)
      c.fail('missing_field', 'roepnaam', 'roepnaam and voornamen are both missing')
    if (!c.ok || achternaam === undefined || givenName === undefined) return undefined
    const n: Names = { givenName, familyName: achternaam }
    if (roepnaam !== undefined) n.preferredGivenName = roepnaam
    if (voorletters !== undefined) n.initials = voorletters
    if (voorvoegsel !== undefined) n.familyNamePrefix = voorvoegsel
    if (email !== undefined) n.email = email
    if (username !== undefined) n.username = username
    if (birthDate !== undefined) n.birthDate = birthDate
    return n
  }

  #base(uuid: string, names: object, attributes: Record<string, Scalar>): Mutable<Person> {
    return {
      kind: 'person',
      key: uuid,
      sourceIds: { [this.#source]: uuid },
      ...(names as { givenName: string; familyName: string }),
      attributes,
      contracts: [],
      memberships: [],
    }
  }

  #organisation(
    v: Vestiging,
  ): Pick<Contract, 'organisation' | 'organisationName'> & { organisationCode?: string } {
    const o: Mutable<Pick<Contract, 'organisation' | 'organisationName' | 'organisationCode'>> = {
      organisation: this.vestigingGroup(v),
      organisationName: v.naam,
    }
    const code = v.brins[0] ?? v.afkorting
    if (code !== undefined) o.organisationCode = code
    return o
  }

  leerling(v: Vestiging, r: unknown, position: number): void {
    this.records++
    if (!isObj(r))
      return this.#issues.error({
        code: 'bad_type',
        message: 'leerling must be an object',
        record: `leerling #${position} in ${v.naam}`,
      })
    const uuid = str(r.uuid)
    const nummer = r.leerlingnummer
    const record =
      uuid === undefined
        ? `leerling #${position} in ${v.naam}`
        : `leerling ${uuid}${typeof nummer === 'number' || typeof nummer === 'string' ? ` (leerlingnummer ${String(nummer)})` : ''}`
    const c = new Checker(this.#issues, record, this.#validDays)
    if (uuid === undefined) c.fail('missing_field', 'uuid', 'uuid is missing', r.uuid)
    const leerlingnummer = c.int(r, 'leerlingnummer')
    if (r.leerlingnummer === undefined || r.leerlingnummer === null)
      c.fail('missing_field', 'leerlingnummer', 'leerlingnummer is missing')
    const eckId = c.optional(r, 'eckid')
    const names = this.#names(c, r)
    const org = this.#organisation(v)
    const contracts: Contract[] = []
    const memberships: Membership[] = []
    const plaatsingen = c.list(r, 'plaatsingen')
    plaatsingen.forEach((p, i) => {
      const at = `plaatsingen[${i}]`
      const pu = c.required(p, 'uuid', `${at}.uuid`)
      const start = c.date(p, 'startdatum', `${at}.startdatum`, true)
      const last = c.date(p, 'einddatum', `${at}.einddatum`)
      const leerjaar = c.int(p, 'leerjaar', `${at}.leerjaar`)
      const schooljaar = c.optional(p, 'schooljaar', `${at}.schooljaar`)
      const opleiding = isObj(p.opleiding) ? p.opleiding : undefined
      const stamgroep = isObj(p.stamgroep) ? p.stamgroep : undefined
      const sgUuid =
        stamgroep !== undefined ? c.required(stamgroep, 'uuid', `${at}.stamgroep.uuid`) : undefined
      const sgNaam =
        stamgroep !== undefined ? c.required(stamgroep, 'naam', `${at}.stamgroep.naam`) : undefined
      const mentoren = c.list(p, 'mentoren', `${at}.mentoren`)
      if (!c.ok || pu === undefined || start === undefined) return
      const mentor =
        mentoren.find(
          (m) => m.toewijzing === 'EersteMentorStamgroep' || m.toewijzing === 'Plaatsing',
        ) ?? mentoren[0]
      const end = this.#endAfter(last)
      const contract: Mutable<Contract> = {
        kind: 'enrolment',
        id: `plaatsing/${pu}`,
        source: this.#source,
        role: 'student',
        start,
        ...org,
        attributes: {},
      }
      const attrs: Record<string, Scalar> = {}
      if (end !== undefined) contract.end = end
      if (schooljaar !== undefined) contract.schoolYear = schooljaar.replace('/', '-')
      if (leerjaar !== undefined) contract.grade = leerjaar
      if (typeof opleiding?.naam === 'string') contract.programme = opleiding.naam
      if (typeof opleiding?.afkorting === 'string') attrs.opleiding = opleiding.afkorting
      if (sgNaam !== undefined) contract.classGroup = sgNaam
      if (typeof mentor?.medewerker_uuid === 'string') contract.manager = mentor.medewerker_uuid
      contract.attributes = attrs
      contracts.push(contract)
      if (sgUuid !== undefined && sgNaam !== undefined) {
        const key = `stamgroep/${sgUuid}`
        const g = this.#group(key, () => ({
          kind: 'group',
          key,
          type: 'class',
          name: sgNaam,
          parent: org.organisation,
          attributes: { somtodayUuid: sgUuid },
        }))
        if (contract.schoolYear !== undefined) g.schoolYear = contract.schoolYear
        if (leerjaar !== undefined) g.attributes = { ...g.attributes, leerjaar }
        const m: Mutable<Membership> = {
          group: g.key,
          role: 'student',
          start: this.#day(start),
          primary: true,
        }
        if (end !== undefined) m.end = end
        memberships.push(m)
        for (const mt of mentoren) {
          if (typeof mt.medewerker_uuid !== 'string') continue
          let groups = this.#mentors.get(mt.medewerker_uuid)
          if (groups === undefined) this.#mentors.set(mt.medewerker_uuid, (groups = new Set()))
          groups.add(key)
        }
      }
    })
    c.list(r, 'lesgroepen').forEach((l, i) => {
      const lu = c.required(l, 'uuid', `lesgroepen[${i}].uuid`)
      const naam = c.required(l, 'naam', `lesgroepen[${i}].naam`)
      if (lu === undefined || naam === undefined) return
      memberships.push({ group: this.#lesgroepGroup(v, lu, naam).key, role: 'student' })
    })
    if (this.#vakkeuzes) {
      c.list(r, 'vakkeuzes').forEach((k, i) => {
        const at = `vakkeuzes[${i}]`
        const code =
          c.optional(k, 'school_vakafkorting', `${at}.school_vakafkorting`) ??
          c.code(k, 'landelijke_vakcode', `${at}.landelijke_vakcode`)
        const begin = c.date(k, 'begindatum', `${at}.begindatum`)
        const last = c.date(k, 'einddatum', `${at}.einddatum`)
        if (code === undefined)
          return void c.fail(
            'missing_field',
            `${at}.school_vakafkorting`,
            `${at} names no subject (school_vakafkorting or landelijke_vakcode)`,
          )
        const key = `vak/${v.uuid}/${code}`
        const naam = str(k.school_vaknaam) ?? str(k.landelijke_vaknaam) ?? code
        const g = this.#group(key, () => ({
          kind: 'group',
          key,
          type: 'course',
          name: naam,
          code,
          parent: org.organisation,
          attributes: {},
        }))
        // the group's own key: one string for all its members
        const m: Mutable<Membership> = { group: g.key, role: 'student' }
        if (begin !== undefined) m.start = this.#day(begin)
        const end = this.#endAfter(last)
        if (end !== undefined) m.end = end
        memberships.push(m)
      })
    }
    if (!c.ok || uuid === undefined || names === undefined || leerlingnummer === undefined) return
    const attributes: Record<string, Scalar> = {
      pupilNumber: String(leerlingnummer),
      somtodayUuid: uuid,
      somtodayType: 'leerling',
    }
    if (eckId !== undefined) attributes.eckId = eckId
    if (typeof r.isActief === 'boolean') attributes.isActief = r.isActief
    this.#put(uuid, () => this.#base(uuid, names, attributes), contracts, memberships)
  }

  medewerker(v: Vestiging, r: unknown, position: number): void {
    this.records++
    if (!isObj(r))
      return this.#issues.error({
        code: 'bad_type',
        message: 'medewerker must be an object',
        record: `medewerker #${position} in ${v.naam}`,
      })
    const uuid = str(r.uuid)
    const record =
      uuid === undefined
        ? `medewerker #${position} in ${v.naam}`
        : `medewerker ${uuid}${typeof r.afkorting === 'string' ? ` (${r.afkorting})` : ''}`
    const c = new Checker(this.#issues, record, this.#validDays)
    if (uuid === undefined) c.fail('missing_field', 'uuid', 'uuid is missing', r.uuid)
    const raw =
      typeof r.medewerkernummer === 'number'
        ? String(r.medewerkernummer)
        : c.optional(r, 'medewerkernummer')
    const nummer = raw === undefined ? undefined : employeeNumberOf(raw)
    const afkorting = c.optional(r, 'afkorting')
    const eckId = c.optional(r, 'eckid')
    const functie = c.optional(r, 'functie')
    const inDienst = c.date(r, 'datum_in_dienst')
    const uitDienst = c.date(r, 'datum_uit_dienst')
    const names = this.#names(c, r)
    const lesgroepen = c.list(r, 'lesgroepen').flatMap((l, i) => {
      const lu = c.required(l, 'uuid', `lesgroepen[${i}].uuid`)
      const naam = c.required(l, 'naam', `lesgroepen[${i}].naam`)
      return lu !== undefined && naam !== undefined ? [this.#lesgroepGroup(v, lu, naam).key] : []
    })
    if (!c.ok || uuid === undefined || names === undefined) return
    const org = this.#organisation(v)
    const contract: Mutable<Contract> = {
      kind: 'employment',
      id: `medewerker/${uuid}/${v.uuid}`,
      source: this.#source,
      role: r.is_docent === true ? 'teacher' : 'staff',
      ...org,
      attributes: afkorting !== undefined ? { afkorting } : {},
    }
    if (functie !== undefined) contract.title = functie
    if (inDienst !== undefined) contract.start = inDienst
    const end = endExclusive(uitDienst)
    if (end !== undefined) contract.end = end
    const attributes: Record<string, Scalar> = { somtodayUuid: uuid, somtodayType: 'medewerker' }
    if (nummer !== undefined) attributes.employeeNumber = nummer
    if (afkorting !== undefined) attributes.afkorting = afkorting
    if (eckId !== undefined) attributes.eckId = eckId
    this.#put(
      uuid,
      () => this.#base(uuid, names, attributes),
      [contract],
      lesgroepen.map((g) => ({ group: g, role: 'teacher' })),
    )
  }

  /**
   * An OuderVerzorger as the spec has it: no roepnaam or voornamen, only voorletters (which become both
   * givenName and initials), and the children as `leerlingen_van_vestiging` (uuids) and
   * `relatie_tot_leerlingen[].uuid`; both are read, so a field permission on either still finds them.
   */
  ouderVerzorger(v: Vestiging, r: unknown, position: number): void {
    this.records++
    if (!isObj(r))
      return this.#issues.error({
        code: 'bad_type',
        message: 'ouderVerzorger must be an object',
        record: `ouderVerzorger #${position} in ${v.naam}`,
      })
    const uuid = str(r.uuid)
    const record =
      uuid === undefined ? `ouderVerzorger #${position} in ${v.naam}` : `ouderVerzorger ${uuid}`
    const c = new Checker(this.#issues, record, this.#validDays)
    if (uuid === undefined) c.fail('missing_field', 'uuid', 'uuid is missing', r.uuid)
    const achternaam = c.required(r, 'achternaam')
    const voorletters = c.optional(r, 'voorletters')
    const voorvoegsel = c.optional(r, 'voorvoegsel')
    const email = c.optional(r, 'emailadres')
    const username = c.optional(r, 'gebruikersnaam')
    const children = new Set(c.uuids(r, 'leerlingen_van_vestiging'))
    c.list(r, 'relatie_tot_leerlingen').forEach((l, i) => {
      const child = c.optional(l, 'uuid', `relatie_tot_leerlingen[${i}].uuid`)
      if (child !== undefined) children.add(child)
    })
    if (!c.ok || uuid === undefined || achternaam === undefined) return
    if (voorletters === undefined)
      this.#issues.warn({
        code: 'missing_field',
        message: 'voorletters is missing: the guardian has no given name',
        record,
        field: 'voorletters',
      })
    const names: Names = { givenName: voorletters ?? '', familyName: achternaam }
    if (voorletters !== undefined) names.initials = voorletters
    if (voorvoegsel !== undefined) names.familyNamePrefix = voorvoegsel
    if (email !== undefined) names.email = email
    if (username !== undefined) names.username = username
    this.#put(
      uuid,
      () => this.#base(uuid, names, { somtodayUuid: uuid, somtodayType: 'ouderVerzorger' }),
      [
        {
          kind: 'enrolment',
          id: `ouderVerzorger/${uuid}/${v.uuid}`,
          source: this.#source,
          role: 'guardian',
          ...this.#organisation(v),
          attributes: {},
        },
      ],
      [],
    )
    const p = (this.#persons.get(uuid) as Builder).person
    const prev = p.attributes.children
    const all = new Set([
      ...(typeof prev === 'string' && prev !== '' ? prev.split(',') : []),
      ...children,
    ])
    p.attributes = { ...p.attributes, children: [...all].join(',') }
  }

  /** The persons and groups read; mentor memberships are added to the staff who were read. */
  finish(): { persons: Person[]; groups: Group[] } {
    for (const [staff, groups] of this.#mentors) {
      const b = this.#persons.get(staff)
      if (b === undefined) continue
      b.memberships = dedupe(
        [...b.memberships, ...[...groups].map((group): Membership => ({ group, role: 'mentor' }))],
        membershipKey,
      )
    }
    const persons: Person[] = []
    for (const b of this.#persons.values()) {
      b.person.contracts = b.contracts
      b.person.memberships = b.memberships
      persons.push(b.person)
    }
    this.#persons.clear()
    return { persons, groups: [...this.#groups.values()] }
  }
}
