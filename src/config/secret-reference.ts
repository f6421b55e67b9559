/**
 * The `${env:NAME}` / `${file:path}` reference syntax, whole or embedded in a longer string (a URL), and the
 * lookup of one reference. Reading is injected, so tests and the CLI decide where env and files come from.
 */
import { resolve } from 'node:path'

/** Global: use with `replace` / `matchAll`. */
export const REFERENCE = /\$\{(env|file):([^}]+)\}/g

export interface SecretSources {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly readFile: (path: string) => string
  /** Folder that `${file:…}` paths are relative to: the config file's folder. */
  readonly baseDir: string
}

export type Lookup = { ok: true; value: string } | { ok: false; message: string }

export function lookup(kind: string, name: string, sources: SecretSources): Lookup {
  if (kind === 'env') {
    const value = sources.env[name]
    if (value === undefined)
      return { ok: false, message: `environment variable ${name} is not set` }
    // an empty password can mean an anonymous bind, so it is never taken as a value
    if (value === '') return { ok: false, message: `environment variable ${name} is empty` }
    return { ok: true, value }
  }
  let text: string
  try {
    text = sources.readFile(resolve(sources.baseDir, name))
  } catch (e) {
    const code = (e as { code?: unknown }).code
    return {
      ok: false,
      message: `cannot read secret file ${name}${typeof code === 'string' ? ` (${code})` : ''}`,
    }
  }
  const value = text.replace(/[\r\n]+$/, '')
  return value === '' ? { ok: false, message: `secret file ${name} is empty` } : { ok: true, value }
}
