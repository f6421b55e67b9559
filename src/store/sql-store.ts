// The Store over Kysely, for either dialect. Every query names the tenant the store was opened for; bulk
// writes go as multi-row statements inside one transaction. Opening, pools and migrations are open-store.ts's.
import { sql, type Kysely, type Transaction } from 'kysely'
import { Migrator } from 'kysely/migration'
import type {
  Account,
  PersonHold,
  Plan,
  PlanStatus,
  ProvisionedGroup,
  RunReport,
} from '../model/index.ts'
import { accessStore, type AccessStore, type AccessTables } from './access-store.ts'
import { appendAudit, appendAuditIn, listAudit, verifyAudit } from './audit-log.ts'
import { bulkInsert, type BulkInsertSpec } from './bulk-insert.ts'
import type { LiveLock, LiveLockFactory } from './live-lock.ts'
import { ledgerText, ledgerTextFromSql } from './ledger-text.ts'
import { migrationProvider, type SqlDialect } from './migrations.ts'
import {
  pageActions,
  type IndexedMember,
  type PlanActionFacets,
  type PlanActionFilter,
  type PlanActionIndex,
  type PlanActionsPage,
} from './plan-action-index.ts'
import { planDocument, planFromDocument, planHeadFromDocument } from './plan-document.ts'
import {
  accountFromRow,
  accountRow,
  groupFromRow,
  groupRow,
  journalFromRow,
  journalRow,
  planRow,
  runRow,
  snapshotFromRow,
  snapshotRow,
} from './rows.ts'
import type {
  AccountVersion,
  ActionCompletion,
  AuditEvent,
  AuditEventInput,
  AuditFilter,
  AuditVerification,
  JournalEntry,
  LedgerPerson,
  PlanHead,
  SnapshotHead,
  SnapshotRecord,
  Store,
} from './store.ts'
import type { Tables } from './tables.ts'

const ACCOUNTS: BulkInsertSpec = {
  table: 'accounts',
  columns: [
    'tenant',
    'target',
    'person',
    'target_id',
    'locator',
    'state',
    'attributes',
    'permissions',
    'created_at',
    'updated_at',
    'disabled_at',
  ],
  conflict: {
    keys: ['tenant', 'target', 'person'],
    update: [
      'target_id',
      'locator',
      'state',
      'attributes',
      'permissions',
      'created_at',
      'updated_at',
      'disabled_at',
    ],
  },
}
const GROUPS: BulkInsertSpec = {
  table: 'groups',
  columns: [
    'tenant',
    'target',
    'key',
    'set_name',
    'target_id',
    'locator',
    'state',
    'attributes',
    'created_at',
    'updated_at',
    'archived_at',
  ],
  conflict: {
    keys: ['tenant', 'target', 'key'],
    update: [
      'set_name',
      'target_id',
      'locator',
      'state',
      'attributes',
      'created_at',
      'updated_at',
      'archived_at',
    ],
  },
}
const JOURNAL: BulkInsertSpec = {
  table: 'journal',
  columns: ['tenant', 'plan_id', 'action_id', 'run_id', 'phase', 'at', 'attempts', 'message'],
  types: { attempts: 'integer' },
}

type Db = Kysely<Tables> | Transaction<Tables>

/** Action ids per journal query of a worker's job or pass (far below every driver's parameter limit). */
const JOURNAL_IDS_PER_QUERY = 10_000
export class SqlStore implements Store {
  readonly dialect: SqlDialect
  readonly tenant: string
  readonly access: AccessStore
  readonly #db: Kysely<Tables>
  readonly #schema: string | undefined
  readonly #liveLock: LiveLockFactory | undefined
  readonly #auditKey: string | undefined
  readonly #now: () => Date

  constructor(
    db: Kysely<Tables>,
    dialect: SqlDialect,
    tenant: string,
    options: {
      readonly schema?: string
      readonly liveLock?: LiveLockFactory
      readonly auditKey?: string
      readonly now?: () => Date
    } = {},
  ) {
    this.#db = db
    this.dialect = dialect
    this.tenant = tenant
    // the access tables are their own module's; the same connection (and so the same transactions' lock)
    this.access = accessStore(db as unknown as Kysely<AccessTables>, tenant)
    this.#schema = options.schema
    this.#liveLock = options.liveLock
    this.#auditKey = options.auditKey
    this.#now = options.now ?? (() => new Date())
  }

