// R5: the dependency audit and the SBOM are npm scripts the CI calls. The SBOM is checked here (it needs no
// network: it is made from package-lock.json); the audit needs the registry's advisory service, in CI.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, test } from 'node:test'

const root = resolve(import.meta.dirname, '..')
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}

describe('supply chain', () => {
  test('audit:deps audits the runtime dependencies and fails from high severity', () => {
    assert.equal(pkg.scripts['audit:deps'], 'npm audit --omit=dev --audit-level=high')
  })

  test('the SBOM is CycloneDX and lists every runtime dependency, no development tool', async () => {
    // the script's own command, writing to a temporary file instead of sbom.cdx.json
    const [tool, ...args] = (pkg.scripts['sbom'] ?? '').split(/\s+/)
    assert.equal(tool, 'cyclonedx-npm')
    const out = join(mkdtempSync(join(tmpdir(), 'koppel-sbom-')), 'sbom.json')
    const i = args.indexOf('--output-file')
    assert.ok(i >= 0)
    args[i + 1] = out
    const cli = resolve(
      root,
      'node_modules',
      '@cyclonedx',
      'cyclonedx-npm',
      'bin',
      'cyclonedx-npm-cli.js',
    )
    await promisify(execFile)(process.execPath, [cli, ...args], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    })
    const bom = JSON.parse(readFileSync(out, 'utf8')) as {
      bomFormat: string
      components: { name: string; group?: string; version: string; purl?: string }[]
    }
    rmSync(dirname(out), { recursive: true, force: true })
    assert.equal(bom.bomFormat, 'CycloneDX')
    const names = new Set(
      bom.components.map((c) =>
        c.group !== undefined && c.group !== '' ? `${c.group}/${c.name}` : c.name,
      ),
    )
    // npm's own `npm sbom --omit dev` left out nodemailer and pg-types here, which the development tools share
    for (const dep of [...Object.keys(pkg.dependencies), 'pg-types', 'pg-protocol'])
      assert.ok(names.has(dep), `${dep} missing from the SBOM`)
    for (const dev of Object.keys(pkg.devDependencies)) {
      if (!(dev in pkg.dependencies))
        assert.ok(!names.has(dev), `development tool ${dev} in the SBOM`)
    }
    assert.ok(
      bom.components.every((c) => c.version !== '' && c.purl?.startsWith('pkg:npm/') === true),
    )
  })
})
