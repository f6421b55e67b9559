import { isAbsolute, resolve } from 'node:path'
import type {
  ConnectorContext,
  ConnectorDefinition,
  SourceConnector,
  SourceDefinition,
  TargetDefinition,
} from '../contract/index.ts'
import { formatConfigError, loadConfig, sourceOptions, targetOptions } from '../config/index.ts'
import type { KoppelConfig, SourceConfig, TargetConfig } from '../config/index.ts'
import type {
  Engine,
  EngineSource,
  EngineTarget,
  SecretDelivery,
  WriteBackSetup,
} from '../engine/index.ts'
import { compileConfig, formatRuleProblems } from './compile-config.ts'
import { unknownGroupRoles } from './group-roles.ts'
import type { CompiledTarget } from './compile-config.ts'
import { openStore } from '../store/index.ts'
import { queuedEngine } from '../worker/queued-engine.ts'
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
  options: {
    env?: Record<string, string | undefined>
    log?: ConnectorContext['log']
    now?: () => Date
  } = {},
): Promise<{ ok: true; loaded: LoadedEngine } | { ok: false; errors: string[] }> {
  const path = resolve(configPath)
  const loaded = await loadConfig(path, definitions, { env: options.env ?? process.env })
  if (!loaded.ok) return { ok: false, errors: loaded.errors.map(formatConfigError) }
  const { config, baseDir } = loaded
  const compiled = compileConfig(config)
  if (!compiled.ok)
    return { ok: false, errors: formatRuleProblems(path, config, loaded.locate, compiled.problems) }
  // one clock for the engine and every connector (tests run the nightly sync on any day of the year)
  const now = options.now ?? (() => new Date())
  const context: ConnectorContext = { baseDir, log: options.log ?? (() => {}), now }

  const sources: EngineSource[] = []
  let rules
  const targets: EngineTarget[] = []
  const mailers: Mailer[] = []
  try {
    for (const s of config.sources) {
      const connector = created(`sources.${s.name} (${s.type})`, () =>
        sourceDefinition(s, definitions).create(s.name, sourceOptions(s), context),
      )
      sources.push({ connector, safety: s.safety })
    }
    rules = compiled.rules
    for (const t of config.targets)
      targets.push(buildTarget(t, compiled.targets, definitions, context, sources, mailers))
    const badRoles = unknownGroupRoles(config.rules, targets)
    if (badRoles.length > 0) return { ok: false, errors: badRoles.map((m) => `${path}: ${m}`) }
  } catch (e) {
    if (e instanceof SetupError) return { ok: false, errors: [`${path}: ${e.message}`] }
    throw e
  }
  const storePath =
    config.store.kind === 'sqlite'
      ? isAbsolute(config.store.path)
        ? config.store.path
        : resolve(baseDir, config.store.path)
      : ''
  let store
  try {
    store = await openStore(
      config.store.kind === 'sqlite'
        ? { kind: 'sqlite', path: storePath }
        : {
            kind: 'postgres',
            url: config.store.url,
            ...(config.store.pool === undefined ? {} : { poolMax: config.store.pool.max }),
          },
      {
        tenant: config.tenant,
        ...(config.audit.key === undefined ? {} : { auditKey: config.audit.key }),
        now,
      },
    )
  } catch (e) {
    await Promise.allSettled([
      ...targets.map((t) => t.connector.close()),
      ...sources.map((s) => s.connector.close?.()),
    ])
    for (const m of mailers) m.close()
    const where = config.store.kind === 'sqlite' ? storePath : withoutPassword(config.store.url)
    return { ok: false, errors: [`the store at ${where} could not be opened: ${reason(e)}`] }
  }
  const workers =
    config.store.kind === 'postgres' && config.store.workers?.enabled === true
      ? config.store.workers
      : undefined
  const queued =
    workers === undefined || config.store.kind !== 'postgres'
      ? undefined
      : queuedEngine(config.store.url, config.tenant, workers, context.log, () => engine)
  const engine: Engine = {
    store,
    sources,
    now,
    setup: {
      targets,
      rules,
      primaryContract: config.merge.primaryContract,
      match: config.merge.match,
      configHash: loaded.hash,
    },
    ...(queued !== undefined ? { queue: queued.queue } : {}),
  }
  const notifier =
    config.notify !== undefined
      ? createRunNotifier(config.notify, store, config.tenant, now)
      : undefined
  return {
    ok: true,
    loaded: {
      engine,
      config,
      configPath: path,
      ...(notifier !== undefined ? { notifier } : {}),
      async close() {
        // the in-process worker's jobs finish before their connectors close
        await queued?.close()
        await Promise.allSettled([
          ...targets.map((t) => t.connector.close()),
          ...sources.map((s) => s.connector.close?.()),
        ])
        for (const m of mailers) m.close()
        notifier?.close()
        await store.close()
      },
    },
  }
}

