// Users, their roles per tenant, sessions and API tokens of the dashboard and HTTP API, seen from one tenant. Secrets never reach
// this module: passwords arrive as argon2id hashes, sessions and tokens as the SHA-256 of what the client holds.
import type { Kysely } from 'kysely'

export type Role = 'viewer' | 'operator' | 'admin'

export interface UserRecord {
  readonly name: string
  readonly role: Role
  /** argon2id PHC string; undefined until the user sets a password. */
  readonly passwordHash: string | undefined
  readonly createdAt: string
}

/** A session (cookie) or an API token (bearer): the user, the role it grants (≤ the user's) and its end. */
export interface Grant {
  readonly secretHash: string
  readonly userName: string
  readonly role: Role
  readonly label: string
  readonly createdAt: string
  readonly expiresAt: string
}

export type GrantKind = 'sessions' | 'api_tokens'

/** One per person across the store: the password is the same whichever tenant they sign in to. */
interface LoginsTable {
  name: string
  password_hash: string | null
  created_at: string
}

/** What a user may do in one tenant; no row, no access there (migration 0008). */
interface TenantRolesTable {
  tenant: string
  user_name: string
  role: string
  created_at: string
}

interface GrantsTable {
  tenant: string
  secret_hash: string
  user_name: string
  role: string
  label: string
  created_at: string
  expires_at: string
}

export interface AccessTables {
  logins: LoginsTable
  tenant_roles: TenantRolesTable
  sessions: GrantsTable
  api_tokens: GrantsTable
}

/** A tenant a user may use, and the role there. */
export interface TenantRole {
  readonly tenant: string
  readonly role: Role
}

/**
 * For the store's tenant: a user is their login plus their role in this tenant; a user with no role here does
 * not exist here (getUser answers undefined), whatever roles they hold elsewhere.
 */
export interface AccessStore {
  /** Creates the user's login and role here or, when they exist, sets the role and (when given) the hash. */
  putUser(user: UserRecord): Promise<void>
  getUser(name: string): Promise<UserRecord | undefined>
  listUsers(): Promise<UserRecord[]>
  /** Every tenant of the store this user holds a role in, by tenant name. */
  tenantsOf(name: string): Promise<TenantRole[]>
  /** Gives an existing login a role in `tenant` (any tenant of the store); false when there is no such login. */
  grantTenant(name: string, tenant: string, role: Role, now: Date): Promise<boolean>
  /** Takes the user's role in `tenant` away, with their sessions and tokens there; false when they had none. */
  revokeTenant(name: string, tenant: string): Promise<boolean>
  addGrant(kind: GrantKind, grant: Grant): Promise<void>
  /** The grant with this hash when it has not expired at `now`. */
  findGrant(kind: GrantKind, secretHash: string, now: Date): Promise<Grant | undefined>
  /** True when this hash is a live grant of another tenant of the store (that tenant's session or token). */
  isOtherTenantsGrant(kind: GrantKind, secretHash: string, now: Date): Promise<boolean>
  removeGrant(kind: GrantKind, secretHash: string): Promise<void>
  listGrants(kind: GrantKind, userName?: string): Promise<Grant[]>
}

interface UserRow {
  name: string
  role: string
  password_hash: string | null
  created_at: string
}

const userFromRow = (r: UserRow): UserRecord => ({
  name: r.name,
  role: r.role as Role,
  passwordHash: r.password_hash ?? undefined,
  createdAt: r.created_at,
})
const grantFromRow = (r: GrantsTable): Grant => ({
  secretHash: r.secret_hash,
  userName: r.user_name,
  role: r.role as Role,
  label: r.label,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
})

export function accessStore(db: Kysely<AccessTables>, tenant: string): AccessStore {
  const usersHere = () =>
    db
      .selectFrom('tenant_roles as r')
      .innerJoin('logins as l', 'l.name', 'r.user_name')
      .select(['l.name', 'r.role', 'l.password_hash', 'l.created_at'])
      .where('r.tenant', '=', tenant)
  return {
    async putUser(user) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('logins')
          .values({
            name: user.name,
            password_hash: user.passwordHash ?? null,
            created_at: user.createdAt,
          })
          .onConflict((oc) =>
            user.passwordHash === undefined
              ? oc.column('name').doNothing()
              : oc.column('name').doUpdateSet({ password_hash: user.passwordHash }),
          )
          .execute()
        await trx
          .insertInto('tenant_roles')
          .values({ tenant, user_name: user.name, role: user.role, created_at: user.createdAt })
          .onConflict((oc) => oc.columns(['tenant', 'user_name']).doUpdateSet({ role: user.role }))
          .execute()
      })
    },
    async getUser(name) {
      const row = await usersHere().where('l.name', '=', name).executeTakeFirst()
      return row && userFromRow(row)
    },
    async listUsers() {
      const rows = await usersHere().orderBy('l.name').execute()
      return rows.map(userFromRow)
    },
    async tenantsOf(name) {
      const rows = await db
        .selectFrom('tenant_roles')
        .select(['tenant', 'role'])
        .where('user_name', '=', name)
        .orderBy('tenant')
        .execute()
      return rows.map((r) => ({ tenant: r.tenant, role: r.role as Role }))
    },
    async grantTenant(name, other, role, now) {
      const login = await db
        .selectFrom('logins')
        .select('name')
        .where('name', '=', name)
        .executeTakeFirst()
      if (login === undefined) return false
      await db
        .insertInto('tenant_roles')
        .values({ tenant: other, user_name: name, role, created_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['tenant', 'user_name']).doUpdateSet({ role }))
        .execute()
      return true
    },
    async revokeTenant(name, other) {
      return db.transaction().execute(async (trx) => {
        const gone = await trx
          .deleteFrom('tenant_roles')
          .where('tenant', '=', other)
          .where('user_name', '=', name)
          .executeTakeFirst()
        for (const kind of ['sessions', 'api_tokens'] as const)
          await trx
            .deleteFrom(kind)
            .where('tenant', '=', other)
            .where('user_name', '=', name)
            .execute()
        return Number(gone.numDeletedRows) > 0
      })
    },
    async addGrant(kind, g) {
      await db
        .insertInto(kind)
        .values({
          tenant,
          secret_hash: g.secretHash,
          user_name: g.userName,
          role: g.role,
          label: g.label,
          created_at: g.createdAt,
          expires_at: g.expiresAt,
        })
        .execute()
    },
    async findGrant(kind, secretHash, now) {
      const row = await db
        .selectFrom(kind)
        .selectAll()
        .where('tenant', '=', tenant)
        .where('secret_hash', '=', secretHash)
        .where('expires_at', '>', now.toISOString())
        .executeTakeFirst()
      return row && grantFromRow(row)
    },
    async isOtherTenantsGrant(kind, secretHash, now) {
      const row = await db
        .selectFrom(kind)
        .select('tenant')
        .where('tenant', '<>', tenant)
        .where('secret_hash', '=', secretHash)
        .where('expires_at', '>', now.toISOString())
        .executeTakeFirst()
      return row !== undefined
    },
    async removeGrant(kind, secretHash) {
      await db
        .deleteFrom(kind)
        .where('tenant', '=', tenant)
        .where('secret_hash', '=', secretHash)
        .execute()
    },
    async listGrants(kind, userName) {
      const rows = await db
        .selectFrom(kind)
        .selectAll()
        .where('tenant', '=', tenant)
        .$if(userName !== undefined, (q) => q.where('user_name', '=', userName as string))
        .orderBy('created_at')
        .execute()
      return rows.map(grantFromRow)
    },
  }
}
