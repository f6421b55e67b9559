// Conversions between model values and table rows: JSON text in and out, null for absent, numbers for
// PostgreSQL's bigint strings. No queries here.
import type {
  Account,
  AccountState,
  Plan,
  ProvisionedGroup,
  ProvisionedGroupState,
  RunReport,
} from '../model/index.ts'
import type { AuditEvent, JournalEntry, SnapshotRecord } from './store.ts'
import type {
  AccountsTable,
  AuditTable,
  GroupsTable,
  JournalTable,
  PlansTable,
  RunsTable,
  SnapshotsTable,
} from './tables.ts'

export function accountRow(tenant: string, a: Account): AccountsTable {
  return {
    tenant,
    target: a.target,
    person: a.person,
    target_id: a.targetId,
    locator: a.locator,
    state: a.state,
    attributes: JSON.stringify(a.attributes),
    permissions: JSON.stringify(a.permissions),
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    disabled_at: a.disabledAt ?? null,
  }
}

export function accountFromRow(r: AccountsTable): Account {
  const account: Account = {
    kind: 'account',
    target: r.target,
    person: r.person,
    targetId: r.target_id,
    locator: r.locator,
    state: r.state as AccountState,
    attributes: JSON.parse(r.attributes) as Account['attributes'],
    permissions: JSON.parse(r.permissions) as string[],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
  return r.disabled_at === null ? account : { ...account, disabledAt: r.disabled_at }
}

export function groupRow(tenant: string, g: ProvisionedGroup): GroupsTable {
  return {
    tenant,
    target: g.target,
    key: g.key,
    set_name: g.set,
    target_id: g.targetId,
    locator: g.locator,
    state: g.state,
    attributes: JSON.stringify(g.attributes),
    created_at: g.createdAt,
    updated_at: g.updatedAt,
    archived_at: g.archivedAt ?? null,
  }
}

export function groupFromRow(r: GroupsTable): ProvisionedGroup {
  const group: ProvisionedGroup = {
    kind: 'provisioned-group',
    target: r.target,
    key: r.key,
    set: r.set_name,
    targetId: r.target_id,
    locator: r.locator,
    state: r.state as ProvisionedGroupState,
    attributes: JSON.parse(r.attributes) as ProvisionedGroup['attributes'],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
  return r.archived_at === null ? group : { ...group, archivedAt: r.archived_at }
}

/** `stored` is planDocument(plan) (plan-document.ts): the document without actions and the actions gzipped. */
export function planRow(
  tenant: string,
  plan: Plan,
  stored: { readonly document: string; readonly actionsGz: Uint8Array },
): PlansTable {
  return {
    tenant,
    id: plan.id,
    hash: plan.hash,
    status: plan.status,
    created_at: plan.createdAt,
    summary: JSON.stringify(plan.summary),
    actions: plan.actions.length,
    document: stored.document,
    actions_gz: stored.actionsGz,
  }
}

export function journalRow(tenant: string, e: JournalEntry): Omit<JournalTable, 'id'> {
  return {
    tenant,
    plan_id: e.planId,
    action_id: e.actionId,
    run_id: e.runId,
    phase: e.phase,
    at: e.at,
    attempts: e.attempts,
    message: e.message ?? null,
  }
}

export function journalFromRow(r: Omit<JournalTable, 'id' | 'tenant'>): JournalEntry {
  const entry: JournalEntry = {
    planId: r.plan_id,
    actionId: r.action_id,
    runId: r.run_id,
    phase: r.phase as JournalEntry['phase'],
    at: r.at,
    attempts: r.attempts,
  }
  return r.message === null ? entry : { ...entry, message: r.message }
}

export function runRow(tenant: string, report: RunReport): RunsTable {
  return {
    tenant,
    id: report.runId,
    plan_id: report.planId ?? null,
    state: report.state,
    started_at: report.startedAt,
    finished_at: report.finishedAt ?? null,
    report: JSON.stringify(report),
  }
}

export function snapshotRow(tenant: string, s: SnapshotRecord): SnapshotsTable {
  return {
    tenant,
    id: s.id,
    source: s.source,
    taken_at: s.takenAt,
    hash: s.hash,
    persons: s.persons,
    groups: s.groups,
    person_keys: JSON.stringify(s.personKeys),
    used: s.used ? 1 : 0,
    note: s.note ?? null,
    fingerprint: s.fingerprint ?? null,
    approved_at: s.approvedAt ?? null,
  }
}

export function snapshotFromRow(r: SnapshotsTable): SnapshotRecord {
  const record: SnapshotRecord = {
    id: r.id,
    source: r.source,
    takenAt: r.taken_at,
    hash: r.hash,
    persons: r.persons,
    groups: r.groups,
    personKeys: JSON.parse(r.person_keys) as string[],
    used: Number(r.used) === 1,
  }
  return {
    ...record,
    ...(r.note !== null ? { note: r.note } : {}),
    ...(r.fingerprint !== null ? { fingerprint: r.fingerprint } : {}),
    ...(r.approved_at !== null ? { approvedAt: r.approved_at } : {}),
  }
}

export function auditRow(tenant: string, e: AuditEvent): AuditTable {
  return {
    tenant,
    seq: e.seq,
    at: e.at,
    type: e.type,
    actor: e.actor,
    plan_id: e.planId ?? null,
    run_id: e.runId ?? null,
    target: e.target ?? null,
    person: e.person ?? null,
    action_id: e.actionId ?? null,
    data: e.data === undefined ? null : JSON.stringify(e.data),
    prev_hash: e.prevHash,
    hash: e.hash,
  }
}

export function auditFromRow(r: AuditTable): AuditEvent {
  const out: Record<string, unknown> = {
    seq: Number(r.seq),
    at: r.at,
    type: r.type,
    actor: r.actor,
  }
  if (r.plan_id !== null) out['planId'] = r.plan_id
  if (r.run_id !== null) out['runId'] = r.run_id
  if (r.target !== null) out['target'] = r.target
  if (r.person !== null) out['person'] = r.person
  if (r.action_id !== null) out['actionId'] = r.action_id
  if (r.data !== null) out['data'] = JSON.parse(r.data)
  out['prevHash'] = r.prev_hash
  out['hash'] = r.hash
  return out as unknown as AuditEvent
}
