import type { TargetAccount } from '../contract/index.ts'
import type {
  Account,
  AccountRef,
  Action,
  ActionKind,
  Attributes,
  FieldChange,
  Issue,
  PermissionAction,
  Person,
} from '../model/index.ts'
import { GROUP_MEMBERSHIP } from '../model/index.ts'
import { addDays, inYearlyWindow } from '../util/dates.ts'
import { lastContractEnd } from './active-contracts.ts'
import { labelOf, labelOfAccount, subjectOf, subjectOfAccount } from './action-subject.ts'
import { splitPermission, stringOf, valueOf } from './account-values.ts'
import { parseMembershipId, type DesiredAccount } from './desire.ts'
import { diffAttributes } from './diff-attributes.ts'
import type { EngineTarget } from './engine-types.ts'
import { GrantParts, NO_CHANGES, oneByte } from './grant-parts.ts'
import { UniqueValues } from './uniqueness.ts'

export interface TargetPlanInput {
  readonly target: EngineTarget
  /** Every person present in the sources, by key (leavers are those with a ledger account and no desire). */
  readonly persons: ReadonlyMap<string, Person>
  readonly desired: ReadonlyMap<string, DesiredAccount>
  readonly frozen: ReadonlySet<string>
  /** This target's ledger rows. */
  readonly ledger: readonly Account[]
  /** The target's own accounts, when it can list them; undefined plans against the ledger alone. */
  readonly listing?: readonly TargetAccount[]
  readonly today: string
  /**
   * This target's provisioned groups by sync key, as the ledger has them after this plan's group actions:
   * where each is, and whether it is archived (an archived group keeps its members, so they are not revoked).
   */
  readonly groups?: ReadonlyMap<string, { readonly locator?: string; readonly archived: boolean }>
}

export interface TargetPlan {
  readonly actions: Action[]
  readonly issues: Issue[]
  readonly notes: string[]
}

/**
 * Diffs one target's desired accounts against its ledger and, when given, its own listing, and returns the
 * actions with their reasons. Joiner, mover and leaver are outcomes of this one diff, not separate handlers.
 * Computes only; writes nothing.
 */
export function planTarget(input: TargetPlanInput): TargetPlan {
  const { target, desired, frozen, today } = input
  const ledger = new Map<string, Account>()
  for (const a of input.ledger) if (a.state !== 'deleted') ledger.set(a.person, a)
  const managedIds = new Map([...ledger.values()].map((a) => [a.targetId, a.person]))
  const listedById = input.listing && new Map(input.listing.map((t) => [t.id, t]))
  const listedByAnchor =
    input.listing && indexByAnchor(input.listing, target.anchorAttribute, managedIds)

  const unique = UniqueValues.build(
    target.mapping.uniqueAttributes,
    [...ledger.values()],
    input.listing,
    (t) => managedIds.get(t.id) ?? `unmanaged:${t.id}`,
  )
  // an unmanaged account that a person will be correlated with already holds that person's values
  if (listedByAnchor !== undefined) {
    for (const [key, d] of desired) {
      if (ledger.has(key)) continue
      const listed = listedByAnchor.get(anchorOf(target, d, today)?.toLowerCase() ?? '')
      if (listed === undefined) continue
      for (const attr of target.mapping.uniqueAttributes) {
        const v = valueOf(listed.attributes, attr)
        if (v !== undefined) unique.claim(attr, v, key)
      }
    }
  }

  const out: TargetPlan = { actions: [], issues: [], notes: [] }
  const containers = new KnownContainers(target, input.ledger, input.listing)
  const keys = [...new Set([...desired.keys(), ...ledger.keys()])].sort()
  const grants = new GrantParts()
  for (const key of keys) {
    if (frozen.has(key)) continue
    const d = desired.get(key)
    const account = ledger.get(key)
    if (d !== undefined) {
      planDesired(input, d, account, unique, listedById, listedByAnchor, containers, grants, out)
    } else if (account !== undefined) {
      planLeaver(input, account, listedById?.get(account.targetId), out)
    }
  }
  return holdBack(target, today, out)
}

