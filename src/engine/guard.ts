import type { Account, Action, ActionKind, GuardFinding, ProvisionedGroup } from '../model/index.ts'
import { isGroupAction } from '../model/index.ts'
import type { EngineTarget, GuardLimit } from './engine-types.ts'

/**
 * Mass-mistake guard: per target and action kind, a plan with more than `maxCount` actions, or more than
 * `maxPercent` of the target's managed accounts, is blocked as a whole, before the first write. Defaults are
 * filled in by the config layer, so an omitted guard is still on.
 */
export function guard(
  actions: readonly Action[],
  targets: readonly EngineTarget[],
  ledgerByTarget: ReadonlyMap<string, readonly Account[]>,
  groupLedgerByTarget: ReadonlyMap<string, readonly ProvisionedGroup[]> = new Map(),
): GuardFinding[] {
  const counts = new Map<string, Map<ActionKind, number>>()
  for (const a of actions) {
    let t = counts.get(a.target)
    if (t === undefined) counts.set(a.target, (t = new Map()))
    t.set(a.kind, (t.get(a.kind) ?? 0) + 1)
  }
  const findings: GuardFinding[] = []
  for (const target of targets) {
    const accounts = (ledgerByTarget.get(target.name) ?? []).filter(
      (a) => a.state !== 'deleted',
    ).length
    // group actions are counted against the groups Koppel manages there, not the accounts
    const groups = (groupLedgerByTarget.get(target.name) ?? []).filter(
      (g) => g.state !== 'deleted',
    ).length
    for (const [kind, count] of counts.get(target.name) ?? []) {
      const limit = target.guard[kind]
      if (limit === undefined || limit.off === true) continue
      const finding = check(
        target.name,
        kind,
        count,
        isGroupAction(kind) ? groups : accounts,
        limit,
      )
      if (finding !== undefined) findings.push(finding)
    }
  }
  return findings
}

function check(
  target: string,
  kind: ActionKind,
  count: number,
  base: number,
  limit: GuardLimit,
): GuardFinding | undefined {
  if (limit.maxCount !== undefined && count > limit.maxCount) {
    return {
      target,
      kind,
      count,
      base,
      limit: `maxCount ${limit.maxCount}`,
      message: `${count} ${kind} actions in ${target} exceed the limit of ${limit.maxCount} per plan`,
    }
  }
  if (
    limit.maxPercent !== undefined &&
    base > 0 &&
    count >= (limit.minCount ?? 0) &&
    (count / base) * 100 > limit.maxPercent
  ) {
    const pct = ((count / base) * 100).toFixed(1)
    return {
      target,
      kind,
      count,
      base,
      limit: `maxPercent ${limit.maxPercent}`,
      message: `${count} ${kind} actions are ${pct}% of the ${base} ${isGroupAction(kind) ? 'groups' : 'accounts'} in ${target}, above the limit of ${limit.maxPercent}%`,
    }
  }
  return undefined
}
