// Measures the store's bulk paths on one database: open+migrate, 100,000-account upserts and listing, a
// 100,000-action plan, a 100,000-action journal, 10,000 audit events. Returns figures; printing them is the
// caller's (bench/ or a script). Uses a fresh tenant, so it can run against a database in use.
import { gzipSync } from 'node:zlib'
import type { Account } from '../model/index.ts'
import { openStore, type StoreOptions } from './open-store.ts'
import { account, plan } from './store-fixtures.ts'
import type { JournalEntry } from './store.ts'

/** Wall-clock and CPU milliseconds of one step. */
export interface Timing {
  readonly ms: number
  readonly cpuMs: number
}

export interface StoreBenchOptions {
  readonly rows?: number
  /**
   * CPU milliseconds used so far by everything doing the work; by default this process's. Pass one that adds
   * the database server's processes to measure PostgreSQL on a busy machine, where wall time means little.
   */
  readonly cpu?: () => number
}

export interface StoreBenchFigures {
  readonly dialect: string
  readonly rows: number
  readonly planMegabytes: number
  readonly openMigrate: Timing
  readonly upsertInsert: Timing
  readonly upsertUpdate: Timing
  readonly listAccounts: Timing
  readonly savePlan: Timing
  readonly getPlan: Timing
  readonly journalStart: Timing
  readonly journalFinish: Timing
  readonly journalFor: Timing
  readonly appendAudit10k: Timing
  readonly verifyAudit10k: Timing
  readonly saveSnapshotWithContent: Timing
}

export async function benchStore(
  options: StoreOptions,
  bench: StoreBenchOptions = {},
): Promise<StoreBenchFigures> {
  const rows = bench.rows ?? 100_000
  const cpu = bench.cpu ?? processCpu
  const timed = <T>(fn: () => Promise<T>) => measure(cpu, fn)
  const tenant = `bench-${process.pid}-${Date.now()}`
  const [store, openMigrate] = await timed(() => openStore(options, { tenant }))
  try {
    const accounts: Account[] = Array.from({ length: rows }, (_, i) =>
      account(`p${String(i).padStart(6, '0')}`),
    )
    const updated = accounts.map((a) => ({
      ...a,
      updatedAt: '2026-09-01T06:00:00.000Z',
      state: 'disabled' as const,
    }))
    const [, upsertInsert] = await timed(() => store.upsertAccounts(accounts))
    const [, upsertUpdate] = await timed(() => store.upsertAccounts(updated))
    const [listed, listAccounts] = await timed(() => store.listAccounts())
    if (listed.length !== rows) throw new Error(`listed ${listed.length} of ${rows}`)

    const big = plan(`plan-${tenant}`, new Date().toISOString(), rows)
    const planMegabytes = Buffer.byteLength(JSON.stringify(big)) / 1e6
    const [, savePlan] = await timed(() => store.savePlan(big))
    const [read, getPlan] = await timed(() => store.getPlan(big.id))
    if (read?.actions.length !== rows) throw new Error('plan did not round-trip')

    const started: JournalEntry[] = big.actions.map((a) => ({
      planId: big.id,
      actionId: a.id,
      runId: 'run-1',
      phase: 'started',
      at: new Date().toISOString(),
      attempts: 1,
    }))
    const [, journalStart] = await timed(() => store.journalStart(started))
    const completions = started.map((e, i) => ({
      entry: { ...e, phase: 'applied' as const },
      account: accounts[i],
    }))
    const [, journalFinish] = await timed(() => store.journalFinish(completions))
    const [latest, journalFor] = await timed(() => store.journalFor(big.id))
    if (latest.length !== rows) throw new Error('journal did not round-trip')

    const events = Array.from({ length: 10_000 }, (_, i) => ({
      type: 'action.applied',
      actor: 'apply',
      planId: big.id,
      person: `p${i}`,
      actionId: `ad/p${i}/create`,
      data: { attempts: 1 },
    }))
    const [, appendAudit10k] = await timed(() => store.appendAudit(events))
    const [verdict, verifyAudit10k] = await timed(() => store.verifyAudit())
    if (!verdict.ok) throw new Error(verdict.problem)

    const content = gzipSync(JSON.stringify(accounts))
    const record = {
      id: 's1',
      source: 'bench',
      takenAt: new Date().toISOString(),
      hash: 'h',
      persons: rows,
      groups: 0,
      used: true,
    }
    const personKeys = accounts.map((a) => a.person)
    const [, saveSnapshotWithContent] = await timed(() =>
      store.saveSnapshot({ ...record, personKeys }, content),
    )

    return {
      dialect: store.dialect,
      rows,
      openMigrate,
      upsertInsert,
      upsertUpdate,
      listAccounts,
      planMegabytes: Math.round(planMegabytes * 10) / 10,
      savePlan,
      getPlan,
      journalStart,
      journalFinish,
      journalFor,
      appendAudit10k,
      verifyAudit10k,
      saveSnapshotWithContent,
    }
  } finally {
    await store.close()
  }
}

async function measure<T>(cpu: () => number, fn: () => Promise<T>): Promise<[T, Timing]> {
  const start = performance.now()
  const cpuStart = cpu()
  const result = await fn()
  return [
    result,
    { ms: Math.round(performance.now() - start), cpuMs: Math.round(cpu() - cpuStart) },
  ]
}

function processCpu(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}
