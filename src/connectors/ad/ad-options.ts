// The option schema of the Active Directory target: the LDAP target's options (connection, baseDn, paging,
// groups) with AD defaults, without `disable` (AD disables through userAccountControl), plus what is AD's own.
import { z } from 'zod'
import { ldapOptionsSchema } from '../ldap/ldap-options.ts'
import { isAttributeName } from '../ldap/ldap-mapping.ts'
import { parseDn } from '../../protocol/ldap-escape.ts'

export const AD_READ_ATTRIBUTES = [
  'sAMAccountName',
  'userPrincipalName',
  'mail',
  'proxyAddresses',
  'displayName',
  'givenName',
  'sn',
  'cn',
  'employeeID',
]
export const UNIQUE_ATTRIBUTES = [
  'sAMAccountName',
  'userPrincipalName',
  'mail',
  'proxyAddresses',
] as const

const optionalDn = z
  .string()
  .refine(
    (s) => {
      try {
        return parseDn(s).length > 0
      } catch {
        return false
      }
    },
    { message: 'must be a valid DN such as DC=school,DC=test' },
  )
  .optional()

export const passwordPolicySchema = z
  .object({
    length: z.number().int().min(8).max(256).default(16),
    lowercase: z.boolean().default(true),
    uppercase: z.boolean().default(true),
    digits: z.boolean().default(true),
    symbols: z.boolean().default(true),
    excludeAmbiguous: z.boolean().default(true),
  })
  .refine((p) => p.lowercase || p.uppercase || p.digits || p.symbols, {
    message: 'enable at least one character class',
  })

export const adOptionsSchema = ldapOptionsSchema.omit({ disable: true }).extend({
  /** The DC's name in its certificate, when `url` reaches it by another name or an IP address. */
  tlsServerName: z.string().min(1).optional(),
  objectClasses: z
    .array(z.string().min(1))
    .min(1)
    .default(['top', 'person', 'organizationalPerson', 'user']),
  listFilter: z.string().default('(&(objectCategory=person)(objectClass=user))'),
  readAttributes: z
    .array(z.string().refine(isAttributeName, { message: 'must be an LDAP attribute name' }))
    .default(AD_READ_ATTRIBUTES),
  pageSize: z.number().int().min(1).max(1000).default(500),
  concurrency: z.number().int().min(1).max(100).default(8),
  groups: z
    .object({
      memberAttribute: z.literal('member').default('member'),
      createMissing: z.boolean().default(false),
      objectClass: z.string().min(1).default('group'),
      /** Where groups live; when set, find and list report each account's groups as `permissions`. */
      baseDn: optionalDn,
      /**
       * Provisioned groups (provisionGroups:) keep their sync key here. adminDescription: in AD's schema and
       * Samba's, allowed on every object (class top), single-valued, 1024 characters, not shown by the usual tools.
       */
      keyAttribute: z
        .string()
        .refine(isAttributeName, { message: 'must be an LDAP attribute name' })
        .default('adminDescription'),
      /** Where archived provisioned groups are moved (with their members); without it they stay where they are. */
      archiveDn: optionalDn,
      /** Scope of a provisioned group (groupType): global, domain-local or universal. */
      scope: z.enum(['global', 'domain-local', 'universal']).default('global'),
      /** Kind of a provisioned group (groupType): security (can hold permissions) or distribution (mail only). */
      type: z.enum(['security', 'distribution']).default('security'),
    })
    .default({
      memberAttribute: 'member',
      createMissing: false,
      objectClass: 'group',
      keyAttribute: 'adminDescription',
      scope: 'global',
      type: 'security',
    }),
  /** Sets pwdLastSet=0 on create, so the user must choose a new password at first logon. */
  mustChangePassword: z.boolean().default(false),
  /** On a change of `mail`, keeps the old address as an `smtp:` alias in proxyAddresses (new one as `SMTP:`). */
  keepOldMailAsAlias: z.boolean().default(false),
  /** Initial passwords generated when the engine supplies none. */
  passwordPolicy: passwordPolicySchema.default({
    length: 16,
    lowercase: true,
    uppercase: true,
    digits: true,
    symbols: true,
    excludeAmbiguous: true,
  }),
  uniqueness: z
    .object({
      /** Values of these attributes must not be held by another object (sAMAccountName, UPN, mail, proxyAddresses). */
      attributes: z.array(z.enum(UNIQUE_ATTRIBUTES)).default([...UNIQUE_ATTRIBUTES]),
      /** Where to look; default the domain root (the DC= part of baseDn). */
      baseDn: optionalDn,
    })
    .default({ attributes: [...UNIQUE_ATTRIBUTES] }),
})

export type AdOptions = z.output<typeof adOptionsSchema>
