/**
 * OneRoster REST collections, page by page: `limit`/`offset` until `X-Total-Count` (or a short page) says the
 * end, optionally with a `filter`; OAuth2 client credentials with one re-auth on 401 (src/protocol), and each
 * page retried on 429/5xx/timeouts (withReadRetry). A page that keeps failing fails the whole call.
 */
import { ConnectorError } from '../../contract/index.ts'
import {
  clientCredentials,
  HttpClient,
  withReadRetry,
  jsonErrorDetail,
} from '../../protocol/index.ts'
import { defaultScope, type OneRosterRestOptions } from './oneroster-rest-options.ts'

export type Json = Readonly<Record<string, unknown>>

/** The service's own words from an imsx_StatusInfo body (description and codeMinor). */
function errorDetail(text: string): string {
  return jsonErrorDetail(text, (j) => {
    const minor = (
      j.imsx_CodeMinor as
        { imsx_codeMinorField?: { imsx_codeMinorFieldValue?: unknown }[] } | undefined
    )?.imsx_codeMinorField?.[0]?.imsx_codeMinorFieldValue
    return [minor, j.imsx_description].filter((p) => typeof p === 'string').join(': ')
  })
}

/** A filter value in single quotes, quotes doubled (the value is URL-encoded with the query). */
export function filterValue(v: string): string {
  return `'${v.replace(/'/g, "''")}'`
}

export class OneRosterRestClient {
  readonly #http: HttpClient
  readonly #options: OneRosterRestOptions

  constructor(options: OneRosterRestOptions) {
    this.#options = options
    const auth = clientCredentials({
      tokenUrl: options.tokenUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      scope: options.scope ?? defaultScope(options.version, options.demographics),
      clientAuth: options.clientAuth,
      timeoutMs: options.timeoutMs,
    })
    this.#http = new HttpClient({
      baseUrl: options.baseUrl,
      auth,
      timeoutMs: options.timeoutMs,
      errorDetail,
    })
  }

  /** Every record of a collection (`users`, `orgs`, …), in sourcedId order. */
  async getAll(
    collection: string,
    filter: string | undefined,
    signal?: AbortSignal,
  ): Promise<Json[]> {
    const out: Json[] = []
    await this.forEachPage(collection, filter, signal, (rows) => {
      out.push(...rows)
    })
    return out
  }

  /** Hands each page of a collection to `onRows` as it arrives (so a caller need not hold them all); returns the count. */
  async forEachPage(
    collection: string,
    filter: string | undefined,
    signal: AbortSignal | undefined,
    onRows: (rows: Json[], soFar: number) => void,
  ): Promise<number> {
    const limit = this.#options.pageSize
    for (let offset = 0; ;) {
      const { rows, total } = await withReadRetry(
        () => this.#page(collection, { limit, offset, sort: 'sourcedId', filter }, signal),
        {
          attempts: this.#options.readAttempts,
          ...(signal !== undefined ? { signal } : {}),
        },
      )
      offset += rows.length
      onRows(rows, offset)
      if (rows.length === 0 || (total !== undefined ? offset >= total : rows.length < limit))
        return offset
    }
  }

  /** The record of a collection modified last (`sort=dateLastModified&orderBy=desc`), or undefined when it is empty. */
  async newest(collection: string, signal?: AbortSignal): Promise<Json | undefined> {
    const { rows } = await withReadRetry(
      () =>
        this.#page(
          collection,
          { limit: 1, offset: 0, sort: 'dateLastModified', orderBy: 'desc', filter: undefined },
          signal,
        ),
      {
        attempts: this.#options.readAttempts,
        ...(signal !== undefined ? { signal } : {}),
      },
    )
    return rows[0]
  }

  /** One record by id, or undefined when the service does not know it (404). */
  async getOne(
    collection: string,
    singular: string,
    id: string,
    signal?: AbortSignal,
  ): Promise<Json | undefined> {
    const res = await withReadRetry(
      () =>
        this.#http.json<Record<string, unknown> | undefined>({
          path: `${collection}/${encodeURIComponent(id)}`,
          accept: [404],
          ...(signal !== undefined ? { signal } : {}),
        }),
      { attempts: this.#options.readAttempts, ...(signal !== undefined ? { signal } : {}) },
    )
    if (res.status === 404) return undefined
    const r = res.body?.[singular]
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      throw new ConnectorError(
        'invalid',
        `GET ${collection}/${id} answered without a ${singular} object`,
      )
    return r as Json
  }

  async #page(
    collection: string,
    query: {
      limit: number
      offset: number
      sort: string
      orderBy?: 'asc' | 'desc'
      filter: string | undefined
    },
    signal?: AbortSignal,
  ): Promise<{ rows: Json[]; total: number | undefined }> {
    const res = await this.#http.json<Record<string, unknown> | undefined>({
      path: collection,
      query,
      ...(signal !== undefined ? { signal } : {}),
    })
    const rows = res.body?.[collection]
    if (!Array.isArray(rows))
      throw new ConnectorError(
        'invalid',
        `GET ${collection} (offset ${query.offset}) answered without a ${collection} array`,
      )
    const header = res.headers.get('x-total-count')
    const total = header !== null && /^\d+$/.test(header.trim()) ? Number(header) : undefined
    return { rows: rows as Json[], total }
  }
}