  async migrate(): Promise<void> {
    const migrator = new Migrator({
      db: this.#db,
      provider: migrationProvider(this.dialect),
      ...(this.#schema === undefined ? {} : { migrationTableSchema: this.#schema }),
    })
    const { error } = await migrator.migrateToLatest()
    if (error !== undefined) throw error instanceof Error ? error : new Error(String(error))
  }

  async close(): Promise<void> {
    await this.#db.destroy()
  }

  // ledger

  async listAccounts(target?: string): Promise<Account[]> {
    const rows = await this.#db
      .selectFrom('accounts')
      .selectAll()
      .where('tenant', '=', this.tenant)
      .$if(target !== undefined, (q) => q.where('target', '=', target as string))
      .orderBy('target')
      .orderBy('person')
      .execute()
    return rows.map(accountFromRow)
  }

  async pagePersons(after: string | undefined, limit: number): Promise<LedgerPerson[]> {
    const persons = await this.#db
      .selectFrom('accounts')
      .select('person')
      .distinct()
      .where('tenant', '=', this.tenant)
      .$if(after !== undefined, (q) => q.where('person', '>', after as string))
      .orderBy('person')
      .limit(limit)
      .execute()
    if (persons.length === 0) return []
    const rows = await this.#db
      .selectFrom('accounts')
      .selectAll()
      .where('tenant', '=', this.tenant)
      .where(
        'person',
        'in',
        persons.map((p) => p.person),
      )
      .orderBy('person')
      .orderBy('target')
      .execute()
    const byPerson = new Map<string, Account[]>(persons.map((p) => [p.person, []]))
    for (const r of rows) byPerson.get(r.person)?.push(accountFromRow(r))
    return [...byPerson].map(([person, accounts]) => ({ person, accounts }))
  }

  async listAccountVersions(): Promise<AccountVersion[]> {
    const rows = await this.#db
      .selectFrom('accounts')
      .select(['target', 'person', 'target_id', 'state', 'updated_at'])
      .where('tenant', '=', this.tenant)
      .execute()
    return rows.map((r) => ({
      target: r.target,
      person: r.person,
      targetId: r.target_id,
      state: r.state as AccountVersion['state'],
      updatedAt: r.updated_at,
    }))
  }

  async ledgerText(): Promise<string> {
    const pg = this.dialect === 'postgres'
    // PostgreSQL's text cannot hold NUL: chr(1) there, turned into NUL by ledgerTextFromSql
    const field = pg ? '\u0001' : '\u0000'
    const sep = sql.raw(pg ? 'chr(1)' : 'char(0)')
    const cols = ['target', 'person', 'target_id', 'state', 'updated_at'].map((c) => sql.ref(c))
    const line = sql.join(cols, sql` || ${sep} || `)
    // SQLite: aggregated from an ordered subquery (walks the primary key); `order by` inside the aggregate sorts
    const r = pg
      ? await sql<{ joined: string | null; rows: string }>`
          select string_agg(${line}, chr(10) order by target collate "C", person collate "C") as joined, count(*) as rows
          from accounts where tenant = ${this.tenant}`.execute(this.#db)
      : await sql<{ joined: string | null; rows: number }>`
          select group_concat(l, char(10)) as joined, count(*) as rows from (
            select ${line} as l from accounts where tenant = ${this.tenant} order by target, person)`.execute(
          this.#db,
        )
    const { joined, rows } = r.rows[0] ?? { joined: null, rows: 0 }
    return (
      ledgerTextFromSql(joined ?? '', Number(rows), field) ??
      ledgerText(await this.listAccountVersions())
    )
  }

  async getAccount(target: string, person: string): Promise<Account | undefined> {
    const row = await this.#db
      .selectFrom('accounts')
      .selectAll()
      .where('tenant', '=', this.tenant)
      .where('target', '=', target)
      .where('person', '=', person)
      .executeTakeFirst()
    return row && accountFromRow(row)
  }

  async getAccounts(target: string, persons: readonly string[]): Promise<Account[]> {
    const found: Account[] = []
    // chunks keep the statement's parameter count well under both databases' limits
    for (let i = 0; i < persons.length; i += 500) {
      const rows = await this.#db
        .selectFrom('accounts')
        .selectAll()
        .where('tenant', '=', this.tenant)
        .where('target', '=', target)
        .where('person', 'in', persons.slice(i, i + 500))
        .execute()
      for (const row of rows) found.push(accountFromRow(row))
    }
    return found
  }

  async listGroups(target?: string): Promise<ProvisionedGroup[]> {
    const rows = await this.#db
      .selectFrom('groups')
      .selectAll()
      .where('tenant', '=', this.tenant)
      .$if(target !== undefined, (q) => q.where('target', '=', target as string))
      .orderBy('target')
      .orderBy('key')
      .execute()
    return rows.map(groupFromRow)
  }

  async pageGroups(q: {
    readonly target?: string | undefined
    readonly state?: string | undefined
    readonly after?: { readonly target: string; readonly key: string }
    readonly limit: number
  }): Promise<ProvisionedGroup[]> {
    const { target, state, after } = q
    const rows = await this.#db
      .selectFrom('groups')
      .selectAll()
      .where('tenant', '=', this.tenant)
      .$if(target !== undefined, (b) => b.where('target', '=', target ?? ''))
      .$if(state !== undefined, (b) => b.where('state', '=', state ?? ''))
      .$if(after !== undefined, (b) =>
        b.where((w) =>
          w.or([
            w('target', '>', after?.target ?? ''),
            w.and([w('target', '=', after?.target ?? ''), w('key', '>', after?.key ?? '')]),
          ]),
        ),
      )
      .orderBy('target')
      .orderBy('key')
      .limit(q.limit)
      .execute()
    return rows.map(groupFromRow)
  }

  async upsertGroups(groups: readonly ProvisionedGroup[]): Promise<void> {
    if (groups.length === 0) return
    await this.#db.transaction().execute((trx) => this.#upsertGroups(trx, groups))
  }

  async #upsertGroups(db: Db, groups: readonly ProvisionedGroup[]): Promise<void> {
    const latest = new Map<string, ProvisionedGroup>()
    for (const g of groups) latest.set(`${g.target}\u0000${g.key}`, g)
    await bulkInsert(
      db,
      this.dialect,
      GROUPS,
      [...latest.values()].map((g) => groupRow(this.tenant, g)),
    )
  }

  async upsertAccounts(accounts: readonly Account[]): Promise<void> {
    if (accounts.length === 0) return
    await this.#db.transaction().execute((trx) => this.#upsertAccounts(trx, accounts))
  }

  async #upsertAccounts(db: Db, accounts: readonly Account[]): Promise<void> {
    // one statement may not touch a key twice on PostgreSQL; the last write of a key wins, as row by row would
    const latest = new Map<string, Account>()
    for (const a of accounts) latest.set(`${a.target}\u0000${a.person}`, a)
    const rows = [...latest.values()].map((a) => accountRow(this.tenant, a))
    await bulkInsert(db, this.dialect, ACCOUNTS, rows)
  }

