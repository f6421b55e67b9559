/**
 * `koppel serve` in-process: the schedules, the HTTP listener and a clean stop, around an engine from the
 * composition root. The CLI command (serve-command.ts) adds pino on stdout and the signal handlers; tests
 * start it with their own clock and logger.
 */
import type { AddressInfo } from 'node:net'
import { serve as listen, type ServerType } from '@hono/node-server'
import type { Hono } from 'hono'
import type { LoadedEngine } from '../app/load-engine.ts'
import { resumeInterrupted, unattendedRun, type RunLog } from '../app/unattended-run.ts'
import { noticeLeaversDue } from '../app/leaver-notices.ts'
import { claimHolder, claimTick } from './schedule-claim.ts'
import { ChangeQueue } from './change-queue.ts'
import { mountChangeHooks } from './change-hooks.ts'
import { RunLock } from './run-lock.ts'
import { readExportChange, watchExport, type ExportWatcher } from './export-watch.ts'
import { pollChanges, type ChangePoller, type PollClock } from './change-poll.ts'
import { dirname, isAbsolute, resolve } from 'node:path'
import { createHttpApp } from './http-app.ts'
import { Scheduler } from './scheduler.ts'

export interface ServeOptions {
  readonly log: RunLog
  /** Where the HTTP listener binds; false for none (tests of the schedules alone). Default: the config's. */
  readonly listen?: { readonly host: string; readonly port: number } | false
  /** The longest the schedule loop sleeps before it looks at the clock again. */
  readonly maxSleepMs?: number
  /** Runs every schedule once right away, then at its times. */
  readonly runAtStart?: boolean
  /** How often serve looks for a plan an admin approved, to apply its work at once (default 15 s). */
  readonly approvalPollMs?: number
  /** How long a watched export folder must be quiet before it is read (an export is several files). */
  readonly settleMs?: number
  /** Who the audit log names for scheduled runs. */
  readonly actor?: string
  /** How often the `serve.poll` sources are asked for changes, in place of their `everySeconds` (tests). */
  readonly pollMs?: number
  /** The clock of the `serve.poll` loops (tests simulate its sleeps). */
  readonly pollClock?: PollClock
}

export interface ServeHandle {
  readonly app: Hono
  /** The HTTP port actually bound (the config may ask for 0: any free port); undefined without a listener. */
  readonly port: number | undefined
  readonly scheduler: Scheduler
  readonly changes: ChangeQueue
  /** SIGTERM: no new tick; the apply in flight finishes its actions in flight and is left to resume. */
  stop(reason?: string): Promise<void>
}

