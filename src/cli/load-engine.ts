import { isAbsolute, resolve } from 'node:path'
import type { ConnectorContext, ConnectorDefinition, SourceConnector, SourceDefinition, TargetDefinition } from '../contract/index.ts'
import { formatConfigError, loadConfig, sourceOptions, targetOptions } from '../config/index.ts'
import type { KoppelConfig, SourceConfig, TargetConfig } from '../config/index.ts'
import type { Engine, EngineSource, EngineTarget, SecretDelivery, WriteBackSetup } from '../engine/index.ts'
import { compileMapping, compileRules, formatProblem, RulesError } from '../rules/index.ts'
import type { MappingSpec } from '../rules/index.ts'
import { openStore } from '../store/index.ts'
import { createMailer, type Mailer } from '../notify/mailer.ts'
import { createRunNotifier, type RunNotifier } from '../notify/run-notifier.ts'

export interface LoadedEngine {
  readonly engine: Engine
  readonly config: KoppelConfig
  readonly configPath: string
  /** Present when the config asks for a status mail after each run. */
  readonly notifier?: RunNotifier
  close(): Promise<void>
}


/**
 * The composition root: config file → validated config → connectors, compiled rules and mappings, open store.
 * The engine itself never sees the config file or a connector type by name.
 */
export async function loadEngine(
  configPath: string,
  definitions: readonly ConnectorDefinition[],
  options: { env?: Record<string, string | undefined>; log?: ConnectorContext['log']; now?: () => Date } = {},
): Promise<{ ok: true; loaded: LoadedEngine } | { ok: false; errors: string[] }> {
  const path = resolve(configPath)
  const loaded = await loadConfig(path, definitions, { env: options.env ?? process.env })
  if (!loaded.ok) return { ok: false, errors: loaded.errors.map(formatConfigError) }
  const { config, baseDir } = loaded
  // one clock for the engine and every connector (tests run the nightly sync on any day of the year)
  const now = options.now ?? (() => new Date())
  const context: ConnectorContext = { baseDir, log: options.log ?? (() => {}), now }

  const sources: EngineSource[] = config.sources.map((s) => ({
    connector: sourceDefinition(s, definitions).create(s.name, sourceOptions(s), context),
    safety: s.safety,
  }))
  let rules
  const targets: EngineTarget[] = []
  const mailers: Mailer[] = []
  try {
    rules = compileRules(config.rules.map((r) => ({ name: r.name, when: r.when, grant: r.grant.map((g) => ({ ...g })) })))
    for (const t of config.targets) targets.push(buildTarget(t, definitions, context, sources, mailers))
  } catch (e) {
    if (e instanceof RulesError) return { ok: false, errors: e.problems.map((p) => `${path}:\n${formatProblem(p)}`) }
    if (e instanceof WriteBackError) return { ok: false, errors: [`${path}: ${e.message}`] }
    throw e
  }
  const storePath = config.store.kind === 'sqlite' ? (isAbsolute(config.store.path) ? config.store.path : resolve(baseDir, config.store.path)) : ''
  const store = await openStore(config.store.kind === 'sqlite' ? { kind: 'sqlite', path: storePath } : { kind: 'postgres', url: config.store.url }, {
    tenant: config.tenant,
    ...(config.audit.key === undefined ? {} : { auditKey: config.audit.key }),
  })
  const engine: Engine = {
    store,
    sources,
    now,
    setup: { targets, rules, primaryContract: config.merge.primaryContract, match: config.merge.match, configHash: loaded.hash },
  }
  const notifier = config.notify !== undefined ? createRunNotifier(config.notify, store, config.tenant, now) : undefined
  return {
    ok: true,
    loaded: {
      engine,
      config,
      configPath: path,
      ...(notifier !== undefined ? { notifier } : {}),
      async close() {
        await Promise.allSettled([...targets.map((t) => t.connector.close()), ...sources.map((s) => s.connector.close?.())])
        for (const m of mailers) m.close()
        notifier?.close()
        await store.close()
      },
    },
  }
}

class WriteBackError extends Error {}

