import type { SourceConnector, TargetConnector } from '../contract/index.ts'
import type { ActionKind } from '../model/index.ts'
import type { CompiledGroupSets, CompiledMapping, CompiledRules } from '../rules/index.ts'
import type { MatchRule } from './merge-persons.ts'

export type { MatchRule }

/** A limit on one action kind in one plan: more than `maxCount`, or more than `maxPercent` of the target's accounts. */
export interface GuardLimit {
  readonly maxCount?: number
  readonly maxPercent?: number
  /** The percentage limit counts only for plans with at least this many actions of the kind. */
  readonly minCount?: number
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
  /** A disabled account loses the permissions Koppel granted it; absent: true. */
  readonly revokeOnDisable?: boolean
  readonly holds: readonly Hold[]
}

export interface ApplySettings {
  readonly concurrency: number
  readonly retries: number
  readonly backoffMs: number
  readonly maxBackoffMs: number
  /** Operations started per second on the target, by every process applying to it together. */
  readonly operationsPerSecond?: number
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
  /** Values of this target's accounts written back to sources (the AD username into Somtoday). */
  readonly writeBacks?: readonly WriteBackSetup[]
  /** Where one-time secrets of new accounts (initial passwords) go; without it they are dropped unseen. */
  readonly secretDelivery?: SecretDelivery
  /**
   * false: an account Koppel does not manage whose anchor matches a person is only reported (an issue), not
   * correlated, and the person gets no account here meanwhile. Absent: adopted.
   */
  readonly adopt?: boolean
  /** The target's `provisionGroups:` section: source groups provisioned as objects of their own. */
  readonly groups?: CompiledGroupSets
}

/**
 * Delivery of one-time secrets: written into a source field (the pupil's record in the school system), or
 * mailed to the person's manager / mentor (the `manager` of the contract that granted the account).
 */
export type SecretDelivery =
  | {
      readonly kind: 'write-back'
      readonly source: string
      readonly connector: SourceConnector
      /** Secret name (`password`) → source field it is written to. */
      readonly fields: Readonly<Record<string, string>>
    }
  | {
      readonly kind: 'mail'
      /** The account attribute the person logs in with, named in the mail. */
      readonly loginAttribute: string
      readonly subject: string
      send(message: {
        readonly to: string
        readonly subject: string
        readonly text: string
      }): Promise<void>
    }

/** One write-back from a target's accounts into one source. */
export interface WriteBackSetup {
  readonly source: string
  readonly connector: SourceConnector
  /** Source field → the target account attribute whose value is written there. */
  readonly fields: Readonly<Record<string, string>>
  /** Source field → where the source's read reports its current value (`email`, `attributes.x`). */
  readonly current: Readonly<Record<string, string>>
}

export interface SourceSafety {
  readonly maxShrinkPercent: number
  readonly allowEmpty: boolean
  /** The shrink check also compares with the largest used snapshot of this many days (source-safety.ts). */
  readonly baselineDays: number
}

export interface EngineSetup {
  readonly targets: readonly EngineTarget[]
  readonly rules: CompiledRules
  /** Priority of contract kinds when choosing a person's primary contract. */
  readonly primaryContract: readonly ('employment' | 'enrolment')[]
  /** How records from several sources are recognised as one person, in order (see merge-persons.ts). */
  readonly match?: readonly MatchRule[]
  /** Hash of the validated config (without secrets); part of every plan's inputs. */
  readonly configHash: string
}
