// The ConnectAPI calls Koppel makes: instelling lookup, vestigingen, paged lists per vestiging, single reads
// and account writes. Transport, auth (one re-auth on 401) and status mapping come from src/protocol.
// Paths and shapes follow the vendor's OpenAPI description 14.10.0 ("Somtoday Connect - Generiek
// Koppelvlak", published in github.com/DwayneSelsig/SomtodayOpenAPI2MicrosoftSchoolDataSync, openapi.json).
import { ConnectorError } from '../../contract/index.ts'
import { clientCredentials, HttpClient, withReadRetry } from '../../protocol/index.ts'
import type { SomtodayOptions } from './somtoday-options.ts'

export type Json = Record<string, unknown>
export type PersonKind = 'leerling' | 'medewerker' | 'ouderVerzorger'

export interface Vestiging {
  readonly uuid: string
  readonly naam: string
  readonly afkorting?: string
  readonly brins: readonly string[]
}

export interface AccountInput {
  readonly uuid: string
  readonly gebruikersnaam?: string
  readonly emailadres?: string
  readonly remoteidentifier?: {
    readonly providerType: string
    readonly domain: string
    readonly identifier: string
  }
}

export const MAX_BULK_ACCOUNTS = 200

/**
 * The spec's list paths per resource: lesgroep, stamgroep and ouderVerzorger lists are declared with a
 * trailing slash (`…/lesgroep/`), leerling, medewerker and plaatsing without one.
 */
export const LIST_PATH: Readonly<Record<string, string>> = {
  leerling: 'leerling',
  medewerker: 'medewerker',
  plaatsing: 'plaatsing',
  lesgroep: 'lesgroep/',
  stamgroep: 'stamgroep/',
  ouderVerzorger: 'ouderVerzorger/',
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The service's own message from a GeneralResponse `{errors:[{code, problem, clarification}]}` (`code` is an
 * integer in the spec), or from a 400 on an account PUT: an array of InvalidAccountInput `{input, errors}`.
 */
export function somtodayErrorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as unknown
    if (Array.isArray(body)) {
      return body
        .map((x: { errors?: unknown }) => (Array.isArray(x.errors) ? x.errors.join('; ') : ''))
        .filter(Boolean)
        .join(' | ')
    }
    const errors = (
      body as { errors?: { code?: unknown; problem?: unknown; clarification?: unknown }[] }
    ).errors
    if (Array.isArray(errors)) {
      const part = (v: unknown) =>
        typeof v === 'number' ? String(v) : typeof v === 'string' && v !== '' ? v : undefined
      return errors
        .map((e) =>
          [part(e.code), part(e.problem), part(e.clarification)]
            .filter((x) => x !== undefined)
            .join(': '),
        )
        .join('; ')
    }
    const oauth = body as { error?: string; error_description?: string }
    return [oauth.error, oauth.error_description].filter(Boolean).join(': ')
  } catch {
    return text.slice(0, 200)
  }
}

export class SomtodayApi {
  readonly #options: SomtodayOptions
  #http: HttpClient | undefined
  #organisation: string | undefined

  constructor(options: SomtodayOptions) {
    this.#options = options
  }

