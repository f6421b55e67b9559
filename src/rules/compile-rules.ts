/**
 * Business rules: a CEL condition per rule, evaluated for each active contract of a person, granting accounts
 * and permissions in targets. Compiles all rules up front (collecting every problem), then evaluates with a
 * per-rule verdict cache. Decides entitlements only: which contracts are active, and what to do with the
 * grants and issues, is the engine's business.
 */
import type { Contract } from '../model/contract.ts'
import type { Entitlement } from '../model/entitlement.ts'
import type { Group } from '../model/group.ts'
import type { Issue } from '../model/issue.ts'
import type { Membership } from '../model/membership.ts'
import type { Person } from '../model/person.ts'
import { toCel, toIdList } from './cel-values.ts'
import {
  compileExpression,
  evaluatorFactory,
  isCompiled,
  type CachedEvaluator,
  type CacheOptions,
  type EvaluatorStats,
} from './compiled-expression.ts'
import { RulesError, type RuleProblem } from './rules-error.ts'
import { EvalContext } from './eval-context.ts'

export interface RuleSpec {
  name: string
  /** `membership`: evaluated per active membership with `membership` and `group` in scope; default `contract`. */
  for?: 'contract' | 'membership'
  /** CEL over `person`, `contract`, `contracts`, `today`; must yield a bool. */
  when: string
  grant: GrantSpec[]
}

export type GrantSpec =
  | { account: string /* target name */ }
  | {
      permission: {
        target: string
        type: string /* 'group' | 'role' | … */
        id: string /* CEL → string or list<string> */
      }
    }
  | { member: { target: string; groups: string /* group set */; role: string } }

/** One membership a `for: membership` rule runs for, with its group (a stand-in when the source has none). */
export interface MembershipInput {
  readonly membership: Membership
  readonly group: Group
}

export interface MembershipGrant {
  readonly entitlement: Extract<Entitlement, { kind: 'membership' }>
  readonly membership: Membership
}

export interface EntitlementResult {
  grants: Array<{ entitlement: Entitlement; contract: Contract }>
  /** Runtime evaluation errors, naming the rule and the person key. */
  issues: Issue[]
}

export interface CompiledRules {
  /** Entitlements for one person given the contracts that are active (the engine decides the time window).
   *  Deterministic order: rules in config order, contracts in given order; account entitlements deduplicated per
   *  target (first rule/contract wins and is the "reason"); permission ids deduplicated per target+type+id. */
  entitlementsFor(
    person: Person,
    activeContracts: readonly Contract[],
    today: string,
  ): EntitlementResult
  /**
   * The `for: membership` rules over one person's active memberships: membership grants in rule order, then
   * membership order, deduplicated per target, group set, group and role. `contract` is the person's primary
   * active contract (rules may read it). Issues name the rule, the person and the group.
   */
  membershipGrantsFor(
    person: Person,
    contract: Contract,
    contracts: readonly Contract[],
    memberships: readonly MembershipInput[],
    today: string,
  ): { grants: MembershipGrant[]; issues: Issue[] }
  /** Whether any rule runs per membership (the engine skips the work otherwise). */
  readonly perMembership: boolean
  /** Evaluation counters summed over all expressions, for benchmarks and run metrics. */
  stats(): EvaluatorStats
  /** The paths the rules' expressions read (see expression-reads.ts). */
  readonly reads: readonly (readonly string[])[]
  /**
   * Every rule's verdict for every given contract, with what its condition reads: why a person has (or lacks)
   * an entitlement (`koppel explain`). Uncached and slower than entitlementsFor; for one person at a time.
   */
  trace(person: Person, contracts: readonly Contract[], today: string): RuleVerdict[]
}

/** One rule's condition evaluated on one contract: true, false, or an evaluation error. */
export interface RuleVerdict {
  readonly rule: string
  readonly contract: Contract
  readonly when: string
  readonly verdict: boolean | { readonly error: string }
  /** The paths the condition reads (`['contract', 'location']`). */
  readonly reads: readonly (readonly string[])[]
}

