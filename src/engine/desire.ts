import type { Contract, Group, Issue, Membership, Person } from '../model/index.ts'
import { GROUP_MEMBERSHIP } from '../model/index.ts'
import type { CompiledRules, MembershipInput } from '../rules/index.ts'
import { addDays } from '../util/dates.ts'
import { activeContracts } from './active-contracts.ts'
import type { EngineTarget } from './engine-types.ts'

/** A desired permission: its type and the rule that granted it; a group membership also names its source. */
export interface DesiredPermission {
  readonly type: string
  readonly rule: string
  /** Memberships of provisioned groups (type `membership`): the source membership that earned it. */
  readonly membership?: { readonly group: string; readonly role: string }
}

/**
 * What membership rules need to know of the groups: the sources' groups by key, and per target the sync key a
 * group set gave a source group (undefined: the set does not provision that group, so there is nothing to join).
 */
export interface GroupIndex {
  readonly sourceGroups: ReadonlyMap<string, Group>
  syncKeyOf(target: string, set: string, sourceGroup: string): string | undefined
}

/** The group index of `targets`' group sets over the sources' groups (the first group with a sync key wins). */
export function groupIndexOf(
  targets: readonly EngineTarget[],
  groups: readonly Group[],
  today: string,
): GroupIndex {
  const bySource = new Map<string, string>()
  for (const t of targets) {
    for (const g of t.groups?.evaluate(groups, today).groups ?? []) {
      const k = `${t.name}\u0000${g.set}\u0000${g.source.key}`
      if (!bySource.has(k)) bySource.set(k, g.key)
    }
  }
  return {
    sourceGroups: new Map(groups.map((g) => [g.key, g])),
    syncKeyOf: (target, set, group) => bySource.get(`${target}\u0000${set}\u0000${group}`),
  }
}

/** Permission id of a provisioned group's membership: `<role>@<sync key>` (type `membership`). */
export const membershipId = (role: string, key: string): string => `${role}@${key}`

export function parseMembershipId(id: string): { readonly role: string; readonly key: string } {
  const at = id.indexOf('@')
  return at < 0 ? { role: 'member', key: id } : { role: id.slice(0, at), key: id.slice(at + 1) }
}

/** What the rules grant one person in one target. Attribute values are computed later, per target, in plan-target. */
export interface DesiredAccount {
  readonly person: Person
  readonly rule: string
  /** The contract whose rule granted the account; mappings read it as `contract`. */
  readonly contract: Contract
  /** Active contracts in this target's window; mappings read them as `contracts`. */
  readonly contracts: readonly Contract[]
  /** Permission id → its type and the rule that granted it. */
  readonly permissions: ReadonlyMap<string, DesiredPermission>
}

export interface Desire {
  /** target → person key → desired account. */
  readonly byTarget: ReadonlyMap<string, ReadonlyMap<string, DesiredAccount>>
  /** Persons whose rules failed: the plan leaves their accounts exactly as they are. */
  readonly frozen: ReadonlySet<string>
  readonly issues: readonly Issue[]
}

/**
 * Runs the rules for every person and keeps the grants whose contract is active in the granting target's
 * provisioning window. Computes entitlements only; writes nothing and knows no target's current state.
 */
