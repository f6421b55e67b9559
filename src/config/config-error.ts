/**
 * The one error shape for everything wrong with a config file (YAML syntax, schema, cross-field checks,
 * unresolvable secret references), and its one-line rendering `file:line:col path: message`. Messages never
 * contain a value from the file, so they are safe to print and log.
 */

export interface ConfigError {
  readonly file: string
  readonly line?: number
  readonly column?: number
  /** Where in the config, e.g. `targets[0].guard.delete.maxPercent`; empty for the file as a whole. */
  readonly path: string
  readonly message: string
}

/** `['targets', 0, 'guard']` → `targets[0].guard`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$-]*$/.test(seg))
      out += out === '' ? seg : `.${seg}`
    else out += `[${JSON.stringify(String(seg))}]`
  }
  return out
}

export function formatConfigError(e: ConfigError): string {
  const where = [e.file, e.line, e.line !== undefined ? e.column : undefined]
    .filter((p) => p !== undefined)
    .join(':')
  return e.path === '' ? `${where}: ${e.message}` : `${where} ${e.path}: ${e.message}`
}
