import type { TargetConnector } from '../contract/index.ts'
import type { ActionKind } from '../model/index.ts'
import type { CompiledMapping, CompiledRules } from '../rules/index.ts'

/** A limit on one action kind in one plan: more than `maxCount`, or more than `maxPercent` of the target's accounts. */
export interface GuardLimit {
  readonly maxCount?: number
  readonly maxPercent?: number
  readonly off?: boolean
}

export interface Hold {
  /** MM-DD, inclusive. */
  readonly from: string
  readonly to: string
  readonly kinds: readonly ActionKind[]
}

export interface Lifecycle {
  readonly provisionDaysBefore: number
  readonly disableAfterDays: number
  /** null: never delete. */
  readonly deleteAfterDays: number | null
  readonly holds: readonly Hold[]
}

export interface ApplySettings {
  readonly concurrency: number
  readonly retries: number
  readonly backoffMs: number
  readonly maxBackoffMs: number
}

/** Everything the engine needs to know about one target: its connector and its compiled configuration. */
export interface EngineTarget {
  readonly name: string
  readonly connector: TargetConnector
  readonly anchorAttribute: string
  readonly mapping: CompiledMapping
  /** The anchor attribute's expression alone, to find correlation partners before unique values are handed out. */
  readonly anchorMapping: CompiledMapping
  readonly lifecycle: Lifecycle
  readonly guard: Readonly<Partial<Record<ActionKind, GuardLimit>>>
  readonly apply: ApplySettings
}

export interface SourceSafety {
  readonly maxShrinkPercent: number
  readonly allowEmpty: boolean
}

export interface EngineSetup {
  readonly targets: readonly EngineTarget[]
  readonly rules: CompiledRules
  /** Priority of contract kinds when choosing a person's primary contract. */
  readonly primaryContract: readonly ('employment' | 'enrolment')[]
  /** Hash of the validated config (without secrets); part of every plan's inputs. */
  readonly configHash: string
}
