/**
 * AFAS Profit REST: GetConnector pages (`skip`/`take`, ordered, until a page is short) and UpdateConnector PUTs,
 * behind `Authorization: AfasToken <base64 of the XML token>`. Transport, status mapping and retries come from
 * src/protocol.
 */
import { ConnectorError } from '../../contract/index.ts'
import { HttpClient, staticAuth, withReadRetry, jsonErrorDetail } from '../../protocol/index.ts'
import type { AfasOptions } from './afas-options.ts'

export type AfasRow = Readonly<Record<string, unknown>>

/** The XML token as AFAS issues it; a bare data part is wrapped in it. */
export function afasTokenHeader(token: string): string {
  const trimmed = token.trim()
  const xml = trimmed.startsWith('<token>')
    ? trimmed
    : `<token><version>1</version><data>${trimmed}</data></token>`
  return `AfasToken ${Buffer.from(xml, 'utf8').toString('base64')}`
}

/** AFAS error bodies name the problem in `externalMessage`. */
function errorDetail(text: string): string {
  return jsonErrorDetail(text, (j) =>
    typeof j.externalMessage === 'string' ? j.externalMessage : undefined,
  )
}

export class AfasClient {
  readonly #http: HttpClient
  readonly #options: AfasOptions
  readonly #headers: Record<string, string>

  constructor(options: AfasOptions) {
    this.#options = options
    // GUESS: AfasToken is static; a 401 is retried once with the same header (a revoked token then fails as auth).
    this.#http = new HttpClient({
      baseUrl: options.baseUrl,
      auth: staticAuth(afasTokenHeader(options.token)),
      timeoutMs: options.timeoutMs,
      errorDetail,
    })
    this.#headers =
      options.integrationId !== undefined ? { IntegrationId: options.integrationId } : {}
  }

  /** Every row of a GetConnector, page by page; a page that keeps failing fails the whole call. */
  async getAll(
    connector: string,
    orderBy: string,
    signal?: AbortSignal,
    onPage?: (rows: number) => void,
  ): Promise<AfasRow[]> {
    const take = this.#options.pageSize
    const rows: AfasRow[] = []
    for (let skip = 0; ; skip += take) {
      const page = await withReadRetry(
        () => this.#page(connector, { skip, take, orderbyfieldids: orderBy }, signal),
        {
          attempts: this.#options.readAttempts,
          ...(signal !== undefined ? { signal } : {}),
        },
      )
      rows.push(...page)
      onPage?.(rows.length)
      if (page.length < take) return rows
    }
  }

  /** Rows whose `field` equals `value` (operator 1), e.g. one employee for a write-back. */
  async find(
    connector: string,
    field: string,
    value: string,
    signal?: AbortSignal,
  ): Promise<AfasRow[]> {
    return withReadRetry(
      () =>
        this.#page(
          connector,
          { filterfieldids: field, filtervalues: value, operatortypes: 1, skip: 0, take: 10 },
          signal,
        ),
      {
        attempts: this.#options.readAttempts,
        ...(signal !== undefined ? { signal } : {}),
      },
    )
  }

  async put(connector: string, body: unknown, signal?: AbortSignal): Promise<void> {
    await this.#http.request({
      method: 'PUT',
      path: `connectors/${encodeURIComponent(connector)}`,
      json: body,
      headers: this.#headers,
      ...(signal !== undefined ? { signal } : {}),
    })
  }

  async #page(
    connector: string,
    query: Record<string, string | number>,
    signal?: AbortSignal,
  ): Promise<AfasRow[]> {
    const res = await this.#http.json<unknown>({
      path: `connectors/${encodeURIComponent(connector)}`,
      query,
      headers: this.#headers,
      ...(signal !== undefined ? { signal } : {}),
    })
    const rows = (res.body as { rows?: unknown } | undefined)?.rows
    if (!Array.isArray(rows))
      throw new ConnectorError(
        'invalid',
        `GetConnector ${connector} (skip ${String(query.skip)}) answered without a rows array`,
      )
    for (const [i, r] of rows.entries()) {
      if (typeof r !== 'object' || r === null || Array.isArray(r))
        throw new ConnectorError(
          'invalid',
          `GetConnector ${connector} (skip ${String(query.skip)}) row ${i} is not an object`,
        )
    }
    return rows as AfasRow[]
  }
}