function planDesired(
  input: TargetPlanInput,
  d: DesiredAccount,
  account: Account | undefined,
  unique: UniqueValues,
  listedById: ReadonlyMap<string, TargetAccount> | undefined,
  listedByAnchor: ReadonlyMap<string, TargetAccount> | undefined,
  containers: KnownContainers,
  grants: GrantParts,
  out: TargetPlan,
): void {
  const { target, today } = input
  const person = d.person
  const keep: Record<string, Attributes[string]> = {}
  if (account !== undefined) {
    for (const attr of target.mapping.onceAttributes) {
      const v = account.attributes[attr]
      if (v !== undefined) keep[attr] = v
    }
  }
  const mapped = target.mapping.evaluate(
    { person, contract: d.contract, contracts: d.contracts, today, keep },
    unique,
  )
  if (mapped.issues.length > 0) {
    out.issues.push(...mapped.issues)
    return
  }
  const p: Planning = {
    input,
    target,
    d,
    attrs: mapped.attributes,
    base: {
      target: target.name,
      person: person.key,
      label: labelOf(person),
      subject: subjectOf(person, d.contract),
    },
    // one-byte, as every action id of the person starts with it (grants: one per membership)
    prefix: oneByte(`${target.name}/${person.key}`),
    containers,
    grants,
    out,
  }
  const listed = account !== undefined ? listedById?.get(account.targetId) : undefined
  // an account the listing no longer has is planned as new (created again), unless the target cannot list
  if (account !== undefined && (listedById === undefined || listed !== undefined))
    planExisting(p, account, listed)
  else planNew(p, account, listedByAnchor)
}

/** One desired account being planned: its target, desire, mapped attributes and what its actions share. */
interface Planning {
  readonly input: TargetPlanInput
  readonly target: EngineTarget
  readonly d: DesiredAccount
  readonly attrs: Attributes
  readonly base: Pick<Action, 'target' | 'person' | 'label' | 'subject'>
  /** `<target>/<person>`, the start of every action id. */
  readonly prefix: string
  readonly containers: KnownContainers
  readonly grants: GrantParts
  readonly out: TargetPlan
}

/** A person with an account in the ledger (and in the listing, when read): enable, update, grant, revoke. */
function planExisting(p: Planning, account: Account, listed: TargetAccount | undefined): void {
  const { target, d, attrs, base, prefix, out } = p
  const fields = target.mapping.attributes
  const actualAttrs =
    listed !== undefined
      ? withDn(listed.attributes, listed.locator)
      : withDn(account.attributes, account.locator)
  const enabled = listed !== undefined ? listed.enabled : account.state === 'active'
  const ref = { targetId: account.targetId, locator: listed?.locator ?? account.locator }
  if (!target.connector.capabilities.enableDisable && account.state === 'disabled') {
    // a leaver marked in the ledger only (the target cannot disable) is back: unmark
    out.actions.push({
      ...base,
      kind: 'enable',
      id: `${prefix}/enable`,
      account: ref,
      changes: [],
      reason: {
        rule: d.rule,
        change: 'returner',
        detail: `active contract again (${contractLabel(d)}); ledger only`,
      },
    })
  }
  if (!enabled && target.connector.capabilities.enableDisable) {
    const change = account.state === 'disabled' ? 'returner' : 'drift'
    const detail =
      change === 'returner'
        ? `active contract again (${contractLabel(d)})`
        : 'disabled in the target by someone else'
    if (target.connector.enable !== undefined) {
      out.actions.push({
        ...base,
        kind: 'enable',
        id: `${prefix}/enable`,
        account: ref,
        changes: [],
        reason: { rule: d.rule, change, detail },
      })
    } else {
      // a target that can disable but not enable (Aura ends a borrower by date): a person must do it
      out.issues.push({
        severity: 'warning',
        code: 'cannot_enable',
        record: d.person.key,
        message: `${target.name}: ${base.label} is ${change === 'returner' ? 'back' : 'disabled'} (${detail}), but ${target.connector.type} cannot enable accounts; enable ${account.locator} by hand`,
      })
    }
  }
  const changes = diffAttributes(attrs, actualAttrs, fields)
  if (changes.length > 0) {
    out.actions.push({
      ...base,
      kind: 'update',
      id: `${prefix}/update`,
      account: ref,
      changes,
      reason: {
        rule: d.rule,
        change:
          listed !== undefined &&
          diffAttributes(attrs, withDn(account.attributes, account.locator), fields).length === 0
            ? 'drift'
            : 'mover',
        detail:
          describeChanges(changes) + p.containers.note(changes.find((c) => c.field === 'dn')?.new),
      },
    })
  }
  const key = permissionKeyOf(target)
  // the listing's permissions when it reports them (group DNs), else the ledger's
  const held = new Set(
    listed?.permissions !== undefined
      ? listed.permissions.map((id) => key('group', id))
      : account.permissions.map((k) => key(splitPermission(k)[1], splitPermission(k)[0])),
  )
  const ledgerHeld = new Set(account.permissions)
  const isHeld = (type: string, id: string): boolean => {
    if (type !== GROUP_MEMBERSHIP) return held.has(key(type, id))
    // a plain membership of a provisioned group shows in the listing as its DN; other roles only in the ledger
    const { role, key: groupKey } = parseMembershipId(id)
    const at = p.input.groups?.get(groupKey)?.locator
    if (listed?.permissions !== undefined && role === 'member' && at !== undefined)
      return held.has(key('group', at))
    return ledgerHeld.has(`${type}:${id}`)
  }
  planGrants(p, isHeld, { account: ref, change: 'mover' })
  const wanted = new Set([...d.permissions].map(([id, perm]) => key(perm.type, id)))
  for (const [id, type] of account.permissions.map(splitPermission)) {
    if (wanted.has(key(type, id)) || keptInArchive(p.input, type, id)) continue
    out.actions.push({
      ...base,
      kind: 'revoke',
      id: `${prefix}/revoke/${id}`,
      account: ref,
      changes: [],
      permission: id,
      permissionType: type,
      reason: revokeReason(type, id),
    })
  }
}

