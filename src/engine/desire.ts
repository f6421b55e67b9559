import type { Contract, Issue, Person } from '../model/index.ts'
import type { CompiledRules } from '../rules/index.ts'
import { activeContracts } from './active-contracts.ts'
import type { EngineTarget } from './engine-types.ts'

/** What the rules grant one person in one target. Attribute values are computed later, per target, in plan-target. */
export interface DesiredAccount {
  readonly person: Person
  readonly rule: string
  /** The contract whose rule granted the account; mappings read it as `contract`. */
  readonly contract: Contract
  /** Active contracts in this target's window; mappings read them as `contracts`. */
  readonly contracts: readonly Contract[]
  /** Permission id → its type and the rule that granted it. */
  readonly permissions: ReadonlyMap<string, { readonly type: string; readonly rule: string }>
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
export function desire(persons: readonly Person[], rules: CompiledRules, targets: readonly EngineTarget[], today: string): Desire {
  const maxLead = Math.max(0, ...targets.map((t) => t.lifecycle.provisionDaysBefore))
  const lead = new Map(targets.map((t) => [t.name, t.lifecycle.provisionDaysBefore]))
  const byTarget = new Map<string, Map<string, DesiredAccount>>(targets.map((t) => [t.name, new Map()]))
  const frozen = new Set<string>()
  const issues: Issue[] = []

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
    const permissions = new Map<string, Map<string, { type: string; rule: string }>>()
    for (const { entitlement: e, contract } of result.grants) {
      const days = lead.get(e.target)
      if (days === undefined || activeContracts([contract], today, days).length === 0) continue
      if (e.kind === 'account') {
        if (!accounts.has(e.target)) accounts.set(e.target, { rule: e.rule, contract })
      } else {
        let perTarget = permissions.get(e.target)
        if (perTarget === undefined) permissions.set(e.target, (perTarget = new Map()))
        if (!perTarget.has(e.id)) perTarget.set(e.id, { type: e.type, rule: e.rule })
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
