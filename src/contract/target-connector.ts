import type { Attributes, FieldChange } from '../model/index.ts'

export interface TargetCapabilities {
  /** Can list its accounts (for correlation and drift). Default false. */
  readonly listAccounts: boolean
  /** Has enable/disable. When false, the engine plans delete for leavers (after the grace period). */
  readonly enableDisable: boolean
  /** Can delete accounts. When false, leavers stay disabled. */
  readonly delete: boolean
  /** Permission types it can grant/revoke, e.g. ["group"]. Empty: none. */
  readonly permissionTypes: readonly string[]
  /** Attribute names that are computed by the target and cannot be written (e.g. entryUUID). */
  readonly readOnlyAttributes: readonly string[]
  /** How many operations may be in flight at once by default. */
  readonly defaultConcurrency: number
  /** Creates missing containers (OUs) of a computed `dn` on create and move; see `containerOf`. Default false. */
  readonly createsContainers?: boolean
  /**
   * Provisions groups as objects (`createGroup` and the rest are present): the membership roles it knows
   * (`member`, `owner`, `learner`, …) and whether archiving moves or marks the group in the target (`target`) or
   * is recorded in Koppel's ledger only (`ledger`, the group stays as it is until its delete).
   */
  readonly groups?: { readonly roles: readonly string[]; readonly archive: 'target' | 'ledger' }
}

/** A provisioned group as the engine asks for it: its sync key, title and the group set's computed fields. */
export interface GroupRequest {
  /** The sync key; the connector keeps it on the group so that a retried create finds it (idempotent). */
  readonly key: string
  readonly title: string
  /** `title`, `description`, `type` and the set's own attributes; `parent` is resolved into `parent` below. */
  readonly attributes: Attributes
  /** Where the parent group is, when the group set names one that Koppel manages. */
  readonly parent?: Ref
}

/** An account as the target reports it. */
export interface TargetAccount {
  /** The target's immutable id (entryUUID, objectGUID). */
  readonly id: string
  /** Where it is now (DN); equal to `id` for targets without a separate locator. */
  readonly locator: string
  readonly attributes: Attributes
  readonly enabled: boolean
  /** Permission ids the account holds (group DNs), when the target reports them with the account. */
  readonly permissions?: readonly string[]
}

/** What a write did, as controller-runtime's OperationResult: a repeated create reports `unchanged`. */
export interface WriteResult {
  readonly outcome: 'created' | 'updated' | 'unchanged' | 'already-gone' | 'pending'
  /** Id and locator after the write (a rename changes the locator). */
  readonly id: string
  readonly locator: string
  /** Attribute values the target generated or normalised, to record in the ledger. */
  readonly attributes?: Attributes
  /**
   * Secrets the connector generated for a new account (an initial password). Never logged, never stored: the
   * engine hands them to the target's configured delivery channel at once, then drops them.
   */
  readonly oneTimeSecrets?: Readonly<Record<string, string>>
}

export interface CreateRequest {
  /** Attribute values to write; the connector derives its own naming from them (e.g. `dn`). */
  readonly attributes: Attributes
  /** Whether the account starts disabled. */
  readonly enabled: boolean
  /** Attribute and value that identify this account if it already exists (idempotent create). */
  readonly anchor: { readonly attribute: string; readonly value: string }
  /** One-time secrets (initial password); never logged, never stored. */
  readonly secrets?: Readonly<Record<string, string>>
}

export interface Ref {
  readonly id: string
  readonly locator: string
}

export interface OpOptions {
  readonly signal?: AbortSignal
  /**
   * deliver only: the tokens an admin released with `koppel approve <target>:<token>` for this target (newest
   * first). A target whose own safety check refuses a delivery names the token to approve in its message.
   */
  readonly approvals?: readonly string[]
}

