/**
 * The shape of a validated koppel.yaml, with defaults filled in: what `loadConfig` returns and what the engine
 * and CLI consume. Types only; the schemas that produce them live next door and are checked against these.
 */
import type { ScheduleConfig, ServeConfig } from './serve-schema.ts'
import type { WorkersConfig } from './workers-schema.ts'
import type { ActionKind } from '../model/index.ts'

export interface StoreSqliteConfig {
  readonly kind: 'sqlite'
  /** As written, relative to the config file's folder (see `LoadedConfig.baseDir`). */
  readonly path: string
}

export interface StorePostgresConfig {
  readonly kind: 'postgres'
  readonly url: string
  /** The process's pool to this database, shared by all its tenants. */
  readonly pool?: { readonly max: number }
  readonly workers?: WorkersConfig
}

export type StoreConfig = StoreSqliteConfig | StorePostgresConfig

export interface AuditConfig {
  /** A `${env:…}` / `${file:…}` reference until resolved; the HMAC key of the audit chain. */
  readonly key?: string
}

export interface SafetyConfig {
  readonly maxShrinkPercent: number
  readonly allowEmpty: boolean
  readonly baselineDays: number
}

/** A source entry: engine fields plus the connector's own options (validated by its definition's schema). */
export interface SourceConfig {
  readonly name: string
  readonly type: string
  readonly safety: SafetyConfig
  readonly [option: string]: unknown
}

export interface AnchorConfig {
  readonly attribute: string
  /** CEL expression over `person`. */
  readonly value: string
}

/** How one target attribute is computed: a CEL string, or an object for unique / generated values. */
export type AttributeMappingConfig =
  | string
  | {
      readonly value?: string
      readonly candidates?: readonly string[]
      readonly unique?: boolean
      readonly iterate?: string
      readonly maxLength?: number
      readonly once?: boolean
      readonly lowercase?: boolean
      readonly pattern?: string
    }

/** A limit on one action kind in one plan; `off: true` means no limit. Absent fields mean no such limit. */
export interface GuardLimit {
  readonly maxCount?: number
  readonly maxPercent?: number
  /** The percentage limit counts only for plans with at least this many actions of the kind. */
  readonly minCount?: number
  readonly off?: boolean
}

export type GuardConfig = Readonly<Partial<Record<ActionKind, GuardLimit>>>

export interface HoldConfig {
  /** MM-DD, inclusive; a window with `from` after `to` wraps over new year. */
  readonly from: string
  readonly to: string
  readonly kinds: readonly ActionKind[]
}

export interface LifecycleConfig {
  readonly provisionDaysBefore: number
  readonly disableAfterDays: number
  /** null: never delete. */
  readonly deleteAfterDays: number | null
  /** A disabled account loses the permissions Koppel granted it. */
  readonly revokeOnDisable: boolean
  readonly holds: readonly HoldConfig[]
}

export interface ApplyConfig {
  /** Absent: the connector's `capabilities.defaultConcurrency`. */
  readonly concurrency?: number
  readonly retries: number
  readonly backoffMs: number
  readonly maxBackoffMs: number
}

export interface WriteBackConfig {
  readonly source: string
  /** Source field → target attribute. */
  readonly fields: Readonly<Record<string, string>>
}

export type SecretDeliveryConfig =
  | { readonly source: string; readonly fields: Readonly<Record<string, string>> }
  | {
      readonly mail: {
        readonly to: 'manager'
        readonly from: string
        readonly subject: string
        readonly loginAttribute: string
        readonly smtp: SmtpConfig
      }
    }

/** One `groups:` entry of a target: source groups provisioned as objects (group-schema.ts). */
export interface GroupSetConfig {
  readonly name: string
  readonly when: string
  readonly id: string
  readonly title: string
  readonly description?: string | undefined
  readonly type: string
  readonly parent?: string | undefined
  readonly attributes: Readonly<Record<string, string>>
  readonly deleteAfterDays: number | null
}

export interface TargetConfig {
  readonly provisionGroups?: readonly GroupSetConfig[]
  readonly writeBack: readonly WriteBackConfig[]
  readonly secretDelivery?: SecretDeliveryConfig
  readonly name: string
  readonly type: string
  readonly anchor: AnchorConfig
  readonly attributes: Readonly<Record<string, AttributeMappingConfig>>
  readonly lifecycle: LifecycleConfig
  readonly guard: GuardConfig
  readonly apply: ApplyConfig
  /** Unmanaged accounts whose anchor matches a person: adopted (default) or only reported. */
  readonly drift: { readonly adopt: boolean }
  readonly [option: string]: unknown
}

export type GrantConfig =
  | { readonly account: string }
  | { readonly permission: { readonly target: string; readonly type: string; readonly id: string } }
  | { readonly member: { readonly target: string; readonly groups: string; readonly role: string } }

export interface RuleConfig {
  readonly name: string
  /** `membership`: evaluated per active membership, with `membership` and its `group` in scope. */
  readonly for?: 'contract' | 'membership'
  /** CEL condition over `person` and `contract`. */
  readonly when: string
  readonly grant: readonly GrantConfig[]
}

export interface MatchConfig {
  readonly name: string
  readonly value: string
  readonly sources?: Readonly<Record<string, string>>
  readonly ignoreLeadingZeros: boolean
}

export interface MergeConfig {
  readonly match: readonly MatchConfig[]
  readonly primaryContract: readonly ('employment' | 'enrolment')[]
}

export interface SmtpConfig {
  readonly host: string
  readonly port: number
  readonly secure: boolean
  readonly requireTls: boolean
  readonly username?: string
  readonly password?: string
}

export type RunOutcomeName = 'completed' | 'unchanged' | 'blocked' | 'failed'

export interface NotifyConfig {
  readonly smtp?: SmtpConfig
  readonly from?: string
  readonly statusMail?: { readonly to: readonly string[]; readonly when: readonly RunOutcomeName[] }
  readonly webhook?: {
    readonly url: string
    readonly secret: string
    readonly when: readonly RunOutcomeName[]
  }
  /** Mails to the manager or mentor that a person leaves, on these days before the end date. */
  readonly leaverNotices?: {
    readonly daysBefore: readonly number[]
    /** The mail's language (default en). */
    readonly language?: 'en' | 'nl'
  }
}

export interface KoppelConfig {
  readonly version: 1
  readonly tenant: string
  readonly notify?: NotifyConfig
  /** When `koppel serve` runs the sync (serve-schema.ts). */
  readonly schedules?: readonly ScheduleConfig[]
  readonly serve?: ServeConfig
  readonly store: StoreConfig
  readonly audit: AuditConfig
  readonly sources: readonly SourceConfig[]
  readonly merge: MergeConfig
  readonly targets: readonly TargetConfig[]
  readonly rules: readonly RuleConfig[]
}
