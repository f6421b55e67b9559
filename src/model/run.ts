import type { ActionKind } from './action.ts'

export type RunState = 'reading' | 'planned' | 'blocked' | 'applying' | 'done' | 'failed'

export type ActionOutcome = 'applied' | 'failed' | 'skipped' | 'pending'

export interface ActionResult {
  readonly action: string
  readonly outcome: ActionOutcome
  readonly message?: string
  /** Tries it took, 1 for a first-time success. */
  readonly attempts: number
}

/** Counts per target per action kind per outcome, plus the failures with their messages. */
export interface RunReport {
  readonly kind: 'run-report'
  readonly runId: string
  readonly planId?: string
  readonly state: RunState
  readonly startedAt: string
  readonly finishedAt?: string
  readonly counts: Readonly<
    Record<
      string,
      Readonly<Partial<Record<ActionKind, Readonly<Partial<Record<ActionOutcome, number>>>>>>
    >
  >
  readonly failures: readonly {
    readonly action: string
    readonly target: string
    readonly message: string
  }[]
  readonly messages: readonly string[]
  /**
   * The audit log's head just after this run finished (its `run.finished` event). Kept outside the store (the
   * printed report, a scheduler's log, a mail) it anchors the log: `koppel audit verify --head HASH`.
   */
  readonly auditHead?: { readonly seq: number; readonly hash: string }
}