/**
 * A person without an account the target still has: correlate with an unmanaged account that has their
 * anchor (and update/enable it), else create one; `vanished` is the ledger row of an account gone from the target.
 */
function planNew(
  p: Planning,
  vanished: Account | undefined,
  listedByAnchor: ReadonlyMap<string, TargetAccount> | undefined,
): void {
  const { target, d, attrs, base, prefix, out } = p
  const fields = target.mapping.attributes
  const anchorValue = stringOf(attrs[target.anchorAttribute])
  const found =
    anchorValue !== undefined ? listedByAnchor?.get(anchorValue.toLowerCase()) : undefined
  let first: string
  if (found !== undefined && target.adopt === false) {
    // a create would find the same account by its anchor and take it over after all: nothing, and say so
    out.issues.push({
      severity: 'warning',
      code: 'unmanaged_account',
      record: d.person.key,
      field: target.anchorAttribute,
      value: anchorValue,
      message: `${target.name}: ${base.label} matches an account Koppel does not manage (${found.locator}, ${target.anchorAttribute}=${anchorValue}); not adopted because drift.adopt is off: adopt it (drift.adopt: true) or remove it`,
    })
    return
  }
  if (found !== undefined) {
    first = `${prefix}/correlate`
    const ref = { targetId: found.id, locator: found.locator }
    out.actions.push({
      ...base,
      kind: 'correlate',
      id: first,
      account: ref,
      changes: [
        { field: target.anchorAttribute, old: anchorValue as string, new: anchorValue as string },
      ],
      reason: {
        rule: d.rule,
        change: 'correlation',
        detail: `existing account with ${target.anchorAttribute}=${anchorValue}`,
      },
    })
    const changes = diffAttributes(attrs, withDn(found.attributes, found.locator), fields)
    if (changes.length > 0) {
      out.actions.push({
        ...base,
        kind: 'update',
        id: `${prefix}/update`,
        account: ref,
        changes,
        after: first,
        reason: { rule: d.rule, change: 'correlation', detail: describeChanges(changes) },
      })
    }
    if (
      !found.enabled &&
      target.connector.capabilities.enableDisable &&
      target.connector.enable !== undefined
    ) {
      out.actions.push({
        ...base,
        kind: 'enable',
        id: `${prefix}/enable`,
        account: ref,
        changes: [],
        after: first,
        reason: { rule: d.rule, change: 'correlation', detail: 'correlated account is disabled' },
      })
    }
  } else {
    first = `${prefix}/create`
    const changes: FieldChange[] = fields.flatMap((f) =>
      attrs[f] !== undefined ? [{ field: f, new: attrs[f] as Attributes[string] }] : [],
    )
    out.actions.push({
      ...base,
      kind: 'create',
      id: first,
      changes,
      reason:
        vanished !== undefined
          ? {
              rule: d.rule,
              change: 'drift',
              detail: 'account missing from the target; created again',
            }
          : {
              rule: d.rule,
              change: 'joiner',
              detail: `new ${contractLabel(d)}${p.containers.note(attrs['dn'])}`,
            },
    })
  }
  const key = permissionKeyOf(target)
  const held = new Set((found?.permissions ?? []).map((id) => key('group', id)))
  // a created account holds nothing, so no grant needs the target's key (on LDAP a DN parse per grant)
  const isHeld =
    held.size === 0 ? () => false : (type: string, id: string) => held.has(key(type, id))
  planGrants(p, isHeld, { after: first, change: 'joiner' })
}

