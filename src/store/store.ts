import type { AccessStore } from './access-store.ts'
import type {
  Account,
  PersonHold,
  Plan,
  PlanStatus,
  ProvisionedGroup,
  RunReport,
} from '../model/index.ts'
import type { LiveLock } from './live-lock.ts'
import type { PlanActionFacets, PlanActionFilter, PlanActionsPage } from './plan-action-index.ts'

export type { LiveLock } from './live-lock.ts'
export type { PlanActionFacets, PlanActionFilter, PlanActionsPage } from './plan-action-index.ts'

/** One row of the apply journal: written before an action is sent and again when it returns. */
export interface JournalEntry {
  readonly planId: string
  readonly actionId: string
  readonly runId: string
  readonly phase: 'started' | 'applied' | 'failed' | 'skipped'
  readonly at: string
  readonly attempts: number
  readonly message?: string
}

/** An action's outcome together with the ledger change it causes, written in one transaction. */
export interface ActionCompletion {
  readonly entry: JournalEntry
  /** The account row as it is after the action; absent when the action failed or changed no account. */
  readonly account?: Account
  /** A group action's ledger row as it is afterwards. */
  readonly group?: ProvisionedGroup
}

export interface SnapshotRecord {
  readonly id: string
  readonly source: string
  readonly takenAt: string
  /** sha256 of the snapshot's canonical content. */
  readonly hash: string
  readonly persons: number
  readonly groups: number
  /** Sorted person keys, for the shrink check and for `tobedeleted` detection between bulk exports. */
  readonly personKeys: readonly string[]
  readonly used: boolean
  readonly note?: string
  /**
   * The source's fingerprint (SourceConnector.fingerprint), taken before and after the read and kept only when
   * both agree: the same fingerprint later means a read would return this snapshot again.
   */
  readonly fingerprint?: string
  /** When an admin approved a plan made from it: the shrink check's baseline starts again here. */
  readonly approvedAt?: string
}

export interface SnapshotHead {
  readonly id: string
  readonly takenAt: string
  readonly persons: number
  readonly approved: boolean
  readonly hash: string
  readonly fingerprint?: string
}

/** The fields that tell one version of a ledger row from another (what the ledger hash covers). */
export type AccountVersion = Pick<Account, 'target' | 'person' | 'targetId' | 'state' | 'updatedAt'>

export interface AuditEventInput {
  /** `plan.created`, `plan.blocked`, `plan.approved`, `action.applied`, `action.failed`, `run.finished`, `source.rejected`, … */
  readonly type: string
  readonly actor: string
  readonly planId?: string
  readonly runId?: string
  readonly target?: string
  readonly person?: string
  readonly actionId?: string
  /** Free-form details; must never contain a secret (the store does not look inside). */
  readonly data?: Readonly<Record<string, unknown>>
}

export interface AuditEvent extends AuditEventInput {
  readonly seq: number
  readonly at: string
  readonly prevHash: string
  readonly hash: string
}

/** Which audit events to list, newest first. */
export interface AuditFilter {
  readonly person?: string
  /** Any of these persons; an empty list matches none. */
  readonly persons?: readonly string[]
  readonly planId?: string
  readonly target?: string
  /** ISO timestamp; events at or after it. */
  readonly since?: string
  /** An event type (`plan.approved`) or its prefix (`plan`). */
  readonly kind?: string
  /** Events older than this seq only: the next page of a list that pages by key (newest first). */
  readonly beforeSeq?: number
  readonly limit: number
}

export type AuditVerification =
  | {
      readonly ok: true
      readonly events: number
      readonly head: string
      /** Whether the chain was checked with the HMAC key; without one it shows consistency, not authenticity. */
      readonly keyed: boolean
      /** Events hashed without the key: all of them without a key, else those written before it was set. */
      readonly unkeyed: number
    }
  | {
      readonly ok: false
      readonly events: number
      readonly firstBadSeq: number
      readonly problem: string
    }

