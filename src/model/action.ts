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

/** Every kind, in the order plans list them (build-plan sorts by it) and tables show them. */
export const ACTION_KINDS = [
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
] as const satisfies readonly ActionKind[]

/**
 * The permission type of a membership in a group Koppel provisions (`<role>@<sync key>`). Not `membership`:
 * the itslearning connectors already use that type for course memberships named by id (`course#role`).
 */
export const GROUP_MEMBERSHIP = 'group-membership'

/** Actions on a provisioned group (not on a person's account); `GroupAction.group` says which. */
export const GROUP_ACTION_KINDS: readonly ActionKind[] = [
  'group-create',
  'group-update',
  'group-archive',
  'group-delete',
]

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
  readonly change:
    | 'joiner'
    | 'mover'
    | 'leaver'
    | 'returner'
    | 'drift'
    | 'correlation'
    | 'grace-expired'
    | 'write-back'
    | 'revert'
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

/** Where a new account's one-time secrets (initial password) go: a source record, or a person's mail. */
export type SecretChannel =
  { readonly source: string; readonly record: string } | { readonly mail: string }

/** What every action carries, whatever its kind. */
interface ActionBase {
  /** Unique in its plan and deterministic: `<target>/<person>/<kind>[/<permission>]`. */
  readonly id: string
  readonly target: string
  readonly person: string
  /** Human label of the person for tables ("Jan de Vries"). */
  readonly label: string
  /** For display and filtering only; a leaver gone from every source has what the ledger still shows. */
  readonly subject?: ActionSubject
  /** Create: every attribute (old absent); update: only the changed ones; write-back: the source fields. */
  readonly changes: readonly FieldChange[]
  readonly reason: Reason
  /** Id of an action that must succeed first (a grant waits for its create). */
  readonly after?: string
}

/** A new account. It has no account reference: the target assigns the id. */
export interface CreateAction extends ActionBase {
  readonly kind: 'create'
  /** Where the account's one-time secrets are delivered, when configured. */
  readonly deliverSecretsTo?: SecretChannel
}

/** An action on an account that exists, in the ledger or in the target's listing (a correlate). */
export interface AccountAction extends ActionBase {
  readonly kind: 'correlate' | 'update' | 'enable' | 'disable' | 'delete'
  readonly account: AccountRef
}

export interface PermissionAction extends ActionBase {
  readonly kind: 'grant' | 'revoke'
  /** Absent on a grant to an account this plan creates (it waits for the create, `after`). */
  readonly account?: AccountRef
  /** The permission's id in the target and its type (`group`, `role`, `licence`). */
  readonly permission: string
  readonly permissionType: string
}

/** Writes account values (`changes`, as source fields) back to a person's record in a source. */
export interface WriteBackAction extends ActionBase {
  readonly kind: 'write-back'
  /** Absent when the account is created by this plan. */
  readonly account?: AccountRef
  readonly writeBack: { readonly source: string; readonly record: string }
}

/**
 * An action on a provisioned group: its sync key and group set, and where it is in the target (absent on
 * create). `person` is `group:<key>` and `label` the group's title.
 */
export interface GroupAction extends ActionBase {
  readonly kind: 'group-create' | 'group-update' | 'group-archive' | 'group-delete'
  readonly group: { readonly key: string; readonly set: string; readonly ref?: AccountRef }
}

/** One change of a plan; the fields a kind needs exist only on that kind, so nothing reads a half-filled action. */
export type Action = CreateAction | AccountAction | PermissionAction | WriteBackAction | GroupAction

// a new kind fails to compile here until it has an Action variant and a place in ACTION_KINDS
const everyKindHasAVariant: Exclude<ActionKind, Action['kind']> extends never ? true : never = true
const everyKindIsListed: Exclude<ActionKind, (typeof ACTION_KINDS)[number]> extends never
  ? true
  : never = true
void everyKindHasAVariant
void everyKindIsListed

export function isPermissionAction(a: Action): a is PermissionAction {
  return a.kind === 'grant' || a.kind === 'revoke'
}

/** The account an action is about, where the plan knew it (never on a create, never on a group). */
export function accountOf(a: Action): AccountRef | undefined {
  return a.kind === 'create' || 'group' in a ? undefined : a.account
}