export async function startServe(loaded: LoadedEngine, o: ServeOptions): Promise<ServeHandle> {
  const { engine, config } = loaded
  const stop = new AbortController()
  const holder = claimHolder()
  const notifiedBlocked = new Set<string>()
  const actor = o.actor ?? 'koppel serve'
  let runs = 0
  const lock = new RunLock()
  checkChangeSources(loaded)
  const changes = new ChangeQueue({
    run: (change) =>
      lock.run(async () => {
        const log = o.log.child({ change: ++runs, source: change.source })
        log.info({ ids: change.ids.length }, 'change run started')
        const outcomes = await unattendedRun(loaded, {
          actor: `${actor} (change ${change.source})`,
          log,
          signal: stop.signal,
          notifiedBlocked,
          changed: change,
          notifyCompleted: false,
        })
        log.info({ outcomes }, 'change run finished')
        return outcomes
      }),
    onError: (e) =>
      o.log.error({ err: e instanceof Error ? e.message : String(e) }, 'change run failed'),
  })
  const scheduler = new Scheduler(config.schedules ?? [], {
    now: engine.now,
    ...(o.maxSleepMs !== undefined ? { maxSleepMs: o.maxSleepMs } : {}),
    ...(o.runAtStart === true ? { runAtStart: true } : {}),
    run: (schedule, tick) =>
      lock.run(async () => {
        const log = o.log.child({ schedule: schedule.name, tick: tick.toISOString(), run: ++runs })
        const claim = await claimTick(engine.store, schedule.name, holder)
        if (claim === undefined) {
          log.info({}, 'skipped: another koppel serve runs this schedule')
          return 'skipped'
        }
        try {
          log.info({}, 'schedule started')
          const outcomes = await unattendedRun(loaded, {
            actor: `${actor} (${schedule.name})`,
            log,
            signal: stop.signal,
            notifiedBlocked,
          })
          await noticeLeavers(loaded, `${actor} (${schedule.name})`, log)
          log.info({ outcomes }, 'schedule finished')
          return outcomes.map((x) => x.kind).join(',') || 'nothing'
        } catch (e) {
          log.error(
            { err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e) },
            'schedule failed',
          )
          throw e
        } finally {
          await claim
            .finish(msToNext(scheduler, schedule.name, engine.now()))
            .catch((e: unknown) =>
              log.warn({ err: String(e) }, 'the schedule claim could not be kept'),
            )
        }
      }),
  })
  const app = createHttpApp({
    loaded,
    schedules: () => scheduler.states(),
    stopping: () => stop.signal.aborted,
  })
  mountChangeHooks(app, {
    hooks: config.serve?.hooks ?? [],
    now: engine.now,
    accept: (change) => {
      o.log.info({ source: change.source, ids: change.ids.length }, 'change hook accepted')
      void changes.add(change)
    },
    log: (fields, message) => o.log.warn(fields, message),
    stopping: () => stop.signal.aborted,
  })
  const where =
    o.listen === undefined ? (config.serve?.listen ?? { host: '127.0.0.1', port: 8470 }) : o.listen
  let server: ServerType | undefined
  let port: number | undefined
  if (where !== false) {
    const bound = await new Promise<{ server: ServerType; port: number }>((resolve, reject) => {
      const s = listen(
        { fetch: app.fetch, hostname: where.host, port: where.port },
        (info: AddressInfo) => resolve({ server: s, port: info.port }),
      )
      s.once('error', reject)
    })
    server = bound.server
    port = bound.port
    o.log.info({ host: where.host, port }, 'listening')
  }
  const watchers = watchFolders(loaded, o.settleMs ?? 500, (source, dir) => {
    void readExportChange(dir).then(
      (change) => {
        const log = o.log.child({ source, watched: dir })
        if (change.kind === 'delta') {
          log.info({ ids: change.ids.length }, 'delta export: planning the records it names')
          void changes.add({ source, ids: change.ids })
        } else if (change.kind === 'bulk') {
          log.info({}, 'bulk export: a full run')
          void lock
            .run(() =>
              unattendedRun(loaded, {
                actor: `${actor} (export ${source})`,
                log,
                signal: stop.signal,
                notifiedBlocked,
              }),
            )
            .catch((e: unknown) => log.error({ err: String(e) }, 'the run failed'))
        } else log.info({ why: change.why }, 'export folder changed; nothing to plan')
      },
      (e: unknown) =>
        o.log.warn(
          { source, err: String(e) },
          'the changed export could not be read; the next run reads it',
        ),
    )
  })
  const pollers = startPolls(loaded, o, stop.signal, (change) => {
    o.log.info(
      { source: change.source, ids: change.ids.length },
      'the source names changed records',
    )
    return changes.add(change)
  })
  await Promise.all(pollers.map((p) => p.started))
  o.log.info(
    { schedules: scheduler.states(), watched: watchers.length, polled: pollers.length },
    'koppel serve started',
  )
  // an apply a killed process left behind is finished now, not at the next tick (under the apply lease)
  const resumed = await resumeInterrupted(loaded, { actor, log: o.log, signal: stop.signal })
  if (resumed.length > 0) o.log.info({ outcomes: resumed }, 'resumed interrupted applies')
  scheduler.start()
  const approvals = watchApprovals(loaded, o.approvalPollMs ?? 15_000, () =>
    lock.run(async () => {
      const log = o.log.child({ approval: ++runs })
      log.info({}, 'an approved plan waits: a run applies its work now')
      const outcomes = await unattendedRun(loaded, {
        actor: `${actor} (approval)`,
        log,
        signal: stop.signal,
        notifiedBlocked,
      })
      log.info({ outcomes }, 'approval run finished')
    }),
  )
  return {
    app,
    port,
    scheduler,
    changes,
    async stop(reason = 'stopped') {
      if (stop.signal.aborted) return
      o.log.info({ reason }, 'stopping: the actions in flight finish, nothing new starts')
      stop.abort(new Error(reason))
      for (const w of watchers) w.close()
      await Promise.all(pollers.map((p) => p.stop()))
      await approvals.stop()
      await Promise.all([scheduler.stop(), changes.stop()])
      if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
      o.log.info({}, 'stopped')
    },
  }
}

/** The leaver notices due today, as `koppel run` sends them; a mail that cannot go is logged and tried again. */
async function noticeLeavers(loaded: LoadedEngine, actor: string, log: RunLog): Promise<void> {
  try {
    const r = await noticeLeaversDue(loaded, actor)
    if (r === undefined) return
    if (r.sent > 0) log.info({ sent: r.sent }, 'leaver notices sent')
    for (const p of r.problems) log.warn({}, p)
  } catch (e) {
    log.warn(
      { err: e instanceof Error ? e.message : String(e) },
      'leaver notices could not be sent; the next run tries again',
    )
  }
}

