/**
 * `koppel revert <run>`: the inverse of what an applied run did, as a new plan that is guarded, approved and
 * applied like any other (`koppel apply --plan`). From the run's journal (the actions it applied) and the ledger
 * as it is now:
 *
 * - a disable is undone by an enable, an enable by a disable, a revoke by a grant, a grant by a revoke;
 * - an update by an update back to the old values, for the fields that still hold what the run wrote;
 * - a delete by a create with the attributes Koppel last wrote — where the target keeps deleted accounts the
 *   connector's create restores the same object instead (Entra ID's deleted items: same object id) — followed by
 *   a disable when the target can disable (a deleted account was a disabled one);
 * - creates, correlations and write-backs are not undone: the plan's notes say how many and why.
 *
 * An action whose account has moved on since (enabled again, deleted, changed) is skipped with a note: a revert
 * never overwrites a later change. The sources are not read; the next ordinary plan still follows them, so fix
 * the cause (the half-empty export) before the next run, or it does the same again.
 */
import type { Account, Action, FieldChange, Plan } from '../model/index.ts'
import { toIsoDate } from '../util/dates.ts'
import { sameValue } from './diff-attributes.ts'
import { compareActions, ledgerHash, planHash, summarise } from './build-plan.ts'
import { guard } from './guard.ts'
import { permissionKey } from './account-values.ts'
import type { Engine } from './pipeline.ts'

export type RevertOutcome =
  { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly message: string }

