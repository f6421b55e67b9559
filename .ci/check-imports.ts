// Enforces the dependency rules that keep the engine generic (STYLE.md lesson 13):
// - src/engine, src/model, src/contract, src/rules, src/store, src/config, src/util, src/protocol never import a connector or a simulator;
// - a connector never imports another connector, the engine, the CLI or a simulator;
// - ldapjs (decommissioned upstream) is never imported: the demo's LDAP server is our own (src/sim/ldap-server).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const files: string[] = []
const walk = (d: string): void => {
  for (const n of readdirSync(d)) {
    const p = join(d, n)
    if (statSync(p).isDirectory()) walk(p)
    else if (p.endsWith('.ts')) files.push(p)
  }
}
walk(join(root, 'src'))

const problems: string[] = []
const core = ['engine', 'model', 'contract', 'rules', 'store', 'config', 'util', 'protocol', 'notify']
for (const file of files) {
  const rel = relative(join(root, 'src'), file)
  const [area, sub] = rel.split('/')
  const text = readFileSync(file, 'utf8')
  for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)) {
    const spec = m[1] as string
    if (spec === 'ldapjs') problems.push(`${rel}: imports ldapjs (decommissioned upstream)`)
    if (!spec.startsWith('.')) continue
    const target = relative(join(root, 'src'), resolve(dirname(file), spec))
    const [tArea, tSub] = target.split('/')
    if (core.includes(area ?? '') && (tArea === 'connectors' || tArea === 'sim' || tArea === 'cli')) problems.push(`${rel}: core module imports ${target}`)
    // the composition root is shared by the CLI and `koppel serve`: it must not depend on either
    if (area === 'app' && (tArea === 'cli' || tArea === 'serve')) problems.push(`${rel}: the composition root imports ${target}`)
    if (area === 'connectors' && sub !== 'index.ts') {
      if (tArea === 'connectors' && tSub !== sub) problems.push(`${rel}: connector imports another connector (${target})`)
      if (tArea === 'engine' || tArea === 'cli' || tArea === 'sim') problems.push(`${rel}: connector imports ${target}`)
    }
  }
}
if (problems.length > 0) {
  for (const p of problems) console.error(p)
  process.exit(1)
}
console.log(`import rules hold for ${files.length} files`)
