import type { Attributes } from './values.ts'

/** `archived`: kept in the target (moved aside or marked), its members kept; `deleted`: gone from the target. */
export type ProvisionedGroupState = 'active' | 'archived' | 'deleted'

/**
 * Koppel's ledger entry for a group (class, lesson group, course) it created or adopted in one target. `key` is
 * the sync key the target's `groups:` section computes (scoped to the school year by default) and never changes;
 * `targetId` is the target's own immutable id, `locator` where the group is now (a rename moves an LDAP DN).
 */
export interface ProvisionedGroup {
  readonly kind: 'provisioned-group'
  readonly target: string
  readonly key: string
  /** The `groups:` entry (group set) that provisions it. */
  readonly set: string
  readonly targetId: string
  readonly locator: string
  readonly state: ProvisionedGroupState
  /** What Koppel last wrote: `title`, `description`, `type`, `parent` and the set's own attributes. */
  readonly attributes: Attributes
  readonly createdAt: string
  readonly updatedAt: string
  /** When it was archived; the delete grace period counts from here. */
  readonly archivedAt?: string
}