/**
 * Writes accounts and permissions into one system. The engine knows a target only through this interface.
 *
 * Failure semantics (every method throws `ConnectorError` on failure):
 * - `create` is all-or-nothing: when it throws, no account exists. Before writing it looks for an account
 *   with the anchor and, if found, returns `unchanged` with that account's id (so a retried create after a
 *   crash never duplicates).
 * - `update` changes only the listed fields; a field change named `dn` is a rename/move that keeps the id.
 * - `delete` of an account that is already gone returns `already-gone`; when `delete` throws, the account
 *   still exists.
 * - `grant` of a held permission and `revoke` of an absent one return `unchanged`.
 * - `find` returns enough to identify the account, or undefined.
 */
export interface TargetConnector {
  readonly name: string
  readonly type: string
  readonly capabilities: TargetCapabilities
  /** Present when `capabilities.listAccounts`; pages through every account under the connector's scope. */
  listAccounts?(options?: OpOptions): AsyncIterable<TargetAccount>
  find(
    anchor: { readonly attribute: string; readonly value: string },
    options?: OpOptions,
  ): Promise<TargetAccount | undefined>
  create(request: CreateRequest, options?: OpOptions): Promise<WriteResult>
  update(ref: Ref, changes: readonly FieldChange[], options?: OpOptions): Promise<WriteResult>
  enable?(ref: Ref, options?: OpOptions): Promise<WriteResult>
  disable?(ref: Ref, options?: OpOptions): Promise<WriteResult>
  delete?(ref: Ref, options?: OpOptions): Promise<WriteResult>
  /**
   * A permission of type `group` may carry a `role` (a membership of a provisioned group: `member`, `owner`,
   * `instructor`, …); absent means plain membership.
   */
  grant?(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
    options?: OpOptions,
  ): Promise<WriteResult>
  revoke?(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
    options?: OpOptions,
  ): Promise<WriteResult>
  /**
   * Provisioned groups (capabilities.groups). `createGroup` is idempotent by `key`: a group carrying the key is
   * returned `unchanged`; one with the same name that does not carry it is not Koppel's and throws `conflict`.
   * `updateGroup` applies `changes` (a `title` change renames, the id stays; `archived: true → ∅` restores an
   * archived group); `archiveGroup` moves or marks it; `deleteGroup` of a gone group returns `already-gone`.
   */
  createGroup?(request: GroupRequest, options?: OpOptions): Promise<WriteResult>
  updateGroup?(
    ref: Ref,
    changes: readonly FieldChange[],
    request: GroupRequest,
    options?: OpOptions,
  ): Promise<WriteResult>
  archiveGroup?(ref: Ref, options?: OpOptions): Promise<WriteResult>
  deleteGroup?(ref: Ref, options?: OpOptions): Promise<WriteResult>
  /**
   * Optional, for targets that take their whole state in one delivery (an IMS Enterprise file for itslearning).
   * Called once per apply after every action for this target ran — also when there were none, so a delivery
   * that failed or was refused last time is tried again. The connector keeps the state its actions built up
   * durable itself. Throws ConnectorError when the delivery failed or its own safety check refused it; the run
   * then fails with that message.
   */
  deliver?(options?: OpOptions): Promise<DeliveryResult>
  /**
   * Optional. The form in which two permission ids are compared: ids with the same key name one permission.
   * Directories compare DNs case-insensitively (`cn=3A,ou=groups` is AD's `CN=3A,OU=groups`), so a rule written
   * in one spelling must match the listing's other spelling, or every plan grants it again.
   */
  permissionKey?(type: string, id: string): string
  /**
   * Optional, for targets whose locators nest (directories): the container a locator or computed `dn` lives
   * in (a DN's parent, in the target's canonical spelling; compared case-insensitively), itself a locator, or
   * undefined at the top or for a value that is no locator. The plan uses it to name the containers a create
   * or move makes new.
   */
  containerOf?(locator: string): string | undefined
  /** Releases connections. Safe to call twice. */
  close(): Promise<void>
}

export interface DeliveryResult {
  readonly outcome: 'delivered' | 'unchanged'
  /** One line for the run report ("delivered koppel-2026-11-23.xml: 1,204 persons, 80 groups"). */
  readonly message: string
}
