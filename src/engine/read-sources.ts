import type { Issue, SourceSnapshot } from '../model/index.ts'
import { configuredReads } from './configured-reads.ts'
import { hostileTextIssues } from './hostile-text.ts'
import { withBase, type Engine } from './pipeline.ts'

/**
 * The sources' newest read, as a plan makes it (a delta on the kept base, hostile text refused), without storing
 * anything: for explain, hold, drift and the leaver notices (whose names reach a mail).
 */
export async function readSources(
  engine: Engine,
  today: string,
): Promise<{ snapshots: SourceSnapshot[] } | { issues: Issue[] }> {
  const isRead = configuredReads(engine.setup)
  const snapshots: SourceSnapshot[] = []
  for (const { connector } of engine.sources) {
    const r = await connector.read({ today, isRead })
    if (!r.ok) return { issues: [...r.issues] }
    const hostile = hostileTextIssues(r.snapshot)
    if (hostile.length > 0) return { issues: hostile }
    const s =
      r.snapshot.mode === 'delta'
        ? await withBase(
            engine.store,
            r.snapshot,
            await engine.store.lastUsedSnapshot(connector.name),
          )
        : r.snapshot
    if ('issue' in s) return { issues: [s.issue] }
    snapshots.push(s)
  }
  return { snapshots }
}