export async function revertRun(
  engine: Engine,
  runId: string,
  o: { readonly actor: string; readonly reason?: string },
): Promise<RevertOutcome> {
  const { store, setup } = engine
  const run = await store.getRun(runId)
  if (run === undefined)
    return { ok: false, message: `no run ${runId} (koppel status lists the last runs)` }
  if (run.planId === undefined)
    return { ok: false, message: `run ${runId} applied no plan; there is nothing to revert` }
  const original = await store.getPlan(run.planId)
  if (original === undefined)
    return {
      ok: false,
      message: `the plan ${run.planId} of run ${runId} is not in the store any more`,
    }
  const applied = new Set(
    (await store.journalFor(original.id))
      .filter((e) => e.runId === runId && e.phase === 'applied')
      .map((e) => e.actionId),
  )
  if (applied.size === 0)
    return { ok: false, message: `run ${runId} applied no action; there is nothing to revert` }

  const ledger = await store.listAccounts()
  const rows = new Map(ledger.map((a) => [`${a.target}\u0000${a.person}`, a]))
  const targets = new Map(setup.targets.map((t) => [t.name, t]))
  const actions: Action[] = []
  const notes: string[] = []
  const skipped = new Map<string, number>()
  const skip = (why: string) => skipped.set(why, (skipped.get(why) ?? 0) + 1)
  const reason = (a: Action, what: string): Action['reason'] => ({
    change: 'revert',
    detail: `${what} (reverts ${a.kind} ${a.id} of ${runId})`,
  })

  for (const a of original.actions) {
    if (!applied.has(a.id)) continue
    const target = targets.get(a.target)
    if (target === undefined) {
      skip(`target ${a.target} is no longer configured`)
      continue
    }
    const row = rows.get(`${a.target}\u0000${a.person}`)
    const prefix = `${a.target}/${a.person}`
    const base = {
      target: a.target,
      person: a.person,
      label: a.label,
      ...(a.subject !== undefined ? { subject: a.subject } : {}),
      changes: [] as FieldChange[],
    }
    const ref = row !== undefined ? { targetId: row.targetId, locator: row.locator } : undefined
    switch (a.kind) {
      case 'disable':
      case 'enable': {
        const was = a.kind === 'disable' ? 'disabled' : 'active'
        if (row === undefined || ref === undefined || row.state !== was) {
          skip(`${a.kind}s whose account is no longer ${was}`)
          continue
        }
        const kind = a.kind === 'disable' ? 'enable' : 'disable'
        actions.push({
          ...base,
          kind,
          id: `${prefix}/${kind}`,
          account: ref,
          reason: reason(a, a.kind === 'disable' ? 'enabled again' : 'disabled again'),
        })
        break
      }
      case 'grant':
      case 'revoke': {
        const type = a.permissionType ?? 'group'
        const id = a.permission ?? ''
        const holds = row?.permissions.includes(permissionKey(type, id)) === true
        if (
          row === undefined ||
          ref === undefined ||
          row.state === 'deleted' ||
          holds !== (a.kind === 'grant')
        ) {
          skip(`${a.kind}s changed since or whose account is gone`)
          continue
        }
        const kind = a.kind === 'grant' ? 'revoke' : 'grant'
        actions.push({
          ...base,
          kind,
          id: `${prefix}/${kind}/${id}`,
          account: ref,
          permission: id,
          permissionType: type,
          reason: reason(a, a.kind === 'grant' ? 'revoked again' : 'granted again'),
        })
        break
      }
      case 'update': {
        if (row === undefined || ref === undefined || row.state === 'deleted') {
          skip('updates whose account is gone')
          continue
        }
        const back = a.changes
          .filter((c) => stillAsWritten(row, c))
          .map((c) => ({
            field: c.field,
            ...(c.new !== undefined ? { old: c.new } : {}),
            ...(c.old !== undefined ? { new: c.old } : {}),
          }))
        if (back.length < a.changes.length) skip('updated fields changed again since')
        if (back.length === 0) continue
        actions.push({
          ...base,
          kind: 'update',
          id: `${prefix}/update`,
          account: ref,
          changes: back,
          reason: reason(a, `back to ${back.map((c) => `${c.field} ${show(c.new)}`).join(', ')}`),
        })
        break
      }
      case 'delete': {
        if (row === undefined || row.state !== 'deleted') {
          skip('deletes whose account exists again')
          continue
        }
        const changes = Object.entries(row.attributes).map(([field, v]) => ({ field, new: v }))
        const first = `${prefix}/create`
        actions.push({
          ...base,
          kind: 'create',
          id: first,
          changes,
          reason: reason(
            a,
            'restored from the recycle bin where the target keeps one, else created again',
          ),
        })
        if (target.connector.capabilities.enableDisable && target.connector.disable !== undefined) {
          // it was deleted as a disabled account (after its grace): it comes back disabled, with a new grace
          // the ref of the deleted account; the apply uses the ledger's row the create writes
          actions.push({
            ...base,
            kind: 'disable',
            id: `${prefix}/disable`,
            account: { targetId: row.targetId, locator: row.locator },
            after: first,
            reason: reason(a, 'restored disabled, as it was before the delete'),
          })
        }
        break
      }
      case 'create':
      case 'correlate':
      case 'write-back':
        skip(`${a.kind}s are not reverted (the next plan decides about those accounts)`)
        break
      case 'group-create':
      case 'group-update':
      case 'group-archive':
      case 'group-delete':
        // provisioned groups follow the sources' groups: the next plan makes them so again
        skip(`${a.kind}s are not reverted (the next plan provisions groups from the sources)`)
    }
  }
  for (const [why, n] of skipped) notes.push(`revert of ${runId}: ${n} ${why}; left as they are`)

  actions.sort(compareActions)
  const today = toIsoDate(engine.now())
  const inputs = {
    revert: runId,
    of: original.id,
    config: setup.configHash,
    today,
    ledger: ledgerHash(ledger),
  }
  const byTarget = new Map<string, Account[]>()
  for (const a of ledger) byTarget.set(a.target, [...(byTarget.get(a.target) ?? []), a])
  const findings = guard(actions, setup.targets, byTarget)
  const hash = planHash(actions, inputs, findings, [])
  const plan: Plan = {
    kind: 'plan',
    id: `plan-${hash.slice(0, 12)}`,
    hash,
    createdAt: engine.now().toISOString(),
    status: findings.length > 0 ? 'blocked' : 'planned',
    summary: summarise(actions),
    actions,
    findings,
    issues: [],
    notes,
    inputs,
  }
  await store.appendAudit([
    {
      type: plan.status === 'blocked' ? 'plan.blocked' : 'plan.created',
      actor: o.actor,
      planId: plan.id,
      runId,
      data: {
        hash: plan.hash,
        actions: actions.length,
        summary: plan.summary,
        findings: findings.map((f) => f.message),
        revertOf: runId,
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
      },
    },
  ])
  await store.savePlan(plan)
  return { ok: true, plan }
}

/** The ledger still holds the value this update wrote (nothing changed the field since). */
function stillAsWritten(row: Account, c: FieldChange): boolean {
  if (c.field === 'dn') return c.new === undefined || sameValue('dn', row.locator, c.new)
  return sameValue(c.field, row.attributes[c.field], c.new)
}

function show(v: FieldChange['new']): string {
  return v === undefined ? '∅' : typeof v === 'string' ? v : v.join(', ')
}
