import type { Action, ActionKind } from './action.ts'
import type { Issue } from './issue.ts'

export type PlanStatus =
  'planned' | 'blocked' | 'approved' | 'rejected' | 'applying' | 'applied' | 'failed' | 'superseded'

export type PlanSummary = Readonly<Record<string, Readonly<Partial<Record<ActionKind, number>>>>>

/** Why the guard stopped a plan: which target, which kind, how many against which limit. */
export interface GuardFinding {
  readonly target: string
  readonly kind: ActionKind | 'source'
  readonly count: number
  readonly base: number
  readonly limit: string
  readonly message: string
}

/** A stored, content-addressed diff between desired and actual state. */
export interface Plan {
  readonly kind: 'plan'
  readonly id: string
  /** sha256 of the canonical JSON of `actions` and `inputs`: same inputs, same hash. */
  readonly hash: string
  readonly createdAt: string
  readonly status: PlanStatus
  /** Per target, per action kind, how many. */
  readonly summary: PlanSummary
  readonly actions: readonly Action[]
  readonly findings: readonly GuardFinding[]
  /** Persons left untouched because a rule or mapping failed for them; their accounts keep their state. */
  readonly issues: readonly Issue[]
  /** Things the admin should know that do not block: actions held by a hold window, and why. */
  readonly notes: readonly string[]
  /** Hashes of the source snapshots and config the plan was computed from. */
  readonly inputs: Readonly<Record<string, string>>
}
