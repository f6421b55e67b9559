import { existsSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ConnectorDefinition } from '../contract/index.ts'
import { configJsonSchema, formatConfigError, loadConfig, redact, starterConfig } from '../config/index.ts'
import { actor } from './actor.ts'
import { withEngine } from './commands-plan.ts'
import { err, EXIT, out } from './output.ts'

export async function approveCommand(config: string, planId: string, definitions: readonly ConnectorDefinition[]): Promise<number> {
  return withEngine(config, definitions, async ({ engine }) => {
    const { store } = engine
    const plan = await store.getPlan(planId)
    if (plan === undefined) {
      err(`No plan ${planId}.`)
      return EXIT.error
    }
    if (plan.status !== 'blocked') {
      err(`Plan ${planId} is ${plan.status}; only a blocked plan needs approval.`)
      return EXIT.error
    }
    // the admin vouches for the sources this plan was made from, so they become the new baseline
    for (const [key, hash] of Object.entries(plan.inputs)) {
      if (!key.startsWith('source:')) continue
      const id = `${key.slice('source:'.length)}-${hash.slice(0, 12)}`
      const snap = await store.getSnapshot(id)
      if (snap !== undefined && !snap.used) await store.saveSnapshot({ ...snap, used: true })
    }
    await store.setPlanStatus(planId, 'approved')
    await store.appendAudit([{ type: 'plan.approved', actor: actor(), planId, data: { findings: plan.findings.map((f) => f.message) } }])
    out(`Approved ${planId}. Apply it with: koppel apply --plan ${planId}`)
    return EXIT.ok
  })
}

export async function auditVerifyCommand(config: string, definitions: readonly ConnectorDefinition[], head?: string): Promise<number> {
  if (head !== undefined && !/^[0-9a-f]{16,64}$/i.test(head)) {
    err(`--head must be a head hash from a run report (16 to 64 hex digits), got ${JSON.stringify(head.slice(0, 80))}`)
    return EXIT.error
  }
  return withEngine(config, definitions, async ({ engine }) => {
    const v = await engine.store.verifyAudit(head === undefined ? {} : { anchor: head })
    if (v.ok) {
      out(`Audit log intact: ${v.events} events, head ${v.head}`)
      if (head !== undefined) out(`The anchored head ${head.slice(0, 16)}… is in the log.`)
      if (!v.keyed) {
        out('Unkeyed (no audit.key): this shows the rows agree with each other, not that nobody with write access to the store rewrote them.')
      } else if (v.unkeyed > 0) {
        out(`The first ${v.unkeyed} events were written before audit.key was set and are checked without it.`)
      }
      return EXIT.ok
    }
    err(`Audit log BROKEN at event ${v.firstBadSeq} (of ${v.events} checked): ${v.problem}`)
    return EXIT.error
  })
}

export async function validateCommand(config: string, show: boolean, definitions: readonly ConnectorDefinition[]): Promise<number> {
  const r = await loadConfig(resolve(config), definitions, { env: process.env })
  if (!r.ok) {
    for (const e of r.errors) err(formatConfigError(e))
    return EXIT.error
  }
  out(`${config} is valid (${r.config.sources.length} source(s), ${r.config.targets.length} target(s), ${r.config.rules.length} rule(s)); config hash ${r.hash.slice(0, 16)}…`)
  if (show) out(JSON.stringify(redact(r.config), null, 2))
  return EXIT.ok
}

export function schemaCommand(definitions: readonly ConnectorDefinition[]): number {
  out(JSON.stringify(configJsonSchema(definitions), null, 2))
  return EXIT.ok
}

export function initCommand(path: string, force: boolean, definitions: readonly ConnectorDefinition[]): number {
  const file = resolve(path)
  if (existsSync(file) && !force) {
    err(`${path} exists; use --force to overwrite it.`)
    return EXIT.error
  }
  writeFileSync(file, starterConfig())
  const schemaFile = resolve(file, '..', 'koppel.schema.json')
  writeFileSync(schemaFile, `${JSON.stringify(configJsonSchema(definitions), null, 2)}\n`)
  out(`Wrote ${path} and koppel.schema.json. Edit the source path, the LDAP server and the rules, then run: koppel validate && koppel plan`)
  return EXIT.ok
}
