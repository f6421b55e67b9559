/**
 * The HTTP API under /api, described by the OpenAPI 3.1 document generated from these route schemas
 * (`/api/openapi.json`). Every route calls the engine functions the CLI calls (engineStatus, approvePlan,
 * rejectPlan, explainPerson, the store's audit verify), never copies of them. Each route names the least role
 * it needs (API_ROUTES): the route-matrix test checks every documented route against it.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import type { Engine } from '../../engine/index.ts'
import { approvePlan, rejectPlan } from '../../engine/approve-plan.ts'
import { explainPerson } from '../../engine/explain.ts'
import { runPerson } from '../../engine/run-person.ts'
import { driftReport } from '../../engine/drift.ts'
import { sourcesAndTargets } from '../../engine/source-target-health.ts'
import { engineStatus } from '../../engine/status.ts'
import { redact, type KoppelConfig } from '../../config/index.ts'
import type { ScheduleState } from '../../serve/scheduler.ts'
import { scheduleRows } from '../schedule-rows.ts'
import { requireRole, sessionCookie, type AuthEnv, type AuthOptions } from '../access/auth.ts'
import { busyAnswer } from '../apply-busy.ts'
import type { Role } from '../access/roles.ts'
import { createApiToken, MAX_TOKEN_DAYS } from '../access/tokens.ts'
import { UserInputError } from '../access/users.ts'
import {
  CursorError,
  decodeIndexCursor,
  decodeKeyCursor,
  encodeKeyCursor,
  MAX_LIMIT,
  pageByIndex,
} from './paging.ts'

export interface ApiContext {
  readonly engine: Engine
  readonly now: () => Date
  /** The validated config: `/config` shows it redacted, `/schedules` reads its schedules. */
  readonly config?: KoppelConfig
  readonly schedules?: () => readonly ScheduleState[]
}

/** `METHOD /path` (OpenAPI path syntax) → the least role that may call it. */
export const API_ROUTES: Record<string, Role> = {}

const Json = z.record(z.string(), z.unknown()).openapi('Object')
const ErrorBody = z.object({ error: z.string() }).openapi('Error')
const PageQuery = {
  cursor: z.string().optional().openapi({ description: 'the `next` of the previous page' }),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
}
const PlanId = z.object({ id: z.string().min(1).max(200) })
const Reason = z.object({ reason: z.string().trim().min(1).max(2000) }).openapi('Reason')

const json = (schema: z.ZodType, description: string) => ({
  content: { 'application/json': { schema } },
  description,
})
const errors = {
  400: json(ErrorBody, 'bad input'),
  401: json(ErrorBody, 'no credentials'),
  403: json(ErrorBody, 'role too low or CSRF token missing'),
  404: json(ErrorBody, 'not found'),
  502: json(ErrorBody, 'a source or target could not be read'),
  409: json(
    ErrorBody,
    'refused in its present state (another apply runs: Retry-After says when to try again; the plan is no longer waiting)',
  ),
}

const SECURITY: Record<string, string[]>[] = [{ session: [] }, { token: [] }]

