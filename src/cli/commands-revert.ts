import type { ConnectorDefinition } from '../contract/index.ts'
import { revertRun } from '../engine/index.ts'
import { actor } from './actor.ts'
import { withEngine } from './commands-plan.ts'
import { writeJson } from './json-stream.ts'
import { err, EXIT, out } from './output.ts'
import { planJsonElement, planJsonEnvelope } from './plan-json.ts'
import { renderPlan, terminalWidth } from './render-plan.ts'
import { terminalSafe } from './terminal-text.ts'

export interface RevertFlags {
  readonly config: string
  readonly reason?: string
  readonly json?: boolean
  readonly limit?: string
}

/**
 * `koppel revert <run>`: stores the inverse of the run as a new plan and shows it; `koppel apply --plan ID`
 * applies it. Exit 0 planned, 3 blocked by the guard (approve first), 1 for an unknown run or one with nothing done.
 */
export async function revertCommand(
  runId: string,
  flags: RevertFlags,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  return withEngine(flags.config, definitions, async ({ engine }) => {
    const r = await revertRun(engine, runId, {
      actor: actor(),
      ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
    })
    if (!r.ok) {
      err(terminalSafe(r.message, 300))
      return EXIT.error
    }
    const plan = r.plan
    if (flags.json === true)
      await writeJson(process.stdout, planJsonEnvelope(plan), planJsonElement)
    else
      out(
        renderPlan(plan, {
          limit: Number(flags.limit ?? 100),
          width: terminalWidth(process.stdout),
        }),
      )
    if (plan.actions.length > 0)
      (flags.json === true ? err : out)(
        `\nThe revert of ${runId} is stored as plan ${plan.id}; ${plan.status === 'blocked' ? `approve it, then apply it with: koppel apply --plan ${plan.id}` : `apply it with: koppel apply --plan ${plan.id}`}`,
      )
    return plan.status === 'blocked' ? EXIT.blocked : EXIT.ok
  })
}
