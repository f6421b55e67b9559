import { ConnectorError } from '../contract/index.ts'
import type { Store } from '../store/store.ts'
import { redactSecrets } from '../util/secret-redaction.ts'
import type { EngineTarget } from './engine-types.ts'
import { messageOf } from '../util/message-of.ts'

export interface DeliveryOutcome {
  readonly target: string
  readonly ok: boolean
  readonly message: string
}

/**
 * After the actions: lets every target that delivers in one piece (see TargetConnector.deliver) deliver. Runs
 * for targets without actions too, so a delivery that failed last time is retried. Never throws.
 */
export async function deliverTargets(
  targets: readonly EngineTarget[],
  signal?: AbortSignal,
  approvals: (target: string) => Promise<readonly string[]> = async () => [],
): Promise<DeliveryOutcome[]> {
  const out: DeliveryOutcome[] = []
  for (const t of targets) {
    const c = t.connector
    if (c.deliver === undefined) continue
    try {
      const r = await c.deliver.call(c, {
        ...(signal !== undefined ? { signal } : {}),
        approvals: await approvals(t.name),
      })
      out.push({ target: t.name, ok: true, message: redactSecrets(`${t.name}: ${r.message}`) })
    } catch (e) {
      const why = redactSecrets(
        ConnectorError.isInstance(e) ? `${e.kind}: ${e.message}` : messageOf(e),
      )
      out.push({ target: t.name, ok: false, message: `${t.name}: delivery failed (${why})` })
    }
  }
  return out
}

/**
 * The delivery approvals recorded by `koppel approve <target>:<token>` (audit events `delivery.approved`): one
 * approval mechanism for plans and for a target's own safety check, with approver and reason in the audit log.
 */
export function approvalsIn(
  store: Pick<Store, 'listAudit'>,
): (target: string) => Promise<readonly string[]> {
  return async (target) => {
    const events = await store.listAudit({ kind: 'delivery.approved', target, limit: 50 })
    return events.map((e) => e.data?.['token']).filter((t): t is string => typeof t === 'string')
  }
}