export type CompileRulesOptions = CacheOptions

// `key` is the deduplication key (for permissions, its prefix before the id), computed once at compile time.
type CompiledGrant =
  | { readonly kind: 'account'; readonly key: string; readonly entitlement: Entitlement }
  | {
      readonly kind: 'permission'
      readonly key: string
      readonly target: string
      readonly type: string
      readonly id: CachedEvaluator<readonly Entitlement[]>
    }

interface CompiledRule {
  readonly name: string
  readonly perMembership: boolean
  readonly members: readonly {
    readonly target: string
    readonly set: string
    readonly role: string
  }[]
  readonly when: CachedEvaluator<boolean>
  readonly whenSource: string
  readonly whenReads: readonly (readonly string[])[]
  readonly grants: readonly CompiledGrant[]
}

const mustBeBool = (t: string) =>
  t === 'bool' || t === 'dyn' ? undefined : `a condition must yield a bool, not ${t}`
const mustBeIds = (t: string) =>
  /^(string|dyn|int|list(<(string|dyn|int)>)?)$/.test(t)
    ? undefined
    : `a permission id must be a string or list of strings, not ${t}`

function asBool(v: unknown): boolean {
  if (typeof v !== 'boolean')
    throw new Error(`the condition yielded ${v === null ? 'null' : typeof v}, not a bool`)
  return v
}
// Cached results are the finished, frozen entitlements, shared by every person with the same tuple.
const permissions =
  (target: string, type: string, rule: string) =>
  (v: unknown): readonly Entitlement[] =>
    Object.freeze(
      toIdList(v).map((id) =>
        Object.freeze({ kind: 'permission' as const, target, type, id, rule }),
      ),
    )

