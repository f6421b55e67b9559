// The option schema of the generic SCIM 2.0 target (zod v4), merged into the connector's entry in koppel.yaml.
import { z } from 'zod'
import { secret } from '../../contract/index.ts'

export const DEFAULT_READ_ATTRIBUTES = [
  'userName',
  'externalId',
  'displayName',
  'name.givenName',
  'name.familyName',
  'title',
  'emails[type eq "work"].value',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
]

export const scimOptionsSchema = z.object({
  /** The SCIM base URL, e.g. https://scim.example.com/scim/v2 (Users, Groups and ServiceProviderConfig below it). */
  baseUrl: z
    .string()
    .regex(/^(https?:\/\/\S+|.*\$\{(env|file):[^}]+\}.*)$/, 'must be an http(s) URL'),
  /** Bearer token (RFC 6750), as a secret reference. */
  token: secret(),
  /** SCIM attribute paths that find and listAccounts report (and that update may change). */
  readAttributes: z.array(z.string().min(1)).default(DEFAULT_READ_ATTRIBUTES),
  /** Only accounts matching this SCIM filter are listed, e.g. `userType eq "Student"`. */
  listFilter: z.string().optional(),
  pageSize: z.number().int().min(1).max(1000).default(100),
  concurrency: z.number().int().min(1).max(100).default(8),
  timeoutMs: z.number().int().min(100).default(30_000),
  /** `auto`: use PATCH when ServiceProviderConfig says it is supported; `never`: always GET + PUT. */
  patch: z.enum(['auto', 'never']).default('auto'),
  /** `auto`: send If-Match with the version read when ServiceProviderConfig says ETags are supported. */
  etag: z.enum(['auto', 'never']).default('auto'),
  /**
   * `auto`: when ServiceProviderConfig says `bulk.supported`, the POSTs of creates that run at the same time go
   * to /Bulk together (each create still looks for its anchor first); `never`: one POST /Users per create.
   */
  bulk: z.enum(['auto', 'never']).default('auto'),
  /** Most operations in one Bulk request (lowered to the service's maxOperations). */
  bulkMaxOperations: z.number().int().min(1).max(1000).default(50),
  groups: z
    .object({
      /** Create a group (by displayName) that a grant names and the service does not have yet. */
      createMissing: z.boolean().default(true),
    })
    .default({ createMissing: true }),
})

export type ScimOptions = z.output<typeof scimOptionsSchema>
