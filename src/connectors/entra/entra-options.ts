// The option schema of the Microsoft Entra ID target (Microsoft Graph v1.0), merged into the connector's entry in
// koppel.yaml. What the options mean at run time is in entra-target.ts and docs/connectors/entra-id.md.
import { z } from 'zod'
import { secret } from '../../contract/index.ts'

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

/** Writable string properties of microsoft.graph.user that Koppel reads back by default. */
export const DEFAULT_READ_ATTRIBUTES = [
  'displayName',
  'givenName',
  'surname',
  'userPrincipalName',
  'mailNickname',
  'mail',
  'employeeId',
  'employeeType',
  'jobTitle',
  'department',
  'companyName',
  'officeLocation',
  'usageLocation',
]

export const entraOptionsSchema = z.object({
  /** Directory (tenant) id or a verified domain of the tenant. */
  tenantId: z.string().min(1),
  /** Application (client) id of the app registration (application permissions User.ReadWrite.All,
   * GroupMember.ReadWrite.All, LicenseAssignment.ReadWrite.All or Directory.ReadWrite.All). */
  clientId: z.string().min(1),
  clientSecret: secret(),
  /** Microsoft Graph base URL; another only for national clouds or the simulator. */
  graphUrl: z.string().url().default('https://graph.microsoft.com'),
  /** Microsoft identity platform base URL (token endpoint `{loginUrl}/{tenantId}/oauth2/v2.0/token`). */
  loginUrl: z.string().url().default('https://login.microsoftonline.com'),
  /** Single-object calls that run at the same time are sent together as JSON $batch requests of at most this
   * many (Graph's limit is 20); 1 sends every call on its own. */
  batchSize: z.number().int().min(1).max(20).default(20),
  /** $top of a listing page (Graph allows 1–999 for users). */
  pageSize: z.number().int().min(1).max(999).default(999),
  /** Optional OData $filter for listAccounts (sent as an advanced query), e.g. "employeeId ne null". */
  listFilter: z.string().min(1).optional(),
  /** Properties find and listAccounts read back (id and accountEnabled are always read). */
  readAttributes: z
    .array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a Graph property name'))
    .default(DEFAULT_READ_ATTRIBUTES),
  /** Two-letter country code set on created users that have none, and before assigning a licence to a user
   * without one (Graph refuses licences for users without a usage location). */
  usageLocation: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as NL')
    .optional(),
  /** Licence names that rules may use as permission ids (type `licence`), each mapped to its skuId. A permission
   * id that is itself a skuId (GUID) is used as is. */
  licences: z
    .record(z.string().min(1), z.string().regex(GUID, 'must be a skuId (GUID)'))
    .default({}),
  /** False for hybrid tenants whose users come from on-premises AD through Entra Connect: create never makes a
   * user; it adopts the synced user found by the anchor, and waits (a transient error) for one not synced yet. */
  createUsers: z.boolean().default(true),
  /** A group permission named by a display name no group has is created on grant (a security group, not
   * mail-enabled). Off by default: a typo in a rule would otherwise make a new group. */
  createMissingGroups: z.boolean().default(false),
  /** Groups Koppel provisions (the target's `provisionGroups:`); see entra-groups.ts and docs/connectors/entra-id.md. */
  groups: z
    .object({
      /** The kind a group set makes unless its `groupKind` attribute says otherwise. */
      kind: z.enum(['security', 'microsoft365']).default('security'),
      /** Archiving renames the group to this prefix + its title (members and owners stay); without it an
       * archived group is left as it is and only Koppel's ledger marks it. */
      archivePrefix: z.string().min(1).max(64).optional(),
      /** Start of the mailNickname that carries a group's sync key (`<prefix><key, readable>-<hash>`). */
      keyPrefix: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,20}$/, 'must be 1 to 20 letters, digits, dot, dash or underscore')
        .default('koppel-'),
    })
    .strict()
    .default({ kind: 'security', keyPrefix: 'koppel-' }),
  /** Initial passwords (from the create request's secrets, or generated) must be changed at first sign-in. */
  forceChangePasswordNextSignIn: z.boolean().default(true),
  /** A create first looks in deleted items (kept 30 days) for a user with the anchor and restores it. */
  restoreDeleted: z.boolean().default(true),
  /** A restored user comes back with its old group memberships and licences. By default the connector removes
   * them, so the returner gets only what the rules grant now; true keeps them. */
  restoreKeepsAccess: z.boolean().default(false),
  /** After an ambiguous create (timeout, or a duplicate-UPN answer), how often and how far apart to look for the
   * user before giving up; this rides out Entra's replication delay. */
  lookupAttempts: z.number().int().min(1).max(20).default(5),
  lookupDelayMs: z.number().int().min(0).max(60_000).default(2_000),
  timeoutMs: z.number().int().min(100).default(30_000),
  concurrency: z.number().int().min(1).max(200).default(8),
})

export type EntraOptions = z.output<typeof entraOptionsSchema>
