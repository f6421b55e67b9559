// Users, sessions and API tokens of the dashboard and HTTP API, for the store's tenant. Secrets never reach
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

interface UsersTable {
  tenant: string
  name: string
  role: string
  password_hash: string | null
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
  users: UsersTable
  sessions: GrantsTable
  api_tokens: GrantsTable
}

export interface AccessStore {
  /** Creates the user or, when it exists, sets its role and (when given) its password hash. */
  putUser(user: UserRecord): Promise<void>
  getUser(name: string): Promise<UserRecord | undefined>
  listUsers(): Promise<UserRecord[]>
  addGrant(kind: GrantKind, grant: Grant): Promise<void>
  /** The grant with this hash when it has not expired at `now`. */
  findGrant(kind: GrantKind, secretHash: string, now: Date): Promise<Grant | undefined>
  removeGrant(kind: GrantKind, secretHash: string): Promise<void>
  listGrants(kind: GrantKind, userName?: string): Promise<Grant[]>
}

const userFromRow = (r: UsersTable): UserRecord => ({
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
  return {
    async putUser(user) {
      const row = {
        tenant,
        name: user.name,
        role: user.role,
        password_hash: user.passwordHash ?? null,
        created_at: user.createdAt,
      }
      await db
        .insertInto('users')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['tenant', 'name'])
            .doUpdateSet(
              user.passwordHash === undefined
                ? { role: user.role }
                : { role: user.role, password_hash: user.passwordHash },
            ),
        )
        .execute()
    },
    async getUser(name) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('tenant', '=', tenant)
        .where('name', '=', name)
        .executeTakeFirst()
      return row && userFromRow(row)
    },
    async listUsers() {
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .where('tenant', '=', tenant)
        .orderBy('name')
        .execute()
      return rows.map(userFromRow)
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