  /** The instelling uuid: the option itself, or looked up by name on the public /connect/instelling. */
  async organisation(signal?: AbortSignal): Promise<string> {
    if (this.#organisation !== undefined) return this.#organisation
    const o = this.#options.organisation
    if (UUID.test(o)) return (this.#organisation = o)
    const open = new HttpClient({
      baseUrl: this.#options.baseUrl,
      timeoutMs: this.#options.timeoutMs,
      errorDetail: somtodayErrorDetail,
    })
    const res = await withReadRetry(
      () =>
        open.json<{ instellingen?: { uuid?: string; naam?: string }[] }>({
          path: 'connect/instelling',
          query: { naam: o },
          ...(signal ? { signal } : {}),
        }),
      this.#retry(signal),
    )
    const hits = (res.body?.instellingen ?? []).filter(
      (i) => i.naam === o && typeof i.uuid === 'string',
    )
    if (hits.length !== 1) {
      throw new ConnectorError(
        'config',
        hits.length === 0
          ? `Somtoday knows no instelling named "${o}"`
          : `Somtoday lists ${hits.length} instellingen named "${o}"; give the uuid`,
      )
    }
    return (this.#organisation = hits[0]?.uuid as string)
  }

  async #client(signal?: AbortSignal): Promise<HttpClient> {
    if (this.#http !== undefined) return this.#http
    const org = await this.organisation(signal)
    const tokenUrl = new URL(this.#options.tokenUrl)
    tokenUrl.searchParams.set('organisation', org)
    const auth = clientCredentials({
      tokenUrl: tokenUrl.toString(),
      clientId: this.#options.clientId,
      clientSecret: this.#options.clientSecret,
      timeoutMs: this.#options.timeoutMs,
    })
    this.#http = new HttpClient({
      baseUrl: this.#options.baseUrl,
      auth,
      timeoutMs: this.#options.timeoutMs,
      errorDetail: somtodayErrorDetail,
      userAgent: 'Koppel',
    })
    return this.#http
  }

  #retry(signal?: AbortSignal) {
    return { attempts: this.#options.pageAttempts, ...(signal ? { signal } : {}) }
  }

  async vestigingen(signal?: AbortSignal): Promise<Vestiging[]> {
    const http = await this.#client(signal)
    const res = await withReadRetry(
      () =>
        http.json<{ vestigingen?: unknown }>({
          path: 'connect/vestiging',
          ...(signal ? { signal } : {}),
        }),
      this.#retry(signal),
    )
    const list = res.body?.vestigingen
    if (!Array.isArray(list))
      throw new ConnectorError(
        'invalid',
        'GET /connect/vestiging answered without a vestigingen list',
      )
    return list.map((v: Json, i) => {
      if (typeof v.uuid !== 'string' || typeof v.naam !== 'string')
        throw new ConnectorError(
          'invalid',
          `GET /connect/vestiging: vestiging ${i} lacks uuid or naam`,
        )
      return {
        uuid: v.uuid,
        naam: v.naam,
        ...(typeof v.afkorting === 'string' ? { afkorting: v.afkorting } : {}),
        brins: Array.isArray(v.brins)
          ? v.brins.filter((b): b is string => typeof b === 'string')
          : [],
      }
    })
  }

  /**
   * Pages through `/connect/vestiging/{v}/{resource}` with offset/amount until a short page (no totals in the
   * API). Each page is retried on 429/5xx/timeouts; a page that fails for good throws, failing the read.
   */
  async *pages(
    vestiging: string,
    resource: keyof typeof LIST_PATH,
    wrapper: string,
    query: Record<string, string | undefined>,
    signal?: AbortSignal,
  ): AsyncGenerator<{ records: unknown[]; offset: number }> {
    const http = await this.#client(signal)
    const amount = this.#options.pageSize
    const list = LIST_PATH[resource]
    if (list === undefined)
      throw new ConnectorError('invalid', `no Somtoday list endpoint for ${String(resource)}`)
    for (let offset = 0; ; offset += amount) {
      const path = `connect/vestiging/${encodeURIComponent(vestiging)}/${list}`
      const res = await withReadRetry(
        () =>
          http.json<Json>({
            path,
            query: { ...query, offset, amount },
            ...(signal ? { signal } : {}),
          }),
        this.#retry(signal),
      )
      const records = res.body?.[wrapper]
      if (!Array.isArray(records))
        throw new ConnectorError(
          'invalid',
          `GET /${path} (offset ${offset}) answered without a "${wrapper}" list`,
        )
      yield { records, offset }
      if (records.length < amount) return
    }
  }

  /** One person by uuid in a vestiging, or undefined (404). */
  async person(
    vestiging: string,
    kind: PersonKind,
    uuid: string,
    wrapper: string,
    signal?: AbortSignal,
  ): Promise<Json | undefined> {
    const http = await this.#client(signal)
    const path = `connect/vestiging/${encodeURIComponent(vestiging)}/${kind}/${encodeURIComponent(uuid)}`
    // every single read takes peilschooljaar; a guardian is readable only while a child is (spec)
    const query =
      this.#options.peilschooljaar !== 'VANDAAG'
        ? { peilschooljaar: this.#options.peilschooljaar }
        : {}
    // the spec documents 404 for these single reads; GUESS: a person of another vestiging is a 404 too (401 means
    // no access to the vestiging at all)
    const res = await withReadRetry(
      () => http.json<Json>({ path, query, accept: [404], ...(signal ? { signal } : {}) }),
      this.#retry(signal),
    )
    if (res.status === 404) return undefined
    const list = res.body?.[wrapper]
    return Array.isArray(list) && list.length > 0 ? (list[0] as Json) : undefined
  }

  /** PUT …/{kind}/{uuid}/account: creates the account or updates it. Not retried here (the engine's policy does). */
  async putAccount(
    vestiging: string,
    kind: PersonKind,
    input: AccountInput,
    signal?: AbortSignal,
  ): Promise<Json> {
    const http = await this.#client(signal)
    const path = `connect/vestiging/${encodeURIComponent(vestiging)}/${kind}/${encodeURIComponent(input.uuid)}/account`
    const res = await http.json<Json>({
      method: 'PUT',
      path,
      json: input,
      ...(signal ? { signal } : {}),
    })
    return res.body ?? {}
  }

  /**
   * PUT …/{kind}/account with up to 200 inputs; on a 400 none were written. Somtoday answers a bare array of
   * Accounts (not an AccountResponse).
   */
  async putAccounts(
    vestiging: string,
    kind: PersonKind,
    inputs: readonly AccountInput[],
    signal?: AbortSignal,
  ): Promise<Json[]> {
    if (inputs.length > MAX_BULK_ACCOUNTS)
      throw new ConnectorError(
        'invalid',
        `Somtoday takes at most ${MAX_BULK_ACCOUNTS} accounts per bulk write, got ${inputs.length}`,
      )
    const http = await this.#client(signal)
    const path = `connect/vestiging/${encodeURIComponent(vestiging)}/${kind}/account`
    const res = await http.json<unknown>({
      method: 'PUT',
      path,
      json: inputs,
      ...(signal ? { signal } : {}),
    })
    const accounts = res.body
    if (!Array.isArray(accounts))
      throw new ConnectorError(
        'invalid',
        `PUT /${path} answered without the array of Accounts the spec describes`,
      )
    return accounts as Json[]
  }
}