/**
 * One grant per permission the rules give and the account does not hold (`held`, in the target's key). On an
 * existing account the grant names it (a mover); on a new or correlated one it waits for that first action.
 */
function planGrants(
  p: Planning,
  isHeld: (type: string, id: string) => boolean,
  on:
    | { readonly account: AccountRef; readonly change: 'mover' }
    | { readonly after: string; readonly change: 'joiner' },
): void {
  const { target, person, label, subject } = p.base
  for (const [key, perm] of sortedEntries(p.d.permissions)) {
    if (isHeld(perm.type, key)) continue
    const permission = p.grants.permission(key)
    // joined, not concatenated: a flat string now instead of a cons-string shell kept beside the flat copy
    // that the plan hash makes of it later (32 bytes per grant)
    const id = [p.prefix, '/grant/', permission].join('')
    const reason = p.grants.reason(perm, on.change)
    // object literals, not spreads: a spread's object keeps most of a grant's fields in a second, out-of-line
    // allocation. The keys are in the order the spreads gave them (the stored and printed JSON keep it).
    p.out.actions.push(
      'account' in on
        ? {
            target,
            person,
            label,
            subject,
            kind: 'grant',
            id,
            account: on.account,
            changes: NO_CHANGES,
            permission,
            permissionType: perm.type,
            reason,
          }
        : {
            target,
            person,
            label,
            subject,
            kind: 'grant',
            id,
            changes: NO_CHANGES,
            permission,
            permissionType: perm.type,
            after: on.after,
            reason,
          },
    )
  }
}

/** A membership of an archived group stays: the archive keeps who was in the group. */
function keptInArchive(input: TargetPlanInput, type: string, id: string): boolean {
  return (
    type === GROUP_MEMBERSHIP && input.groups?.get(parseMembershipId(id).key)?.archived === true
  )
}

function revokeReason(type: string, id: string): Action['reason'] {
  if (type !== GROUP_MEMBERSHIP) return { change: 'mover', detail: 'no rule grants this any more' }
  const { role, key } = parseMembershipId(id)
  return {
    change: 'mover',
    detail: `no active membership in the source grants ${role} of ${key} any more`,
  }
}

