/**
 * `POST /hooks/<source>`: a source system (or the school's own script) names records that changed, and
 * `koppel serve` re-plans and applies only those, under the same guard and audit as a scheduled run.
 * Authenticated per hook by a bearer token or by an HMAC-SHA256 signature over `<timestamp>.<body>` (the
 * scheme of Koppel's own outgoing webhook: X-Koppel-Timestamp, X-Koppel-Signature: sha256=<hex>), with
 * the timestamp at most five minutes off so a captured request cannot be replayed later.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Hono } from 'hono'
import type { ServeConfig } from '../config/index.ts'

export const MAX_BODY_BYTES = 256 * 1024
export const MAX_IDS = 5_000
const MAX_SKEW_S = 300
/** A record id as sources give them (uuids, numbers, OneRoster sourcedIds): printable, no separators of ours. */
const RECORD_ID = /^[\x21-\x7e]{1,200}$/

export interface HookChange {
  readonly source: string
  readonly ids: readonly string[]
}

export interface HookOptions {
  readonly hooks: ServeConfig['hooks']
  readonly now: () => Date
  /** Takes the change; the request is answered 202 before the run, which goes through the change queue. */
  readonly accept: (change: HookChange) => void
  readonly log: (fields: Record<string, unknown>, message: string) => void
  /** True from SIGTERM on: a change taken then would never run. */
  readonly stopping: () => boolean
}

function sameSecret(given: string, expected: string): boolean {
  // digests first: timingSafeEqual needs equal lengths, and the length of the token must not leak either
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/** Why the request is not authentic, or undefined when it is. */
export function hookAuthProblem(
  hook: ServeConfig['hooks'][number],
  headers: (name: string) => string | undefined,
  body: string,
  now: Date,
): string | undefined {
  if ('bearer' in hook) {
    const auth = headers('authorization') ?? ''
    const m = /^Bearer (.+)$/.exec(auth)
    if (m === null) return 'missing Authorization: Bearer <token>'
    return sameSecret(m[1] ?? '', hook.bearer) ? undefined : 'wrong bearer token'
  }
  const timestamp = headers('x-koppel-timestamp') ?? ''
  const signature = headers('x-koppel-signature') ?? ''
  if (!/^\d{1,12}$/.test(timestamp) || signature === '')
    return 'missing X-Koppel-Timestamp or X-Koppel-Signature'
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_SKEW_S)
    return 'X-Koppel-Timestamp is more than 5 minutes off'
  const expected = `sha256=${createHmac('sha256', hook.hmac).update(`${timestamp}.${body}`).digest('hex')}`
  return sameSecret(signature, expected) ? undefined : 'bad signature'
}

/** The ids of a hook's body `{"ids": [...]}`, or a problem naming the field. */
export function parseHookBody(
  body: string,
): { ok: true; ids: string[] } | { ok: false; problem: string } {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return { ok: false, problem: 'the body is not JSON; send {"ids": ["<record id>", ...]}' }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, problem: 'the body must be an object {"ids": [...]}' }
  const ids = (json as Record<string, unknown>)['ids']
  if (!Array.isArray(ids) || ids.length === 0)
    return { ok: false, problem: 'ids: must be a non-empty array of record ids' }
  if (ids.length > MAX_IDS)
    return {
      ok: false,
      problem: `ids: at most ${MAX_IDS} per request (got ${ids.length}); a bulk change is the nightly schedule's`,
    }
  for (const [i, id] of ids.entries()) {
    if (typeof id !== 'string' || !RECORD_ID.test(id))
      return {
        ok: false,
        problem: `ids[${i}]: must be a record id of 1 to 200 printable characters without spaces`,
      }
  }
  return { ok: true, ids: [...new Set(ids as string[])] }
}

export function mountChangeHooks(app: Hono, o: HookOptions): void {
  app.post('/hooks/:source', async (c) => {
    const source = c.req.param('source')
    const hook = o.hooks.find((h) => h.source === source)
    if (hook === undefined) return c.json({ ok: false, problem: 'no hook for this source' }, 404)
    if (o.stopping())
      return c.json(
        { ok: false, problem: 'shutting down; send it again to the next instance' },
        503,
      )
    const length = Number(c.req.header('content-length') ?? '0')
    if (length > MAX_BODY_BYTES)
      return c.json({ ok: false, problem: `the body is larger than ${MAX_BODY_BYTES} bytes` }, 413)
    const body = await c.req.text()
    if (Buffer.byteLength(body) > MAX_BODY_BYTES)
      return c.json({ ok: false, problem: `the body is larger than ${MAX_BODY_BYTES} bytes` }, 413)
    const refused = hookAuthProblem(hook, (name) => c.req.header(name), body, o.now())
    if (refused !== undefined) {
      // the reason goes to the log, not to the caller: no hint which part was wrong
      o.log({ source, problem: refused }, 'change hook refused')
      return c.json({ ok: false, problem: 'not authenticated' }, 401)
    }
    const parsed = parseHookBody(body)
    if (!parsed.ok) return c.json({ ok: false, problem: parsed.problem }, 400)
    o.accept({ source, ids: parsed.ids })
    return c.json({ ok: true, accepted: parsed.ids.length }, 202)
  })
}
