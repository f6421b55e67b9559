// Appending to, listing and verifying one tenant's hash-chained audit log. Appends are serialised per
// tenant: PostgreSQL locks the tenant's audit_head row, SQLite holds its write lock from BEGIN IMMEDIATE.
// Verifying also cross-checks the chain against the plans and runs the store holds, since cutting the
// newest events and moving the head back leaves a consistent chain.
import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely'
import { ChainVerifier, GENESIS_HASH, chainEvents } from './audit-chain.ts'
import { bulkInsert, unnestSql, UNNEST_ROWS, type BulkInsertSpec } from './bulk-insert.ts'
import type { SqlDialect } from './migrations.ts'
import { auditFromRow, auditRow } from './rows.ts'
import type { AuditEvent, AuditEventInput, AuditFilter, AuditVerification } from './store.ts'
import type { Tables } from './tables.ts'

const AUDIT: BulkInsertSpec = {
  table: 'audit',
  columns: [
    'tenant',
    'seq',
    'at',
    'type',
    'actor',
    'plan_id',
    'run_id',
    'target',
    'person',
    'action_id',
    'data',
    'prev_hash',
    'hash',
  ],
  types: { seq: 'bigint' },
}
const VERIFY_PAGE = 5_000

export async function appendAudit(
  db: Kysely<Tables>,
  dialect: SqlDialect,
  tenant: string,
  inputs: readonly AuditEventInput[],
  key?: string,
  now: () => Date = () => new Date(),
): Promise<AuditEvent[]> {
  if (inputs.length === 0) return []
  return db.transaction().execute((trx) => appendAuditIn(trx, dialect, tenant, inputs, key, now))
}

/** The append inside a transaction the caller holds, so that a change and its event commit together. */
export async function appendAuditIn(
  trx: Transaction<Tables>,
  dialect: SqlDialect,
  tenant: string,
  inputs: readonly AuditEventInput[],
  key: string | undefined,
  now: () => Date,
): Promise<AuditEvent[]> {
  if (inputs.length === 0) return []
  // one statement creates the head if needed, locks it (an upsert's update locks the row on PostgreSQL) and
  // reads it: every round trip made while the lock is held keeps the tenant's other workers waiting (the
  // statement after it and the commit are all that follow on PostgreSQL)
  const head = await trx
    .insertInto('audit_head')
    .values({ tenant, seq: 0, hash: GENESIS_HASH })
    .onConflict((oc) => oc.column('tenant').doUpdateSet({ seq: sql`audit_head.seq` }))
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow()
  // the timestamp is taken under the lock so that `at` never goes backwards along the chain; it is the
  // engine's clock (injected), so a run on a simulated day is audited on that day
  const events = chainEvents(
    { seq: Number(head.seq), hash: head.hash },
    inputs,
    now().toISOString(),
    key,
  )
  const rows = events.map((e) => auditRow(tenant, e))
  const last = events[events.length - 1] as AuditEvent
  if (dialect === 'postgres' && rows.length <= UNNEST_ROWS) {
    // the events and the head's move in one statement (a data-modifying WITH): one round trip under the lock
    const n = AUDIT.columns.length
    const arrays = AUDIT.columns.map((c) =>
      rows.map((r) => (r as unknown as Record<string, unknown>)[c]),
    )
    await trx.executeQuery(
      CompiledQuery.raw(
        `with appended as (${unnestSql(AUDIT)}) update audit_head set seq = $${n + 1}::bigint, hash = $${n + 2} where tenant = $${n + 3}`,
        [...arrays, last.seq, last.hash, tenant],
      ),
    )
    return events
  }
  await bulkInsert(trx, dialect, AUDIT, rows)
  await trx
    .updateTable('audit_head')
    .set({ seq: last.seq, hash: last.hash })
    .where('tenant', '=', tenant)
    .execute()
  return events
}

export async function listAudit(
  db: Kysely<Tables>,
  tenant: string,
  filter: AuditFilter,
): Promise<AuditEvent[]> {
  const persons = filter.persons ?? (filter.person !== undefined ? [filter.person] : undefined)
  const kind = filter.kind
  const rows = await db
    .selectFrom('audit')
    .selectAll()
    .where('tenant', '=', tenant)
    .$if(persons !== undefined, (q) =>
      q.where('person', 'in', persons !== undefined && persons.length > 0 ? persons : ['']),
    )
    .$if(filter.planId !== undefined, (q) => q.where('plan_id', '=', filter.planId as string))
    .$if(filter.target !== undefined, (q) => q.where('target', '=', filter.target as string))
    .$if(filter.since !== undefined, (q) => q.where('at', '>=', filter.since as string))
    .$if(filter.beforeSeq !== undefined, (q) => q.where('seq', '<', filter.beforeSeq as number))
    // `plan` matches plan.created, plan.approved, …; the kind is checked to be [a-z.-] by its callers
    .$if(kind !== undefined, (q) =>
      q.where((w) =>
        w.or([w('type', '=', kind as string), w('type', 'like', `${kind as string}.%`)]),
      ),
    )
    .orderBy('seq', 'desc')
    .limit(filter.limit)
    .execute()
  return rows.map(auditFromRow)
}