  // plans

  async savePlan(plan: Plan): Promise<void> {
    const { actionsIndex, ...stored } = await planDocument(plan)
    const row = planRow(this.tenant, plan, stored)
    await this.#db.transaction().execute(async (trx) => {
      // `excluded.*`, not the values again: the compressed actions (~12 MB at 100,000 persons) are bound once
      await trx
        .insertInto('plans')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['tenant', 'id']).doUpdateSet((eb) => ({
            hash: eb.ref('excluded.hash'),
            status: eb.ref('excluded.status'),
            created_at: eb.ref('excluded.created_at'),
            summary: eb.ref('excluded.summary'),
            actions: eb.ref('excluded.actions'),
            document: eb.ref('excluded.document'),
            actions_gz: eb.ref('excluded.actions_gz'),
          })),
        )
        .execute()
      await this.#saveActionIndex(trx, plan.id, actionsIndex)
    })
  }

  async #saveActionIndex(db: Kysely<Tables>, id: string, members: string): Promise<void> {
    await db
      .insertInto('plan_action_index')
      .values({ tenant: this.tenant, plan_id: id, members })
      .onConflict((oc) =>
        oc
          .columns(['tenant', 'plan_id'])
          .doUpdateSet((eb) => ({ members: eb.ref('excluded.members') })),
      )
      .execute()
  }

  async getPlan(id: string): Promise<Plan | undefined> {
    const row = await this.#db
      .selectFrom('plans')
      .select(['status', 'document', 'actions_gz'])
      .where('tenant', '=', this.tenant)
      .where('id', '=', id)
      .executeTakeFirst()
    return row && planFromDocument(row)
  }

  async getPlanHead(id: string): Promise<PlanHead | undefined> {
    const row = await this.#db
      .selectFrom('plans')
      .select(['status', 'document', 'actions'])
      .where('tenant', '=', this.tenant)
      .where('id', '=', id)
      .executeTakeFirst()
    return row && planHeadFromDocument(row)
  }

  async planActionFacets(id: string): Promise<PlanActionFacets | undefined> {
    return (await this.#actionIndex(id))?.facets
  }

  async pagePlanActions(
    id: string,
    q: { readonly filter: PlanActionFilter; readonly after?: number; readonly limit: number },
  ): Promise<(PlanActionsPage & { readonly facets: PlanActionFacets }) | undefined> {
    const index = await this.#actionIndex(id)
    if (index === undefined) return undefined
    return { ...(await pageActions(index, (m) => this.#member(id, m), q)), facets: index.facets }
  }

  /** One gzip member of a plan's actions: its bytes only (SQLite and PostgreSQL both have substr on blobs). */
  async #member(id: string, m: IndexedMember): Promise<Uint8Array> {
    const row = await this.#db
      .selectFrom('plans')
      .select(sql<Uint8Array | null>`substr(actions_gz, ${m.at + 1}, ${m.bytes})`.as('gz'))
      .where('tenant', '=', this.tenant)
      .where('id', '=', id)
      .executeTakeFirst()
    if (row?.gz == null) throw new Error(`plan ${id}: its stored actions are gone`)
    return row.gz
  }

  async #actionIndex(id: string): Promise<PlanActionIndex | undefined> {
    const row = await this.#db
      .selectFrom('plan_action_index')
      .select('members')
      .where('tenant', '=', this.tenant)
      .where('plan_id', '=', id)
      .executeTakeFirst()
    if (row !== undefined) return JSON.parse(row.members) as PlanActionIndex
    // stored before migration 0010 (or none): compressed again with its index, once
    const plan = await this.getPlan(id)
    if (plan === undefined) return undefined
    const { actionsIndex, actionsGz } = await planDocument(plan)
    await this.#db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('plans')
        .set({ actions_gz: actionsGz })
        .where('tenant', '=', this.tenant)
        .where('id', '=', id)
        .where('hash', '=', plan.hash)
        .executeTakeFirst()
      if (updated.numUpdatedRows > 0n) await this.#saveActionIndex(trx, id, actionsIndex)
    })
    return JSON.parse(actionsIndex) as PlanActionIndex
  }

  async listPlans(limit: number): Promise<Plan[]> {
    const rows = await this.#db
      .selectFrom('plans')
      .select(['status', 'document', 'actions_gz'])
      .where('tenant', '=', this.tenant)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    const plans: Plan[] = []
    for (const row of rows) plans.push(await planFromDocument(row))
    return plans
  }

  async listPlanStatuses(
    limit: number,
  ): Promise<{ readonly id: string; readonly status: PlanStatus; readonly createdAt: string }[]> {
    const rows = await this.#db
      .selectFrom('plans')
      .select(['id', 'status', 'created_at'])
      .where('tenant', '=', this.tenant)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return rows.map((r) => ({ id: r.id, status: r.status as PlanStatus, createdAt: r.created_at }))
  }

  async pagePlanStatuses(q: {
    readonly status?: string | undefined
    readonly before?: { readonly createdAt: string; readonly id: string }
    readonly limit: number
  }): Promise<{ readonly id: string; readonly status: PlanStatus; readonly createdAt: string }[]> {
    const { status, before } = q
    const rows = await this.#db
      .selectFrom('plans')
      .select(['id', 'status', 'created_at'])
      .where('tenant', '=', this.tenant)
      .$if(status !== undefined, (b) => b.where('status', '=', status ?? ''))
      .$if(before !== undefined, (b) =>
        b.where((w) =>
          w.or([
            w('created_at', '<', before?.createdAt ?? ''),
            w.and([w('created_at', '=', before?.createdAt ?? ''), w('id', '<', before?.id ?? '')]),
          ]),
        ),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit)
      .execute()
    return rows.map((r) => ({ id: r.id, status: r.status as PlanStatus, createdAt: r.created_at }))
  }

  async planStatus(id: string): Promise<PlanStatus | undefined> {
    const row = await this.#db
      .selectFrom('plans')
      .select('status')
      .where('tenant', '=', this.tenant)
      .where('id', '=', id)
      .executeTakeFirst()
    return row?.status as PlanStatus | undefined
  }

  async setPlanStatus(id: string, status: PlanStatus): Promise<void> {
    const result = await this.#db
      .updateTable('plans')
      .set({ status })
      .where('tenant', '=', this.tenant)
      .where('id', '=', id)
      .executeTakeFirst()
    if (result.numUpdatedRows === 0n)
      throw new Error(`setPlanStatus: no plan ${id} in tenant ${this.tenant}`)
  }

  async transitionPlan(
    id: string,
    from: PlanStatus,
    to: PlanStatus,
    event: AuditEventInput,
  ): Promise<AuditEvent | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('plans')
        .set({ status: to })
        .where('tenant', '=', this.tenant)
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst()
      // another process moved the plan first: nothing changes and nothing is audited
      if (result.numUpdatedRows === 0n) return undefined
      const [stored] = await appendAuditIn(
        trx,
        this.dialect,
        this.tenant,
        [event],
        this.#auditKey,
        this.#now,
      )
      return stored
    })
  }

  // journal

  async journalStart(entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return
    await this.#db.transaction().execute((trx) => this.#insertJournal(trx, entries))
  }

  async journalFinish(
    completions: readonly ActionCompletion[],
    audit: readonly AuditEventInput[] = [],
  ): Promise<void> {
    if (completions.length === 0 && audit.length === 0) return
    const accounts = completions.flatMap((c) => (c.account ? [c.account] : []))
    const groups = completions.flatMap((c) => (c.group ? [c.group] : []))
    // outcome, ledger and audit commit together: a crash leaves either all (done, skip on resume) or none (redo),
    // never an applied action without its audit event; one commit per wave instead of two
    await this.#db.transaction().execute(async (trx) => {
      await this.#insertJournal(
        trx,
        completions.map((c) => c.entry),
      )
      if (accounts.length > 0) await this.#upsertAccounts(trx, accounts)
      if (groups.length > 0) await this.#upsertGroups(trx, groups)
      // last: on PostgreSQL this locks the tenant's audit head, held until the commit
      await appendAuditIn(trx, this.dialect, this.tenant, audit, this.#auditKey, this.#now)
    })
  }

  async #insertJournal(db: Db, entries: readonly JournalEntry[]): Promise<void> {
    await bulkInsert(
      db,
      this.dialect,
      JOURNAL,
      entries.map((e) => journalRow(this.tenant, e)),
    )
  }

  async journalFor(planId: string, actionIds?: readonly string[]): Promise<JournalEntry[]> {
    if (actionIds !== undefined && actionIds.length > JOURNAL_IDS_PER_QUERY) {
      // bound parameters are limited (PostgreSQL 65,535, SQLite 32,766): a whole pass of a big plan goes in parts
      const parts: JournalEntry[] = []
      for (let i = 0; i < actionIds.length; i += JOURNAL_IDS_PER_QUERY)
        parts.push(
          ...(await this.journalFor(planId, actionIds.slice(i, i + JOURNAL_IDS_PER_QUERY))),
        )
      return parts
    }
    if (actionIds !== undefined && actionIds.length === 0) return []
    const rows = await this.#db
      .selectFrom((eb) =>
        eb
          .selectFrom('journal')
          .select(['id', 'plan_id', 'action_id', 'run_id', 'phase', 'at', 'attempts', 'message'])
          .select((s) =>
            s.fn
              .agg<number>('row_number')
              .over((o) => o.partitionBy('action_id').orderBy('id', 'desc'))
              .as('newest'),
          )
          .where('tenant', '=', this.tenant)
          .where('plan_id', '=', planId)
          .$if(actionIds !== undefined, (q) => q.where('action_id', 'in', [...(actionIds ?? [])]))
          .as('j'),
      )
      .selectAll()
      .where('newest', '=', 1)
      .orderBy('id')
      .execute()
    return rows.map(journalFromRow)
  }

  // runs

  async saveRun(report: RunReport): Promise<void> {
    const row = runRow(this.tenant, report)
    const { tenant: _t, id: _i, ...update } = row
    await this.#db
      .insertInto('runs')
      .values(row)
      .onConflict((oc) => oc.columns(['tenant', 'id']).doUpdateSet(update))
      .execute()
  }

  async getRun(id: string): Promise<RunReport | undefined> {
    const row = await this.#db
      .selectFrom('runs')
      .select('report')
      .where('tenant', '=', this.tenant)
      .where('id', '=', id)
      .executeTakeFirst()
    return row && (JSON.parse(row.report) as RunReport)
  }

  async listRuns(
    limit: number,
    before?: { readonly startedAt: string; readonly runId: string },
  ): Promise<RunReport[]> {
    const rows = await this.#db
      .selectFrom('runs')
      .select('report')
      .where('tenant', '=', this.tenant)
      .$if(before !== undefined, (q) =>
        q.where((w) =>
          w.or([
            w('started_at', '<', before?.startedAt ?? ''),
            w.and([
              w('started_at', '=', before?.startedAt ?? ''),
              w('id', '<', before?.runId ?? ''),
            ]),
          ]),
        ),
      )
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return rows.map((r) => JSON.parse(r.report) as RunReport)
  }

  // snapshots

  async saveSnapshot(snapshot: SnapshotRecord, content?: Uint8Array): Promise<void> {
    const row = snapshotRow(this.tenant, snapshot)
    const { tenant: _t, id: _i, ...update } = row
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('snapshots')
        .values(row)
        .onConflict((oc) => oc.columns(['tenant', 'id']).doUpdateSet(update))
        .execute()
      if (content === undefined) return
      await trx
        .insertInto('snapshot_contents')
        .values({ tenant: this.tenant, id: snapshot.id, content })
        .onConflict((oc) => oc.columns(['tenant', 'id']).doUpdateSet({ content }))
        .execute()
    })
  }

  async getSnapshot(id: string): Promise<SnapshotRecord | undefined> {
    const row = await this.#db
      .selectFrom('snapshots')
      .selectAll()
      .where('tenant', '=', this.tenant)
      .where('id', '=', id)
      .executeTakeFirst()
    return row && snapshotFromRow(row)
  }

  async lastUsedSnapshot(source: string): Promise<SnapshotRecord | undefined> {
    const row = await this.#db
      .selectFrom('snapshots')
      .selectAll()
      .where('tenant', '=', this.tenant)
      .where('source', '=', source)
      .where('used', '=', 1)
      .orderBy('taken_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst()
    return row && snapshotFromRow(row)
  }

  async usedSnapshotHeads(source: string, limit: number): Promise<SnapshotHead[]> {
    const rows = await this.#db
      .selectFrom('snapshots')
      .select(['id', 'taken_at', 'persons', 'approved_at', 'hash', 'fingerprint'])
      .where('tenant', '=', this.tenant)
      .where('source', '=', source)
      .where('used', '=', 1)
      .orderBy('taken_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return rows.map((r) => ({
      id: r.id,
      takenAt: r.taken_at,
      persons: Number(r.persons),
      approved: r.approved_at !== null,
      hash: r.hash,
      ...(r.fingerprint !== null ? { fingerprint: r.fingerprint } : {}),
    }))
  }

  async snapshotContent(id: string): Promise<Uint8Array | undefined> {
    const row = await this.#db
      .selectFrom('snapshot_contents')
      .select('content')
      .where('tenant', '=', this.tenant)
      .where('id', '=', id)
      .executeTakeFirst()
    // pg gives a Buffer, node:sqlite a Uint8Array; both are Uint8Arrays, hand out a plain one
    return row && new Uint8Array(row.content.buffer, row.content.byteOffset, row.content.byteLength)
  }

  // audit

  appendAudit(events: readonly AuditEventInput[]): Promise<AuditEvent[]> {
    return appendAudit(this.#db, this.dialect, this.tenant, events, this.#auditKey, this.#now)
  }

  listAudit(filter: AuditFilter): Promise<AuditEvent[]> {
    return listAudit(this.#db, this.tenant, filter)
  }

  verifyAudit(options: { readonly anchor?: string } = {}): Promise<AuditVerification> {
    return verifyAudit(this.#db, this.tenant, {
      ...options,
      ...(this.#auditKey === undefined ? {} : { key: this.#auditKey }),
    })
  }

  // holds

  async listHolds(): Promise<PersonHold[]> {
    const rows = await this.#db
      .selectFrom('holds')
      .selectAll()
      .where('tenant', '=', this.tenant)
      .orderBy('person')
      .execute()
    return rows.map((r) => ({
      kind: 'hold',
      person: r.person,
      label: r.label,
      reason: r.reason,
      until: r.until,
      placedBy: r.placed_by,
      placedAt: r.placed_at,
    }))
  }

  async saveHold(h: PersonHold): Promise<void> {
    const update = {
      label: h.label,
      reason: h.reason,
      until: h.until,
      placed_by: h.placedBy,
      placed_at: h.placedAt,
    }
    await this.#db
      .insertInto('holds')
      .values({ tenant: this.tenant, person: h.person, ...update })
      .onConflict((oc) => oc.columns(['tenant', 'person']).doUpdateSet(update))
      .execute()
  }

  async deleteHold(person: string): Promise<boolean> {
    const r = await this.#db
      .deleteFrom('holds')
      .where('tenant', '=', this.tenant)
      .where('person', '=', person)
      .executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }

  // change markers

  async changeMarker(source: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('change_markers')
      .select('marker')
      .where('tenant', '=', this.tenant)
      .where('source', '=', source)
      .executeTakeFirst()
    return row?.marker
  }

  async saveChangeMarker(source: string, marker: string): Promise<void> {
    const update = { marker, updated_at: this.#now().toISOString() }
    await this.#db
      .insertInto('change_markers')
      .values({ tenant: this.tenant, source, ...update })
      .onConflict((oc) => oc.columns(['tenant', 'source']).doUpdateSet(update))
      .execute()
  }

  // leases

  async acquireLease(
    name: string,
    holder: string,
    ttlMs: number,
    options?: { readonly replacing?: string },
  ): Promise<boolean> {
    const now = Date.now()
    const expires = now + ttlMs
    const result = await this.#db
      .insertInto('leases')
      .values({ tenant: this.tenant, name, holder, expires_at: expires })
      .onConflict((oc) =>
        oc
          .columns(['tenant', 'name'])
          .doUpdateSet({ holder, expires_at: expires })
          .where((eb) =>
            eb.or([
              eb('leases.holder', '=', holder),
              eb('leases.expires_at', '<=', now),
              ...(options?.replacing !== undefined
                ? [eb('leases.holder', '=', options.replacing)]
                : []),
            ]),
          ),
      )
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
  }

  async holdLiveLock(name: string): Promise<LiveLock | undefined | 'unsupported'> {
    if (this.#liveLock === undefined) return 'unsupported'
    return this.#liveLock(name)
  }

  async leaseHolder(
    name: string,
  ): Promise<{ readonly holder: string; readonly expiresAt: number } | undefined> {
    const row = await this.#db
      .selectFrom('leases')
      .select(['holder', 'expires_at'])
      .where('tenant', '=', this.tenant)
      .where('name', '=', name)
      .executeTakeFirst()
    return row && { holder: row.holder, expiresAt: Number(row.expires_at) }
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.#db
      .deleteFrom('leases')
      .where('tenant', '=', this.tenant)
      .where('name', '=', name)
      .where('holder', '=', holder)
      .execute()
  }
}
