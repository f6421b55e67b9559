import type { Attributes } from './values.ts'

export type AccountState = 'active' | 'disabled' | 'deleted'

/**
 * Koppel's ledger entry for an account it manages in one target.
 * `targetId` is the target's own immutable id (entryUUID, objectGUID, Graph id); `locator` is where the
 * account is now (an LDAP DN changes on rename; the id does not).
 */
export interface Account {
  readonly kind: 'account'
  readonly target: string
  readonly person: string
  readonly targetId: string
  readonly locator: string
  readonly state: AccountState
  /** Attribute values Koppel last wrote (or found when it correlated). */
  readonly attributes: Attributes
  /** Permissions Koppel granted and has not revoked, as `type:id` (e.g. `group:cn=H3a,ou=groups,…`), sorted. */
  readonly permissions: readonly string[]
  readonly createdAt: string
  readonly updatedAt: string
  /** When the account was disabled; the delete grace period counts from here. */
  readonly disabledAt?: string
}