export interface VerifyOptions {
  /** The HMAC key the chain is written with (config `audit.key`). */
  readonly key?: string
  /** A head hash recorded outside the store (a run report), which must be in the chain. */
  readonly anchor?: string
}

export async function verifyAudit(
  db: Kysely<Tables>,
  tenant: string,
  options: VerifyOptions = {},
): Promise<AuditVerification> {
  // Verify up to the head as it is now: events appended meanwhile come with a newer head and are not
  // half-seen, so a running apply does not make the check fail and the check takes no lock.
  const head = await readHead(db, tenant)
  const verifier = new ChainVerifier(options)
  const until = head?.seq ?? 0
  let after = 0
  while (after < until) {
    const rows = await db
      .selectFrom('audit')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('seq', '>', after)
      .where('seq', '<=', until)
      .orderBy('seq')
      .limit(VERIFY_PAGE)
      .execute()
    if (rows.length === 0) break
    for (const row of rows) if (!verifier.check(auditFromRow(row))) break
    if (verifier.problem) break
    after = Number(rows[rows.length - 1]?.seq)
  }
  const problem =
    verifier.finish(head) ??
    (await eventsBeyondHead(db, tenant)) ??
    (await unauditedRecords(db, tenant, until))
  if (problem) return { ok: false, events: verifier.events, ...problem }
  return {
    ok: true,
    events: verifier.events,
    head: verifier.head,
    keyed: options.key !== undefined,
    unkeyed: verifier.unkeyed,
  }
}

/**
 * Every plan is audited when it is made, every run when it finishes and every hold when it is placed, so such a row
 * without its event means events were cut (with the head moved back, or the whole log and head deleted). The engine appends a
 * record's event before it saves the record, so a crash between the two leaves no false finding, and a record
 * saved while this check runs already has its event.
 */
async function unauditedRecords(db: Kysely<Tables>, tenant: string, until: number) {
  const plan = await db
    .selectFrom('plans as p')
    .select('p.id')
    .where('p.tenant', '=', tenant)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('audit as a')
            .select('a.seq')
            .whereRef('a.tenant', '=', 'p.tenant')
            .whereRef('a.plan_id', '=', 'p.id'),
        ),
      ),
    )
    .orderBy('p.created_at')
    .limit(1)
    .executeTakeFirst()
  if (plan !== undefined) {
    return {
      firstBadSeq: until + 1,
      problem: `plan ${plan.id} has no audit event: events were deleted and the head moved back`,
    }
  }
  const run = await db
    .selectFrom('runs as r')
    .select('r.id')
    .where('r.tenant', '=', tenant)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('audit as a')
            .select('a.seq')
            .whereRef('a.tenant', '=', 'r.tenant')
            .whereRef('a.run_id', '=', 'r.id')
            .where('a.type', '=', 'run.finished'),
        ),
      ),
    )
    .orderBy('r.started_at')
    .limit(1)
    .executeTakeFirst()
  if (run !== undefined) {
    return {
      firstBadSeq: until + 1,
      problem: `run ${run.id} has no run.finished audit event: events were deleted and the head moved back`,
    }
  }
  // a hold freezes a person's accounts (a leaver stays enabled): one written into the store by hand is an attack
  const hold = await db
    .selectFrom('holds as h')
    .select('h.person')
    .where('h.tenant', '=', tenant)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('audit as a')
            .select('a.seq')
            .whereRef('a.tenant', '=', 'h.tenant')
            .whereRef('a.person', '=', 'h.person')
            .where('a.type', '=', 'hold.placed'),
        ),
      ),
    )
    .orderBy('h.person')
    .limit(1)
    .executeTakeFirst()
  if (hold !== undefined) {
    return {
      firstBadSeq: until + 1,
      problem: `the hold on person ${hold.person} has no hold.placed audit event: it was written outside Koppel, or events were deleted`,
    }
  }
  return undefined
}

async function readHead(
  db: Kysely<Tables>,
  tenant: string,
): Promise<{ seq: number; hash: string } | undefined> {
  const row = await db
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('tenant', '=', tenant)
    .executeTakeFirst()
  return row && { seq: Number(row.seq), hash: row.hash }
}

/** Events past the (re-read) head were written without going through appendAudit. */
async function eventsBeyondHead(db: Kysely<Tables>, tenant: string) {
  const head = await readHead(db, tenant)
  const stray = await db
    .selectFrom('audit')
    .select('seq')
    .where('tenant', '=', tenant)
    .where('seq', '>', head?.seq ?? 0)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst()
  if (stray === undefined) return undefined
  return {
    firstBadSeq: Number(stray.seq),
    problem: `event ${Number(stray.seq)} lies beyond the head: it was not appended through the log`,
  }
}
