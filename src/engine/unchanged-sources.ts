import type { Plan } from '../model/index.ts'
import type { Store } from '../store/store.ts'
import { planHash, storedLedgerHash, summarise } from './build-plan.ts'
import type { EngineSetup } from './engine-types.ts'
import type { EngineSource } from './pipeline.ts'

/** Starts the note a plan made without reading its sources carries (notes are not part of the plan's hash). */
export const UNCHANGED_NOTE = 'sources unchanged since plan '

/** Each source's fingerprint as stored with its last used snapshot, by source name (undefined: none). */
export async function recordedFingerprints(
  store: Store,
  sources: readonly EngineSource[],
): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>()
  for (const { connector } of sources) {
    if (connector.fingerprint === undefined) continue
    // the head, not the record: the record parses every person key (100,000 at 100,000 persons)
    const [head] = await store.usedSnapshotHeads(connector.name, 1)
    out.set(connector.name, head?.fingerprint)
  }
  return out
}

/**
 * Each source's fingerprint (SourceConnector.fingerprint), by source name; undefined for a source without one,
 * or whose fingerprint failed (the read that follows reports the problem). `previous`: the fingerprints a
 * source may return unchanged when it can tell cheaply that nothing changed since (FingerprintOptions.previous).
 */
export async function takeFingerprints(
  sources: readonly EngineSource[],
  today: string,
  previous?: ReadonlyMap<string, string | undefined>,
): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>()
  for (const { connector } of sources) {
    let fp: string | undefined
    const before = previous?.get(connector.name)
    try {
      fp =
        connector.fingerprint === undefined
          ? undefined
          : await connector.fingerprint({
              today,
              ...(before !== undefined ? { previous: before } : {}),
            })
    } catch {
      fp = undefined
    }
    out.set(connector.name, fp)
  }
  return out
}

export interface UnchangedCheck {
  readonly store: Store
  readonly setup: EngineSetup
  readonly sources: readonly EngineSource[]
  readonly fingerprints: ReadonlyMap<string, string | undefined>
  readonly today: string
  readonly readTargets: boolean
  readonly createdAt: string
  /** The holds in force now (`holdsInput`), absent when none: the last plan must have honoured the same. */
  readonly holds?: string
}

/**
 * The no-op shortcut. A plan is a pure function of its inputs (source snapshots, config, ledger, today) when
 * targets are not read, and those inputs are all in `plan.inputs`. So when the newest plan had nothing to do
 * (no actions, no findings), was itself computed without target reads, and every input is provably the same
 * now — each source's fingerprint equals the one stored with the snapshot that plan used, and config, ledger
 * and today are equal — the plan that a full read would produce is that plan again, byte for byte in what its
 * hash covers. Returns it (status planned, new createdAt, a note), or undefined: read and plan as usual.
 *
 * Not taken with target reads (drift in a target must be seen), for sources that send deltas (the result
 * depends on the base, which moves), or when any source lacks a fingerprint.
 */
export async function unchangedPlan(c: UnchangedCheck): Promise<Plan | undefined> {
  const { store, setup, sources, fingerprints } = c
  if (c.readTargets || sources.length === 0) return undefined
  for (const { connector } of sources) {
    if (connector.capabilities.delta || fingerprints.get(connector.name) === undefined)
      return undefined
  }
  // cheap checks first: a changed source stops here, before the newest plan is loaded
  const used = new Map<string, string>()
  for (const { connector } of sources) {
    const [record] = await store.usedSnapshotHeads(connector.name, 1)
    if (
      record?.fingerprint === undefined ||
      record.fingerprint !== fingerprints.get(connector.name)
    )
      return undefined
    used.set(connector.name, record.hash)
  }
  // the head: a newest plan of 176,000 actions (one awaiting approval) is not decompressed to see it has some
  const [newest] = await store.listPlanStatuses(1)
  const head = newest === undefined ? undefined : await store.getPlanHead(newest.id)
  if (head === undefined || head.actionCount > 0 || head.findings.length > 0) return undefined
  const { actionCount: _count, ...rest } = head
  const last: Plan = { ...rest, actions: [] }
  // a plan for one person, a draft or a revert is not the full plan; one that honoured other holds is another plan
  if (
    ['scope', 'draft', 'revert'].some((k) => last.inputs[k] !== undefined) ||
    last.inputs['holds'] !== c.holds
  )
    return undefined
  if (last.status !== 'planned' && last.status !== 'approved' && last.status !== 'applied')
    return undefined
  if (last.inputs['config'] !== setup.configHash || last.inputs['today'] !== c.today)
    return undefined
  const sourceInputs = Object.keys(last.inputs).filter((k) => k.startsWith('source:'))
  if (sourceInputs.length !== sources.length) return undefined
  for (const [name, hash] of used) if (last.inputs[`source:${name}`] !== hash) return undefined
  // the same content hash made without target reads at least once (listings change a plan but not its inputs)
  const events = await store.listAudit({ planId: last.id, limit: 20 })
  const madeWithoutTargets = events.some(
    (e) =>
      e.type === 'plan.created' &&
      e.data?.['hash'] === last.hash &&
      e.data['targetsRead'] === false,
  )
  if (!madeWithoutTargets) return undefined
  if ((await storedLedgerHash(store)) !== last.inputs['ledger']) return undefined
  // what buildPlan would hash for these inputs with nothing to do; guards against a stored plan edited by hand
  if (planHash([], last.inputs, [], last.issues) !== last.hash) return undefined
  const notes = last.notes.filter((n) => !n.startsWith(UNCHANGED_NOTE))
  notes.push(`${UNCHANGED_NOTE}${last.id} (${last.createdAt}); not re-read`)
  return { ...last, status: 'planned', createdAt: c.createdAt, summary: summarise([]), notes }
}
