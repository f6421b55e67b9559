import { existsSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ConnectorDefinition } from '../contract/index.ts'
import { approvePlan, rejectPlan } from '../engine/index.ts'
import {
  configJsonSchema,
  formatConfigError,
  loadConfig,
  redact,
  starterConfig,
} from '../config/index.ts'
import { actor } from './actor.ts'
import { withEngine } from './commands-plan.ts'
import { compileConfig, formatRuleProblems, unfilledFieldWarnings } from '../app/compile-config.ts'
import { channelProblems } from '../app/load-engine.ts'
import type { Engine } from '../engine/index.ts'
import { err, EXIT, out } from './output.ts'
import { terminalSafe } from './terminal-text.ts'

/**
 * `koppel approve <planId>` releases a plan the guard blocked; `koppel approve <target>:<token>` releases a
 * delivery a target's own safety check refused (the itslearning IMS file). Both are audited with approver and reason.
 */
export async function approveCommand(
  config: string,
  id: string,
  definitions: readonly ConnectorDefinition[],
  reason?: string,
): Promise<number> {
  const why = reason?.trim()
  return withEngine(config, definitions, async ({ engine }) => {
    const colon = id.lastIndexOf(':')
    if (colon > 0) return approveDelivery(engine, id.slice(0, colon), id.slice(colon + 1), why)
    const by = actor()
    const r = await approvePlan(engine, id, by, why)
    if (!r.ok) {
      err(r.message)
      return EXIT.error
    }
    out(
      `Approved ${id} as ${by}${why ? ` (reason: ${terminalSafe(why, 200)})` : ''}. Apply it with: koppel apply --plan ${id}`,
    )
    return EXIT.ok
  })
}

/** `koppel reject <planId> --reason …`: a blocked plan is never applied, and the same work planned again stays rejected. */
export async function rejectCommand(
  config: string,
  id: string,
  definitions: readonly ConnectorDefinition[],
  reason: string | undefined,
): Promise<number> {
  if (reason === undefined || reason.trim() === '') {
    err(`Rejecting a plan needs --reason "…" (kept in the audit log for the next admin).`)
    return EXIT.error
  }
  return withEngine(config, definitions, async ({ engine }) => {
    const by = actor()
    const r = await rejectPlan(engine, id, by, reason)
    if (!r.ok) {
      err(r.message)
      return EXIT.error
    }
    out(
      `Rejected ${id} as ${by} (reason: ${terminalSafe(reason.trim(), 200)}). It will not be applied; the same plan made again stays rejected.`,
    )
    return EXIT.ok
  })
}

async function approveDelivery(
  engine: Engine,
  target: string,
  token: string,
  reason: string | undefined,
): Promise<number> {
  const t = engine.setup.targets.find((x) => x.name === target)
  if (t === undefined || t.connector.deliver === undefined) {
    err(
      `${terminalSafe(target, 80)} is not a target that delivers in one piece; a plan id looks like plan-0123456789ab.`,
    )
    return EXIT.error
  }
  if (!/^[0-9a-f]{16}$/.test(token)) {
    err(
      `${terminalSafe(token, 80)} is not a delivery token (16 hex digits, as the refusal message names it).`,
    )
    return EXIT.error
  }
  const by = actor()
  await engine.store.appendAudit([
    {
      type: 'delivery.approved',
      actor: by,
      target,
      data: { token, ...(reason ? { reason } : {}) },
    },
  ])
  out(`Approved the delivery ${token} of ${target} as ${by}. The next apply or run delivers it.`)
  return EXIT.ok
}

export async function auditVerifyCommand(
  config: string,
  definitions: readonly ConnectorDefinition[],
  head?: string,
): Promise<number> {
  if (head !== undefined && !/^[0-9a-f]{16,64}$/i.test(head)) {
    err(
      `--head must be a head hash from a run report (16 to 64 hex digits), got ${JSON.stringify(head.slice(0, 80))}`,
    )
    return EXIT.error
  }
  return withEngine(config, definitions, async ({ engine }) => {
    const v = await engine.store.verifyAudit(head === undefined ? {} : { anchor: head })
    if (v.ok) {
      out(`Audit log intact: ${v.events} events, head ${v.head}`)
      if (head !== undefined) out(`The anchored head ${head.slice(0, 16)}… is in the log.`)
      if (!v.keyed) {
        out(
          'Unkeyed (no audit.key): this shows the rows agree with each other, not that nobody with write access to the store rewrote them.',
        )
      } else if (v.unkeyed > 0) {
        out(
          `The first ${v.unkeyed} events were written before audit.key was set and are checked without it.`,
        )
      }
      return EXIT.ok
    }
    err(`Audit log BROKEN at event ${v.firstBadSeq} (of ${v.events} checked): ${v.problem}`)
    return EXIT.error
  })
}

export async function validateCommand(
  config: string,
  show: boolean,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  const r = await loadConfig(resolve(config), definitions, { env: process.env })
  if (!r.ok) {
    for (const e of r.errors) err(formatConfigError(e))
    return EXIT.error
  }
  // the CEL too, so that a typo is found now and not as one error per person in the nightly run
  const compiled = compileConfig(r.config)
  if (!compiled.ok) {
    for (const line of formatRuleProblems(config, r.config, r.locate, compiled.problems)) err(line)
    return EXIT.error
  }
  const channels = await channelProblems(r.config, r.baseDir, definitions)
  if (channels.length > 0) {
    for (const c of channels) err(`${config}: ${c}`)
    return EXIT.error
  }
  for (const line of unfilledFieldWarnings(config, r.config, r.locate, definitions)) err(line)
  out(
    `${config} is valid (${r.config.sources.length} source(s), ${r.config.targets.length} target(s), ${r.config.rules.length} rule(s)); config hash ${r.hash.slice(0, 16)}…`,
  )
  if (show) out(JSON.stringify(redact(r.config), null, 2))
  return EXIT.ok
}

export function schemaCommand(definitions: readonly ConnectorDefinition[]): number {
  out(JSON.stringify(configJsonSchema(definitions), null, 2))
  return EXIT.ok
}

export function initCommand(
  path: string,
  force: boolean,
  definitions: readonly ConnectorDefinition[],
): number {
  const file = resolve(path)
  if (existsSync(file) && !force) {
    err(`${path} exists; use --force to overwrite it.`)
    return EXIT.error
  }
  writeFileSync(file, starterConfig())
  const schemaFile = resolve(file, '..', 'koppel.schema.json')
  writeFileSync(schemaFile, `${JSON.stringify(configJsonSchema(definitions), null, 2)}\n`)
  out(
    `Wrote ${path} and koppel.schema.json. Edit the source path, the LDAP server and the rules, then run: koppel validate && koppel plan`,
  )
  return EXIT.ok
}
