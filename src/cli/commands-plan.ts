import { randomUUID } from 'node:crypto'
import { createInterface } from 'node:readline/promises'
import type { ConnectorDefinition } from '../contract/index.ts'
import { applyStoredPlan, deliverPending, interruptedPlans, makePlan } from '../engine/index.ts'
import type { Engine, Stage } from '../engine/index.ts'
import { formatIssue } from '../model/index.ts'
import { toIsoDate } from '../util/dates.ts'
import type { Plan, RunReport } from '../model/index.ts'
import { actor } from './actor.ts'
import { noticeLeavers } from './leaver-notices.ts'
import { loadEngine } from '../app/load-engine.ts'
import type { LoadedEngine } from '../app/load-engine.ts'
import { err, EXIT, out } from './output.ts'
import { writeJson } from './json-stream.ts'
import { planJsonElement, planJsonEnvelope } from './plan-json.ts'
import { progressBar } from './progress.ts'
import type { Progress } from './progress.ts'
import { planFilterOf } from './plan-filter.ts'
import { previewDate, previewNotice } from './plan-preview.ts'
import { renderPlan, terminalWidth } from './render-plan.ts'
import { renderReport } from './render-report.ts'
import type { RunNotifier } from '../notify/run-notifier.ts'
import type { StatusInput } from '../notify/status-mail.ts'

export interface PlanFlags {
  readonly config: string
  readonly json?: boolean
  readonly detailedExitcode?: boolean
  readonly today?: string
  /** `plan --at`: the documented name of `--today` for a preview. */
  readonly at?: string
  readonly targetRead?: boolean
  readonly limit?: string
  readonly kind?: string
  readonly target?: string
  readonly person?: string
  readonly school?: string
  /** `plan --draft`: stored as a draft, never approved or applied. */
  readonly draft?: boolean
}

export async function withEngine(
  config: string,
  definitions: readonly ConnectorDefinition[],
  body: (l: LoadedEngine) => Promise<number>,
  /** Runs after `body` whatever it returned (leaver notices after `run`: due by date, not by changes). */
  after?: (l: LoadedEngine) => Promise<void>,
): Promise<number> {
  const r = await loadEngine(config, definitions)
  if (!r.ok) {
    for (const e of r.errors) err(e)
    return EXIT.error
  }
  try {
    const code = await body(r.loaded)
    await after?.(r.loaded)
    return code
  } finally {
    await r.loaded.close()
  }
}

/** Computes and stores a plan, printing progress; undefined when a source failed (issues already printed). */
export async function computePlan(
  engine: Engine,
  flags: PlanFlags,
  actor: string,
  failed?: (messages: string[]) => void,
): Promise<Plan | undefined> {
  const bars = new Map<Stage, Progress>()
  const result = await makePlan(engine, {
    actor,
    ...(flags.today !== undefined ? { today: flags.today } : {}),
    readTargets: flags.targetRead !== false,
    ...(flags.draft === true ? { draft: true } : {}),
    onStage: (stage, detail) => {
      if (flags.json !== true && !process.stderr.isTTY) err(`${stage}: ${detail}`)
    },
    onProgress: (stage, done) => {
      let bar = bars.get(stage)
      if (bar === undefined) bars.set(stage, (bar = progressBar(stage)))
      bar.update(done, Math.max(done, 1))
    },
  })
  for (const b of bars.values()) b.stop()
  if (!result.ok) {
    err(`The plan was not made: a source could not be read. Nothing was changed.`)
    for (const i of result.issues.slice(0, 100)) err(formatIssue(i))
    if (result.issues.length > 100) err(`… and ${result.issues.length - 100} more issues`)
    failed?.([
      'The plan was not made: a source could not be read. Nothing was changed.',
      ...result.issues.slice(0, 20).map(formatIssue),
    ])
    return undefined
  }
  return result.plan
}

