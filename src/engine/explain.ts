/**
 * `koppel explain <person>` (and the dashboard's person page): why a person has what they have. Reads the
 * sources as a plan does, finds the person, and traces every rule on every contract — the grants with the values
 * their condition read, and the rules that nearly matched with the values that made them false. Writes nothing:
 * no plan, snapshot or audit event is stored.
 */
import type {
  Account,
  Action,
  Contract,
  Issue,
  Membership,
  Person,
  PersonHold,
} from '../model/index.ts'
import type { RuleVerdict } from '../rules/index.ts'
import { toIsoDate } from '../util/dates.ts'
import { activeContracts } from './active-contracts.ts'
import { buildPlan } from './build-plan.ts'
import { desire, groupIndexOf, type DesiredPermission } from './desire.ts'
import { findPersons, type Found, type PersonCandidate } from './find-person.ts'
import { activeHolds } from './hold.ts'
import { mergePersons } from './merge-persons.ts'
import { recordsForWriteBack, sourceGroups, type Engine } from './pipeline.ts'
import { readSources } from './read-sources.ts'

/** One value a rule's condition read: `contract.location` → "L2" (undefined: the field is empty). */
export interface ReadValue {
  readonly path: string
  readonly value: unknown
}

export interface ExplainedContract {
  readonly contract: Contract
  /** Relative to the engine's today: `future` starts later (it may still count within a target's lead days). */
  readonly status: 'active' | 'future' | 'ended'
}

export interface ExplainedPermission {
  readonly type: string
  readonly id: string
  /** The rule that grants it now; absent when the rules no longer grant it (the next plan revokes it). */
  readonly rule?: string
  readonly contract?: string
  /** A membership of a provisioned group: the source membership (group key, role) that granted it. */
  readonly membership?: { readonly group: string; readonly role: string }
  readonly reads: readonly ReadValue[]
  /** In the ledger: Koppel granted it and has not revoked it. */
  readonly held: boolean
}

export interface ExplainedTarget {
  readonly target: string
  /** The ledger's row: what Koppel last wrote. */
  readonly account?: Pick<
    Account,
    'state' | 'targetId' | 'locator' | 'attributes' | 'permissions' | 'disabledAt' | 'updatedAt'
  >
  /** The rule and contract that grant the account today; absent when nothing does. */
  readonly grant?: {
    readonly rule: string
    readonly contract: string
    readonly reads: readonly ReadValue[]
  }
  readonly permissions: readonly ExplainedPermission[]
}

/** A rule whose condition did not hold for one of the person's contracts (or held on a contract not counting now). */
export interface NearMiss {
  readonly rule: string
  readonly contract: string
  readonly when: string
  readonly why: 'false' | 'error' | 'contract-not-active'
  readonly error?: string
  readonly reads: readonly ReadValue[]
}

export type { PersonCandidate } from './find-person.ts'

export interface Explanation {
  readonly today: string
  readonly person: PersonCandidate & {
    readonly username?: string
    readonly sourceIds: Readonly<Record<string, string>>
  }
  /** False for a person only the ledger still knows (gone from every source). */
  readonly inSources: boolean
  readonly contracts: readonly ExplainedContract[]
  readonly memberships: readonly Membership[]
  readonly targets: readonly ExplainedTarget[]
  readonly nearMisses: readonly NearMiss[]
  /** This person's actions in a fresh plan (made, not stored), against the ledger without target reads. */
  readonly nextActions: readonly Action[]
  /** Rule errors and merge conflicts about this person. */
  readonly issues: readonly Issue[]
  /** A hold on the person (`koppel hold`) in force today: the next plan has nothing for them (nextActions is empty). */
  readonly hold?: PersonHold
}

export type ExplainOutcome =
  | { readonly kind: 'found'; readonly explanation: Explanation }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly PersonCandidate[] }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'unreadable'; readonly issues: readonly Issue[] }

