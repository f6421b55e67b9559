import type { ConnectorDefinition } from '../contract/index.ts'
import { runPerson } from '../engine/index.ts'
import { formatIssue } from '../model/index.ts'
import { actor } from './actor.ts'
import { withEngine } from './commands-plan.ts'
import { writeJson } from './json-stream.ts'
import { err, EXIT, out } from './output.ts'
import { planJsonElement, planJsonEnvelope } from './plan-json.ts'
import { progressBar } from './progress.ts'
import { renderPlan, terminalWidth } from './render-plan.ts'
import { renderReport } from './render-report.ts'
import { terminalSafe } from './terminal-text.ts'

export interface RunPersonFlags {
  readonly config: string
  readonly person: string
  readonly reason?: string
  readonly json?: boolean
  readonly targetRead?: boolean
}

/**
 * `koppel run --person <who>`: plan and apply one person now, guarded and audited like `run`. Exit 0 applied or
 * nothing to do, 3 blocked (approve the plan, then `apply --plan`), 4 when actions failed, 1 otherwise.
 */
export async function runPersonCommand(
  flags: RunPersonFlags,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  return withEngine(flags.config, definitions, async ({ engine }) => {
    const bar = progressBar('apply')
    const r = await runPerson(engine, flags.person, {
      actor: actor(),
      ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
      readTargets: flags.targetRead !== false,
      onProgress: (d, t) => bar.update(d, t),
    })
    bar.stop()
    if (r.kind === 'not-planned') {
      for (const i of r.issues) err(terminalSafe(formatIssue(i), 400))
      for (const c of r.candidates.slice(0, 50))
        err(
          `  ${terminalSafe(c.key, 60)}  ${terminalSafe(c.name, 60)}${c.number !== undefined ? `  nr ${terminalSafe(c.number, 30)}` : ''}`,
        )
      return EXIT.error
    }
    const plan = r.plan
    if (flags.json === true && r.kind !== 'applied')
      await writeJson(process.stdout, planJsonEnvelope(plan), planJsonElement)
    if (flags.json !== true)
      out(renderPlan(plan, { limit: 200, width: terminalWidth(process.stdout) }))
    if (r.kind === 'blocked') {
      err(`Then apply it with: koppel apply --plan ${plan.id}`)
      return EXIT.blocked
    }
    if (r.kind === 'unchanged') return EXIT.ok
    if (r.kind === 'refused') {
      err(r.refusal.message)
      return EXIT.error
    }
    if (flags.json === true) await writeJson(process.stdout, r.report)
    else out(renderReport(r.report, terminalWidth(process.stdout)))
    return r.report.failures.length > 0 || r.report.state === 'failed' ? EXIT.failures : EXIT.ok
  })
}
