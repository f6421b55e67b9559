/**
 * AFAS GetConnector rows → Koppel persons, employment contracts and the department tree as groups. Field names
 * are those of the HelloID GetConnectors (T4E_HelloID_*_v2). Pure: reports problems as issues naming the
 * GetConnector, the record and the field.
 */
import { IssueCollector } from '../../contract/issue-collector.ts'
import type { Contract, Group, Issue, NameConvention, Person, Scalar } from '../../model/index.ts'
import { addDays, isIsoDate } from '../../util/dates.ts'
import type { AfasRow } from './afas-client.ts'

export interface AfasRows {
  readonly users: readonly AfasRow[]
  readonly employments: readonly AfasRow[]
  /** Absent when contracts come from employments only. */
  readonly positions?: readonly AfasRow[]
  readonly units: readonly AfasRow[]
}

export interface AfasMappingOptions {
  readonly source: string
  readonly connectors: {
    readonly users: string
    readonly employments: string
    readonly positions: string
    readonly organisationalUnits: string
  }
  readonly excludeWithoutContracts: boolean
  /**
   * Where a contract's manager comes from: `employment` (default, as the HelloID AFAS source maps
   * Manager.ExternalId): the row's `Medewerkernummer_leidinggevende`; `department`: the first manager up the
   * department tree who is not the employee.
   */
  readonly manager?: 'employment' | 'department'
}

export interface AfasMapped {
  readonly persons: Person[]
  readonly groups: Group[]
  readonly errors: Issue[]
  readonly warnings: Issue[]
}

