/**
 * Runs the configured schedules on the engine's clock. croner reads the cron expressions (time zones, DST,
 * weekday ranges); the loop itself sleeps until the earliest next time (at most `maxSleepMs`, so a clock
 * that jumps — a suspended VM, a test's clock — is noticed) and runs what is due, one run at a time: a
 * schedule never overlaps itself or another schedule of this process. Ticks missed while a run lasted are
 * not made up; the next time is computed from the end of the run.
 */
import { Cron } from 'croner'
import type { ScheduleConfig } from '../config/index.ts'

export interface ScheduleState {
  readonly name: string
  readonly cron: string
  readonly timezone: string
  /** ISO time of the next run; undefined when the expression has no further time. */
  readonly next: string | undefined
  readonly last?: { readonly at: string; readonly outcome: string }
  readonly running: boolean
}

export interface SchedulerOptions {
  readonly now: () => Date
  /** Runs one tick of a schedule; returns a word for the outcome (logged and shown in status). */
  readonly run: (schedule: ScheduleConfig, tick: Date) => Promise<string>
  readonly maxSleepMs?: number
  /** Every schedule is due once at start, then at its times (`koppel serve --run-at-start`). */
  readonly runAtStart?: boolean
}

interface Entry {
  readonly config: ScheduleConfig
  readonly cron: Cron
  next: Date | undefined
  last?: { at: string; outcome: string }
  running: boolean
}

export class Scheduler {
  readonly #entries: Entry[]
  readonly #o: SchedulerOptions
  readonly #stop = new AbortController()
  #loop: Promise<void> | undefined
  #wake: (() => void) | undefined

  constructor(schedules: readonly ScheduleConfig[], o: SchedulerOptions) {
    this.#o = o
    const from = o.now()
    this.#entries = schedules.map((config) => {
      const cron = new Cron(config.cron, { paused: true, timezone: config.timezone })
      return {
        config,
        cron,
        next: o.runAtStart === true ? from : (cron.nextRun(from) ?? undefined),
        running: false,
      }
    })
  }

  start(): void {
    this.#loop ??= this.#run()
  }

  /** Stops taking new ticks and waits for the run in flight (which the caller's own signal stops). */
  async stop(): Promise<void> {
    this.#stop.abort()
    this.#wake?.()
    await this.#loop
  }

  /** Wakes the loop now (a test that moved its clock; `koppel serve` never needs it). */
  poke(): void {
    this.#wake?.()
  }

  /** A schedule's next time after `now` by its expression (whether or not a run is due or in flight). */
  nextRunOf(name: string, now: Date): Date | undefined {
    return this.#entries.find((e) => e.config.name === name)?.cron.nextRun(now) ?? undefined
  }

  states(): ScheduleState[] {
    return this.#entries.map((e) => ({
      name: e.config.name,
      cron: e.config.cron,
      timezone: e.config.timezone,
      next: e.next?.toISOString(),
      ...(e.last !== undefined ? { last: e.last } : {}),
      running: e.running,
    }))
  }

  async #run(): Promise<void> {
    const maxSleep = this.#o.maxSleepMs ?? 30_000
    while (!this.#stop.signal.aborted) {
      const now = this.#o.now()
      const due = this.#entries
        .filter((e) => e.next !== undefined && e.next.getTime() <= now.getTime())
        .sort((a, b) => (a.next?.getTime() ?? 0) - (b.next?.getTime() ?? 0))
      for (const e of due) {
        if (this.#stop.signal.aborted) break
        const tick = e.next as Date
        e.running = true
        let outcome: string
        try {
          outcome = await this.#o.run(e.config, tick)
        } catch (err) {
          outcome = `error: ${err instanceof Error ? err.message : String(err)}`
        } finally {
          e.running = false
        }
        e.last = { at: tick.toISOString(), outcome }
        e.next = e.cron.nextRun(this.#o.now()) ?? undefined
      }
      if (this.#stop.signal.aborted) break
      const soonest = Math.min(
        ...this.#entries.map((e) => (e.next === undefined ? Infinity : e.next.getTime())),
      )
      const wait = Math.max(0, Math.min(maxSleep, soonest - this.#o.now().getTime()))
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.#wake = undefined
    }
  }
}

/** The next times of schedules as of `now`, without running anything (for `koppel status`). */
export interface NextTime {
  readonly name: string
  readonly cron: string
  readonly timezone: string
  readonly next: string | undefined
}

export function nextTimes(schedules: readonly ScheduleConfig[], now: Date): NextTime[] {
  return schedules.map((s) => ({
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    next: new Cron(s.cron, { paused: true, timezone: s.timezone }).nextRun(now)?.toISOString(),
  }))
}
