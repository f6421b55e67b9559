// The option schema of the Google Workspace target (zod v4), merged into the connector's entry in koppel.yaml.
import { z } from 'zod'
import { secret } from '../../contract/index.ts'

export const DEFAULT_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user',
  'https://www.googleapis.com/auth/admin.directory.group',
  'https://www.googleapis.com/auth/admin.directory.group.member',
]

const email = z
  .string()
  .regex(/^[^@\s]+@[^@\s]+$|^\$\{(env|file):[^}]+\}$/, 'must be an e-mail address')

export const googleOptionsSchema = z.object({
  /** The service account's JSON key (as downloaded from the Cloud console), by reference: ${file:./sa.json}. */
  serviceAccountKey: secret(),
  /** The admin the service account impersonates (domain-wide delegation): the JWT's `sub`. */
  subject: email,
  /** `my_customer` (the subject's own account) or a customer id such as C01abc234. */
  customer: z.string().min(1).default('my_customer'),
  /** When set, listing is limited to this domain and primary e-mails outside it are refused before a call. */
  domain: z
    .string()
    .regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'must be a domain name such as school.nl')
    .optional(),
  /** `type` of the externalIds entry that holds the anchor (`organization`, `account`, `custom` …). */
  externalIdType: z
    .enum(['account', 'custom', 'customer', 'login_id', 'network', 'organization'])
    .default('organization'),
  /** `customType` when externalIdType is `custom`. */
  externalIdCustomType: z.string().min(1).optional(),
  /** A Directory API search query that limits listing, e.g. "orgUnitPath='/Leerlingen'". */
  listQuery: z.string().optional(),
  /** orgUnitPath for created accounts when the mapping gives none. */
  defaultOrgUnitPath: z.string().regex(/^\//, 'must start with /').default('/'),
  /** Grants to a group that does not exist create it (groups.insert with the group's e-mail). The other keys are
   * for the groups Koppel provisions (the target's `provisionGroups:`; see google-groups.ts). */
  groups: z
    .object({
      createMissing: z.boolean().default(false),
      /** Domain of the addresses Koppel gives the groups it provisions; default the `domain` option. */
      domain: z
        .string()
        .regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'must be a domain name such as school.nl')
        .optional(),
      /** Archiving renames the group to this prefix + its title (members stay); without it an archived group is
       * left as it is and only Koppel's ledger marks it. */
      archivePrefix: z.string().min(1).max(40).optional(),
      /** Start of the address that carries a group's sync key (`<prefix><key, readable>-<hash>@<domain>`). */
      keyPrefix: z
        .string()
        .regex(
          /^[a-z0-9._-]{1,20}$/,
          'must be 1 to 20 lower-case letters, digits, dot, dash or underscore',
        )
        .default('koppel-'),
    })
    .strict()
    .default({ createMissing: false, keyPrefix: 'koppel-' }),
  scopes: z.array(z.string().url()).min(1).default(DEFAULT_SCOPES),
  /** Overrides for tests and simulators; default Google's. */
  baseUrl: z
    .string()
    .regex(/^https?:\/\//)
    .default('https://admin.googleapis.com/admin/directory/v1'),
  /** Default: the key's token_uri (https://oauth2.googleapis.com/token). */
  tokenUrl: z
    .string()
    .regex(/^https?:\/\//)
    .optional(),
  pageSize: z.number().int().min(1).max(500).default(500),
  concurrency: z.number().int().min(1).max(50).default(5),
  timeoutMs: z.number().int().min(100).default(30_000),
})

export type GoogleOptions = z.output<typeof googleOptionsSchema>