/** Milliseconds from `now` to a schedule's next time by its cron expression (0 when it has none). */
function msToNext(scheduler: Scheduler, name: string, now: Date): number {
  const next = scheduler.nextRunOf(name, now)
  return next === undefined ? 0 : Math.max(0, next.getTime() - now.getTime())
}

/** A hook or watched folder naming a source the config does not have is a config mistake: refused at start. */
function checkChangeSources(loaded: LoadedEngine): void {
  const names = new Set(loaded.config.sources.map((s) => s.name))
  const serve = loaded.config.serve
  for (const [i, h] of (serve?.hooks ?? []).entries()) {
    if (!names.has(h.source))
      throw new Error(
        `${loaded.configPath}: serve.hooks[${i}].source: unknown source "${h.source}"`,
      )
  }
  for (const [i, w] of (serve?.watch ?? []).entries()) {
    const s = loaded.config.sources.find((x) => x.name === w.source)
    if (s === undefined)
      throw new Error(
        `${loaded.configPath}: serve.watch[${i}].source: unknown source "${w.source}"`,
      )
    if (s.type !== 'oneroster-csv')
      throw new Error(
        `${loaded.configPath}: serve.watch[${i}].source: "${w.source}" is ${s.type}; only a oneroster-csv export folder can be watched`,
      )
  }
  for (const [i, p] of (serve?.poll ?? []).entries()) {
    const s = loaded.engine.sources.find((x) => x.connector.name === p.source)?.connector
    if (s === undefined)
      throw new Error(`${loaded.configPath}: serve.poll[${i}].source: unknown source "${p.source}"`)
    if (s.changesSince === undefined)
      throw new Error(
        `${loaded.configPath}: serve.poll[${i}].source: "${p.source}" is ${s.type}, which cannot say which records changed (oneroster-rest can)`,
      )
  }
}

function startPolls(
  loaded: LoadedEngine,
  o: ServeOptions,
  signal: AbortSignal,
  changed: (change: { source: string; ids: readonly string[] }) => Promise<void>,
): ChangePoller[] {
  const store = loaded.engine.store
  return (loaded.config.serve?.poll ?? []).map((p) => {
    const source = loaded.engine.sources.find((s) => s.connector.name === p.source)?.connector
    if (source === undefined) throw new Error(`serve.poll: unknown source "${p.source}"`)
    return pollChanges({
      source,
      everyMs: o.pollMs ?? p.everySeconds * 1000,
      changed,
      signal,
      marker: {
        load: () => store.changeMarker(p.source),
        save: (marker) => store.saveChangeMarker(p.source, marker),
      },
      ...(o.pollClock !== undefined ? { clock: o.pollClock } : {}),
      warn: (fields, message) => o.log.warn(fields, message),
    })
  })
}

function watchFolders(
  loaded: LoadedEngine,
  settleMs: number,
  changed: (source: string, dir: string) => void,
): ExportWatcher[] {
  const base = dirname(loaded.configPath)
  return (loaded.config.serve?.watch ?? []).map((w) => {
    const source = loaded.config.sources.find((s) => s.name === w.source) as
      { readonly path?: unknown } | undefined
    const path = typeof source?.path === 'string' ? source.path : '.'
    const dir = isAbsolute(path) ? path : resolve(base, path)
    return watchExport(dir, settleMs, () => changed(w.source, dir))
  })
}

/**
 * `koppel approve` runs in another process; serve notices the approved plan and starts a run, which plans the
 * same work again (carry-approval.ts keeps the approval) and applies it, instead of waiting for the next tick.
 * Each approved plan starts one run; a plan an apply made stale is superseded, not applied.
 */
function watchApprovals(
  loaded: LoadedEngine,
  everyMs: number,
  run: () => Promise<void>,
): { stop(): Promise<void> } {
  const seen = new Set<string>()
  let busy: Promise<void> | undefined
  const check = async () => {
    const waiting = (await loaded.engine.store.listPlanStatuses(20)).filter(
      (h) => h.status === 'approved' && !seen.has(h.id),
    )
    if (waiting.length === 0) return
    for (const h of waiting) seen.add(h.id)
    await run()
  }
  const timer = setInterval(() => {
    busy ??= check()
      .catch(() => {})
      .finally(() => (busy = undefined))
  }, everyMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await busy
    },
  }
}
