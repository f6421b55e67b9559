// The dependency rules that keep the engine generic (STYLE.md lesson 13) and keep the simulators honest, as a pure
// function over (path, text) pairs so each rule has a test (test/import-rules.test.ts) as well as the CI run.
// - core (src/engine, model, contract, rules, store, config, util, protocol, notify) never imports a connector,
//   the CLI or the simulator package;
// - a connector never imports another connector (one edge allowed: ad → ldap, AD is LDAP with AD's flavor), the
//   engine, the CLI or the simulator package; its *.test.ts files and test fixtures may import the simulators;
// - under src/ only the demo (src/cli/demo*.ts) and `koppel sim-generate` import the simulator package, and only
//   by its package name;
// - packages/sim is built from the published specs, never from our client: it never imports src/connectors,
//   src/engine or src/cli; the only src/ areas it may use are listed in SIM_MAY_IMPORT (shared XML/SOAP and
//   date helpers);
// - src/app (the composition root) never imports src/cli or src/serve, the entry points built on it;
// - ldapjs (decommissioned upstream) is never imported: the demo's LDAP server is our own (@koppel/sim/ldap-server).
import { dirname, join, normalize } from 'node:path/posix'

export const SIM_PACKAGE = '@koppel/sim'
export const SIM_MAY_IMPORT: readonly string[] = ['src/protocol', 'src/util']
const ALLOWED_CONNECTOR_EDGES: readonly string[] = ['ad->ldap']
const CORE = [
  'engine',
  'model',
  'contract',
  'rules',
  'store',
  'config',
  'util',
  'protocol',
  'notify',
]

export interface SourceFile {
  /** Path relative to the repository root, with forward slashes. */
  readonly path: string
  readonly text: string
}

/** Test code: a *.test.ts file or a fixture/test helper that only tests import. */
export function isTestCode(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1)
  return name.endsWith('.test.ts') || name.includes('fixture') || name.includes('-test-')
}

function specifiers(text: string): string[] {
  const found: string[] = []
  for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm))
    found.push(m[1] as string)
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push(m[1] as string)
  return found
}

const isSimPackage = (spec: string): boolean =>
  spec === SIM_PACKAGE || spec.startsWith(`${SIM_PACKAGE}/`)
const under = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir}/`)

export function importProblems(files: readonly SourceFile[]): string[] {
  const problems: string[] = []
  for (const { path, text } of files) {
    const [top, area, sub] = path.split('/')
    for (const spec of specifiers(text)) {
      if (spec === 'ldapjs') problems.push(`${path}: imports ldapjs (decommissioned upstream)`)
      const target = spec.startsWith('.') ? normalize(join(dirname(path), spec)) : undefined
      const sim = isSimPackage(spec) || (target !== undefined && under(target, 'packages/sim'))
      if (top === 'src') {
        const [, tArea, tSub] = target?.split('/') ?? []
        const tInSrc = target !== undefined && under(target, 'src')
        if (sim && target !== undefined)
          problems.push(
            `${path}: imports the simulator package by path (${target}); use ${SIM_PACKAGE}`,
          )
        // the composition root is shared by the CLI, `koppel serve` and the tests: it depends on neither entry point
        if (area === 'app' && tInSrc && (tArea === 'cli' || tArea === 'serve'))
          problems.push(`${path}: the composition root imports ${target}`)
        if (CORE.includes(area ?? '')) {
          if (tInSrc && (tArea === 'connectors' || tArea === 'cli'))
            problems.push(`${path}: core module imports ${target}`)
          if (sim) problems.push(`${path}: core module imports the simulator package (${spec})`)
        } else if (area === 'connectors' && sub !== 'index.ts') {
          if (
            tInSrc &&
            tArea === 'connectors' &&
            tSub !== sub &&
            !ALLOWED_CONNECTOR_EDGES.includes(`${sub}->${tSub}`)
          ) {
            problems.push(`${path}: connector imports another connector (${target})`)
          }
          if (tInSrc && (tArea === 'engine' || tArea === 'cli'))
            problems.push(`${path}: connector imports ${target}`)
          if (sim && !isTestCode(path))
            problems.push(
              `${path}: connector code imports the simulator package (${spec}); only tests and fixtures may`,
            )
        } else if (sim && !(area === 'cli' && /^(demo.*|sim-generate)\.ts$/.test(sub ?? ''))) {
          problems.push(
            `${path}: imports the simulator package (${spec}); only the demo and sim-generate may`,
          )
        }
      } else if (
        top === 'packages' &&
        area === 'sim' &&
        target !== undefined &&
        under(target, 'src')
      ) {
        if (!SIM_MAY_IMPORT.some((allowed) => under(target, allowed))) {
          problems.push(
            `${path}: the simulator package imports ${target} (a simulator is built from the spec, not from our client)`,
          )
        }
      }
    }
  }
  return problems
}