export function compileRules(
  specs: readonly RuleSpec[],
  options: CompileRulesOptions = {},
): CompiledRules {
  const problems: RuleProblem[] = []
  const seen = new Set<string>()
  const rules: CompiledRule[] = []
  const reads: (readonly string[])[] = []
  const evaluator = evaluatorFactory(options)
  for (const spec of specs) {
    const rule = spec.name
    if (typeof rule !== 'string' || rule.trim() === '')
      problems.push({ rule, field: 'name', message: 'a rule needs a name' })
    else if (seen.has(rule))
      problems.push({ rule, field: 'name', message: 'two rules have this name' })
    seen.add(rule)
    const perMembership = spec.for === 'membership'
    const when = compileExpression('rule', spec.when, mustBeBool)
    if (!isCompiled(when)) problems.push({ rule, field: 'when', expression: spec.when, ...when })
    else {
      reads.push(...when.reads.paths)
      const scoped = when.reads.paths.find(
        (p) => !perMembership && (p[0] === 'membership' || p[0] === 'group'),
      )
      if (scoped !== undefined)
        problems.push({
          rule,
          field: 'when',
          expression: spec.when,
          message: `${scoped[0]} is only set in rules with for: membership`,
        })
    }
    const grants: CompiledGrant[] = []
    const members: { target: string; set: string; role: string }[] = []
    ;(spec.grant ?? []).forEach((g, i) => {
      const field = `grant[${i}]`
      if ('member' in g) {
        const m = g.member as { target?: unknown; groups?: unknown; role?: unknown }
        if (!perMembership)
          return void problems.push({
            rule,
            field: `${field}.member`,
            message: 'a member grant needs for: membership',
          })
        if (typeof m.target !== 'string' || m.target === '')
          return void problems.push({
            rule,
            field: `${field}.member.target`,
            message: 'missing target',
          })
        if (typeof m.groups !== 'string' || m.groups === '')
          return void problems.push({
            rule,
            field: `${field}.member.groups`,
            message: 'missing group set',
          })
        members.push({
          target: m.target,
          set: m.groups,
          role: typeof m.role === 'string' && m.role !== '' ? m.role : 'member',
        })
        return
      }
      if ('account' in g) {
        const target = g.account
        const entitlement: Entitlement = Object.freeze({ kind: 'account', target, rule })
        if (typeof target === 'string' && target !== '')
          grants.push({ kind: 'account', key: `a\u0000${target}`, entitlement })
        else
          problems.push({
            rule,
            field: `${field}.account`,
            message: 'an account grant needs a target name',
          })
        return
      }
      const p = (g as { permission?: { target?: unknown; type?: unknown; id?: unknown } })
        .permission
      if (p === undefined)
        return void problems.push({
          rule,
          field,
          message: 'a grant is either { account } or { permission }',
        })
      if (typeof p.target !== 'string' || p.target === '')
        problems.push({ rule, field: `${field}.permission.target`, message: 'missing target' })
      if (typeof p.type !== 'string' || p.type === '')
        problems.push({ rule, field: `${field}.permission.type`, message: 'missing type' })
      const source = typeof p.id === 'string' ? p.id : ''
      const id = compileExpression('rule', source, mustBeIds)
      if (!isCompiled(id))
        return void problems.push({
          rule,
          field: `${field}.permission.id`,
          expression: source,
          ...id,
        })
      reads.push(...id.reads.paths)
      const [target, type] = [String(p.target), String(p.type)]
      const key = `p\u0000${target}\u0000${type}\u0000`
      grants.push({
        kind: 'permission',
        key,
        target,
        type,
        id: evaluator(id, permissions(target, type, rule)),
      })
    })
    if (perMembership && grants.length > 0)
      problems.push({
        rule,
        field: 'grant',
        message: 'a rule with for: membership grants only member: { target, groups, role }',
      })
    if (isCompiled(when))
      rules.push({
        name: rule,
        perMembership,
        members,
        when: evaluator(when, asBool),
        whenSource: when.source,
        whenReads: when.reads.paths,
        grants,
      })
  }
  if (problems.length > 0) throw new RulesError(problems)
  const contractRules = rules.filter((r) => !r.perMembership)
  const membershipRules = rules.filter((r) => r.perMembership)
  return {
    entitlementsFor: (person, activeContracts, today) =>
      entitlementsFor(contractRules, person, activeContracts, today),
    membershipGrantsFor: (person, contract, contracts, memberships, today) =>
      membershipGrantsFor(membershipRules, person, contract, contracts, memberships, today),
    perMembership: membershipRules.length > 0,
    stats: () =>
      sumStats(
        rules.flatMap((r) => [
          r.when,
          ...r.grants.flatMap((g) => (g.kind === 'permission' ? [g.id] : [])),
        ]),
      ),
    reads,
    trace: (person, contracts, today) => traceRules(rules, person, contracts, today),
  }
}

function membershipGrantsFor(
  rules: readonly CompiledRule[],
  person: Person,
  contract: Contract,
  contracts: readonly Contract[],
  memberships: readonly MembershipInput[],
  today: string,
): { grants: MembershipGrant[]; issues: Issue[] } {
  const grants: MembershipGrant[] = []
  const issues: Issue[] = []
  if (rules.length === 0 || memberships.length === 0) return { grants, issues }
  const seen = new Set<string>()
  const contexts = memberships.map(
    ({ membership, group }) =>
      new EvalContext({ person, contract, membership, group, today }, () => ({
        person: toCel(person),
        contract: toCel(contract),
        contracts: toCel(contracts),
        membership: toCel(membership),
        group: toCel(group),
        today,
      })),
  )
  for (const rule of rules) {
    for (let mi = 0; mi < memberships.length; mi++) {
      const { membership } = memberships[mi] as MembershipInput
      const verdict = rule.when.run(contexts[mi] as EvalContext)
      if (!verdict.ok) {
        const message = `rule "${rule.name}" failed for membership of group ${membership.group}: ${verdict.error}`
        issues.push({
          severity: 'error',
          code: 'rule_failed',
          message,
          record: person.key,
          field: rule.name,
        })
        continue
      }
      if (!verdict.value) continue
      for (const m of rule.members) {
        const key = `${m.target}\u0000${m.set}\u0000${membership.group}\u0000${m.role}`
        if (seen.has(key)) continue
        seen.add(key)
        grants.push({
          entitlement: {
            kind: 'membership',
            target: m.target,
            set: m.set,
            group: membership.group,
            role: m.role,
            sourceRole: membership.role,
            rule: rule.name,
          },
          membership,
        })
      }
    }
  }
  return { grants, issues }
}