export async function explainPerson(engine: Engine, query: string): Promise<ExplainOutcome> {
  const today = toIsoDate(engine.now())
  const read = await readSources(engine, today)
  if ('issues' in read) return { kind: 'unreadable', issues: read.issues }
  const ledger = await engine.store.listAccounts()
  const merged = mergePersons(read.snapshots, {
    primaryOrder: engine.setup.primaryContract,
    ...(engine.setup.match !== undefined ? { match: engine.setup.match } : {}),
    ledgerKeys: new Set(ledger.filter((a) => a.state !== 'deleted').map((a) => a.person)),
  })
  const found = findPersons(query, merged.persons, ledger)
  if (found.length === 0) return { kind: 'not-found' }
  if (found.length > 1) return { kind: 'ambiguous', candidates: found.map((f) => f.candidate) }
  const [{ key, person, candidate }] = found as [Found]
  const accounts = ledger.filter((a) => a.person === key && a.state !== 'deleted')
  const hold = (await engine.store.listHolds()).find((h) => h.person === key && today < h.until)
  const { setup } = engine
  const groups = sourceGroups(read.snapshots)
  const groupIndex = groupIndexOf(setup.targets, groups, today)
  const grants =
    person === undefined
      ? undefined
      : desire([person], setup.rules, setup.targets, today, groupIndex)
  const trace = person === undefined ? [] : setup.rules.trace(person, person.contracts, today)
  const counting = new Set(
    person === undefined
      ? []
      : activeContracts(person.contracts, today, maxLead(engine)).map((c) => c.id),
  )
  const readsOf = (rule: string, contract: string): ReadValue[] => {
    const v = trace.find((t) => t.rule === rule && t.contract.id === contract)
    return v === undefined || person === undefined ? [] : valuesRead(v, person, today)
  }
  // the contract each permission came from, as the rules chose it (a pupil in two classes has a group from each)
  const grantedOn = new Map<string, string>()
  if (person !== undefined) {
    const active = person.contracts.filter((c) => counting.has(c.id))
    for (const { entitlement: g, contract } of setup.rules.entitlementsFor(person, active, today)
      .grants) {
      if (g.kind === 'permission')
        grantedOn.set(`${g.target}\u0000${g.type}\u0000${g.id}`, contract.id)
    }
  }

  const targets: ExplainedTarget[] = setup.targets.map((t) => {
    const account = accounts.find((a) => a.target === t.name)
    const wanted = grants?.byTarget.get(t.name)?.get(key)
    const held = new Set(account?.permissions ?? [])
    const permissions: ExplainedPermission[] = []
    for (const [id, p] of wanted?.permissions ?? new Map<string, DesiredPermission>()) {
      const contract = grantedOn.get(`${t.name}\u0000${p.type}\u0000${id}`)
      permissions.push({
        type: p.type,
        id,
        rule: p.rule,
        ...(contract !== undefined ? { contract } : {}),
        ...(p.membership !== undefined ? { membership: p.membership } : {}),
        reads: contract === undefined ? [] : readsOf(p.rule, contract),
        held: held.has(`${p.type}:${id}`),
      })
    }
    for (const h of held) {
      const sep = h.indexOf(':')
      const [type, id] = [h.slice(0, sep), h.slice(sep + 1)]
      if (!permissions.some((p) => p.type === type && p.id === id))
        permissions.push({ type, id, reads: [], held: true })
    }
    return {
      target: t.name,
      ...(account !== undefined ? { account: accountView(account) } : {}),
      ...(wanted !== undefined
        ? {
            grant: {
              rule: wanted.rule,
              contract: wanted.contract.id,
              reads: readsOf(wanted.rule, wanted.contract.id),
            },
          }
        : {}),
      permissions,
    }
  })

  const matched = new Set(
    trace.filter((t) => t.verdict === true && counting.has(t.contract.id)).map((t) => t.rule),
  )
  const nearMisses: NearMiss[] = []
  for (const t of trace) {
    if (matched.has(t.rule) || person === undefined) continue
    const why = t.verdict === true ? 'contract-not-active' : t.verdict === false ? 'false' : 'error'
    const error = typeof t.verdict === 'object' ? t.verdict.error : undefined
    nearMisses.push({
      rule: t.rule,
      contract: t.contract.id,
      when: t.when,
      why,
      ...(error !== undefined ? { error } : {}),
      reads: valuesRead(t, person, today),
    })
  }

  const plan = buildPlan({
    setup,
    persons: person === undefined ? [] : [person],
    ledger,
    listings: new Map(),
    today,
    inputs: {},
    sourceFindings: [],
    createdAt: engine.now().toISOString(),
    sourceRecords: recordsForWriteBack(setup, read.snapshots),
    held: activeHolds(hold !== undefined ? [hold] : [], today),
    groups,
    groupLedger: await engine.store.listGroups(),
  })
  const issues = [...merged.issues, ...(grants?.issues ?? [])].filter((i) => i.record === key)
  return {
    kind: 'found',
    explanation: {
      today,
      person: {
        ...candidate,
        ...(person?.username !== undefined ? { username: person.username } : {}),
        sourceIds: person?.sourceIds ?? {},
      },
      inSources: person !== undefined,
      contracts: (person?.contracts ?? []).map((contract) => ({
        contract,
        status: contractStatus(contract, today),
      })),
      memberships: person?.memberships ?? [],
      targets,
      nearMisses,
      nextActions: plan.actions.filter((a) => a.person === key),
      issues,
      ...(hold !== undefined ? { hold } : {}),
    },
  }
}

function maxLead(engine: Engine): number {
  return Math.max(0, ...engine.setup.targets.map((t) => t.lifecycle.provisionDaysBefore))
}

function contractStatus(c: Contract, today: string): ExplainedContract['status'] {
  if (c.end !== undefined && c.end <= today) return 'ended'
  if (c.start !== undefined && c.start > today) return 'future'
  return 'active'
}

function accountView(a: Account): NonNullable<ExplainedTarget['account']> {
  return {
    state: a.state,
    targetId: a.targetId,
    locator: a.locator,
    attributes: a.attributes,
    permissions: a.permissions,
    updatedAt: a.updatedAt,
    ...(a.disabledAt !== undefined ? { disabledAt: a.disabledAt } : {}),
  }
}

/** Each path the condition reads with its value for this person and contract; `contracts` and the like as a count. */
function valuesRead(v: RuleVerdict, person: Person, today: string): ReadValue[] {
  return v.reads.map((path) => {
    const [root, ...rest] = path
    const base: unknown =
      root === 'person'
        ? person
        : root === 'contract'
          ? v.contract
          : root === 'today'
            ? today
            : root === 'contracts'
              ? person.contracts
              : undefined
    let value = base
    for (const p of rest)
      value =
        value !== null && typeof value === 'object'
          ? (value as Record<string, unknown>)[p]
          : undefined
    return { path: path.join('.'), value }
  })
}
