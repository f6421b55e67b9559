/**
 * The Somtoday ConnectAPI source: reads leerlingen (with plaatsingen, lesgroepen and vakkeuzes), medewerkers
 * and ouders/verzorgers of every vestiging the client may read, page by page, and writes usernames, e-mail
 * addresses and remote identifiers back (ConnectAPI account, or the HRMService HR card for medewerkers).
 * A read returns the whole snapshot or fails with issues; never a partial snapshot.
 */
import { ConnectorError } from '../../contract/index.ts'
import type {
  ConnectorContext,
  ReadOptions,
  SourceCapabilities,
  SourceConnector,
  SourceDefinition,
  WriteBackRequest,
} from '../../contract/index.ts'
import type { SourceReadResult } from '../../model/index.ts'
import {
  SomtodayApi,
  type AccountInput,
  type Json,
  type PersonKind,
  type Vestiging,
} from './somtoday-api.ts'
import { HrmClient } from './somtoday-hrm.ts'
import { IssueCollector } from '../../contract/issue-collector.ts'
import { SomtodayMapper } from './somtoday-mapping.ts'
import { somtodayOptions, type SomtodayOptions } from './somtoday-options.ts'
import { orderedPrefetch } from '../../protocol/index.ts'
import { schoolYearOf } from '../../rules/date-functions.ts'
import { toIsoDate } from '../../util/dates.ts'

/** Write-back field names Koppel accepts, and the AccountInput field each one fills. */
export const WRITE_BACK_FIELDS = ['username', 'email', 'remoteId'] as const

/** The lists a read pages through, per vestiging. */
type Listed = 'lesgroep' | 'leerling' | 'medewerker' | 'ouderVerzorger'

const WRAPPER: Record<PersonKind, string> = {
  leerling: 'leerlingen',
  medewerker: 'medewerkers',
  ouderVerzorger: 'ouderVerzorgers',
}

export class SomtodaySource implements SourceConnector {
  readonly type = 'somtoday'
  readonly name: string
  readonly capabilities: SourceCapabilities = Object.freeze({
    delta: false,
    writeBack: true,
    writeBackFields: { username: 'username', email: 'email', remoteId: '' },
    namesManagers: true,
  })
  readonly #options: SomtodayOptions
  readonly #context: ConnectorContext
  readonly #api: SomtodayApi
  #vestigingen: Vestiging[] | undefined
  /** uuid → where the last read met the person, so write-back need not search. */
  readonly #seen = new Map<string, { vestiging: string; kind: PersonKind }>()

  constructor(name: string, options: SomtodayOptions, context: ConnectorContext) {
    this.name = name
    this.#options = Object.freeze({ ...options })
    this.#context = context
    this.#api = new SomtodayApi(this.#options)
  }

