// An Engine built from a real koppel.yaml the way `koppel` builds it (loadConfig → connector definitions →
// compiled rules and mappings → SQLite store), except that the clock is the test's: the engine's `now` and every
// connector's `context.now()` read `clock.today`, so a test can run the nightly sync on any day of the year
// (the IMS file target's archive hold and Aura's end date follow the connector clock, not the plan's `today`).
// No write-backs or secret delivery: the configs using this helper have none.
import { ConnectorError, type ConnectorContext, type SourceDefinition, type TargetDefinition } from '../../src/contract/index.ts'
import { connectorDefinitions } from '../../src/connectors/index.ts'
import { formatConfigError, loadConfig, sourceOptions, targetOptions } from '../../src/config/index.ts'
import type { Engine, EngineTarget } from '../../src/engine/index.ts'
import { compileMapping, compileRules, type MappingSpec } from '../../src/rules/index.ts'
import { openStore } from '../../src/store/index.ts'
import { isAbsolute, resolve } from 'node:path'

export interface Clock {
  /** YYYY-MM-DD; the clock reads 10:00 UTC on that day. */
  today: string
}

export interface ClockedEngine {
  readonly engine: Engine
  target(name: string): EngineTarget
  close(): Promise<void>
}

export async function loadClockedEngine(configPath: string, env: Record<string, string>, clock: Clock): Promise<ClockedEngine> {
  const loaded = await loadConfig(configPath, connectorDefinitions, { env })
  if (!loaded.ok) throw new Error(loaded.errors.map(formatConfigError).join('\n'))
  const { config, baseDir } = loaded
  const now = () => new Date(`${clock.today}T10:00:00Z`)
  const context: ConnectorContext = { baseDir, log: () => {}, now }
  const sources = config.sources.map((s) => {
    const def = connectorDefinitions.find((d): d is SourceDefinition => d.role === 'source' && d.type === s.type)
    if (def === undefined) throw new ConnectorError('config', `no source type ${s.type}`)
    return { connector: def.create(s.name, sourceOptions(s), context), safety: s.safety }
  })
  const targets: EngineTarget[] = config.targets.map((t) => {
    const def = connectorDefinitions.find((d): d is TargetDefinition => d.role === 'target' && d.type === t.type)
    if (def === undefined) throw new ConnectorError('config', `no target type ${t.type}`)
    const connector = def.create(t.name, targetOptions(t), context)
    const spec: Record<string, MappingSpec[string]> = { ...(t.attributes as MappingSpec) }
    spec[t.anchor.attribute] ??= t.anchor.value
    return {
      name: t.name,
      connector,
      anchorAttribute: t.anchor.attribute,
      mapping: compileMapping(t.name, spec),
      anchorMapping: compileMapping(t.name, { [t.anchor.attribute]: t.anchor.value }),
      lifecycle: t.lifecycle,
      guard: t.guard,
      apply: { ...t.apply, concurrency: t.apply.concurrency ?? connector.capabilities.defaultConcurrency },
    }
  })
  const rules = compileRules(config.rules.map((r) => ({ name: r.name, when: r.when, grant: r.grant.map((g) => ({ ...g })) })))
  if (config.store.kind !== 'sqlite') throw new Error('sqlite store expected')
  const store = await openStore({ kind: 'sqlite', path: isAbsolute(config.store.path) ? config.store.path : resolve(baseDir, config.store.path) }, { tenant: config.tenant })
  const engine: Engine = { store, sources, now, setup: { targets, rules, primaryContract: config.merge.primaryContract, match: config.merge.match, configHash: loaded.hash } }
  return {
    engine,
    target(name) {
      const t = targets.find((x) => x.name === name)
      if (t === undefined) throw new Error(`no target ${name}`)
      return t
    },
    async close() {
      await Promise.allSettled([...targets.map((t) => t.connector.close()), ...sources.map((s) => s.connector.close?.())])
      await store.close()
    },
  }
}
