import type { AttributeValue } from './values.ts'

export type ActionKind =
  | 'create'
  | 'correlate'
  | 'update'
  | 'enable'
  | 'disable'
  | 'delete'
  | 'grant'
  | 'revoke'
  | 'write-back'
  | 'group-create'
  | 'group-update'
  | 'group-archive'
  | 'group-delete'

export const ACTION_KINDS: readonly ActionKind[] = [
  'create',
  'correlate',
  'update',
  'enable',
  'disable',
  'delete',
  'grant',
  'revoke',
  'write-back',
  'group-create',
  'group-update',
  'group-archive',
  'group-delete',
]

/** Actions on a provisioned group (not on a person's account); `Action.group` says which. */
export const GROUP_ACTION_KINDS: readonly ActionKind[] = ['group-create', 'group-update', 'group-archive', 'group-delete']

export const isGroupAction = (kind: ActionKind): boolean => kind.startsWith('group-')

/** One field's change; `old` absent means the field is new, `new` absent means it is removed. */
export interface FieldChange {
  readonly field: string
  readonly old?: AttributeValue
  readonly new?: AttributeValue
}

/** Why an action is in the plan: which rule, and which change in the source (joiner, mover, leaver, drift). */
export interface Reason {
  readonly rule?: string
  readonly change: 'joiner' | 'mover' | 'leaver' | 'returner' | 'drift' | 'correlation' | 'grace-expired' | 'write-back'
  readonly detail: string
  /** A grant or revoke of a group membership: the source membership that earned it (`koppel explain`). */
  readonly membership?: { readonly group: string; readonly role: string }
}

/** Who an action is for, as a reader of the plan knows them: leerlingnummer/personeelsnummer, class, school. */
export interface ActionSubject {
  readonly number?: string
  readonly classGroup?: string
  readonly school?: string
}

/** Reference to an account in a target as the plan saw it. */
export interface AccountRef {
  readonly targetId: string
  readonly locator: string
}

export interface Action {
  readonly kind: ActionKind
  /** Unique in its plan and deterministic: `<target>/<person>/<kind>[/<permission>]`. */
  readonly id: string
  readonly target: string
  readonly person: string
  /** Human label of the person for tables ("Jan de Vries"). */
  readonly label: string
  /** For display and filtering only; a leaver gone from every source has what the ledger still shows. */
  readonly subject?: ActionSubject
  /** Absent on create: the target assigns the id. */
  readonly account?: AccountRef
  /** Create: every attribute (old absent); update: only the changed ones. */
  readonly changes: readonly FieldChange[]
  /** Grant/revoke: the permission's id in the target and its type (`group`, `role`, `licence`). */
  readonly permission?: string
  readonly permissionType?: string
  readonly reason: Reason
  /** Id of an action that must succeed first (a grant waits for its create). */
  readonly after?: string
  /** Write-back: the source written to and the person's record id there; `changes` hold the source fields. */
  readonly writeBack?: { readonly source: string; readonly record: string }
  /**
   * Group actions: the group's sync key and group set, and where it is in the target (absent on create).
   * `person` is then `group:<key>` and `label` the group's title.
   */
  readonly group?: { readonly key: string; readonly set: string; readonly ref?: AccountRef }
  /** Create only: where the account's one-time secrets (initial password) are delivered, when configured. */
  readonly deliverSecretsTo?: { readonly source: string; readonly record: string } | { readonly mail: string }
}
