import { ConnectorError } from '../contract/index.ts'
import { redactSecrets } from '../util/secret-redaction.ts'
import type { EngineTarget } from './engine-types.ts'

export interface DeliveryOutcome {
  readonly target: string
  readonly ok: boolean
  readonly message: string
}

/**
 * After the actions: lets every target that delivers in one piece (see TargetConnector.deliver) deliver. Runs
 * for targets without actions too, so a delivery that failed last time is retried. Never throws.
 */
export async function deliverTargets(targets: readonly EngineTarget[], signal?: AbortSignal): Promise<DeliveryOutcome[]> {
  const out: DeliveryOutcome[] = []
  for (const t of targets) {
    const c = t.connector
    if (c.deliver === undefined) continue
    try {
      const r = await c.deliver.call(c, signal !== undefined ? { signal } : {})
      out.push({ target: t.name, ok: true, message: redactSecrets(`${t.name}: ${r.message}`) })
    } catch (e) {
      const why = redactSecrets(ConnectorError.isInstance(e) ? `${e.kind}: ${e.message}` : (e as Error).message)
      out.push({ target: t.name, ok: false, message: `${t.name}: delivery failed (${why})` })
    }
  }
  return out
}