function traceRules(
  rules: readonly CompiledRule[],
  person: Person,
  contracts: readonly Contract[],
  today: string,
): RuleVerdict[] {
  const out: RuleVerdict[] = []
  for (const contract of contracts) {
    const ctx = new EvalContext({ person, contract, today }, () => ({
      person: toCel(person),
      contract: toCel(contract),
      contracts: toCel(contracts),
      today,
    }))
    for (const rule of rules) {
      if (rule.perMembership) continue
      const v = rule.when.run(ctx)
      out.push({
        rule: rule.name,
        contract,
        when: rule.whenSource,
        verdict: v.ok ? v.value : { error: v.error },
        reads: rule.whenReads,
      })
    }
  }
  return out
}

function entitlementsFor(
  rules: readonly CompiledRule[],
  person: Person,
  contracts: readonly Contract[],
  today: string,
): EntitlementResult {
  const grants: EntitlementResult['grants'] = []
  const issues: Issue[] = []
  const accountsGranted = new Set<string>()
  // Per target+type: the permission ids granted so far.
  const permissionsGranted = new Map<string, Set<string>>()
  const contexts = contracts.map(
    (contract) =>
      new EvalContext({ person, contract, today }, () => ({
        person: toCel(person),
        contract: toCel(contract),
        contracts: toCel(contracts),
        today,
      })),
  )
  let reported: Set<string> | undefined
  // One issue per rule and error, not one per contract that hits the same error.
  const fail = (rule: string, contract: Contract, what: string, error: string): void => {
    const key = `${rule}\u0000${what}${error}`
    if ((reported ??= new Set()).has(key)) return
    reported.add(key)
    const message = `rule "${rule}" failed for contract ${contract.id}: ${what}${error}`
    issues.push({
      severity: 'error',
      code: 'rule_failed',
      message,
      record: person.key,
      field: rule,
    })
  }

  for (const rule of rules) {
    for (let ci = 0; ci < contracts.length; ci++) {
      const contract = contracts[ci] as Contract
      const ctx = contexts[ci] as EvalContext
      const verdict = rule.when.run(ctx)
      if (!verdict.ok) {
        fail(rule.name, contract, '', verdict.error)
        continue
      }
      if (!verdict.value) continue
      for (let gi = 0; gi < rule.grants.length; gi++) {
        const g = rule.grants[gi] as CompiledGrant
        if (g.kind === 'account') {
          if (accountsGranted.has(g.key)) continue
          accountsGranted.add(g.key)
          grants.push({ entitlement: g.entitlement, contract })
          continue
        }
        const ids = g.id.run(ctx)
        if (!ids.ok) {
          fail(rule.name, contract, `grant[${gi}].permission.id: `, ids.error)
          continue
        }
        let seen = permissionsGranted.get(g.key)
        if (seen === undefined) permissionsGranted.set(g.key, (seen = new Set()))
        for (const entitlement of ids.value) {
          if (entitlement.kind !== 'permission' || seen.has(entitlement.id)) continue
          seen.add(entitlement.id)
          grants.push({ entitlement, contract })
        }
      }
    }
  }
  return { grants, issues }
}

export function sumStats(evaluators: readonly CachedEvaluator<unknown>[]): EvaluatorStats {
  const total: EvaluatorStats = { evaluations: 0, hits: 0 }
  for (const e of evaluators) {
    total.evaluations += e.stats.evaluations
    total.hits += e.stats.hits
  }
  return total
}
