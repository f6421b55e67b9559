/**
 * The HTTP side of `koppel serve`, as a Hono app built from the service's context, so the dashboard and the
 * admin API mount their routes on the same app (`createHttpApp(context).route('/api', api)`). Liveness and
 * readiness only here: /healthz answers while the process runs; /readyz answers 200 when the store answers
 * and the service is not shutting down, 503 otherwise (a load balancer stops sending work).
 */
import { Hono } from 'hono'
import type { LoadedEngine } from '../app/load-engine.ts'
import type { ScheduleState } from './scheduler.ts'
import { mountDashboard } from '../http/dashboard-http.ts'
import { mountMetrics } from '../ops/metrics-route.ts'

export interface ServeContext {
  readonly loaded: LoadedEngine
  readonly schedules: () => readonly ScheduleState[]
  /** True from SIGTERM on. */
  readonly stopping: () => boolean
}

export function createHttpApp(context: ServeContext): Hono {
  const app = new Hono()
  app.get('/healthz', (c) => c.json({ ok: true }))
  mountMetrics(app)
  app.get('/readyz', async (c) => {
    if (context.stopping()) return c.json({ ok: false, reason: 'shutting down' }, 503)
    try {
      // the cheapest query that proves the store answers for this tenant
      await context.loaded.engine.store.listPlanStatuses(1)
    } catch (e) {
      return c.json(
        {
          ok: false,
          reason: `the store does not answer: ${e instanceof Error ? e.message : String(e)}`,
        },
        503,
      )
    }
    return c.json({
      ok: true,
      tenant: context.loaded.config.tenant,
      schedules: context.schedules(),
    })
  })
  mountDashboard(app, {
    engine: context.loaded.engine,
    config: context.loaded.config,
    schedules: context.schedules,
  })
  return app
}
