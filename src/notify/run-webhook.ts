import { createHmac } from 'node:crypto'
import type { StatusInput } from './status-mail.ts'

/** The JSON a webhook receives after a run: counts and findings, never names, attribute values or passwords. */
export function runWebhookPayload(input: StatusInput, at: string): Record<string, unknown> {
  return {
    type: 'koppel.run',
    at,
    tenant: input.tenant,
    outcome: input.outcome,
    ...(input.plan !== undefined
      ? {
          planId: input.plan.id,
          planned: input.plan.summary,
          findings: input.plan.findings,
          held: input.plan.notes.length,
        }
      : {}),
    ...(input.report !== undefined
      ? {
          runId: input.report.runId,
          applied: input.report.counts,
          failures: input.report.failures.length,
        }
      : {}),
    ...(input.error !== undefined ? { error: input.error.split('\n')[0] } : {}),
    ...(input.auditHead !== undefined ? { auditHead: input.auditHead } : {}),
  }
}

/**
 * The signature a receiver checks before it trusts a POST: HMAC-SHA256 over `<timestamp>.<body>` (the timestamp
 * in its own header, so a captured request cannot be replayed later with a fresh one), as Stripe and Slack sign.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

export async function postRunWebhook(
  url: string,
  secret: string,
  payload: Record<string, unknown>,
  now: Date,
  timeoutMs = 10_000,
): Promise<void> {
  const body = JSON.stringify(payload)
  const timestamp = String(Math.floor(now.getTime() / 1000))
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-koppel-timestamp': timestamp,
      'x-koppel-signature': signWebhook(secret, timestamp, body),
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  })
  await res.arrayBuffer()
  if (!res.ok) throw new Error(`the webhook ${new URL(url).origin} answered ${res.status}`)
}
