// Builders of model values and the harness shape for the store suite (store.case.ts). Test support only.
import type { Account, Action, Plan, RunReport } from '../model/index.ts'
import type { SnapshotRecord, Store } from './store.ts'

export function account(person: string, over: Partial<Account> = {}): Account {
  return {
    kind: 'account',
    target: 'ad',
    person,
    targetId: `guid-${person}`,
    locator: `uid=${person},ou=people,dc=school,dc=test`,
    state: 'active',
    attributes: {
      uid: person,
      cn: `Jan de Vries ${person}`,
      mail: `${person}@school.test`,
      memberOf: ['cn=H3a', 'cn=lo'],
    },
    permissions: ['group:cn=H3a', 'group:cn=lo'],
    createdAt: '2026-08-01T06:00:00.000Z',
    updatedAt: '2026-08-01T06:00:00.000Z',
    ...over,
  }
}

export function action(i: number, target = 'ad'): Action {
  const person = `p${String(i).padStart(6, '0')}`
  return {
    kind: 'create',
    id: `${target}/${person}/create`,
    target,
    person,
    label: `Jan de Vries ${i}`,
    changes: [
      { field: 'uid', new: person },
      { field: 'cn', new: `Jan de Vries ${i}` },
      { field: 'givenName', new: 'Jan' },
      { field: 'sn', new: 'de Vries' },
      { field: 'mail', new: `${person}@school.test` },
      {
        field: 'memberOf',
        new: ['cn=H3a,ou=groups,dc=school,dc=test', 'cn=leerlingen,ou=groups,dc=school,dc=test'],
      },
    ],
    reason: {
      rule: 'leerling-ad',
      change: 'joiner',
      detail: `new enrolment ${person} in H3a at 01AB (2026-2027)`,
    },
  }
}

export function plan(id: string, createdAt: string, actions = 3): Plan {
  return {
    kind: 'plan',
    id,
    hash: `hash-${id}`,
    createdAt,
    status: 'planned',
    summary: { ad: { create: actions } },
    actions: Array.from({ length: actions }, (_, i) => action(i)),
    findings: [],
    issues: [],
    notes: [],
    inputs: { somtoday: 'sha-of-snapshot', config: 'sha-of-config' },
  }
}

export function run(runId: string, startedAt: string, over: Partial<RunReport> = {}): RunReport {
  return {
    kind: 'run-report',
    runId,
    state: 'done',
    startedAt,
    counts: { ad: { create: { applied: 3 } } },
    failures: [],
    messages: [],
    ...over,
  }
}

export function snapshot(
  id: string,
  takenAt: string,
  used: boolean,
  source = 'somtoday',
): SnapshotRecord {
  return {
    id,
    source,
    takenAt,
    hash: `sha-${id}`,
    persons: 2,
    groups: 1,
    personKeys: ['p1', 'p2'],
    used,
  }
}

export interface StoreHarness {
  readonly dialect: 'sqlite' | 'postgres'
  /** Opens a store on the harness's database for the tenant (running migrations, as openStore does). */
  open(tenant: string, options?: { readonly auditKey?: string }): Promise<Store>
  /** Raw SQL on the same database, outside the store: what someone with database access could do. */
  query(sql: string): Promise<Record<string, unknown>[]>
}

let tenants = 0
/** A tenant name no other test uses. */
export function freshTenant(label: string): string {
  return `${label}-${process.pid}-${++tenants}`
}

export async function withStore<T>(
  h: StoreHarness,
  tenant: string,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await h.open(tenant)
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}