  async #selected(signal?: AbortSignal): Promise<Vestiging[]> {
    if (this.#vestigingen !== undefined) return this.#vestigingen
    const all = await this.#api.vestigingen(signal)
    const wanted = this.#options.vestigingen
    if (wanted === undefined) return (this.#vestigingen = all)
    const matches = (v: Vestiging, w: string) =>
      v.uuid === w || v.naam === w || v.afkorting === w || v.brins.includes(w)
    const missing = wanted.filter((w) => !all.some((v) => matches(v, w)))
    if (missing.length > 0)
      throw new ConnectorError(
        'config',
        `the client may read no vestiging ${missing.map((m) => `"${m}"`).join(', ')} (it may read: ${all.map((v) => v.naam).join(', ')})`,
      )
    return (this.#vestigingen = all.filter((v) => wanted.some((w) => matches(v, w))))
  }

  async read(options: ReadOptions): Promise<SourceReadResult> {
    const issues = new IssueCollector(this.name, { cap: this.#options.maxIssues, valueLength: 100 })
    const mapper = new SomtodayMapper(this.name, issues, { vakkeuzes: this.#options.vakkeuzes })
    const signal = options.signal
    const peil = peilFor(
      this.#options.peilschooljaar,
      options.today,
      toIsoDate(this.#context.now()),
    )
    const kinds = new Set(this.#options.persons)
    const started = performance.now()
    let pages = 0
    this.#seen.clear()
    try {
      this.#vestigingen = undefined
      const vestigingen = await this.#selected(signal)
      // per vestiging, in this order (groups before the persons who are members)
      const wanted: { resource: Listed; wrapper: string; kind?: PersonKind }[] = []
      if (kinds.has('leerlingen') || kinds.has('medewerkers'))
        // every lesgroep: the spec's `stamgroep` filter would drop those linked to a stamgroep (lower grades)
        wanted.push({ resource: 'lesgroep', wrapper: 'lesgroepen' })
      if (kinds.has('leerlingen'))
        wanted.push({ resource: 'leerling', wrapper: 'leerlingen', kind: 'leerling' })
      if (kinds.has('medewerkers'))
        wanted.push({ resource: 'medewerker', wrapper: 'medewerkers', kind: 'medewerker' })
      if (kinds.has('ouders'))
        // the spec advises the pupils' peilschooljaar: a guardian is listed only while a child is
        wanted.push({
          resource: 'ouderVerzorger',
          wrapper: 'ouderVerzorgers',
          kind: 'ouderVerzorger',
        })
      const api = this.#api
      const listings = vestigingen.flatMap((v) =>
        wanted.map(
          (w) =>
            async function* (stop: AbortSignal) {
              const pages = api.pages(v.uuid, w.resource, w.wrapper, { peilschooljaar: peil }, stop)
              for await (const page of pages) yield { v, ...w, ...page }
            },
        ),
      )
      let current: Vestiging | undefined
      // pages of the next listings are fetched while one is mapped; mapped in the order above all the same,
      // so the snapshot does not depend on which answer came first
      for await (const page of orderedPrefetch(listings, this.#options.concurrency, signal)) {
        const v = page.v
        if (v !== current) mapper.vestigingGroup((current = v))
        pages++
        page.records.forEach((r, i) => {
          const position = page.offset + i
          if (page.kind === undefined) return mapper.lesgroep(v, r)
          const u = (r as Json | null)?.uuid
          if (typeof u === 'string' && !this.#seen.has(u))
            this.#seen.set(u, { vestiging: v.uuid, kind: page.kind })
          if (page.kind === 'leerling') mapper.leerling(v, r, position)
          else if (page.kind === 'medewerker') mapper.medewerker(v, r, position)
          else mapper.ouderVerzorger(v, r, position)
        })
        options.onProgress?.(mapper.records)
        if (issues.full) break
      }
    } catch (e) {
      if (!ConnectorError.isInstance(e)) throw e
      // a page that failed for good (after retries), an auth failure or a config problem: the read fails whole
      issues.error({
        code: e.kind === 'auth' ? 'auth_failed' : e.kind === 'config' ? 'config' : 'read_failed',
        message: `reading Somtoday failed: ${e.message}`,
        record: 'connect',
      })
      return { ok: false, issues: issues.all() }
    }
    if (issues.errorCount > 0) return { ok: false, issues: issues.all() }
    const { persons, groups } = mapper.finish()
    this.#context.log('info', 'somtoday read', {
      persons: persons.length,
      groups: groups.length,
      pages,
      ms: Math.round(performance.now() - started),
    })
    return {
      ok: true,
      snapshot: {
        kind: 'snapshot',
        source: this.name,
        mode: 'full',
        takenAt: this.#context.now().toISOString(),
        persons,
        groups,
        removed: [],
        warnings: issues.warnings(),
      },
    }
  }

  /** Where a person lives: from the last read, else by asking each vestiging (leerling, then medewerker). */
  async #locate(
    uuid: string,
    signal?: AbortSignal,
  ): Promise<{ vestiging: Vestiging; kind: PersonKind; record?: Json }> {
    const vestigingen = await this.#selected(signal)
    const seen = this.#seen.get(uuid)
    const known =
      seen !== undefined ? vestigingen.find((v) => v.uuid === seen.vestiging) : undefined
    if (seen !== undefined && known !== undefined) return { vestiging: known, kind: seen.kind }
    const kinds: PersonKind[] = [
      'leerling',
      'medewerker',
      ...(this.#options.persons.includes('ouders') ? (['ouderVerzorger'] as const) : []),
    ]
    for (const kind of kinds) {
      for (const v of vestigingen) {
        const record = await this.#api.person(v.uuid, kind, uuid, WRAPPER[kind], signal)
        if (record !== undefined) return { vestiging: v, kind, record }
      }
    }
    throw new ConnectorError(
      'not-found',
      `Somtoday has no leerling or medewerker ${uuid} in the vestigingen this client may read`,
    )
  }

  /**
   * Writes `username` (gebruikersnaam), `email` (emailadres) and `remoteId` (remoteidentifier.identifier, with
   * the configured providerType and domain) for the person with this uuid. Medewerkers go through HRMService
   * when `staffWriteBack: hrmservice`. Throws ConnectorError; a failed write changed nothing.
   */
  async writeBack(
    request: WriteBackRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const unknown = Object.keys(request.fields).filter(
      (f) => !(WRITE_BACK_FIELDS as readonly string[]).includes(f),
    )
    if (unknown.length > 0)
      throw new ConnectorError(
        'invalid',
        `Somtoday write-back accepts ${WRITE_BACK_FIELDS.join(', ')}; not ${unknown.join(', ')}`,
      )
    const { username, email, remoteId } = request.fields
    if (username === undefined && email === undefined && remoteId === undefined)
      throw new ConnectorError('invalid', 'Somtoday write-back got no fields to write')
    if (remoteId !== undefined && this.#options.remoteIdentifier === undefined) {
      throw new ConnectorError(
        'config',
        'write-back field remoteId needs the option remoteIdentifier (providerType, domain)',
      )
    }
    const signal = options.signal
    const where = await this.#locate(request.sourceId, signal)
    if (where.kind === 'medewerker' && this.#options.staffWriteBack === 'hrmservice') {
      if (remoteId !== undefined)
        throw new ConnectorError(
          'unsupported',
          'HRMService has no remote identifier; write remoteId with staffWriteBack: connect',
        )
      const hrm = this.#options.hrmService as NonNullable<SomtodayOptions['hrmService']>
      const medewerker =
        where.record ??
        (await this.#api.person(
          where.vestiging.uuid,
          'medewerker',
          request.sourceId,
          WRAPPER.medewerker,
          signal,
        ))
      if (medewerker === undefined)
        throw new ConnectorError(
          'not-found',
          `Somtoday has no medewerker ${request.sourceId} in ${where.vestiging.naam}`,
        )
      const brin6 = where.vestiging.brins[0]
      if (brin6 === undefined)
        throw new ConnectorError(
          'config',
          `vestiging ${where.vestiging.naam} lists no BRIN; HRMService needs one`,
        )
      const client = new HrmClient({
        url: hrm.url,
        username: hrm.username,
        password: hrm.password,
        timeoutMs: this.#options.timeoutMs,
      })
      await client.createPerson(
        {
          brin6,
          vestigingNaam: where.vestiging.naam,
          ...(where.vestiging.afkorting !== undefined
            ? { vestigingAfkorting: where.vestiging.afkorting }
            : {}),
          medewerker,
          ...(username !== undefined ? { gebruikersnaam: username } : {}),
          ...(email !== undefined ? { email } : {}),
        },
        signal,
      )
      return
    }
    await this.#api.putAccount(
      where.vestiging.uuid,
      where.kind,
      this.accountInput(request.sourceId, request.fields),
      signal,
    )
  }

  /** The AccountInput for write-back fields (checked by writeBack). */
  accountInput(uuid: string, fields: Readonly<Record<string, string>>): AccountInput {
    const r = this.#options.remoteIdentifier
    return {
      uuid,
      ...(fields.username !== undefined ? { gebruikersnaam: fields.username } : {}),
      ...(fields.email !== undefined ? { emailadres: fields.email } : {}),
      ...(fields.remoteId !== undefined && r !== undefined
        ? {
            remoteidentifier: {
              providerType: r.providerType,
              domain: r.domain,
              identifier: fields.remoteId,
            },
          }
        : {}),
    }
  }

  /**
   * The bulk form: up to 200 write-backs of one kind in one vestiging, in one PUT (on a 400 none is written).
   * The engine calls `writeBack` one person at a time for now.
   */
  async writeBackBulk(
    vestiging: string,
    kind: PersonKind,
    requests: readonly WriteBackRequest[],
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    for (const r of requests) {
      const unknown = Object.keys(r.fields).filter(
        (f) => !(WRITE_BACK_FIELDS as readonly string[]).includes(f),
      )
      if (unknown.length > 0)
        throw new ConnectorError(
          'invalid',
          `Somtoday write-back accepts ${WRITE_BACK_FIELDS.join(', ')}; not ${unknown.join(', ')}`,
        )
    }
    await this.#api.putAccounts(
      vestiging,
      kind,
      requests.map((r) => this.accountInput(r.sourceId, r.fields)),
      options.signal,
    )
  }
}

export const somtodayConnector: SourceDefinition<typeof somtodayOptions> = {
  role: 'source',
  type: 'somtoday',
  description:
    'Somtoday ConnectAPI: leerlingen, medewerkers and ouders per vestiging, with write-back of username/e-mail',
  schema: somtodayOptions,
  fills: {
    person: [
      'key',
      'sourceIds',
      'givenName',
      'preferredGivenName',
      'initials',
      'familyName',
      'familyNamePrefix',
      'email',
      'username',
      'birthDate',
      'attributes',
      'contracts',
      'memberships',
    ],
    contract: [
      'id',
      'source',
      'role',
      'start',
      'end',
      'organisation',
      'organisationCode',
      'organisationName',
      'schoolYear',
      'grade',
      'programme',
      'classGroup',
      'title',
      'manager',
      'attributes',
    ],
    membership: ['group', 'role', 'start', 'end', 'primary'],
  },
  create: (name, options, context) => new SomtodaySource(name, options, context),
}

/**
 * The peilschooljaar of a read. A read for a day in a later school year than the clock's (`koppel plan --at
 * 2027-08-15`) asks for next year's data (VOLGEND), whatever the configured value: the configured one
 * answers for today's school year, which says nothing about who is placed after the summer.
 */
export function peilFor(
  configured: SomtodayOptions['peilschooljaar'],
  today: string,
  clockDay: string,
): 'HUIDIG' | 'VOLGEND' | undefined {
  if (schoolYearOf(today) > schoolYearOf(clockDay)) return 'VOLGEND'
  return configured === 'VANDAAG' ? undefined : configured
}