export function desire(
  persons: readonly Person[],
  rules: CompiledRules,
  targets: readonly EngineTarget[],
  today: string,
  groups?: GroupIndex,
): Desire {
  const maxLead = Math.max(0, ...targets.map((t) => t.lifecycle.provisionDaysBefore))
  const lead = new Map(targets.map((t) => [t.name, t.lifecycle.provisionDaysBefore]))
  const byTarget = new Map<string, Map<string, DesiredAccount>>(
    targets.map((t) => [t.name, new Map()]),
  )
  const frozen = new Set<string>()
  const issues: Issue[] = []
  const shared: SharedPermissions = new Map()

  for (const person of persons) {
    const candidates = activeContracts(person.contracts, today, maxLead)
    if (candidates.length === 0) continue
    const result = rules.entitlementsFor(person, candidates, today)
    if (result.issues.length > 0) {
      frozen.add(person.key)
      issues.push(...result.issues)
      continue
    }
    const accounts = new Map<string, { rule: string; contract: Contract }>()
    const permissions = new Map<string, Map<string, DesiredPermission>>()
    for (const { entitlement: e, contract } of result.grants) {
      const days = lead.get(e.target)
      if (days === undefined || activeContracts([contract], today, days).length === 0) continue
      if (e.kind === 'account') {
        if (!accounts.has(e.target)) accounts.set(e.target, { rule: e.rule, contract })
      } else if (e.kind === 'permission') {
        let perTarget = permissions.get(e.target)
        if (perTarget === undefined) permissions.set(e.target, (perTarget = new Map()))
        if (!perTarget.has(e.id)) perTarget.set(e.id, { type: e.type, rule: e.rule })
      }
    }
    if (groups !== undefined && rules.perMembership && accounts.size > 0) {
      const granted = membershipGrants(
        person,
        candidates,
        rules,
        groups,
        today,
        maxLead,
        lead,
        shared,
      )
      if (granted.issues.length > 0) {
        frozen.add(person.key)
        issues.push(...granted.issues)
        continue
      }
      for (const [target, perms] of granted.byTarget) {
        let perTarget = permissions.get(target)
        if (perTarget === undefined) permissions.set(target, (perTarget = new Map()))
        for (const [id, p] of perms) if (!perTarget.has(id)) perTarget.set(id, p)
      }
    }
    for (const [target, grant] of accounts) {
      const days = lead.get(target) ?? 0
      byTarget.get(target)?.set(person.key, {
        person,
        rule: grant.rule,
        contract: grant.contract,
        contracts: activeContracts(candidates, today, days),
        // a permission without an account in the same target has nothing to attach to, so it is dropped here
        permissions: permissions.get(target) ?? new Map(),
      })
    }
  }
  return { byTarget, frozen, issues }
}

/**
 * Membership permissions by rule, sync key, role and source group and role: the same id and object for every
 * pupil of a class. Built per person they were a million ids and objects alive until the plan was made, at
 * 100,000 persons with provisioned groups (P1 memory, docs/benchmarks.md).
 */
type SharedPermissions = Map<
  string,
  { readonly id: string; readonly permission: DesiredPermission }
>

function sharedPermission(
  shared: SharedPermissions,
  e: {
    readonly rule: string
    readonly role: string
    readonly group: string
    readonly sourceRole: string
  },
  key: string,
): { readonly id: string; readonly permission: DesiredPermission } {
  const k = `${e.rule}\u0000${e.role}\u0000${key}\u0000${e.group}\u0000${e.sourceRole}`
  let one = shared.get(k)
  if (one === undefined) {
    one = {
      id: membershipId(e.role, key),
      permission: {
        type: GROUP_MEMBERSHIP,
        rule: e.rule,
        membership: { group: e.group, role: e.sourceRole },
      },
    }
    shared.set(k, one)
  }
  return one
}

/**
 * The `for: membership` rules over a person's memberships that are active in the widest provisioning window,
 * each grant kept when its membership is active in its own target's window and the target provisions the group.
 */
function membershipGrants(
  person: Person,
  contracts: readonly Contract[],
  rules: CompiledRules,
  groups: GroupIndex,
  today: string,
  maxLead: number,
  lead: ReadonlyMap<string, number>,
  shared: SharedPermissions,
): { byTarget: Map<string, Map<string, DesiredPermission>>; issues: readonly Issue[] } {
  const byTarget = new Map<string, Map<string, DesiredPermission>>()
  const active = (m: Membership, days: number) =>
    (m.start === undefined || m.start <= addDays(today, days)) &&
    (m.end === undefined || m.end > today)
  const inputs: MembershipInput[] = []
  for (const m of person.memberships) {
    if (!active(m, maxLead)) continue
    // a membership of a group the source did not list still runs the rules, with what is known of its group
    const group = groups.sourceGroups.get(m.group) ?? {
      kind: 'group' as const,
      key: m.group,
      type: 'other' as const,
      name: m.group,
      attributes: {},
    }
    inputs.push({ membership: m, group })
  }
  const contract = contracts.find((c) => c.primary === true) ?? (contracts[0] as Contract)
  const result = rules.membershipGrantsFor(person, contract, contracts, inputs, today)
  for (const { entitlement: e, membership } of result.grants) {
    const days = lead.get(e.target)
    if (days === undefined || !active(membership, days)) continue
    const key = groups.syncKeyOf(e.target, e.set, e.group)
    if (key === undefined) continue
    let perTarget = byTarget.get(e.target)
    if (perTarget === undefined) byTarget.set(e.target, (perTarget = new Map()))
    const one = sharedPermission(shared, e, key)
    if (!perTarget.has(one.id)) perTarget.set(one.id, one.permission)
  }
  return { byTarget, issues: result.issues }
}
