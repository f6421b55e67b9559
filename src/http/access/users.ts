/**
 * Local users of the dashboard: `koppel user add` and the login check. One place validates a user name and a
 * password, so the CLI and any future admin page refuse the same things with the same words.
 */
import type { AccessStore, Role, TenantRole } from '../../store/index.ts'
import { hashPassword, verifyPassword } from './secrets.ts'
import { isRole, ROLES } from './roles.ts'

const USER_NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/
export const MIN_PASSWORD_LENGTH = 12

export class UserInputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UserInputError'
  }
}

export function checkUserName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw new UserInputError(
      `user name ${JSON.stringify(name)}: use 1-64 lower-case letters, digits, ".", "_", "@" or "-", starting with a letter or digit`,
    )
  }
}

export function checkRole(role: string): Role {
  if (!isRole(role))
    throw new UserInputError(`--role ${JSON.stringify(role)}: must be one of ${ROLES.join(', ')}`)
  return role
}

export function checkPassword(name: string, password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new UserInputError(
      `user ${name}: the password must be at least ${MIN_PASSWORD_LENGTH} characters`,
    )
  }
}

export async function addUser(
  access: AccessStore,
  o: {
    readonly name: string
    readonly role: string
    readonly password: string
    readonly now: Date
  },
): Promise<{ readonly created: boolean }> {
  checkUserName(o.name)
  const role = checkRole(o.role)
  checkPassword(o.name, o.password)
  const existing = await access.getUser(o.name)
  await access.putUser({
    name: o.name,
    role,
    passwordHash: await hashPassword(o.password),
    createdAt: existing?.createdAt ?? o.now.toISOString(),
  })
  return { created: existing === undefined }
}

let dummyHash: Promise<string> | undefined

/**
 * The user when name and password match; undefined otherwise (the caller does not say which was wrong). An
 * unknown name costs the same argon2id verify as a known one, so the answer's time does not tell which names exist.
 */
export async function checkLogin(
  access: AccessStore,
  name: string,
  password: string,
): Promise<{ readonly name: string; readonly role: Role } | undefined> {
  const user = await access.getUser(name)
  if (user?.passwordHash === undefined) {
    dummyHash ??= hashPassword('no user has this password')
    await verifyPassword(await dummyHash, password)
    return undefined
  }
  return (await verifyPassword(user.passwordHash, password))
    ? { name: user.name, role: user.role }
    : undefined
}

const TENANT_NAME = /^[a-z0-9][a-z0-9-]*$/

/** A `--tenant` flag's value: refused naming the flag before any store of that name is opened. */
export function checkTenantName(tenant: string): void {
  if (!TENANT_NAME.test(tenant))
    throw new UserInputError(
      `--tenant ${JSON.stringify(tenant)}: must be lowercase letters, digits and hyphens, e.g. school-a`,
    )
}

/**
 * `koppel user grant`: an existing user gets `role` in `tenant` (any tenant of the store; the user's password
 * stays the one they have). The tenants they hold afterwards, for the CLI to print.
 */
export async function grantUser(
  access: AccessStore,
  o: { readonly name: string; readonly role: string; readonly tenant: string; readonly now: Date },
): Promise<TenantRole[]> {
  checkUserName(o.name)
  const role = checkRole(o.role)
  checkTenantName(o.tenant)
  if (!(await access.grantTenant(o.name, o.tenant, role, o.now)))
    throw new UserInputError(`user ${o.name}: no such user; create them with koppel user add first`)
  return access.tenantsOf(o.name)
}
