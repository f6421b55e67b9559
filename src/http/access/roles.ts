import type { Role } from '../../store/index.ts'

export type { Role }

/** Each role can do what the ones before it can: a viewer reads, an operator also approves and applies one person. */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin']

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value)
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed)
}