function buildTarget(t: TargetConfig, definitions: readonly ConnectorDefinition[], context: ConnectorContext, sources: readonly EngineSource[], mailers: Mailer[]): EngineTarget {
  const def = definitions.find((d): d is TargetDefinition => d.role === 'target' && d.type === t.type)
  if (def === undefined) throw new Error(`no target connector of type ${t.type}`)
  const connector = def.create(t.name, targetOptions(t), context)
  const spec: Record<string, MappingSpec[string]> = { ...(t.attributes as MappingSpec) }
  if (spec[t.anchor.attribute] === undefined) spec[t.anchor.attribute] = t.anchor.value
  return {
    name: t.name,
    connector,
    anchorAttribute: t.anchor.attribute,
    mapping: compileMapping(t.name, spec),
    anchorMapping: compileMapping(t.name, { [t.anchor.attribute]: t.anchor.value }),
    lifecycle: t.lifecycle,
    guard: t.guard,
    apply: { ...t.apply, concurrency: t.apply.concurrency ?? connector.capabilities.defaultConcurrency },
    writeBacks: t.writeBack.map((wb, i) => writeBackSetup(t.name, i, wb, sources)),
    ...(t.secretDelivery !== undefined ? { secretDelivery: secretDeliverySetup(t.name, t.secretDelivery, sources, mailers) } : {}),
  }
}

function writingSource(where: string, name: string, sources: readonly EngineSource[]): SourceConnector {
  const source = sources.find((s) => s.connector.name === name)
  if (source === undefined) throw new WriteBackError(`${where}: unknown source "${name}"`)
  const c = source.connector
  if (!c.capabilities.writeBack || c.writeBack === undefined) throw new WriteBackError(`${where}: source "${name}" (${c.type}) cannot write back`)
  return c
}

function secretDeliverySetup(target: string, d: NonNullable<TargetConfig['secretDelivery']>, sources: readonly EngineSource[], mailers: Mailer[]): SecretDelivery {
  const where = `targets.${target}.secretDelivery`
  if ('mail' in d) {
    const m = d.mail
    const mailer = createMailer(
      { host: m.smtp.host, port: m.smtp.port, secure: m.smtp.secure, requireTls: m.smtp.requireTls, ...(m.smtp.username !== undefined ? { username: m.smtp.username } : {}), ...(m.smtp.password !== undefined ? { password: m.smtp.password } : {}) },
      m.from,
    )
    mailers.push(mailer)
    return { kind: 'mail', loginAttribute: m.loginAttribute, subject: m.subject, send: (msg) => mailer.send(msg) }
  }
  const c = writingSource(where, d.source, sources)
  const known = c.capabilities.writeBackFields ?? {}
  for (const field of Object.values(d.fields)) {
    if (known[field] === undefined) throw new WriteBackError(`${where}: ${c.type} has no write-back field "${field}" (fields: ${Object.keys(known).join(', ') || 'none'})`)
  }
  return { kind: 'write-back', source: d.source, connector: c, fields: d.fields }
}

/** A configured write-back, checked against what the source connector says it can write and read back. */
function writeBackSetup(target: string, index: number, wb: TargetConfig['writeBack'][number], sources: readonly EngineSource[]): WriteBackSetup {
  const where = `targets.${target}.writeBack[${index}]`
  const c = writingSource(where, wb.source, sources)
  const known = c.capabilities.writeBackFields ?? {}
  const current: Record<string, string> = {}
  for (const field of Object.keys(wb.fields)) {
    const path = known[field]
    if (path === undefined) throw new WriteBackError(`${where}.fields.${field}: ${c.type} has no write-back field "${field}" (fields: ${Object.keys(known).join(', ') || 'none'})`)
    if (path === '') throw new WriteBackError(`${where}.fields.${field}: ${c.type} cannot read "${field}" back, so Koppel could not tell when to write it`)
    current[field] = path
  }
  return { source: wb.source, connector: c, fields: wb.fields, current }
}

function sourceDefinition(s: SourceConfig, definitions: readonly ConnectorDefinition[]): SourceDefinition {
  const def = definitions.find((d): d is SourceDefinition => d.role === 'source' && d.type === s.type)
  if (def === undefined) throw new Error(`no source connector of type ${s.type}`)
  return def
}

export function defaultConfigPath(dir = process.cwd()): string {
  return resolve(dir, 'koppel.yaml')
}

