/**
 * The dashboard and the HTTP API on `koppel serve`'s Hono app: security headers, who is asking
 * (access/auth.ts), the login form with its rate limit, the API under /api and the server-rendered pages.
 * The pages call the same engine functions as the API and the CLI.
 */
import type { Context, Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { secureHeaders } from 'hono/secure-headers'
import type { KoppelConfig } from '../config/index.ts'
import type { Engine } from '../engine/index.ts'
import type { RunReport } from '../model/index.ts'
import type { Store } from '../store/index.ts'
import type { ScheduleState } from '../serve/scheduler.ts'
import { approvePlan, rejectPlan } from '../engine/approve-plan.ts'
import { explainPerson } from '../engine/explain.ts'
import { engineStatus } from '../engine/status.ts'
import {
  authenticate,
  endSession,
  requireRole,
  startSession,
  type AuthEnv,
  type AuthOptions,
} from './access/auth.ts'
import { LoginLimiter } from './access/login-limiter.ts'
import { mountOidcLogin } from './access/oidc-login.ts'
import { roleAtLeast } from './access/roles.ts'
import { checkLogin } from './access/users.ts'
import { createApiApp } from './api/api-app.ts'
import { CursorError, decodeIndexCursor, pageByIndex } from './api/paging.ts'
import { mountOperationsPages } from './operations-pages.ts'
import { lang, principal, viewerOf } from './page-context.ts'
import { t } from '../web/i18n.ts'
import { STYLESHEET } from '../web/layout.ts'
import { actionsPerDay } from '../web/actions-chart.ts'
import {
  auditPage,
  loginPage,
  messagePage,
  overviewPage,
  personPage,
  planPage,
  usersPage,
} from '../web/pages.ts'

export interface DashboardOptions {
  readonly engine: Engine
  /** The validated config (the configuration page shows it redacted; the schedules page reads its schedules). */
  readonly config?: KoppelConfig
  /** Under `koppel serve`: the scheduler's state (last outcome, running now) beside the next times. */
  readonly schedules?: () => readonly ScheduleState[]
  /** Secure cookies; false only for plain-HTTP tests on loopback where a client would drop them. */
  readonly secureCookies?: boolean
  /** Failed logins per user name (default: 5 in 15 minutes). */
  readonly userLimiter?: LoginLimiter
  /**
   * Failed logins per client address (default: 50 in 15 minutes): higher than per name, since behind a reverse
   * proxy every user has the proxy's address and one person's typos must not lock out the school.
   */
  readonly addressLimiter?: LoginLimiter
}

const PAGE_PATHS = [
  '/',
  '/login',
  '/login/*',
  '/logout',
  '/plans/*',
  '/persons',
  '/persons/*',
  '/sources',
  '/drift',
  '/schedules',
  '/audit',
  '/admin/*',
  '/api/*',
]
const ACTIONS_PER_PAGE = 100

export function mountDashboard(app: Hono, o: DashboardOptions): void {
  const { engine } = o
  const auth: AuthOptions = { store: engine.store, now: engine.now }
  const byUser = o.userLimiter ?? new LoginLimiter({ now: engine.now, maxFailures: 5 })
  const byAddress = o.addressLimiter ?? new LoginLimiter({ now: engine.now, maxFailures: 50 })
  const secure = o.secureCookies !== false
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
  })
  for (const path of [...PAGE_PATHS, '/static/*']) app.use(path, headers)
  // a form posted from another origin is refused before anything reads it (the CSRF token is the second wall)
  for (const path of PAGE_PATHS) app.use(path, csrf(), authenticate(auth))
  const dash = app as unknown as Hono<AuthEnv>

  dash.get('/static/koppel.css', (c) =>
    c.body(STYLESHEET, 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'max-age=3600',
    }),
  )
  dash.route(
    '/api',
    createApiApp(
      {
        engine,
        now: engine.now,
        ...(o.config !== undefined ? { config: o.config } : {}),
        ...(o.schedules !== undefined ? { schedules: o.schedules } : {}),
      },
      auth,
    ),
  )

  const sso = o.config?.serve?.oidc
  if (sso !== undefined) {
    mountOidcLogin(dash, {
      oidc: sso,
      auth,
      secure,
      refusal: (c, status, message) => c.html(loginPage(lang(c), '/', message, sso.label), status),
    })
  }
  dash.get('/login', (c) =>
    c.html(loginPage(lang(c), safeNext(c.req.query('next')), undefined, sso?.label)),
  )
  dash.post('/login', async (c) => {
    const body = await c.req.parseBody()
    const name = typeof body['name'] === 'string' ? body['name'].trim().toLowerCase() : ''
    const password = typeof body['password'] === 'string' ? body['password'] : ''
    const next = safeNext(typeof body['next'] === 'string' ? body['next'] : undefined)
    const user = [name]
    const address = [clientAddress(c)]
    const wait = Math.max(byUser.retryAfter(user), byAddress.retryAfter(address))
    if (wait > 0) {
      await engine.store.appendAudit([
        { type: 'user.login-refused', actor: name || '(none)', data: { reason: 'rate limit' } },
      ])
      return c.html(loginPage(lang(c), next, t(lang(c), 'tooMany'), sso?.label), 429, {
        'retry-after': String(wait),
      })
    }
    const known = await checkLogin(engine.store.access, name, password)
    if (known === undefined) {
      byUser.fail(user)
      byAddress.fail(address)
      await engine.store.appendAudit([{ type: 'user.login-failed', actor: name || '(none)' }])
      return c.html(loginPage(lang(c), next, t(lang(c), 'loginFailed'), sso?.label), 401)
    }
    byUser.succeed(user)
    await startSession(c, { ...auth, user: known.name, role: known.role, secure })
    await engine.store.appendAudit([
      { type: 'user.login', actor: known.name, data: { role: known.role } },
    ])
    return c.redirect(next, 303)
  })
  dash.post('/logout', requireRole('viewer', auth), async (c) => {
    await endSession(c, engine.store)
    return c.redirect('/login', 303)
  })

  dash.get('/', requireRole('viewer', auth), async (c) => {
    const now = engine.now()
    // the school's day: the first schedule's time zone (runs are scheduled in it), else UTC
    const perDay = actionsPerDay(
      await runsSince(engine.store, new Date(now.getTime() - CHART_DAYS * 86_400_000)),
      now,
      { timezone: o.config?.schedules?.[0]?.timezone ?? 'UTC', days: CHART_DAYS },
    )
    return c.html(
      overviewPage(lang(c), viewerOf(c), await engineStatus(engine, { verify: false }), perDay),
    )
  })

  dash.get('/plans/:id', requireRole('viewer', auth), async (c) => {
    // the head, the filter choices and one page: never the plan's 176,000 actions decompressed
    const id = c.req.param('id')
    const plan = await engine.store.getPlanHead(id)
    if (plan === undefined)
      return c.html(messagePage(lang(c), viewerOf(c), t(lang(c), 'notFound'), id), 404)
    const filter = {
      target: c.req.query('target') || undefined,
      kind: c.req.query('kind') || undefined,
      reason: c.req.query('reason') || undefined,
      // as `koppel plan --school` matches it (code or name, case and accents folded)
      school: c.req.query('school') || undefined,
    }
    let paged, facets
    try {
      const after = decodeIndexCursor(c.req.query('cursor'))
      const page = await engine.store.pagePlanActions(id, {
        filter,
        limit: ACTIONS_PER_PAGE,
        ...(after === undefined ? {} : { after }),
      })
      if (page === undefined)
        return c.html(messagePage(lang(c), viewerOf(c), t(lang(c), 'notFound'), id), 404)
      // the filter choices come with the page: one read of the action index per load
      facets = page.facets
      paged = pageByIndex(page)
    } catch (e) {
      if (e instanceof CursorError)
        return c.html(messagePage(lang(c), viewerOf(c), t(lang(c), 'plan'), e.message), 400)
      throw e
    }
    const canDecide = roleAtLeast(principal(c).role, 'operator')
    return c.html(
      planPage(
        lang(c),
        viewerOf(c),
        plan,
        facets,
        paged.items,
        filter,
        paged.next,
        canDecide,
        c.req.query('done') === undefined ? undefined : t(lang(c), 'done'),
      ),
    )
  })

  dash.post('/plans/:id/decide', requireRole('operator', auth), async (c) => {
    const id = c.req.param('id')
    const body = await c.req.parseBody()
    const reason = typeof body['reason'] === 'string' ? body['reason'].trim() : ''
    const decision = body['decision']
    if (decision !== 'approve' && decision !== 'reject')
      return c.html(
        messagePage(
          lang(c),
          viewerOf(c),
          t(lang(c), 'decision'),
          'decision: must be approve or reject',
        ),
        400,
      )
    if (reason === '')
      return c.html(
        messagePage(
          lang(c),
          viewerOf(c),
          t(lang(c), 'decision'),
          `plan ${id}: a reason is required`,
        ),
        400,
      )
    const actor = principal(c).user
    const outcome =
      decision === 'approve'
        ? await approvePlan(engine, id, actor, reason)
        : await rejectPlan(engine, id, actor, reason)
    if (!outcome.ok)
      return c.html(messagePage(lang(c), viewerOf(c), t(lang(c), 'decision'), outcome.message), 409)
    return c.redirect(`/plans/${encodeURIComponent(id)}?done=${decision}`, 303)
  })

  dash.get('/persons', requireRole('viewer', auth), async (c) => {
    const q = (c.req.query('q') ?? '').trim().slice(0, 200)
    return c.html(
      personPage(lang(c), viewerOf(c), q, q === '' ? undefined : await explainPerson(engine, q)),
    )
  })

  mountOperationsPages(dash, o, auth)

  dash.get('/audit', requireRole('viewer', auth), async (c) => {
    const events = await engine.store.listAudit({ limit: 200 })
    return c.html(auditPage(lang(c), viewerOf(c), events, await engine.store.verifyAudit()))
  })

  dash.get('/admin/users', requireRole('admin', auth), async (c) =>
    c.html(usersPage(lang(c), viewerOf(c), await engine.store.access.listUsers())),
  )
}

const CHART_DAYS = 14
/** The most runs the chart reads: past that (a run every few minutes for two weeks) its oldest days undercount. */
const MAX_CHART_RUNS = 6400

/**
 * The runs started since `from` (a day more than the chart shows, for time zones), newest first. The store lists
 * runs only by count, so read a few and more only while the oldest read is still inside the window: a year of
 * hourly runs must not be parsed on every load of the overview.
 */
async function runsSince(store: Store, from: Date): Promise<RunReport[]> {
  const since = new Date(from.getTime() - 86_400_000).toISOString()
  for (let n = 100; ; n *= 4) {
    const runs = await store.listRuns(Math.min(n, MAX_CHART_RUNS))
    const oldest = runs.at(-1)
    if (runs.length < n || n >= MAX_CHART_RUNS || oldest === undefined || oldest.startedAt < since)
      return runs
  }
}

/** Only a path of this site: `next=https://evil.example` must not turn the login into an open redirect. */
function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/(?![/\\])/.test(next) ? next : '/'
}

function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress ?? 'unknown'
}