export async function planCommand(
  flags: PlanFlags,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  const filter = planFilterOf(flags)
  if (!filter.ok) {
    err(filter.message)
    return EXIT.error
  }
  const at = previewDate(flags)
  if (!at.ok) {
    err(at.message)
    return EXIT.error
  }
  return withEngine(flags.config, definitions, async ({ engine }) => {
    const plan = await computePlan(
      engine,
      { ...flags, ...(at.date !== undefined ? { today: at.date } : {}) },
      actor(),
    )
    if (plan === undefined) return EXIT.error
    const preview = previewNotice(plan, toIsoDate(engine.now()))
    // streamed: the text of JSON.stringify(planJson(plan), null, 2) is ~180 MB at 100,000 persons
    if (flags.json === true)
      await writeJson(process.stdout, planJsonEnvelope(plan), planJsonElement)
    else
      out(
        `${preview !== undefined ? `PREVIEW of ${plan.inputs['today']}, not to be applied\n` : ''}${renderPlan(plan, { limit: Number(flags.limit ?? 100), width: terminalWidth(process.stdout), filter: filter.filter })}`,
      )
    // with --json on stderr: a script reading stdout gets the plan, the person at the terminal the warning
    if (preview !== undefined) (flags.json === true ? err : out)(`\n${preview}`)
    if (flags.draft === true)
      (flags.json === true ? err : out)(
        `\nDRAFT: plan ${plan.id} shows what ${flags.config} would do; it is never approved or applied.`,
      )
    // blocked wins over "changes": a scheduler must not read a plan nobody may apply as ready to apply
    if (plan.status === 'blocked') return EXIT.blocked
    if (flags.detailedExitcode === true) return plan.actions.length > 0 ? EXIT.changes : EXIT.ok
    return EXIT.ok
  })
}

export interface ApplyFlags extends PlanFlags {
  readonly plan?: string
  readonly yes?: boolean
}

export async function applyCommand(
  flags: ApplyFlags,
  definitions: readonly ConnectorDefinition[],
  mode: 'apply' | 'run',
): Promise<number> {
  return withEngine(
    flags.config,
    definitions,
    async ({ engine, notifier }) => {
      const tell = notifyOutcome(notifier)
      for (const p of await interruptedPlans(engine.store)) {
        err(`Resuming the interrupted apply of ${p.id} first.`)
        const code = await applyAndReport(engine, p.id, flags, tell)
        if (code !== EXIT.ok) return code
      }
      const planId = flags.plan
      let pendingFailure: string[] = []
      if (planId === undefined) {
        const plan = await computePlan(
          engine,
          flags,
          actor(),
          (messages) => void (pendingFailure = messages),
        )
        if (plan === undefined) {
          await tell({ outcome: 'failed', error: pendingFailure.join('\n') })
          return EXIT.error
        }
        const code = await planAndApply(engine, plan, flags, mode, tell)
        return code === EXIT.ok && manyUntouched(plan) ? EXIT.failures : code
      }
      return applyAndReport(engine, planId, flags, tell)
    },
    mode === 'run' ? noticeLeavers : undefined,
  )
}

/** Persons a rule or mapping failed for, from which on a run counts as failed instead of "No changes". */
export const UNTOUCHED_LIMIT = 10

/**
 * A rule or mapping that fails for many persons leaves them all untouched: the plan may well be empty, but the
 * run did not do its job, and a scheduler must hear it.
 */
function manyUntouched(plan: Plan): boolean {
  const failed = new Set(
    plan.issues
      .filter(
        (i) => i.severity === 'error' && (i.code === 'rule_failed' || i.code === 'mapping_failed'),
      )
      .map((i) => i.record),
  )
  if (failed.size < UNTOUCHED_LIMIT) return false
  const first = plan.issues.find((i) => i.code === 'rule_failed' || i.code === 'mapping_failed')
  err(
    `A rule or mapping failed for ${failed.size} persons; they were left untouched (first: ${first?.message ?? '?'}). Exit ${EXIT.failures}.`,
  )
  return true
}

