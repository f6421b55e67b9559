// The option schema of the generic LDAP target (shared: the AD connector extends it) (zod v4), merged into the connector's entry in koppel.yaml.
// Validation only; what the options mean at run time is in ldap-target.ts.
import { z } from 'zod'
import { secret } from '../../contract/index.ts'
import { isAttributeName } from './ldap-mapping.ts'
import { parseDn } from '../../protocol/ldap-escape.ts'

const dn = (what: string) =>
  z.string().refine(
    (s) => {
      try {
        return parseDn(s).length > 0
      } catch {
        return false
      }
    },
    { message: `${what} must be a valid DN such as ou=people,dc=school,dc=test` },
  )

const attributeName = z
  .string()
  .refine(isAttributeName, { message: 'must be an LDAP attribute name' })

export const ldapOptionsSchema = z.object({
  // a `${env:…}` reference is checked after it is resolved (when the connector connects)
  url: z
    .string()
    .regex(
      /^(ldaps?:\/\/[^/\s]+\/?|.*\$\{(env|file):[^}]+\}.*)$/,
      'must be ldap://host[:port] or ldaps://host[:port]',
    ),
  bindDn: dn('bindDn'),
  password: secret(),
  startTls: z.boolean().default(false),
  /** PEM file of the CA that signed the server certificate; relative to the config file's folder. */
  tlsCaFile: z.string().optional(),
  /** Where accounts live; find, list and the entryUUID look-up search below it. */
  baseDn: dn('baseDn'),
  objectClasses: z.array(z.string().min(1)).min(1).default(['inetOrgPerson']),
  listFilter: z.string().default('(objectClass=inetOrgPerson)'),
  /** Attributes to read when listing and finding; empty reads every user attribute. */
  readAttributes: z.array(attributeName).default([]),
  pageSize: z.number().int().min(1).max(100_000).default(500),
  concurrency: z.number().int().min(1).max(1000).default(20),
  timeoutMs: z.number().int().min(100).default(30_000),
  connectTimeoutMs: z.number().int().min(100).default(10_000),
  /**
   * Create missing OUs of a computed DN (below baseDn, ou= levels only) on create and move; the plan names
   * each new OU. false: a missing parent fails the action.
   */
  createOus: z.boolean().default(true),
  disable: z
    .object({
      /** DN of the OU that disabled accounts are moved into. */
      moveTo: dn('disable.moveTo').optional(),
      /**
       * Where a moved account remembers its parent, so that enable puts it back (e.g. `seeAlso`, or an
       * attribute of your own schema). Without it enable moves the account to `baseDn`.
       */
      originAttribute: attributeName.optional(),
      attribute: z
        .object({
          name: attributeName,
          disabledValue: z.string().min(1),
          enabledValue: z.string().min(1).optional(),
        })
        .optional(),
    })
    .default({}),
  groups: z
    .object({
      memberAttribute: z.enum(['member', 'uniqueMember']).default('member'),
      createMissing: z.boolean().default(true),
      objectClass: z.string().min(1).default('groupOfNames'),
      /** Member value that keeps a group valid when its last member leaves; default the group's own DN. */
      placeholderMember: z.string().optional(),
      /** Where groups live; when set, find and list report each account's groups as `permissions`. */
      baseDn: dn('groups.baseDn').optional(),
      /**
       * Provisioned groups (provisionGroups:) keep their sync key in this attribute, so that Koppel knows its
       * own groups and never takes over a same-named one. groupOfNames allows businessCategory, hence the default.
       */
      keyAttribute: attributeName.default('businessCategory'),
      /** Where archived provisioned groups are moved (with their members); without it they stay where they are. */
      archiveDn: dn('groups.archiveDn').optional(),
    })
    .default({
      memberAttribute: 'member',
      createMissing: true,
      objectClass: 'groupOfNames',
      keyAttribute: 'businessCategory',
    }),
})

export type LdapOptions = z.output<typeof ldapOptionsSchema>