/**
 * Everything Koppel persists, behind one interface with two implementations (embedded SQLite, PostgreSQL)
 * built on one query layer and one set of migrations. Bulk methods write in batches, never a round trip
 * per row. Every method is scoped to the tenant the store was opened for.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres'
  /** The tenant (school board) every method reads and writes; fixed when the store is opened. */
  readonly tenant: string
  /** Users, sessions and API tokens of the dashboard (access-store.ts). */
  readonly access: AccessStore
  /** Runs pending migrations; safe to call on every start. */
  migrate(): Promise<void>
  close(): Promise<void>

  // ledger
  listAccounts(target?: string): Promise<Account[]>
  getAccount(target: string, person: string): Promise<Account | undefined>
  /** Several accounts of one target in one query (a worker's batch); those without a row are left out. */
  getAccounts(target: string, persons: readonly string[]): Promise<Account[]>
  /**
   * A page of the ledger by person: the first `limit` persons after `after` (by person id), each with their
   * accounts on every target. Keyset paging on an index: the 1,000th page costs what the first does.
   */
  pagePersons(after: string | undefined, limit: number): Promise<LedgerPerson[]>
  upsertAccounts(accounts: readonly Account[]): Promise<void>
  /** Every row's version fields only, no attributes or permissions: whether the ledger changed, cheaply. */
  listAccountVersions(): Promise<AccountVersion[]>
  /**
   * ledgerText (ledger-text.ts) of listAccountVersions(), the ledger hash's input, built in the database
   * where it can be: a row object per account cost ~5 µs each, which the unchanged run paid per person.
   */
  ledgerText(): Promise<string>
  /** The provisioned groups' ledger (deleted rows included), by target and key. */
  listGroups(target?: string): Promise<ProvisionedGroup[]>
  /** A page of the group ledger by (target, key), keyset after `after`, of one target and state if given. */
  pageGroups(q: {
    readonly target?: string | undefined
    readonly state?: string | undefined
    readonly after?: { readonly target: string; readonly key: string }
    readonly limit: number
  }): Promise<ProvisionedGroup[]>
  upsertGroups(groups: readonly ProvisionedGroup[]): Promise<void>

  // plans
  savePlan(plan: Plan): Promise<void>
  getPlan(id: string): Promise<Plan | undefined>
  /**
   * A plan without its actions (status, findings, notes, issues, inputs, summary) and how many actions it has:
   * what the overview and the plan page's header need, without decompressing 176,000 actions.
   */
  getPlanHead(id: string): Promise<PlanHead | undefined>
  /** The distinct targets, kinds, reasons and schools of a plan's actions: the plan page's filter choices. */
  planActionFacets(id: string): Promise<PlanActionFacets | undefined>
  /**
   * A page of a plan's actions in plan order: the first `limit` after the action at index `after` that match
   * `filter`, each with its index (the next page's `after`). Decompresses only the stored blocks (~1,500
   * actions each) that can hold a match, never the whole plan. With the plan's facets: they come from the
   * same read of the index, so the plan page reads it once per load.
   */
  pagePlanActions(
    id: string,
    q: { readonly filter: PlanActionFilter; readonly after?: number; readonly limit: number },
  ): Promise<(PlanActionsPage & { readonly facets: PlanActionFacets }) | undefined>
  /** Newest first. */
  listPlans(limit: number): Promise<Plan[]>
  /** Newest first, id and status only: cheap even when the plans hold 100,000+ actions. */
  listPlanStatuses(
    limit: number,
  ): Promise<{ readonly id: string; readonly status: PlanStatus; readonly createdAt: string }[]>
  /** A page of listPlanStatuses: newest first by (created, id), keyset before `before`, of one status if given. */
  pagePlanStatuses(q: {
    readonly status?: string | undefined
    readonly before?: { readonly createdAt: string; readonly id: string }
    readonly limit: number
  }): Promise<{ readonly id: string; readonly status: PlanStatus; readonly createdAt: string }[]>
  /** One plan's status without loading its actions. */
  planStatus(id: string): Promise<PlanStatus | undefined>
  setPlanStatus(id: string, status: PlanStatus): Promise<void>
  /**
   * Moves a plan from `from` to `to` and appends `event`, in one transaction; undefined (and nothing written)
   * when the plan is not in `from` (any more). The engine's plan lifecycle (plan-lifecycle.ts) is the caller.
   */
  transitionPlan(
    id: string,
    from: PlanStatus,
    to: PlanStatus,
    event: AuditEventInput,
  ): Promise<AuditEvent | undefined>

  // journal
  /** Writes `started` rows for a batch of actions in one transaction, before any of them is sent. */
  journalStart(entries: readonly JournalEntry[]): Promise<void>
  /**
   * Writes the outcome rows and the ledger rows of a batch of finished actions, and their audit events (appended
   * to the chain as appendAudit does), in one transaction.
   */
  journalFinish(
    completions: readonly ActionCompletion[],
    audit?: readonly AuditEventInput[],
  ): Promise<void>
  /** The latest entry per action of a plan; with `actionIds`, of those actions only (a worker's job). */
  journalFor(planId: string, actionIds?: readonly string[]): Promise<JournalEntry[]>

  // runs
  saveRun(report: RunReport): Promise<void>
  getRun(id: string): Promise<RunReport | undefined>
  /** Newest first; with `before`, the runs after that one in this order (the next page, by key). */
  listRuns(
    limit: number,
    before?: { readonly startedAt: string; readonly runId: string },
  ): Promise<RunReport[]>

  // snapshots
  /**
   * Inserts or replaces the record (same id: replaced, e.g. to mark it used). `content` is kept as given
   * (callers pass a gzip of the snapshot) so a later delta can be applied to the previous full set; without
   * `content`, content saved earlier for the same id is kept.
   */
  saveSnapshot(snapshot: SnapshotRecord, content?: Uint8Array): Promise<void>
  /** One snapshot record by id (e.g. to mark it used when a blocked plan is approved). */
  getSnapshot(id: string): Promise<SnapshotRecord | undefined>
  /** The bytes saved with the snapshot, if any. */
  snapshotContent(id: string): Promise<Uint8Array | undefined>
  /** The newest snapshot of a source that was used for planning (rejected ones are kept but skipped). */
  lastUsedSnapshot(source: string): Promise<SnapshotRecord | undefined>
  /**
   * Id, time, size, hash and fingerprint of a source's used snapshots, newest first (the shrink check's longer
   * baseline; the unchanged run, which must not parse every person key of the newest).
   */
  usedSnapshotHeads(source: string, limit: number): Promise<SnapshotHead[]>

  // audit
  /** Appends in one transaction, serialised per tenant across processes; returns the events as stored. */
  appendAudit(events: readonly AuditEventInput[]): Promise<AuditEvent[]>
  /** Newest first. */
  listAudit(filter: AuditFilter): Promise<AuditEvent[]>
  /**
   * Recomputes the whole chain (HMAC with the store's audit key, when it was opened with one), compares its end
   * with the stored head, checks that every plan and run has its audit event and, given `anchor` (a head hash
   * kept outside the store, e.g. from a run report), that the anchored event is still in the chain.
   */
  verifyAudit(options?: { readonly anchor?: string }): Promise<AuditVerification>

  // holds
  /** Every hold placed and not lifted (ended ones too: the caller compares `until` with its own today), by person. */
  listHolds(): Promise<PersonHold[]>
  /** Places or replaces the hold on `hold.person`. */
  saveHold(hold: PersonHold): Promise<void>
  /** Lifts the hold on a person; false when there was none. */
  deleteHold(person: string): Promise<boolean>

  // change markers
  /** The change marker `koppel serve` last kept for a polled source (its own dateLastModified), if any. */
  changeMarker(source: string): Promise<string | undefined>
  /** Keeps a polled source's change marker, so a restarted serve asks from there. */
  saveChangeMarker(source: string, marker: string): Promise<void>

  // leases
  /**
   * Takes or renews the named lease for `holder` until now + `ttlMs` (e.g. name `apply`: one `koppel apply`
   * per tenant at a time). True when `holder` has it; false when another holder's lease has not expired.
   * Expiry uses the clock of the calling machine. With `replacing`, a lease still held by exactly that holder
   * is taken over too (the caller has established that the holder is dead, e.g. a killed process on this host).
   */
  acquireLease(
    name: string,
    holder: string,
    ttlMs: number,
    options?: { readonly replacing?: string },
  ): Promise<boolean>
  /**
   * A lock the OS (SQLite) or the database server (PostgreSQL) frees when this process or its connection dies,
   * so holding it proves that every earlier holder is gone. Undefined while another live process holds it;
   * `unsupported` for a store without one (SQLite in memory).
   */
  holdLiveLock(name: string): Promise<LiveLock | undefined | 'unsupported'>
  /** Who holds the named lease and until when (ms since epoch), if anyone; expired leases are returned too. */
  leaseHolder(
    name: string,
  ): Promise<{ readonly holder: string; readonly expiresAt: number } | undefined>
  /** Gives the lease up if `holder` has it; does nothing otherwise. */
  releaseLease(name: string, holder: string): Promise<void>
}

/** A stored plan without its actions. */
export type PlanHead = Omit<Plan, 'actions'> & { readonly actionCount: number }

/** A person of the ledger with their accounts, by target. */
export interface LedgerPerson {
  readonly person: string
  readonly accounts: readonly Account[]
}
