/** API tokens: shown once at creation, stored hashed, scoped to a role no higher than the user's, expiring. */
import type { AccessStore } from '../../store/index.ts'
import { roleAtLeast, type Role } from './roles.ts'
import { newSecret, secretHash } from './secrets.ts'
import { UserInputError } from './users.ts'

export const MAX_TOKEN_DAYS = 365

export async function createApiToken(
  access: AccessStore,
  o: {
    readonly user: string
    readonly role: Role
    readonly label: string
    readonly days: number
    readonly now: Date
  },
): Promise<{ readonly token: string; readonly expiresAt: string }> {
  const user = await access.getUser(o.user)
  if (user === undefined) throw new UserInputError(`user ${o.user}: no such user`)
  if (!roleAtLeast(user.role, o.role))
    throw new UserInputError(
      `user ${o.user} is ${user.role} and cannot make a token with the ${o.role} role`,
    )
  if (!Number.isInteger(o.days) || o.days < 1 || o.days > MAX_TOKEN_DAYS) {
    throw new UserInputError(
      `token for ${o.user}: days must be a whole number from 1 to ${MAX_TOKEN_DAYS}, got ${o.days}`,
    )
  }
  const token = `kpt_${newSecret()}`
  const expiresAt = new Date(o.now.getTime() + o.days * 86_400_000).toISOString()
  await access.addGrant('api_tokens', {
    secretHash: secretHash(token),
    userName: o.user,
    role: o.role,
    label: o.label,
    createdAt: o.now.toISOString(),
    expiresAt,
  })
  return { token, expiresAt }
}
