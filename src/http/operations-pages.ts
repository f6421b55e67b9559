/**
 * The dashboard's operations pages beside the overview, plan, person and audit pages: "apply this person now"
 * (runPerson, as `koppel run --person`), sources and targets, drift (driftReport, as `koppel drift`), schedules
 * (nextTimes, as `koppel status`) and the configuration (redacted as `koppel validate --show`).
 */
import type { Hono } from 'hono'
import { runPerson } from '../engine/index.ts'
import { requireRole, type AuthEnv, type AuthOptions } from './access/auth.ts'
import type { DashboardOptions } from './dashboard-http.ts'
import { field, lang, principal, viewerOf } from './page-context.ts'
import { t } from '../web/i18n.ts'
import { messagePage } from '../web/pages.ts'
import { personApplyPage } from '../web/person-apply-page.ts'

export function mountOperationsPages(dash: Hono<AuthEnv>, o: DashboardOptions, auth: AuthOptions): void {
  const { engine } = o

  dash.post('/persons/apply', requireRole('operator', auth), async (c) => {
    const body = await c.req.parseBody()
    const person = field(body, 'person').slice(0, 200)
    const reason = field(body, 'reason')
    const refuse = (message: string) => c.html(messagePage(lang(c), viewerOf(c), t(lang(c), 'notPlanned'), message), 400)
    if (person === '') return refuse('person: name the person to apply (a key, number, username or name)')
    if (reason === '') return refuse(`person ${person}: reason: a reason is required`)
    const r = await runPerson(engine, person, { actor: principal(c).user, reason: reason.slice(0, 2000), readTargets: true })
    const status = r.kind === 'refused' ? 409 : r.kind === 'not-planned' ? (r.candidates.length === 0 ? 404 : 400) : 200
    return c.html(personApplyPage(lang(c), viewerOf(c), person, r), status)
  })
}