/** A config that validates but cannot be put together: a write-back a source cannot do, a refused option. */
class SetupError extends Error {}

/**
 * A connector that refuses its options while being created (a library rejecting a URL, a key that does not
 * parse) is a config problem: named by its entry, without a stack trace. The message goes through the
 * CLI's secret redaction like every other (a library may quote the value it refused).
 */
function created<T>(where: string, create: () => T): T {
  try {
    return create()
  } catch (e) {
    throw new SetupError(`${where}: ${reason(e)}`, { cause: e })
  }
}

/** A driver's error as one line; a refused connection to every address of a host has no message of its own. */
function reason(e: unknown): string {
  if (e instanceof AggregateError && e.message === '') return e.errors.map(reason).join('; ')
  if (!(e instanceof Error)) return String(e)
  const code = (e as { code?: unknown }).code
  const message = e.message.split('\n')[0] ?? ''
  if (message === '') return typeof code === 'string' ? code : e.name
  return message
}

/** A database URL fit to print: the password (if any) is replaced, as is a password in its query string. */
function withoutPassword(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    if (u.searchParams.has('password')) u.searchParams.set('password', '***')
    return u.toString()
  } catch {
    return 'the configured url (which is not a valid URL)'
  }
}

/**
 * For `validate`: the write-back and secret-delivery channels checked against what each source connector can
 * write, as the engine checks them when it starts, so a channel that cannot work fails `validate`, not `plan`.
 * Creates the source connectors (which connect to nothing until read) and closes them again.
 */
export async function channelProblems(
  config: KoppelConfig,
  baseDir: string,
  definitions: readonly ConnectorDefinition[],
): Promise<string[]> {
  const context: ConnectorContext = { baseDir, log: () => {}, now: () => new Date() }
  const sources: EngineSource[] = config.sources.map((s) => ({
    connector: sourceDefinition(s, definitions).create(s.name, sourceOptions(s), context),
    safety: s.safety,
  }))
  const problems: string[] = []
  try {
    for (const t of config.targets) {
      const checks: (() => unknown)[] = t.writeBack.map(
        (wb, i) => () => writeBackSetup(t.name, i, wb, sources),
      )
      const d = t.secretDelivery
      if (d !== undefined && !('mail' in d))
        checks.push(() => secretDeliverySetup(t.name, d, sources, []))
      if (d !== undefined && 'mail' in d) checks.push(() => mailRecipientsNamed(t.name, sources))
      for (const check of checks) {
        try {
          check()
        } catch (e) {
          if (!(e instanceof SetupError)) throw e
          problems.push(e.message)
        }
      }
    }
  } finally {
    await Promise.allSettled(sources.map((s) => s.connector.close?.()))
  }
  return problems
}

function buildTarget(
  t: TargetConfig,
  compiled: ReadonlyMap<string, CompiledTarget>,
  definitions: readonly ConnectorDefinition[],
  context: ConnectorContext,
  sources: readonly EngineSource[],
  mailers: Mailer[],
): EngineTarget {
  const def = definitions.find(
    (d): d is TargetDefinition => d.role === 'target' && d.type === t.type,
  )
  if (def === undefined) throw new Error(`no target connector of type ${t.type}`)
  const mappings = compiled.get(t.name)
  if (mappings === undefined) throw new Error(`no compiled mapping for target ${t.name}`)
  // the connector reads what the mapping writes (the anchor is part of it), so nothing shows as drift unread
  const targetContext = { ...context, mappedAttributes: mappings.mapping.attributes }
  const connector = created(`targets.${t.name} (${t.type})`, () =>
    def.create(t.name, targetOptions(t), targetContext),
  )
  if ((t.provisionGroups ?? []).length > 0 && connector.createGroup === undefined) {
    // said at start, not as a plan issue on every run: the groups would never be made
    throw new SetupError(
      `targets.${t.name}.provisionGroups: the ${t.type} connector cannot provision groups yet (ldap, active-directory, itslearning-ims-es, itslearning-ims-file, entra-id, google-workspace and scim can)`,
    )
  }
  return {
    name: t.name,
    connector,
    anchorAttribute: t.anchor.attribute,
    mapping: mappings.mapping,
    anchorMapping: mappings.anchorMapping,
    ...(mappings.groups !== undefined ? { groups: mappings.groups } : {}),
    lifecycle: t.lifecycle,
    guard: t.guard,
    apply: {
      ...t.apply,
      concurrency: t.apply.concurrency ?? connector.capabilities.defaultConcurrency,
    },
    writeBacks: t.writeBack.map((wb, i) => writeBackSetup(t.name, i, wb, sources)),
    ...(t.secretDelivery !== undefined
      ? { secretDelivery: secretDeliverySetup(t.name, t.secretDelivery, sources, mailers) }
      : {}),
    ...(t.drift.adopt === false ? { adopt: false } : {}),
  }
}

