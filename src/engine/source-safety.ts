import type { GuardFinding, SourceSnapshot } from '../model/index.ts'
import type { SnapshotRecord, Store } from '../store/store.ts'
import type { SourceSafety } from './engine-types.ts'

/** Used snapshots that always count towards the longer baseline, however old they are. */
export const BASELINE_SNAPSHOTS = 10

/**
 * Compares a full snapshot with the last one that was used, and with the largest used one of a longer window
 * (the longer baseline, see shrinkBaseline): a source that lost more than the allowed share of its persons,
 * or came back empty, yields a finding that blocks the plan. A half-empty export must never turn into disabling
 * half the school, not in one run and not in three runs of 5 % each; an admin who knows the shrink is real
 * approves the plan.
 */
export function checkSourceSafety(
  snapshot: SourceSnapshot,
  previous: SnapshotRecord | undefined,
  safety: SourceSafety,
  baseline?: SnapshotRecord,
): GuardFinding | undefined {
  if (snapshot.mode !== 'full') return undefined
  const now = snapshot.persons.length
  if (now === 0 && !safety.allowEmpty) {
    return {
      target: snapshot.source,
      kind: 'source',
      count: now,
      base: previous?.persons ?? 0,
      limit: 'allowEmpty false',
      message: `source ${snapshot.source} returned no persons at all; refusing to treat everyone as a leaver`,
    }
  }
  const present = new Set(snapshot.persons.map((p) => p.key))
  const last = shrink(snapshot.source, present, previous, safety, 'since the last used export')
  if (last !== undefined || baseline === undefined) return last
  const since = `since its largest export of the last ${safety.baselineDays} days or ${BASELINE_SNAPSHOTS} used exports (${baseline.takenAt})`
  return shrink(snapshot.source, present, baseline, safety, since)
}

function shrink(
  source: string,
  present: ReadonlySet<string>,
  base: SnapshotRecord | undefined,
  safety: SourceSafety,
  since: string,
): GuardFinding | undefined {
  if (base === undefined || base.persons === 0) return undefined
  const lost = base.personKeys.filter((k) => !present.has(k)).length
  const pct = (lost / base.persons) * 100
  if (pct <= safety.maxShrinkPercent) return undefined
  return {
    target: source,
    kind: 'source',
    count: lost,
    base: base.persons,
    limit: `maxShrinkPercent ${safety.maxShrinkPercent}`,
    message: `source ${source} lost ${lost} of ${base.persons} persons (${pct.toFixed(1)}%) ${since}, above the limit of ${safety.maxShrinkPercent}%`,
  }
}

/**
 * The largest used snapshot among the last BASELINE_SNAPSHOTS and those of the last `baselineDays` days, back to
 * the newest one an admin approved (an approved shrink is the new normal). Undefined when that is the previous
 * snapshot itself or not larger than it: the one-run check already covers it.
 */
export async function shrinkBaseline(
  store: Store,
  source: string,
  previous: SnapshotRecord | undefined,
  safety: SourceSafety,
  now: Date,
): Promise<SnapshotRecord | undefined> {
  if (previous === undefined) return undefined
  const since = now.getTime() - safety.baselineDays * 86_400_000
  let best: { id: string; persons: number } | undefined
  const heads = await store.usedSnapshotHeads(
    source,
    BASELINE_SNAPSHOTS + 24 * Math.max(safety.baselineDays, 1),
  )
  for (const [i, h] of heads.entries()) {
    if (i >= BASELINE_SNAPSHOTS && Date.parse(h.takenAt) < since) break
    if (best === undefined || h.persons > best.persons) best = h
    if (h.approved) break
  }
  if (best === undefined || best.id === previous.id || best.persons <= previous.persons)
    return undefined
  return store.getSnapshot(best.id)
}
