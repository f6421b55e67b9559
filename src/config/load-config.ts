/**
 * Loads koppel.yaml: YAML with positions → schema validation with defaults → hash → secret resolution. Every
 * problem comes back as a ConfigError with file, line and column; nothing throws for a bad file. Does not
 * open stores or connectors.
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { ConnectorDefinition } from '../contract/index.ts'
import { freeze } from '../model/index.ts'
import { canonicalJson, sha256 } from '../util/canonical-json.ts'
import { formatPath } from './config-error.ts'
import type { ConfigError } from './config-error.ts'
import { buildConfigSchema } from './config-schema.ts'
import type { KoppelConfig } from './config-types.ts'
import { configErrorMap, flattenIssues } from './issue-messages.ts'
import type { FlatIssue } from './issue-messages.ts'
import { resolveSecrets } from './resolve-secrets.ts'
import { locate, parseYaml } from './yaml-source.ts'
import type { Position, YamlSource } from './yaml-source.ts'

export interface LoadOptions {
  /** Environment for `${env:…}`; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Reads the config file and `${file:…}` secrets; default `fs.readFileSync(p, 'utf8')`. */
  readonly readFile?: (path: string) => string
  /** false: validate and hash only, leaving references as written (`koppel validate` without secrets). */
  readonly resolveSecrets?: boolean
}

export type LoadResult =
  | {
      readonly ok: true
      /** Validated, defaults filled, secrets resolved (unless `resolveSecrets: false`); frozen. */
      readonly config: KoppelConfig
      /** The same before secret resolution (frozen): safe to show, and what `hash` is taken of. */
      readonly validated: KoppelConfig
      /** The config file's folder; relative paths in the config are relative to it. */
      readonly baseDir: string
      /** sha256 of the canonical JSON of `validated`: changes with the config, never with a secret. */
      readonly hash: string
      /** Line and column of a config path in the file; `offset` is a position inside its string value. */
      readonly locate: (path: readonly PropertyKey[], offset?: number) => Position
    }
  | { readonly ok: false; readonly errors: readonly ConfigError[] }

/**
 * The sections that run the service, not the plan: a plan stays valid when a schedule or the listener changes,
 * and a config written before these sections existed keeps its hash.
 */
const SERVICE_SECTIONS: readonly string[] = ['schedules', 'serve']

/** sha256 (hex) of a validated config's canonical JSON without its service sections; comments and key order do not count. */
export function configHash(config: KoppelConfig): string {
  const planned = Object.fromEntries(
    Object.entries(config).filter(([k]) => !SERVICE_SECTIONS.includes(k)),
  )
  return sha256(canonicalJson(planned))
}

function toErrors(file: string, source: YamlSource, issues: readonly FlatIssue[]): ConfigError[] {
  const seen = new Set<string>()
  const errors: (ConfigError & { line: number; column: number })[] = []
  for (const issue of issues) {
    const { line, column } = locate(source, issue.path, issue.at ?? 'value')
    const error = { file, line, column, path: formatPath(issue.path), message: issue.message }
    const key = `${error.path}\n${error.message}`
    if (!seen.has(key)) errors.push(error)
    seen.add(key)
  }
  return errors.sort((a, b) => a.line - b.line || a.column - b.column)
}

export async function loadConfig(
  path: string,
  definitions: readonly ConnectorDefinition[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'))
  let text: string
  try {
    text = readFile(path)
  } catch (e) {
    const code = (e as { code?: unknown }).code
    const message = `cannot read the config file${typeof code === 'string' ? ` (${code})` : ''}`
    return { ok: false, errors: [{ file: path, path: '', message }] }
  }
  const { source, problems } = parseYaml(text)
  if (problems.length > 0)
    return { ok: false, errors: problems.map((p) => ({ file: path, path: '', ...p })) }

  let data: unknown
  try {
    data = source.doc.toJS({ maxAliasCount: 100 })
  } catch {
    return {
      ok: false,
      errors: [{ file: path, path: '', message: 'too many YAML aliases (*name) to expand' }],
    }
  }
  const parsed = buildConfigSchema(definitions).safeParse(data, { error: configErrorMap })
  if (!parsed.success)
    return { ok: false, errors: toErrors(path, source, flattenIssues(parsed.error.issues)) }

  // frozen, so the hash stays true to the object it was taken from
  const validated = freeze(parsed.data)
  const baseDir = dirname(resolve(path))
  const hash = configHash(validated)
  const at = (p: readonly PropertyKey[], offset?: number) => locate(source, p, 'value', offset)
  if (options.resolveSecrets === false)
    return { ok: true, config: validated, validated, baseDir, hash, locate: at }
  const resolved = resolveSecrets(validated, { env: options.env ?? process.env, readFile, baseDir })
  if (!resolved.ok) return { ok: false, errors: toErrors(path, source, resolved.errors) }
  return { ok: true, config: resolved.config, validated, baseDir, hash, locate: at }
}
