import type { GuardFinding, SourceSnapshot } from '../model/index.ts'
import type { SnapshotRecord } from '../store/store.ts'
import type { SourceSafety } from './engine-types.ts'

/**
 * Compares a full snapshot with the last one that was used: a source that lost more than the allowed share of
 * its persons, or came back empty, yields a finding that blocks the plan. A half-empty export must never turn
 * into disabling half the school; an admin who knows the shrink is real approves the plan.
 */
export function checkSourceSafety(
  snapshot: SourceSnapshot,
  previous: SnapshotRecord | undefined,
  safety: SourceSafety,
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
  if (previous === undefined || previous.persons === 0) return undefined
  const present = new Set(snapshot.persons.map((p) => p.key))
  const lost = previous.personKeys.filter((k) => !present.has(k)).length
  const pct = (lost / previous.persons) * 100
  if (pct <= safety.maxShrinkPercent) return undefined
  return {
    target: snapshot.source,
    kind: 'source',
    count: lost,
    base: previous.persons,
    limit: `maxShrinkPercent ${safety.maxShrinkPercent}`,
    message: `source ${snapshot.source} lost ${lost} of ${previous.persons} persons (${pct.toFixed(1)}%) since the last used export, above the limit of ${safety.maxShrinkPercent}%`,
  }
}
