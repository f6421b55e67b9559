// Row shapes of the store's tables as Kysely sees them. JSON payloads are text (parsed in code) and
// timestamps are ISO 8601 UTC text, so the same schema and the same ordering work on SQLite and PostgreSQL.
// PostgreSQL returns bigint columns as strings, hence `number | string` where a column is bigint.
import type { Generated } from 'kysely'

export interface AccountsTable {
  tenant: string
  target: string
  person: string
  target_id: string
  locator: string
  state: string
  attributes: string
  permissions: string
  created_at: string
  updated_at: string
  disabled_at: string | null
}

export interface GroupsTable {
  tenant: string
  target: string
  key: string
  set_name: string
  target_id: string
  locator: string
  state: string
  attributes: string
  created_at: string
  updated_at: string
  archived_at: string | null
}

export interface PlansTable {
  tenant: string
  id: string
  hash: string
  status: string
  created_at: string
  summary: string
  actions: number
  /**
   * The plan as JSON, with `actions: []` when `actions_gz` is set (else with its actions: rows from before
   * migration 0003); its `status` is stale once `status` above changes, which wins on read.
   */
  document: string
  /** The actions, gzip of newline-delimited JSON (plan-document.ts); null in rows from before migration 0003. */
  actions_gz: Uint8Array | null
}

/**
 * Per plan, JSON of the members of `plans.actions_gz` and what they hold (plan-action-index.ts). A table of
 * its own: in SQLite a column after the compressed actions is reached by walking their overflow pages.
 */
export interface PlanActionIndexTable {
  tenant: string
  plan_id: string
  members: string
}

export interface JournalTable {
  id: Generated<number | string>
  tenant: string
  plan_id: string
  action_id: string
  run_id: string
  phase: string
  at: string
  attempts: number
  message: string | null
}

export interface RunsTable {
  tenant: string
  id: string
  plan_id: string | null
  state: string
  started_at: string
  finished_at: string | null
  report: string
}

export interface SnapshotsTable {
  tenant: string
  id: string
  source: string
  taken_at: string
  hash: string
  persons: number
  groups: number
  person_keys: string
  used: number
  note: string | null
  fingerprint: string | null
  approved_at: string | null
}

export interface SnapshotContentsTable {
  tenant: string
  id: string
  content: Uint8Array
}

export interface AuditTable {
  tenant: string
  seq: number | string
  at: string
  type: string
  actor: string
  plan_id: string | null
  run_id: string | null
  target: string | null
  person: string | null
  action_id: string | null
  data: string | null
  prev_hash: string
  hash: string
}

export interface AuditHeadTable {
  tenant: string
  seq: number | string
  hash: string
}

export interface LeasesTable {
  tenant: string
  name: string
  holder: string
  expires_at: number | string
}

export interface HoldsTable {
  tenant: string
  person: string
  label: string
  reason: string
  until: string
  placed_by: string
  placed_at: string
}

export interface ChangeMarkersTable {
  tenant: string
  source: string
  marker: string
  updated_at: string
}

export interface Tables {
  accounts: AccountsTable
  groups: GroupsTable
  plans: PlansTable
  plan_action_index: PlanActionIndexTable
  journal: JournalTable
  runs: RunsTable
  snapshots: SnapshotsTable
  snapshot_contents: SnapshotContentsTable
  audit: AuditTable
  audit_head: AuditHeadTable
  leases: LeasesTable
  holds: HoldsTable
  change_markers: ChangeMarkersTable
}
