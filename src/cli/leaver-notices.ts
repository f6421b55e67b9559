import { noticeLeaversDue } from '../app/leaver-notices.ts'
import type { LoadedEngine } from '../app/load-engine.ts'
import { actor } from './actor.ts'
import { err } from './output.ts'

/**
 * After `koppel run`: the leaver notices due today, when the config asks for them. Never changes the exit code:
 * a mail that cannot go is said on stderr and tried again by the next run.
 */
export async function noticeLeavers(
  loaded: Pick<LoadedEngine, 'engine' | 'config'>,
): Promise<void> {
  const r = await noticeLeaversDue(loaded, actor())
  if (r === undefined) return
  if (r.sent > 0) err(`leaver notices: ${r.sent} sent`)
  for (const p of r.problems) err(p)
}