function writingSource(
  where: string,
  name: string,
  sources: readonly EngineSource[],
): SourceConnector {
  const source = sources.find((s) => s.connector.name === name)
  if (source === undefined) throw new SetupError(`${where}: unknown source "${name}"`)
  const c = source.connector
  if (!c.capabilities.writeBack || c.writeBack === undefined)
    throw new SetupError(`${where}: source "${name}" (${c.type}) cannot write back`)
  return c
}

/** Mail to the mentor or manager needs a source that names one; otherwise every initial password is dropped. */
function mailRecipientsNamed(target: string, sources: readonly EngineSource[]): void {
  if (sources.some((s) => s.connector.capabilities.namesManagers === true)) return
  const names = sources.map((s) => `"${s.connector.name}" (${s.connector.type})`).join(', ')
  throw new SetupError(
    `targets.${target}.secretDelivery: mail goes to the mentor or manager, but no source names one (${names}); ` +
      'a csv source names them with columns.manager, see docs/config.md "Initial passwords"',
  )
}

function secretDeliverySetup(
  target: string,
  d: NonNullable<TargetConfig['secretDelivery']>,
  sources: readonly EngineSource[],
  mailers: Mailer[],
): SecretDelivery {
  const where = `targets.${target}.secretDelivery`
  if ('mail' in d) {
    const m = d.mail
    const mailer = createMailer(
      {
        host: m.smtp.host,
        port: m.smtp.port,
        secure: m.smtp.secure,
        requireTls: m.smtp.requireTls,
        ...(m.smtp.username !== undefined ? { username: m.smtp.username } : {}),
        ...(m.smtp.password !== undefined ? { password: m.smtp.password } : {}),
      },
      m.from,
    )
    mailers.push(mailer)
    return {
      kind: 'mail',
      loginAttribute: m.loginAttribute,
      subject: m.subject,
      send: (msg) => mailer.send(msg),
    }
  }
  const c = writingSource(where, d.source, sources)
  const known = c.capabilities.writeBackFields ?? {}
  for (const field of Object.values(d.fields)) {
    if (known[field] === undefined)
      throw new SetupError(
        `${where}: ${c.type} has no write-back field "${field}" (fields: ${Object.keys(known).join(', ') || 'none'})`,
      )
  }
  return { kind: 'write-back', source: d.source, connector: c, fields: d.fields }
}

/** A configured write-back, checked against what the source connector says it can write and read back. */
function writeBackSetup(
  target: string,
  index: number,
  wb: TargetConfig['writeBack'][number],
  sources: readonly EngineSource[],
): WriteBackSetup {
  const where = `targets.${target}.writeBack[${index}]`
  const c = writingSource(where, wb.source, sources)
  const known = c.capabilities.writeBackFields ?? {}
  const current: Record<string, string> = {}
  for (const field of Object.keys(wb.fields)) {
    const path = known[field]
    if (path === undefined)
      throw new SetupError(
        `${where}.fields.${field}: ${c.type} has no write-back field "${field}" (fields: ${Object.keys(known).join(', ') || 'none'})`,
      )
    if (path === '')
      throw new SetupError(
        `${where}.fields.${field}: ${c.type} cannot read "${field}" back, so Koppel could not tell when to write it`,
      )
    current[field] = path
  }
  return { source: wb.source, connector: c, fields: wb.fields, current }
}

function sourceDefinition(
  s: SourceConfig,
  definitions: readonly ConnectorDefinition[],
): SourceDefinition {
  const def = definitions.find(
    (d): d is SourceDefinition => d.role === 'source' && d.type === s.type,
  )
  if (def === undefined) throw new Error(`no source connector of type ${s.type}`)
  return def
}

export function defaultConfigPath(dir = process.cwd()): string {
  return resolve(dir, 'koppel.yaml')
}