/** AFAS naamgebruik (Naamgebruik_code / ViUs) → NameConvention, as the HelloID mapping reads it. */
export const NAME_USAGE: Readonly<Record<string, NameConvention>> = {
  '0': 'B',
  '1': 'PB',
  '2': 'P',
  '3': 'BP',
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** A field as text: null/absent → '' (AFAS sends empty fields as null), numbers as their decimal text. */
function text(row: AfasRow, field: string): string {
  const v = row[field]
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return v.trim()
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return '\u0000' // an object or array where a value belongs: reported by the callers that require the field
}

export function mapAfas(rows: AfasRows, o: AfasMappingOptions): AfasMapped {
  // every error kept, values shortened to 100 characters: the limits this mapper had before the one collector
  const issues = new IssueCollector(o.source, { cap: Infinity, valueLength: 100 })
  const issue = (
    severity: Issue['severity'],
    code: string,
    file: string,
    record: string,
    field: string | undefined,
    message: string,
    value?: string,
  ) => issues.error({ severity, code, file, record, field, message, value })
  const date = (row: AfasRow, field: string, file: string, record: string): string | undefined => {
    const raw = text(row, field)
    if (raw === '') return undefined
    const d = raw.slice(0, 10)
    if (
      !isIsoDate(d) ||
      (raw.length > 10 &&
        !/^T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(raw.slice(10)))
    ) {
      issue(
        'error',
        'bad_date',
        file,
        record,
        field,
        `${field} ${JSON.stringify(raw.slice(0, 40))} is not a date`,
        raw,
      )
      return undefined
    }
    return d
  }

  // departments
  const units = new Map<string, AfasRow>()
  const groups: Group[] = []
  const ouFile = o.connectors.organisationalUnits
  for (const u of rows.units) {
    const id = text(u, 'ExternalId')
    if (id === '' || id === '\u0000') {
      issue(
        'error',
        'missing_key',
        ouFile,
        `row ${groups.length + 1}`,
        'ExternalId',
        'an organisational unit without ExternalId',
      )
      continue
    }
    if (units.has(id)) {
      issue(
        'error',
        'duplicate_id',
        ouFile,
        id,
        'ExternalId',
        `organisational unit ${id} appears twice`,
      )
      continue
    }
    units.set(id, u)
    const parent = text(u, 'ParentExternalId')
    const manager = text(u, 'ManagerExternalId')
    const attributes: Record<string, Scalar> = {}
    if (manager !== '') attributes.manager = manager
    groups.push(
      Object.freeze({
        kind: 'group',
        key: id,
        type: 'department',
        name: text(u, 'DisplayName') || id,
        code: id,
        ...(parent !== '' ? { parent } : {}),
        attributes: Object.freeze(attributes),
      }),
    )
  }
  for (const g of groups) {
    if (g.parent !== undefined && !units.has(g.parent))
      issue(
        'warning',
        'unknown_parent',
        ouFile,
        g.key,
        'ParentExternalId',
        `parent unit ${g.parent} is not in ${ouFile}`,
        g.parent,
      )
  }
  /** The unit chain from a unit up to the root (cycles cut). */
  const chain = (id: string): string[] => {
    const out: string[] = []
    for (
      let cur = id;
      cur !== '' && units.has(cur) && !out.includes(cur) && out.length < 50;
      cur = text(units.get(cur) as AfasRow, 'ParentExternalId')
    )
      out.push(cur)
    return out
  }
  /** The manager of a unit for someone in it: the first manager up the tree who is not that person. */
  const managerFor = (unit: string, self: string): string | undefined => {
    for (const id of chain(unit)) {
      const m = text(units.get(id) as AfasRow, 'ManagerExternalId')
      if (m !== '' && m !== self) return m
    }
    return undefined
  }
  const managerOf = new Map<string, string[]>()
  for (const [id, u] of units) {
    const m = text(u, 'ManagerExternalId')
    if (m !== '') managerOf.set(m, [...(managerOf.get(m) ?? []), id])
  }

  // positions by employment
  const positionsOf = new Map<string, AfasRow[]>()
  for (const p of rows.positions ?? []) {
    const e = text(p, 'EmploymentExternalID')
    positionsOf.set(e, [...(positionsOf.get(e) ?? []), p])
  }

  // contracts by employee
  const emFile = o.connectors.employments
  const posFile = o.connectors.positions
  const contractsOf = new Map<string, Contract[]>()
  // Each Employments_v2 row is one functie period of a dienstverband (ExternalID), so one dienstverband may have
  // several rows; the HelloID source takes a contract's dates from Begindatum_functie/Einddatum_functie.
  const periodsOf = new Map<string, AfasRow[]>()
  for (const e of rows.employments) {
    const id = text(e, 'ExternalID')
    periodsOf.set(id, [...(periodsOf.get(id) ?? []), e])
  }
  const seenPeriods = new Set<string>()
  const withPositions = new Set<string>()
  for (const e of rows.employments) {
    const id = text(e, 'ExternalID')
    const employee = text(e, 'Medewerker')
    const record = id || `Medewerker ${employee}`
    if (id === '' || id === '\u0000') {
      issue(
        'error',
        'missing_field',
        emFile,
        record,
        'ExternalID',
        'a dienstverband without ExternalID',
      )
      continue
    }
    const periods = periodsOf.get(id) ?? [e]
    const periodKey = `${id}\u0000${text(e, 'Begindatum_functie')}`
    if (seenPeriods.has(periodKey)) {
      issue(
        'error',
        'duplicate_id',
        emFile,
        id,
        'ExternalID',
        `dienstverband ${id} appears twice${periods.length > 1 ? ` with Begindatum_functie ${text(e, 'Begindatum_functie') || '(empty)'}` : ''}`,
      )
      continue
    }
    seenPeriods.add(periodKey)
    if (employee === '' || employee === '\u0000') {
      issue(
        'error',
        'missing_field',
        emFile,
        id,
        'Medewerker',
        `dienstverband ${id} names no Medewerker`,
      )
      continue
    }
    const contractStart = date(e, 'Begindatum_contract', emFile, id)
    const contractLast = date(e, 'Einddatum_contract', emFile, id)
    const functieStart = date(e, 'Begindatum_functie', emFile, id)
    const functieLast = date(e, 'Einddatum_functie', emFile, id)
    const start = functieStart ?? contractStart
    const last = functieLast ?? contractLast
    const base = {
      start,
      // AFAS end dates are the last day worked (inclusive); Koppel's windows end exclusively
      end: last !== undefined ? addDays(last, 1) : undefined,
      unit: text(e, 'Organisatorische_eenheid_code'),
      title: text(e, 'Functie_omschrijving'),
      functionCode: text(e, 'Functie_code'),
      manager: text(e, 'Medewerkernummer_leidinggevende'),
    }
    const common: Record<string, Scalar> = { employmentId: id }
    for (const [attr, field] of [
      ['employerCode', 'Werkgever_code'],
      ['employerName', 'Werkgever_omschrijving'],
      ['employeeTypeCode', 'Soort_medewerker_code'],
      ['employeeType', 'Soort_medewerker'],
      ['sequence', 'Volgnummer_contract'],
      ['fte', 'FTE'],
      ['hoursPerWeek', 'Uren_per_week'],
    ] as const) {
      const v = e[field]
      if (typeof v === 'string' ? v !== '' : typeof v === 'number')
        common[attr] = v as string | number
    }
    const list = contractsOf.get(employee) ?? []
    const positions = rows.positions === undefined ? undefined : positionsOf.get(id)
    if (positions === undefined || positions.length === 0) {
      // one contract per functie period; the id names the period only when the dienstverband has several
      const cid =
        periods.length > 1
          ? `empl_${id}/${text(e, 'Begindatum_functie') || 'functie'}`
          : `empl_${id}`
      list.push(contract(cid, employee, base, common, emFile, id, 'Organisatorische_eenheid_code'))
    } else if (!withPositions.has(id)) {
      // the positions are the functies of the dienstverband: taken once, with their own periods
      withPositions.add(id)
      for (const p of positions) {
        const pid = text(p, 'ExternalID')
        if (pid === '' || pid === '\u0000') {
          issue(
            'error',
            'missing_field',
            posFile,
            `dienstverband ${id}`,
            'ExternalID',
            `a functie of dienstverband ${id} without ExternalID`,
          )
          continue
        }
        const pStart = date(p, 'Begindatum_functie', posFile, pid)
        const pLast = date(p, 'Einddatum_functie', posFile, pid)
        const pos = {
          start: pStart ?? contractStart,
          end:
            pLast !== undefined
              ? addDays(pLast, 1)
              : contractLast !== undefined
                ? addDays(contractLast, 1)
                : undefined,
          unit: text(p, 'Organisatorische_eenheid_code') || base.unit,
          title: text(p, 'Functie_omschrijving') || base.title,
          functionCode: text(p, 'Functie_code') || base.functionCode,
          manager: text(p, 'Medewerkernummer_leidinggevende') || base.manager,
        }
        const attrs: Record<string, Scalar> = { ...common, positionId: pid }
        if (typeof p.Percentage === 'number') attrs.percentage = p.Percentage
        list.push(
          contract(
            `empl_${id}/pos_${pid}`,
            employee,
            pos,
            attrs,
            posFile,
            pid,
            'Organisatorische_eenheid_code',
          ),
        )
      }
    }
    contractsOf.set(employee, list)
  }

  function contract(
    cid: string,
    employee: string,
    c: {
      start: string | undefined
      end: string | undefined
      unit: string
      title: string
      functionCode: string
      manager: string
    },
    attrs: Record<string, Scalar>,
    file: string,
    record: string,
    unitField: string,
  ): Contract {
    if (c.unit === '')
      issue(
        'error',
        'missing_field',
        file,
        record,
        unitField,
        `${record} has no department (${unitField})`,
      )
    else if (!units.has(c.unit))
      issue(
        'warning',
        'unknown_department',
        file,
        record,
        unitField,
        `department ${c.unit} is not in ${ouFile}`,
        c.unit,
      )
    const unit = units.get(c.unit)
    const attributes: Record<string, Scalar> = { ...attrs, departments: chain(c.unit).join(',') }
    if (c.functionCode !== '') attributes.functionCode = c.functionCode
    const out: Mutable<Contract> = {
      kind: 'employment',
      id: cid,
      source: o.source,
      role: 'staff',
      organisation: c.unit,
      organisationCode: c.unit,
      attributes: Object.freeze(attributes),
    }
    const unitName = unit !== undefined ? text(unit, 'DisplayName') : ''
    if (unitName !== '') {
      out.organisationName = unitName
      out.department = unitName
    }
    if (c.title !== '') out.title = c.title
    const manager =
      o.manager === 'department'
        ? managerFor(c.unit, employee)
        : c.manager !== '' && c.manager !== employee
          ? c.manager
          : undefined
    if (manager !== undefined) out.manager = manager
    if (c.start !== undefined) out.start = c.start
    if (c.end !== undefined) out.end = c.end
    return Object.freeze(out)
  }

  // persons
  const usFile = o.connectors.users
  const persons: Person[] = []
  const keys = new Set<string>()
  let withoutContracts = 0
  for (const [i, u] of rows.users.entries()) {
    const key = text(u, 'Medewerker')
    if (key === '' || key === '\u0000') {
      issue(
        'error',
        'missing_key',
        usFile,
        `row ${i + 1}${text(u, 'Persoonsnummer') ? ` (Persoonsnummer ${text(u, 'Persoonsnummer')})` : ''}`,
        'Medewerker',
        'Medewerker (employee number) is empty, and it is the person key',
      )
      continue
    }
    if (keys.has(key)) {
      issue('error', 'duplicate_key', usFile, key, 'Medewerker', `Medewerker ${key} appears twice`)
      continue
    }
    keys.add(key)
    const family = text(u, 'Geboortenaam')
    if (family === '' || family === '\u0000') {
      issue(
        'error',
        'missing_field',
        usFile,
        key,
        'Geboortenaam',
        `employee ${key} has no Geboortenaam (birth family name)`,
      )
      continue
    }
    const given = text(u, 'Roepnaam') || text(u, 'Voornaam')
    if (given === '\u0000') {
      issue('error', 'bad_value', usFile, key, 'Roepnaam', 'Roepnaam is not a text value')
      continue
    }
    const contracts = contractsOf.get(key) ?? []
    contractsOf.delete(key)
    if (contracts.length === 0 && o.excludeWithoutContracts) {
      withoutContracts++
      continue
    }
    const attributes: Record<string, Scalar> = { employeeNumber: key }
    for (const [attr, field] of [
      ['personNumber', 'Persoonsnummer'],
      ['afasUser', 'Gebruiker'],
      ['displayName', 'DisplayName'],
      ['firstNames', 'Voornaam'],
      ['userEmail', 'Email_werk_gebruiker'],
    ] as const) {
      const v = text(u, field)
      if (v !== '' && v !== '\u0000') attributes[attr] = v
    }
    const managed = managerOf.get(key)
    if (managed !== undefined) attributes.managerOf = managed.join(',')
    const p: Mutable<Person> = {
      kind: 'person',
      key,
      sourceIds: Object.freeze({ [o.source]: key }),
      givenName: given,
      familyName: family,
      attributes: Object.freeze(attributes),
      contracts: Object.freeze(contracts),
      memberships: Object.freeze([]),
    }
    const optional: [keyof Person, string][] = [
      ['familyNamePrefix', 'Voorvoegsel'],
      ['partnerName', 'Geboortenaam_partner'],
      ['partnerNamePrefix', 'Voorvoegsel_partner'],
      ['initials', 'Voorletters'],
      ['email', 'Email_werk'],
      ['username', 'UPN'],
    ]
    for (const [k, field] of optional) {
      const v = text(u, field)
      if (v === '\u0000')
        issue('error', 'bad_value', usFile, key, field, `${field} is not a text value`)
      else if (v !== '') (p as Record<string, unknown>)[k] = v
    }
    const usage = text(u, 'Naamgebruik_code')
    if (usage !== '') {
      const convention = NAME_USAGE[usage]
      if (convention !== undefined) p.nameConvention = convention
      else
        issue(
          'error',
          'bad_enum',
          usFile,
          key,
          'Naamgebruik_code',
          `Naamgebruik_code ${JSON.stringify(usage.slice(0, 20))} is not one of 0 (B), 1 (PB), 2 (P), 3 (BP)`,
          usage,
        )
    }
    persons.push(Object.freeze(p))
  }
  if (withoutContracts > 0)
    issues.warn({
      code: 'no_contracts',
      file: usFile,
      message: `${withoutContracts} employee(s) without a dienstverband were left out (excludeWithoutContracts)`,
    })
  if (contractsOf.size > 0) {
    issues.warn({
      code: 'orphan_employments',
      file: emFile,
      message: `${contractsOf.size} employee(s) have dienstverbanden but are not in ${usFile}; those were not used`,
    })
  }
  return { persons, groups, errors: [...issues.errors()], warnings: [...issues.warnings()] }
}
