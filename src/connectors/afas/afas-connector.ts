/**
 * The AFAS Profit source: employees, dienstverbanden, functies and the department tree from four GetConnectors,
 * and write-back of the work e-mail (KnEmployee) and the username/UPN (KnUser). A read returns the whole
 * snapshot or `{ok:false}`: a page that still fails after its retries fails the read.
 */
import type {
  ConnectorContext,
  ReadOptions,
  SourceCapabilities,
  SourceConnector,
  SourceDefinition,
  WriteBackRequest,
} from '../../contract/index.ts'
import { ConnectorError } from '../../contract/index.ts'
import type { Issue, SourceReadResult } from '../../model/index.ts'
import { AfasClient, type AfasRow } from './afas-client.ts'
import { mapAfas } from './afas-mapping.ts'
import { afasOptions, type AfasOptions } from './afas-options.ts'

/** Write-back field names this source accepts. */
export const AFAS_WRITE_BACK_FIELDS = ['email', 'username'] as const

class AfasSource implements SourceConnector {
  readonly type = 'afas'
  readonly capabilities: SourceCapabilities = Object.freeze({
    delta: false,
    writeBack: true,
    writeBackFields: { email: 'email', username: 'username' },
    namesManagers: true,
  })
  readonly name: string
  readonly #options: AfasOptions
  readonly #context: ConnectorContext
  readonly #client: AfasClient

  constructor(name: string, options: AfasOptions, context: ConnectorContext) {
    this.name = name
    this.#options = options
    this.#context = context
    this.#client = new AfasClient(options)
  }

  async read(options: ReadOptions): Promise<SourceReadResult> {
    const o = this.#options
    const started = performance.now()
    let records = 0
    const progress = (n: number) => options.onProgress?.(records + n)
    const get = async (connector: string, orderBy: string): Promise<AfasRow[]> => {
      const rows = await this.#client.getAll(connector, orderBy, options.signal, progress)
      records += rows.length
      return rows
    }
    let units: AfasRow[], users: AfasRow[], employments: AfasRow[], positions: AfasRow[] | undefined
    try {
      // Sort keys that make every row unique, as the HelloID source's: paging over a key with ties is unstable
      // (a row on a page boundary can come twice or not at all)
      units = await get(o.organisationalUnitsConnector, 'ExternalId')
      users = await get(o.usersConnector, 'Medewerker')
      employments = await get(o.employmentsConnector, 'ExternalID,Medewerker,Begindatum_functie')
      positions =
        o.contracts === 'positions'
          ? await get(
              o.positionsConnector,
              'ExternalID,EmploymentExternalID,Medewerker,Begindatum_functie',
            )
          : undefined
    } catch (e) {
      if (!ConnectorError.isInstance(e)) throw e
      return {
        ok: false,
        issues: [
          {
            severity: 'error',
            code: `read_${e.kind}`,
            source: this.name,
            message: `reading AFAS failed: ${e.message}`,
          },
        ],
      }
    }
    const mapped = mapAfas(
      { users, employments, units, ...(positions !== undefined ? { positions } : {}) },
      {
        source: this.name,
        connectors: {
          users: o.usersConnector,
          employments: o.employmentsConnector,
          positions: o.positionsConnector,
          organisationalUnits: o.organisationalUnitsConnector,
        },
        excludeWithoutContracts: o.excludeWithoutContracts,
        manager: o.manager,
      },
    )
    if (mapped.errors.length > 0)
      return { ok: false, issues: [...mapped.errors, ...mapped.warnings] }
    this.#context.log('info', 'afas read', {
      source: this.name,
      persons: mapped.persons.length,
      groups: mapped.groups.length,
      ms: Math.round(performance.now() - started),
    })
    return {
      ok: true,
      snapshot: Object.freeze({
        kind: 'snapshot',
        source: this.name,
        mode: 'full',
        takenAt: this.#context.now().toISOString(),
        persons: Object.freeze(mapped.persons),
        groups: Object.freeze(mapped.groups),
        removed: Object.freeze([]),
        warnings: Object.freeze(mapped.warnings) as readonly Issue[],
      }),
    }
  }

  /**
   * `email` → KnEmployee (KnPerson EmAd, the work e-mail), `username` → KnUser (Upn) of the employee's AFAS user.
   * Looks the employee up first; a field that already holds the value is not sent (AFAS refuses an update to the
   * same value), so a repeated write-back is a no-op. The user is updated before the employee: a refused UPN
   * (taken) then changes nothing. A failure of the second call leaves the first one done.
   */
  async writeBack(request: WriteBackRequest, options?: { signal?: AbortSignal }): Promise<void> {
    const unknown = Object.keys(request.fields).filter(
      (f) => !(AFAS_WRITE_BACK_FIELDS as readonly string[]).includes(f),
    )
    if (unknown.length > 0)
      throw new ConnectorError(
        'unsupported',
        `AFAS write-back supports ${AFAS_WRITE_BACK_FIELDS.join(', ')}, not ${unknown.join(', ')}`,
      )
    const signal = options?.signal
    const rows = await this.#client.find(
      this.#options.usersConnector,
      'Medewerker',
      request.sourceId,
      signal,
    )
    const row = rows.find((r) => String(r.Medewerker ?? '') === request.sourceId)
    if (row === undefined)
      throw new ConnectorError(
        'not-found',
        `employee ${request.sourceId} is not in ${this.#options.usersConnector}`,
      )
    const { email, username } = request.fields
    if (username !== undefined && username !== String(row.UPN ?? '')) {
      const user = typeof row.Gebruiker === 'string' ? row.Gebruiker : ''
      if (user === '')
        throw new ConnectorError(
          'not-found',
          `employee ${request.sourceId} has no AFAS user (Gebruiker) to write the username to`,
        )
      // The HelloID users connector always sends Nm (the user's description, marked required) with MtCd 1
      const nm = typeof row.DisplayName === 'string' ? row.DisplayName : ''
      if (nm === '')
        throw new ConnectorError(
          'invalid',
          `employee ${request.sourceId}: ${this.#options.usersConnector} has no DisplayName, which KnUser needs as Nm`,
        )
      await this.#client.put(
        this.#options.userUpdateConnector,
        { KnUser: { Element: { '@UsId': user, Fields: { MtCd: 1, Nm: nm, Upn: username } } } },
        signal,
      )
    }
    if (email !== undefined && email !== String(row.Email_werk ?? '')) {
      const fields: Record<string, unknown> = { MatchPer: '0', EmAd: email }
      if (typeof row.Persoonsnummer === 'string' && row.Persoonsnummer !== '')
        fields.BcCo = row.Persoonsnummer
      await this.#client.put(
        this.#options.employeeUpdateConnector,
        {
          AfasEmployee: {
            Element: {
              '@EmId': request.sourceId,
              Objects: [{ KnPerson: { Element: { Fields: fields } } }],
            },
          },
        },
        signal,
      )
    }
  }
}

export const afasConnector: SourceDefinition<typeof afasOptions> = {
  role: 'source',
  type: 'afas',
  description:
    'AFAS Profit HR (REST GetConnectors): employees, dienstverbanden, functies, departments; write-back of e-mail and username',
  schema: afasOptions,
  create: (name, options, context) => new AfasSource(name, options, context),
}
