/**
 * Replaces `${env:…}` / `${file:…}` references in a validated config with their values, giving a new, frozen
 * config; the input is left as it is (it is what gets hashed and shown). Only connector options, the store and
 * the audit key are resolved: engine fields (anchor, attributes, rules) are CEL, and a secret must never flow
 * into an attribute value, a plan or the audit log. Errors name the field and the variable or file, never a value.
 */
import { freeze } from '../model/index.ts'
import type { KoppelConfig } from './config-types.ts'
import type { FlatIssue } from './issue-messages.ts'
import { markResolved } from './redact.ts'
import { REFERENCE, lookup } from './secret-reference.ts'
import type { SecretSources } from './secret-reference.ts'
import { ENGINE_KEYS } from './connector-options.ts'
import { rememberSecret } from '../util/secret-redaction.ts'

type Path = readonly PropertyKey[]

function resolveString(
  template: string,
  path: Path,
  sources: SecretSources,
  errors: FlatIssue[],
): string {
  return template.replace(REFERENCE, (whole, kind: string, name: string) => {
    const found = lookup(kind, name, sources)
    if (found.ok) {
      rememberSecret(found.value)
      return found.value
    }
    errors.push({ path, message: found.message })
    return whole
  })
}

function resolveIn(
  value: unknown,
  path: Path,
  sources: SecretSources,
  errors: FlatIssue[],
  skip: ReadonlySet<string>,
): unknown {
  if (value === null || typeof value !== 'object') return value
  const out = (Array.isArray(value) ? [] : {}) as Record<PropertyKey, unknown>
  for (const [key, v] of Object.entries(value)) {
    const k = Array.isArray(value) ? Number(key) : key
    if (skip.has(key)) out[k] = structuredClone(v)
    else if (typeof v !== 'string') out[k] = resolveIn(v, [...path, k], sources, errors, new Set())
    else {
      out[k] = resolveString(v, [...path, k], sources, errors)
      if (v.search(REFERENCE) >= 0) markResolved(out, k, v)
    }
  }
  return out
}

export function resolveSecrets(
  config: KoppelConfig,
  sources: SecretSources,
): { ok: true; config: KoppelConfig } | { ok: false; errors: FlatIssue[] } {
  const errors: FlatIssue[] = []
  const entries = (list: readonly object[], section: string, skip: ReadonlySet<string>) =>
    list.map((entry, i) => resolveIn(entry, [section, i], sources, errors, skip))
  const resolved = {
    ...config,
    store: resolveIn(config.store, ['store'], sources, errors, new Set(['kind'])),
    audit: resolveIn(config.audit, ['audit'], sources, errors, new Set()),
    sources: entries(config.sources, 'sources', ENGINE_KEYS.source),
    targets: entries(config.targets, 'targets', ENGINE_KEYS.target),
    // the SMTP password and the webhook's signing key of the administrators' notifications
    ...(config.notify !== undefined
      ? { notify: resolveIn(config.notify, ['notify'], sources, errors, new Set()) }
      : {}),
    // the tokens and keys of the change webhooks of `koppel serve`
    ...(config.serve !== undefined
      ? { serve: resolveIn(config.serve, ['serve'], sources, errors, new Set()) }
      : {}),
  } as KoppelConfig
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: freeze(resolved) }
}
