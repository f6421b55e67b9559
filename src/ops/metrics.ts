// Prometheus metrics of the runs this process makes (prom-client). One registry per process, as Prometheus
// scrapes processes: `koppel serve` serves it at /metrics. The run path reports through `runMetrics`; labels
// carry only the tenant, target, kind and outcome names from the config, never person data.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { RunReport } from '../model/index.ts'

export const metricsRegistry = new Registry()
collectDefaultMetrics({ register: metricsRegistry, prefix: 'koppel_' })

const runs = new Counter({
  name: 'koppel_runs_total',
  help: 'Unattended runs by how they ended: completed, unchanged, blocked, rejected, failed, busy, stopped',
  labelNames: ['tenant', 'outcome'],
  registers: [metricsRegistry],
})
const actions = new Counter({
  name: 'koppel_actions_total',
  help: 'Actions applied, failed, skipped or left pending, by target and kind',
  labelNames: ['tenant', 'target', 'kind', 'outcome'],
  registers: [metricsRegistry],
})
const retries = new Counter({
  name: 'koppel_action_retries_total',
  help: 'Attempts beyond the first that applied actions took (a target throttling or failing transiently)',
  labelNames: ['tenant', 'target'],
  registers: [metricsRegistry],
})
const guardBlocks = new Counter({
  name: 'koppel_guard_blocks_total',
  help: 'Plans the guard blocked until an administrator approves them',
  labelNames: ['tenant'],
  registers: [metricsRegistry],
})
const phaseSeconds = new Histogram({
  name: 'koppel_run_phase_seconds',
  help: 'Duration of a run phase: plan (read, list, compute, store) or apply',
  labelNames: ['tenant', 'phase'],
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
  registers: [metricsRegistry],
})
const sourceReadSeconds = new Histogram({
  name: 'koppel_source_read_seconds',
  help: 'Time from the start of a source read until the next stage of the plan (reading and checking it)',
  labelNames: ['tenant', 'source'],
  buckets: [0.05, 0.25, 1, 5, 15, 60, 300],
  registers: [metricsRegistry],
})

/** The worker queues' depth as the job queue last counted it, per tenant and target (src/worker/job-queue.ts). */
export interface QueueDepth {
  readonly tenant: string
  readonly target: string
  readonly queued: number
  readonly active: number
}

const depthSources = new Set<() => Promise<readonly QueueDepth[]>>()
new Gauge({
  name: 'koppel_queue_jobs',
  help: 'Apply jobs on the worker queues (store.workers) this process has used: queued (waiting) and active (running)',
  labelNames: ['tenant', 'target', 'state'],
  registers: [metricsRegistry],
  async collect() {
    this.reset()
    for (const source of depthSources) {
      // a store that does not answer is /readyz's to report; the scrape still gets every other series
      const rows = await source().catch(() => [])
      for (const r of rows) {
        this.set({ tenant: r.tenant, target: r.target, state: 'queued' }, r.queued)
        this.set({ tenant: r.tenant, target: r.target, state: 'active' }, r.active)
      }
    }
  },
})

export const queueMetrics = {
  /** Reports a job queue's depth on every scrape until the returned function is called. */
  watch(source: () => Promise<readonly QueueDepth[]>): () => void {
    depthSources.add(source)
    return () => depthSources.delete(source)
  },
}

/** What the run path reports; each method takes the tenant because one process may serve several. */
export const runMetrics = {
  runEnded(tenant: string, outcome: string): void {
    runs.inc({ tenant, outcome })
    if (outcome === 'blocked') guardBlocks.inc({ tenant })
  },
  applied(
    tenant: string,
    report: RunReport,
    seconds: number,
    retriesByTarget: ReadonlyMap<string, number>,
  ): void {
    phaseSeconds.observe({ tenant, phase: 'apply' }, seconds)
    for (const [target, kinds] of Object.entries(report.counts)) {
      for (const [kind, outcomes] of Object.entries(kinds)) {
        for (const [outcome, n] of Object.entries(outcomes ?? {}))
          if (n !== undefined && n > 0) actions.inc({ tenant, target, kind, outcome }, n)
      }
    }
    for (const [target, n] of retriesByTarget) if (n > 0) retries.inc({ tenant, target }, n)
  },
  planned(tenant: string, seconds: number): void {
    phaseSeconds.observe({ tenant, phase: 'plan' }, seconds)
  },
  /**
   * A stage listener for makePlan: sources are read one after another, so a read lasts until the next stage
   * starts. Call the returned `end` once the plan is made (or failed) to close a read still open.
   */
  stageTimer(
    tenant: string,
    clock: () => number = () => performance.now(),
  ): { onStage: (stage: string, detail: string) => void; end: () => void } {
    let open: { source: string; since: number } | undefined
    const close = () => {
      if (open !== undefined)
        sourceReadSeconds.observe({ tenant, source: open.source }, (clock() - open.since) / 1000)
      open = undefined
    }
    return {
      onStage(stage, detail) {
        close()
        // 'sources unchanged; not re-read' is a stage note, not a source
        if (stage === 'read' && !detail.includes(' ')) open = { source: detail, since: clock() }
      },
      end: close,
    }
  },
}