function planLeaver(
  input: TargetPlanInput,
  account: Account,
  listed: TargetAccount | undefined,
  out: TargetPlan,
): void {
  const { target, today } = input
  const caps = target.connector.capabilities
  const { deleteAfterDays, disableAfterDays } = target.lifecycle
  const person = input.persons.get(account.person)
  const ref = { targetId: account.targetId, locator: listed?.locator ?? account.locator }
  const base = {
    target: target.name,
    person: account.person,
    label: person !== undefined ? labelOf(person) : labelOfAccount(account),
    subject: person !== undefined ? subjectOf(person) : subjectOfAccount(account),
    account: ref,
    changes: [],
  }
  const prefix = `${target.name}/${account.person}`

  if (account.state === 'disabled') {
    // Koppel disabled it; someone (or a password reset tool) enabled it again: the state Koppel set wins
    if (listed?.enabled === true && caps.enableDisable && target.connector.disable !== undefined) {
      const since = account.disabledAt === undefined ? '' : ` on ${account.disabledAt.slice(0, 10)}`
      out.actions.push({
        ...base,
        kind: 'disable',
        id: `${prefix}/disable`,
        reason: {
          change: 'drift',
          detail: `enabled in the target by someone else; Koppel disabled it${since} (leaver)`,
        },
      })
    }
    // revokes a disable (or an earlier run) left over, e.g. after a failed revoke
    revokeAll(input, account, base, prefix, 'disabled account', out)
    if (deleteAfterDays === null || !caps.delete || account.disabledAt === undefined) return
    const due = addDays(account.disabledAt.slice(0, 10), deleteAfterDays)
    if (today < due) return
    out.actions.push({
      ...base,
      kind: 'delete',
      id: `${prefix}/delete`,
      reason: {
        change: 'grace-expired',
        detail: `disabled on ${account.disabledAt.slice(0, 10)}, grace of ${deleteAfterDays} days ended ${due}`,
      },
    })
    return
  }
  const end = person !== undefined ? lastContractEnd(person.contracts) : undefined
  const ended =
    person === undefined
      ? 'no longer in any source'
      : end !== undefined && end <= today
        ? `last contract ended ${end}`
        : 'no rule grants an account any more'
  const disableOn = end !== undefined && end <= today ? addDays(end, disableAfterDays) : today
  if (today < disableOn) return
  if (caps.enableDisable) {
    out.actions.push({
      ...base,
      kind: 'disable',
      id: `${prefix}/disable`,
      reason: { change: 'leaver', detail: ended },
    })
    revokeAll(input, account, base, prefix, ended, out)
  } else if (
    caps.delete &&
    deleteAfterDays !== null &&
    today >= addDays(disableOn, deleteAfterDays)
  ) {
    out.actions.push({
      ...base,
      kind: 'delete',
      id: `${prefix}/delete`,
      reason: {
        change: 'leaver',
        detail: `${ended}; the target cannot disable, grace of ${deleteAfterDays} days ended`,
      },
    })
  } else {
    // The target cannot disable, and the grace period runs: mark the account disabled in the ledger only, so the
    // grace is counted from this day (a person gone from every source has no end date to count from) and the
    // delete follows the usual disabled → delete path.
    const until =
      caps.delete && deleteAfterDays !== null ? `deleted after ${deleteAfterDays} days` : 'kept'
    out.actions.push({
      ...base,
      kind: 'disable',
      id: `${prefix}/disable`,
      reason: {
        change: 'leaver',
        detail: `${ended}; ledger only: ${target.connector.type} cannot disable, the account stays usable and is ${until}`,
      },
    })
    revokeAll(input, account, base, prefix, ended, out)
  }
}

/**
 * With `revokeOnDisable` (the default) a disabled account keeps none of the groups Koppel granted it: one
 * revoke per group in the ledger. Apply runs revokes before disables. Licences and roles stay until the
 * delete: removing an Exchange Online licence starts the mailbox's deletion, which a returner would lose.
 */
function revokeAll(
  input: TargetPlanInput,
  account: Account,
  base: Omit<PermissionAction, 'kind' | 'id' | 'reason' | 'permission' | 'permissionType'>,
  prefix: string,
  why: string,
  out: TargetPlan,
): void {
  const { target } = input
  if (target.lifecycle.revokeOnDisable === false || target.connector.revoke === undefined) return
  for (const [id, type] of account.permissions
    .map(splitPermission)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (type !== 'group' && type !== GROUP_MEMBERSHIP) continue
    if (keptInArchive(input, type, id)) continue
    out.actions.push({
      ...base,
      kind: 'revoke',
      id: `${prefix}/revoke/${id}`,
      permission: id,
      permissionType: type,
      reason: {
        change: 'leaver',
        detail: `${why}; a disabled account keeps no groups (revokeOnDisable)`,
      },
    })
  }
}

/**
 * The containers (OUs) a directory target is known to have: those of every account in the ledger and the
 * listing, and their parents. A create or move into another one says so in its reason, so that the plan
 * shows the OUs the apply will make (the connector creates them only when they are missing).
 */
class KnownContainers {
  readonly #target: EngineTarget
  readonly #known = new Set<string>()
  readonly #announced = new Set<string>()