export function createApiApp(ctx: ApiContext, auth: AuthOptions): OpenAPIHono<AuthEnv> {
  const api = new OpenAPIHono<AuthEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
        return c.json({ error: `bad request: ${issues.join('; ')}` }, 400)
      }
      return undefined
    },
  })
  api.onError((e, c) => {
    if (e instanceof CursorError || e instanceof UserInputError)
      return c.json({ error: e.message }, 400)
    throw e
  })
  // the role check is a middleware registered before the route (Hono runs handlers in registration order)
  const route = <const R extends { method: 'get' | 'post'; path: string; summary: string }>(
    role: Role,
    r: R,
  ) => {
    API_ROUTES[`${r.method.toUpperCase()} ${r.path}`] = role
    api.on(r.method.toUpperCase(), r.path.replace(/\{(\w+)\}/g, ':$1'), requireRole(role, auth))
    return { ...r, security: SECURITY, responses: { 200: json(Json, 'ok'), ...errors } }
  }
  const { engine } = ctx

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/status',
        summary: 'What `koppel status` shows: last runs, blocked plans, audit head',
      }),
    ),
    async (c) => c.json((await engineStatus(engine)) as unknown as Record<string, unknown>, 200),
  )

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/runs',
        summary: 'Runs, newest first',
        request: { query: z.object(PageQuery) },
      }),
    ),
    async (c) => {
      const { cursor, limit } = c.req.valid('query')
      const key = decodeKeyCursor(cursor)
      const before = key === undefined ? undefined : runKey(key, cursor)
      // by key (started, id), one more than asked: a page reads one page of reports, not 10,000 of them
      const runs = await engine.store.listRuns(limit + 1, before)
      const items = runs.slice(0, limit)
      const last = items.at(-1)
      return c.json(
        (runs.length > limit && last !== undefined
          ? { items, next: encodeKeyCursor(JSON.stringify([last.startedAt, last.runId])) }
          : { items }) as unknown as Record<string, unknown>,
        200,
      )
    },
  )

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/plans',
        summary: 'Plans, newest first, blocked ones with their status',
        request: { query: z.object({ ...PageQuery, status: z.string().optional() }) },
      }),
    ),
    async (c) => {
      const { cursor, limit, status } = c.req.valid('query')
      const key = decodeKeyCursor(cursor)
      const [createdAt, id] = key === undefined ? [] : pairKey(key, cursor)
      // by key (created, id), one more than asked: whether a next page exists without reading them all
      const plans = await engine.store.pagePlanStatuses({
        status,
        limit: limit + 1,
        ...(createdAt === undefined || id === undefined ? {} : { before: { createdAt, id } }),
      })
      const items = plans.slice(0, limit)
      const last = items.at(-1)
      return c.json(
        plans.length > limit && last !== undefined
          ? { items, next: encodeKeyCursor(JSON.stringify([last.createdAt, last.id])) }
          : { items },
        200,
      )
    },
  )

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/plans/{id}',
        summary: 'A plan: status, summary, guard findings, issues, notes',
        request: { params: PlanId },
      }),
    ),
    async (c) => {
      // the head: a plan's 176,000 actions are paged by /plans/{id}/actions, not decompressed here
      const plan = await engine.store.getPlanHead(c.req.valid('param').id)
      if (plan === undefined) return c.json({ error: `no plan ${c.req.valid('param').id}` }, 404)
      return c.json(plan as unknown as Record<string, unknown>, 200)
    },
  )

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/plans/{id}/actions',
        summary:
          "A plan's actions, paged, filtered by target, kind, reason, person or school (code or name, as `koppel plan --school`)",
        request: {
          params: PlanId,
          query: z.object({
            ...PageQuery,
            target: z.string().optional(),
            kind: z.string().optional(),
            reason: z.string().optional(),
            person: z.string().optional(),
            school: z.string().optional(),
          }),
        },
      }),
    ),
    async (c) => {
      const { id } = c.req.valid('param')
      const { cursor, limit, ...filter } = c.req.valid('query')
      const after = decodeIndexCursor(cursor)
      // the store reads only the stored blocks that can hold the page, not the plan's 176,000 actions
      const page = await engine.store.pagePlanActions(id, {
        filter,
        limit,
        ...(after === undefined ? {} : { after }),
      })
      if (page === undefined) return c.json({ error: `no plan ${id}` }, 404)
      return c.json(pageByIndex(page) as unknown as Record<string, unknown>, 200)
    },
  )

  for (const decision of ['approve', 'reject'] as const) {
    api.openapi(
      createRoute(
        route('operator', {
          method: 'post',
          path: `/plans/{id}/${decision}`,
          summary:
            decision === 'approve' ? 'Approve a blocked plan' : 'Reject a blocked plan for good',
          request: {
            params: PlanId,
            body: { content: { 'application/json': { schema: Reason } }, required: true },
          },
        }),
      ),
      async (c) => {
        const { id } = c.req.valid('param')
        const { reason } = c.req.valid('json')
        const actor = c.get('principal')?.user ?? 'unknown'
        const outcome =
          decision === 'approve'
            ? await approvePlan(engine, id, actor, reason)
            : await rejectPlan(engine, id, actor, reason)
        if (outcome.ok) return c.json({ ok: true }, 200)
        return c.json({ error: outcome.message }, outcome.message.startsWith('No plan') ? 404 : 400)
      },
    )
  }

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/persons',
        summary:
          'The persons of the ledger by person id, each with their account per target (state, id, locator), paged by key',
        request: { query: z.object(PageQuery) },
      }),
    ),
    async (c) => {
      const { cursor, limit } = c.req.valid('query')
      // one more than asked: whether a next page exists, without counting the ledger
      const persons = await engine.store.pagePersons(decodeKeyCursor(cursor), limit + 1)
      const items = persons.slice(0, limit).map((p) => ({
        person: p.person,
        accounts: p.accounts.map((a) => ({
          target: a.target,
          targetId: a.targetId,
          locator: a.locator,
          state: a.state,
          updatedAt: a.updatedAt,
          ...(a.disabledAt === undefined ? {} : { disabledAt: a.disabledAt }),
        })),
      }))
      const last = items.at(-1)
      return c.json(
        persons.length > limit && last !== undefined
          ? { items, next: encodeKeyCursor(last.person) }
          : { items },
        200,
      )
    },
  )

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/persons/{query}/explain',
        summary:
          'Why a person has what they have: contracts, rules, accounts per target (the explain trace)',
        request: { params: z.object({ query: z.string().min(1).max(200) }) },
      }),
    ),
    async (c) => {
      const outcome = await explainPerson(engine, c.req.valid('param').query)
      return c.json(outcome as unknown as Record<string, unknown>, 200)
    },
  )

  api.openapi(
    createRoute(
      route('operator', {
        method: 'post',
        path: '/persons/{query}/apply',
        summary:
          'Plan and apply one person now, guarded and audited like `koppel run --person` (a blocked plan waits for approval)',
        request: {
          params: z.object({ query: z.string().min(1).max(200) }),
          body: { content: { 'application/json': { schema: Reason } }, required: true },
        },
      }),
    ),
    async (c) => {
      const { query } = c.req.valid('param')
      const { reason } = c.req.valid('json')
      const r = await runPerson(engine, query, {
        actor: c.get('principal')?.user ?? 'unknown',
        reason,
        readTargets: true,
      })
      if (r.kind === 'not-planned')
        return c.json(
          {
            error: r.issues.map((i) => i.message).join('; '),
            candidates: r.candidates.slice(0, 50),
          },
          r.candidates.length === 0 ? 404 : 400,
        )
      // the plan as planned says `planned`; the store knows what became of it
      const status = (await engine.store.planStatus(r.plan.id)) ?? r.plan.status
      const plan = {
        id: r.plan.id,
        status,
        actions: r.plan.actions.length,
        findings: r.plan.findings,
        notes: r.plan.notes,
      }
      if (r.kind === 'refused' && r.refusal.reason === 'busy') {
        const busy = await busyAnswer(engine.store, r.refusal.message)
        c.header('Retry-After', String(busy.seconds))
        return c.json({ error: busy.message, plan }, 409)
      }
      if (r.kind === 'refused') return c.json({ error: r.refusal.message, plan }, 409)
      return c.json(
        {
          outcome: r.kind,
          plan,
          ...(r.kind === 'applied' ? { report: r.report } : {}),
        } as unknown as Record<string, unknown>,
        200,
      )
    },
  )

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/groups',
        summary: 'Groups Koppel provisioned (the group ledger), by target and state, paged',
        request: {
          query: z.object({
            ...PageQuery,
            target: z.string().optional(),
            state: z.enum(['active', 'archived', 'deleted']).optional(),
          }),
        },
      }),
    ),
    async (c) => {
      const { cursor, limit, target, state } = c.req.valid('query')
      const key = decodeKeyCursor(cursor)
      const [afterTarget, afterKey] = key === undefined ? [] : pairKey(key, cursor)
      const groups = await engine.store.pageGroups({
        target,
        state,
        limit: limit + 1,
        ...(afterTarget === undefined || afterKey === undefined
          ? {}
          : { after: { target: afterTarget, key: afterKey } }),
      })
      const items = groups.slice(0, limit)
      const last = items.at(-1)
      return c.json(
        (groups.length > limit && last !== undefined
          ? { items, next: encodeKeyCursor(JSON.stringify([last.target, last.key])) }
          : { items }) as unknown as Record<string, unknown>,
        200,
      )
    },
  )

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/sources-targets',
        summary:
          'Per source the snapshot last used and the issues of the newest plan; per target ledger counts by state and the newest run there (the store only)',
      }),
    ),
    async (c) =>
      c.json((await sourcesAndTargets(engine)) as unknown as Record<string, unknown>, 200),
  )

  api.openapi(
    createRoute(
      route('operator', {
        method: 'post',
        path: '/drift',
        summary:
          'Read the sources and targets and report drift, as `koppel drift` (stores and changes nothing; reads every target)',
        request: {
          body: {
            content: {
              'application/json': {
                schema: z
                  .object({ target: z.string().min(1).max(200).optional() })
                  .openapi('DriftRequest'),
              },
            },
            required: false,
          },
        },
      }),
    ),
    async (c) => {
      const { target } = c.req.valid('json') ?? {}
      const r = await driftReport(engine, target === undefined ? {} : { target })
      if (r.ok) return c.json(r as unknown as Record<string, unknown>, 200)
      const message = r.issues.map((i) => i.message).join('; ')
      return c.json(
        { error: message },
        r.issues.some((i) => i.code === 'unknown_target') ? 404 : 502,
      )
    },
  )

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/audit',
        summary: 'Audit events, newest first',
        request: {
          query: z.object({
            ...PageQuery,
            person: z.string().optional(),
            plan: z.string().optional(),
            kind: z.string().optional(),
          }),
        },
      }),
    ),
    async (c) => {
      const q = c.req.valid('query')
      const before = decodeKeyCursor(q.cursor)
      if (before !== undefined && !/^[1-9]\d{0,15}$/.test(before))
        throw new CursorError(`cursor ${JSON.stringify(q.cursor)} is not one this API gave out`)
      // by key, newest first, one more than asked (whether there is a next page): a page deep in a long log
      // reads what the first does, not every event before it
      const events = await engine.store.listAudit({
        limit: q.limit + 1,
        ...(before !== undefined ? { beforeSeq: Number(before) } : {}),
        ...(q.person !== undefined ? { person: q.person } : {}),
        ...(q.plan !== undefined ? { planId: q.plan } : {}),
        ...(q.kind !== undefined ? { kind: q.kind } : {}),
      })
      const items = events.slice(0, q.limit)
      const last = items.at(-1)
      return c.json(
        (events.length > q.limit && last !== undefined
          ? { items, next: encodeKeyCursor(String(last.seq)) }
          : { items }) as unknown as Record<string, unknown>,
        200,
      )
    },
  )

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/audit/verify',
        summary: 'Recompute the audit chain',
      }),
    ),
    async (c) =>
      c.json((await engine.store.verifyAudit()) as unknown as Record<string, unknown>, 200),
  )

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'post',
        path: '/tokens',
        summary: 'Make an API token for yourself (shown once; stored hashed)',
        request: {
          body: {
            content: {
              'application/json': {
                schema: z.object({
                  label: z.string().min(1).max(100),
                  role: z.enum(['viewer', 'operator', 'admin']),
                  days: z.number().int().min(1).max(MAX_TOKEN_DAYS),
                }),
              },
            },
            required: true,
          },
        },
      }),
    ),
    async (c) => {
      const body = c.req.valid('json')
      const user = c.get('principal')?.user ?? ''
      const made = await createApiToken(engine.store.access, {
        user,
        role: body.role,
        label: body.label,
        days: body.days,
        now: ctx.now(),
      })
      return c.json(made as unknown as Record<string, unknown>, 200)
    },
  )

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/schedules',
        summary:
          "The schedules' next times (as `koppel status`), last outcome and whether one runs now",
      }),
    ),
    async (c) =>
      c.json({ items: scheduleRows(ctx, ctx.now()) } as unknown as Record<string, unknown>, 200),
  )

  api.openapi(
    createRoute(
      route('admin', {
        method: 'get',
        path: '/config',
        summary:
          'The validated config, every resolved secret shown as *** (as `koppel validate --show`)',
      }),
    ),
    async (c) => {
      if (ctx.config === undefined)
        return c.json({ error: 'this service was given no config' }, 404)
      return c.json(redact(ctx.config) as unknown as Record<string, unknown>, 200)
    },
  )

  api.openapi(
    createRoute(
      route('viewer', {
        method: 'get',
        path: '/me',
        summary:
          'Who you are here: your role in this tenant and every tenant of the store you hold a role in',
      }),
    ),
    async (c) => {
      const p = c.get('principal')
      const user = p?.user ?? ''
      return c.json(
        {
          user,
          role: p?.role,
          via: p?.via,
          tenant: engine.store.tenant,
          tenants: await engine.store.access.tenantsOf(user),
        } as unknown as Record<string, unknown>,
        200,
      )
    },
  )

  api.openapi(
    createRoute(
      route('admin', { method: 'get', path: '/users', summary: 'Local users and their roles' }),
    ),
    async (c) => {
      const users = await engine.store.access.listUsers()
      return c.json(
        {
          items: users.map((u) => ({
            name: u.name,
            role: u.role,
            createdAt: u.createdAt,
            hasPassword: u.passwordHash !== undefined,
          })),
        },
        200,
      )
    },
  )

  api.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: sessionCookie(engine.store.tenant),
  })
  api.openAPIRegistry.registerComponent('securitySchemes', 'token', {
    type: 'http',
    scheme: 'bearer',
  })
  api.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 'Koppel API', version: '1' } })
  return api
}

function runKey(key: string, cursor: string | undefined): { startedAt: string; runId: string } {
  const parsed: unknown = (() => {
    try {
      return JSON.parse(key)
    } catch {
      return undefined
    }
  })()
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string'
  )
    throw new CursorError(`cursor ${JSON.stringify(cursor)} is not one this API gave out`)
  return { startedAt: parsed[0], runId: parsed[1] }
}

/** A keyset cursor of two strings (created and id, target and key). */
function pairKey(key: string, cursor: string | undefined): [string, string] {
  const { startedAt, runId } = runKey(key, cursor)
  return [startedAt, runId]
}
