// GET /metrics on serve's Hono app: the process's registry in the Prometheus text format.
import type { Hono } from 'hono'
import { metricsRegistry } from './metrics.ts'

export function mountMetrics(app: Hono): void {
  app.get('/metrics', async (c) =>
    c.body(await metricsRegistry.metrics(), 200, { 'content-type': metricsRegistry.contentType }),
  )
}