  constructor(
    target: EngineTarget,
    ledger: readonly Account[],
    listing: readonly TargetAccount[] | undefined,
  ) {
    this.#target = target
    const c = target.connector
    if (c.capabilities.createsContainers !== true || c.containerOf === undefined) return
    for (const a of ledger) this.#add(a.locator)
    for (const t of listing ?? []) {
      this.#add(t.locator)
      const dn = t.attributes['dn']
      if (typeof dn === 'string') this.#add(dn)
    }
  }

  /** "; creates OU …" for a dn whose container is new, the first time in this target's plan; else "". */
  note(dn: Attributes[string] | undefined): string {
    const c = this.#target.connector
    if (
      typeof dn !== 'string' ||
      c.capabilities.createsContainers !== true ||
      c.containerOf === undefined
    )
      return ''
    const parent = c.containerOf(dn)
    if (parent === undefined || this.#known.has(parent.toLowerCase())) return ''
    const first = !this.#announced.has(parent.toLowerCase())
    this.#announced.add(parent.toLowerCase())
    return first ? `; creates OU ${parent} if it is missing (createOus)` : `; in new OU ${parent}`
  }

  /** The containers of `locator` up to the top, until one already known. */
  #add(locator: string): void {
    const c = this.#target.connector
    for (
      let at = c.containerOf?.(locator);
      at !== undefined && !this.#known.has(at.toLowerCase());
      at = c.containerOf?.(at)
    ) {
      this.#known.add(at.toLowerCase())
    }
  }
}

/** Drops actions of kinds held today (summer, school-year turnover) and says so in a note. */
export function holdBack(target: EngineTarget, today: string, plan: TargetPlan): TargetPlan {
  const held = new Set<ActionKind>()
  for (const h of target.lifecycle.holds)
    if (inYearlyWindow(today, h.from, h.to)) for (const k of h.kinds) held.add(k)
  if (held.size === 0) return plan
  // a leaver's revokes go with its disable: held with it, so that a pupil kept over the summer keeps the groups
  const waits = (a: Action) =>
    held.has(a.kind) || (a.kind === 'revoke' && a.reason.change === 'leaver' && held.has('disable'))
  const kept = plan.actions.filter((a) => !waits(a))
  const dropped = plan.actions.length - kept.length
  if (dropped > 0)
    plan.notes.push(
      `${target.name}: ${dropped} ${[...held].join('/')} action(s) held back by a hold window today`,
    )
  return { ...plan, actions: kept }
}

function indexByAnchor(
  listing: readonly TargetAccount[],
  attribute: string,
  managed: ReadonlyMap<string, string>,
) {
  const m = new Map<string, TargetAccount>()
  for (const t of listing) {
    if (managed.has(t.id)) continue
    const v = valueOf(t.attributes, attribute)
    if (v !== undefined) m.set(v.toLowerCase(), t)
  }
  return m
}

function anchorOf(target: EngineTarget, d: DesiredAccount, today: string): string | undefined {
  const r = target.anchorMapping.evaluate(
    { person: d.person, contract: d.contract, contracts: d.contracts, today },
    NO_UNIQUENESS,
  )
  return stringOf(r.attributes[target.anchorAttribute])
}

const NO_UNIQUENESS = { isTaken: () => false, claim: () => {} }

function withDn(attrs: Attributes, locator: string): Attributes {
  return { ...attrs, dn: locator }
}

function sortedEntries<V>(m: ReadonlyMap<string, V>): [string, V][] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** How this target compares permission ids (DNs case-insensitively in directories); as written by default. */
function permissionKeyOf(target: EngineTarget): (type: string, id: string) => string {
  const c = target.connector
  return c.permissionKey !== undefined
    ? (type, id) => c.permissionKey?.(type, id) ?? id
    : (_type, id) => id
}

function contractLabel(d: DesiredAccount): string {
  const c = d.contract
  const parts = [c.role, c.classGroup, c.organisationCode ?? c.organisationName].filter(
    (s) => s !== undefined,
  )
  return parts.join(' ')
}

function describeChanges(changes: readonly FieldChange[]): string {
  return changes.map((c) => `${c.field}: ${show(c.old)} → ${show(c.new)}`).join('; ')
}

function show(v: Attributes[string] | undefined): string {
  return v === undefined ? '∅' : typeof v === 'string' ? v : v.join(', ')
}