async function planAndApply(
  engine: Engine,
  plan: Plan,
  flags: ApplyFlags,
  mode: 'apply' | 'run',
  tell: Tell,
): Promise<number> {
  if (flags.json !== true)
    out(
      renderPlan(plan, { limit: Number(flags.limit ?? 100), width: terminalWidth(process.stdout) }),
    )
  if (plan.status === 'blocked') {
    // nothing was applied, so there is no run report: the plan (with its findings) tells a scheduler why
    if (flags.json === true)
      await writeJson(process.stdout, planJsonEnvelope(plan), planJsonElement)
    await tell({ outcome: 'blocked', plan })
    return EXIT.blocked
  }
  if (plan.status === 'rejected') {
    err(
      `Plan ${plan.id} is work an admin already rejected (koppel audit log --kind plan.rejected); not applied. Fix the source, then run again.`,
    )
    return EXIT.blocked
  }
  if (plan.actions.length === 0) {
    // file-delivering targets (itslearning IMS) retry a delivery that failed or was refused last time
    const d = await deliverPending(engine, { actor: actor() })
    if (d !== undefined && 'busy' in d) {
      err(d.busy)
      return EXIT.error
    }
    // a scheduler reading --json gets a report also when there was nothing to do
    if (flags.json === true) await printReport(quietRunReport(engine, plan, d), true)
    else for (const m of d?.messages ?? []) err(m)
    if (d === undefined) {
      await tell({ outcome: 'unchanged', plan })
      return EXIT.ok
    }
    return d.ok ? EXIT.ok : EXIT.failures
  }
  if (
    mode === 'apply' &&
    flags.yes !== true &&
    !(await confirm(`Apply these ${plan.actions.length} actions?`))
  ) {
    err(
      'Not applied. The plan is stored: apply it later with `koppel apply --plan ' + plan.id + '`.',
    )
    return EXIT.ok
  }
  return applyAndReport(engine, plan.id, flags, tell)
}

async function applyAndReport(
  engine: Engine,
  planId: string,
  flags: ApplyFlags,
  tell: Tell,
): Promise<number> {
  const bar = progressBar('apply')
  const r = await applyStoredPlan(engine, planId, {
    actor: actor(),
    onProgress: (d, t) => bar.update(d, t),
  })
  bar.stop()
  if (!r.ok) {
    err(r.message)
    // a refusal is no run: blocked plans were told about when they were planned
    return r.reason === 'blocked' ? EXIT.blocked : EXIT.error
  }
  await printReport(r.report, flags.json === true)
  const failed = r.report.failures.length > 0 || r.report.state === 'failed'
  const plan = await engine.store.getPlan(planId)
  await tell({
    outcome: failed ? 'failed' : 'completed',
    report: r.report,
    ...(plan !== undefined ? { plan } : {}),
  })
  return failed ? EXIT.failures : EXIT.ok
}

type Tell = (input: Omit<StatusInput, 'tenant' | 'auditHead'>) => Promise<void>

/** The status mail, when the config asks for one; a mail that cannot be sent is said, never fatal. */
function notifyOutcome(notifier: RunNotifier | undefined): Tell {
  return async (input) => {
    if (notifier === undefined) return
    for (const problem of await notifier.runEnded(input)) err(problem)
  }
}

async function printReport(report: RunReport, json: boolean): Promise<void> {
  // streamed: `failures` has one entry per failed action, up to every action of a large plan
  if (json) await writeJson(process.stdout, report)
  else out(renderReport(report, terminalWidth(process.stdout)))
}

/**
 * The report of a run that had nothing to apply, so a scheduler reading `run --json` always gets one object.
 * Nothing ran, so nothing is stored as a run; the plan (with its id) is stored as always.
 */
function quietRunReport(
  engine: Engine,
  plan: Plan,
  delivered: { ok: boolean; messages: string[] } | undefined,
): RunReport {
  const at = (engine.now ?? (() => new Date()))().toISOString()
  return {
    kind: 'run-report',
    runId: `run-${at.replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomUUID().slice(0, 6)}`,
    planId: plan.id,
    state: delivered === undefined || delivered.ok ? 'done' : 'failed',
    startedAt: at,
    finishedAt: at,
    counts: {},
    failures: [],
    messages: [`no changes: plan ${plan.id} has no actions`, ...(delivered?.messages ?? [])],
  }
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    err(
      'Refusing to apply without confirmation: stdin is not a terminal. Use --yes, or `koppel run` for unattended runs.',
    )
    return false
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answer = await rl.question(`${question} Only 'yes' is accepted: `)
    return answer.trim() === 'yes'
  } finally {
    rl.close()
  }
}
