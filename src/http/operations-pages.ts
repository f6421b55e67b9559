/**
 * The dashboard's operations pages beside the overview, plan, person and audit pages: "apply this person now"
 * (runPerson, as `koppel run --person`), sources and targets, drift (driftReport, as `koppel drift`), schedules
 * (nextTimes, as `koppel status`) and the configuration (redacted as `koppel validate --show`).
 */
import type { Hono } from 'hono'
import { driftReport, runPerson, sourcesAndTargets } from '../engine/index.ts'
import { requireRole, type AuthEnv, type AuthOptions } from './access/auth.ts'
import type { DashboardOptions } from './dashboard-http.ts'
import { field, lang, principal, viewerOf } from './page-context.ts'
import { t } from '../web/i18n.ts'
import { messagePage } from '../web/pages.ts'
import { driftPage } from '../web/drift-page.ts'
import { personApplyPage } from '../web/person-apply-page.ts'
import { sourcesPage } from '../web/sources-page.ts'
import { configPage } from '../web/config-page.ts'
import { schedulesPage } from '../web/schedules-page.ts'
import { redact } from '../config/index.ts'
import { scheduleRows } from './schedule-rows.ts'
import { busyAnswer } from './apply-busy.ts'

export function mountOperationsPages(
  dash: Hono<AuthEnv>,
  o: DashboardOptions,
  auth: AuthOptions,
): void {
  const { engine } = o

  dash.post('/persons/apply', requireRole('operator', auth), async (c) => {
    const body = await c.req.parseBody()
    const person = field(body, 'person').slice(0, 200)
    const reason = field(body, 'reason')
    const refuse = (message: string) =>
      c.html(messagePage(lang(c), viewerOf(c), t(lang(c), 'notPlanned'), message), 400)
    if (person === '')
      return refuse('person: name the person to apply (a key, number, username or name)')
    if (reason === '') return refuse(`person ${person}: reason: a reason is required`)
    const r = await runPerson(engine, person, {
      actor: principal(c).user,
      reason: reason.slice(0, 2000),
      readTargets: true,
    })
    if (r.kind === 'refused' && r.refusal.reason === 'busy') {
      const busy = await busyAnswer(engine.store, r.refusal.message)
      c.header('Retry-After', String(busy.seconds))
      const page = personApplyPage(lang(c), viewerOf(c), person, {
        ...r,
        refusal: { ...r.refusal, message: busy.message },
      })
      return c.html(page, 409)
    }
    const status =
      r.kind === 'refused'
        ? 409
        : r.kind === 'not-planned'
          ? r.candidates.length === 0
            ? 404
            : 400
          : 200
    return c.html(personApplyPage(lang(c), viewerOf(c), person, r), status)
  })

  dash.get('/sources', requireRole('viewer', auth), async (c) =>
    c.html(sourcesPage(lang(c), viewerOf(c), await sourcesAndTargets(engine))),
  )

  const targetNames = engine.setup.targets.map((x) => x.name)
  dash.get('/drift', requireRole('viewer', auth), (c) =>
    c.html(driftPage(lang(c), viewerOf(c), targetNames, undefined, undefined)),
  )
  dash.post('/drift', requireRole('operator', auth), async (c) => {
    const target = field(await c.req.parseBody(), 'target')
    const report = await driftReport(engine, target === '' ? {} : { target })
    return c.html(
      driftPage(lang(c), viewerOf(c), targetNames, target || undefined, report),
      report.ok ? 200 : 400,
    )
  })

  dash.get('/schedules', requireRole('viewer', auth), (c) =>
    c.html(schedulesPage(lang(c), viewerOf(c), scheduleRows(o, engine.now()))),
  )

  dash.get('/admin/config', requireRole('admin', auth), (c) =>
    c.html(configPage(lang(c), viewerOf(c), o.config === undefined ? undefined : redact(o.config))),
  )
}
