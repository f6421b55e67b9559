// koppel_queue_jobs: the depth of the worker queues a process has used, read from each watched job queue on
// every scrape; a queue that cannot be read leaves the other series of the scrape intact.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { metricsRegistry, queueMetrics, type QueueDepth } from './metrics.ts'

const line = (text: string, state: string) =>
  text
    .split('\n')
    .find((l) => l.startsWith(`koppel_queue_jobs{tenant="board-a",target="ad",state="${state}"}`))

test('queue depth per tenant, target and state while watched; gone once unwatched; a failing source is skipped', async () => {
  let depth: QueueDepth[] = [{ tenant: 'board-a', target: 'ad', queued: 12, active: 3 }]
  const unwatch = queueMetrics.watch(async () => depth)
  const unwatchBroken = queueMetrics.watch(async () => {
    throw new Error('the store does not answer')
  })
  try {
    let text = await metricsRegistry.metrics()
    assert.equal(
      line(text, 'queued'),
      'koppel_queue_jobs{tenant="board-a",target="ad",state="queued"} 12',
    )
    assert.equal(
      line(text, 'active'),
      'koppel_queue_jobs{tenant="board-a",target="ad",state="active"} 3',
    )
    assert.match(text, /koppel_process_cpu_seconds_total/)
    depth = [{ tenant: 'board-a', target: 'ad', queued: 0, active: 1 }]
    text = await metricsRegistry.metrics()
    assert.equal(
      line(text, 'queued'),
      'koppel_queue_jobs{tenant="board-a",target="ad",state="queued"} 0',
    )
  } finally {
    unwatch()
    unwatchBroken()
  }
  assert.equal(line(await metricsRegistry.metrics(), 'queued'), undefined)
})
