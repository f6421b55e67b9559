import { z } from 'zod'
import { secret } from '../../contract/index.ts'

export const oneRosterRestOptions = z.object({
  /** Base of the rostering service: `…/ims/oneroster/rostering/v1p2` (1.2) or `…/ims/oneroster/v1p1` (1.1). */
  baseUrl: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL'),
  version: z.enum(['1.1', '1.2']).default('1.2'),
  /** OAuth 2.0 token endpoint (client credentials). */
  tokenUrl: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL'),
  clientId: z.string().min(1),
  clientSecret: secret(),
  /** Space-separated scopes; default the version's roster-core and demographics read scopes. */
  scope: z.string().min(1).optional(),
  /** How the client authenticates at the token endpoint: HTTP Basic (default) or form fields. */
  clientAuth: z.enum(['basic', 'body']).default('basic'),
  /** Which user field becomes the person key. */
  personKey: z.enum(['sourcedId', 'identifier', 'username']).default('sourcedId'),
  /** Split a leading Dutch prefix off familyName when the user has no metadata `nl.familyNamePrefix`. */
  splitNamePrefix: z.boolean().default(true),
  /** Read /demographics for birth date and sex (needs the demographics scope). */
  demographics: z.boolean().default(true),
  /**
   * Delta reads: with a cursor from the last snapshot, only users and enrollments changed since
   * (`filter=dateLastModified>'…'`) are read, and tobedeleted users become removals.
   */
  deltas: z.boolean().default(true),
  /** Records per page (`limit`). */
  pageSize: z.number().int().min(1).max(10_000).default(1000),
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  /** Tries per page on 429/5xx/timeouts before the whole read fails. */
  readAttempts: z.number().int().min(1).max(20).default(5),
})

export type OneRosterRestOptions = z.output<typeof oneRosterRestOptions>

export function defaultScope(version: '1.1' | '1.2', demographics: boolean): string {
  const v = version === '1.2' ? 'v1p2' : 'v1p1'
  const core = `https://purl.imsglobal.org/spec/or/${v}/scope/roster-core.readonly`
  return demographics
    ? `${core} https://purl.imsglobal.org/spec/or/${v}/scope/roster-demographics.readonly`
    : core
}
