// An Engine built from a real koppel.yaml by the CLI's own composition root (loadEngine), with the test's clock:
// the engine's `now` and every connector's `context.now()` read `clock.today`, so a test can run the nightly sync
// on any day of the year (the IMS file target's archive hold and Aura's end date follow the connector clock, not
// the plan's `today`).
import { connectorDefinitions } from '../../src/connectors/index.ts'
import { loadEngine } from '../../src/app/load-engine.ts'
import type { Engine, EngineTarget } from '../../src/engine/index.ts'

export interface Clock {
  /** YYYY-MM-DD; the clock reads 10:00 UTC on that day. */
  today: string
}

export interface ClockedEngine {
  readonly engine: Engine
  target(name: string): EngineTarget
  close(): Promise<void>
}

export async function loadClockedEngine(
  configPath: string,
  env: Record<string, string>,
  clock: Clock,
): Promise<ClockedEngine> {
  // time moves on by a millisecond per reading, so "newest first" orderings hold as in real use
  let tick = 0
  const now = (): Date => new Date(Date.parse(`${clock.today}T10:00:00Z`) + tick++)
  const r = await loadEngine(configPath, connectorDefinitions, { env, now })
  if (!r.ok) throw new Error(r.errors.join('\n'))
  const { engine } = r.loaded
  return {
    engine,
    target(name) {
      const t = engine.setup.targets.find((x) => x.name === name)
      if (t === undefined) throw new Error(`no target ${name}`)
      return t
    },
    close: () => r.loaded.close(),
  }
}
