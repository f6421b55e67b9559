// Options of the OutSystems target (zod v4). The API is built by each customer in OutSystems, so paths and
// JSON field names are configuration; the defaults are those of the HelloID connector
// (Tools4everBV/HelloID-Conn-Prov-Target-OutSystems).
import { z } from 'zod'
import { secret } from '../../contract/index.ts'

const jsonName = z.string().min(1)

export const outSystemsOptionsSchema = z.object({
  /** The REST API's base URL, e.g. https://school.outsystemsenterprise.com/UserManagement/rest/v1 */
  baseUrl: z
    .string()
    .regex(/^(https?:\/\/\S+|.*\$\{(env|file):[^}]+\}.*)$/, 'must be an http(s) URL'),
  /** The bearer token (HelloID calls it the "[SCIM] Token"). */
  token: secret(),
  /** The role every user is created with and falls back to on revoke (a user has exactly one role). */
  defaultRole: z.string().min(1).default('Default User'),
  /** What a permission id in the rules names: the role's Name (default) or its Key. */
  roleId: z.enum(['name', 'key']).default('name'),
  paths: z
    .object({
      /** GET: every user (with `listQuery`); POST: create. */
      users: z.string().min(1).default('/users'),
      /** GET and PUT one user; `{key}` is replaced by the user's key. */
      user: z.string().includes('{key}').default('/users/{key}'),
      roles: z.string().min(1).default('/roles'),
    })
    .prefault({}),
  /** Query parameters of the user listing; the default includes inactive users. */
  listQuery: z.record(z.string(), z.string()).default({ IncludeInactive: 'true' }),
  /**
   * JSON field names as sent (the HelloID script's casing: it posts `UserName`); answers are read regardless of
   * case.
   */
  fields: z
    .object({
      key: jsonName.default('Key'),
      username: jsonName.default('UserName'),
      name: jsonName.default('Name'),
      email: jsonName.default('Email'),
      isActive: jsonName.default('IsActive'),
      roleKey: jsonName.default('RoleKey'),
      roleName: jsonName.default('Name'),
      roleKeyOfRole: jsonName.default('Key'),
    })
    .prefault({}),
  /**
   * More Koppel attributes and the JSON fields they are written to, for what the customer's API carries
   * beyond the user basics, e.g. the department and the place in the hierarchy:
   * `extraFields: { department: Department, manager: ManagerUsername }`. Values are strings.
   */
  extraFields: z.record(z.string().min(1), jsonName).default({}),
  timeoutMs: z.number().int().min(100).default(30_000),
  concurrency: z.number().int().min(1).max(32).default(4),
})

export type OutSystemsOptions = z.output<typeof outSystemsOptionsSchema>
