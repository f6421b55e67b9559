// Every `koppel` command pays for the modules src/cli/main.ts loads before it parses its arguments; the
// scheduled no-op run (issue 17, P2: ≤ 2 s) is mostly that. Packages that build large tables when loaded are
// required on first use instead; this keeps them out of the start.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'

const MAIN = resolve(import.meta.dirname, 'main.ts')

test('loading the CLI does not load transliteration or string-width (tables built at load, ~0.2 s of CPU)', async () => {
  const hook = `
    import { registerHooks } from 'node:module'
    registerHooks({ load(url, context, next) {
      if (/\\/node_modules\\/(transliteration|string-width)\\//.test(url)) console.log('LOADED ' + url)
      return next(url, context)
    } })
    await import(${JSON.stringify(MAIN)})
  `
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--no-warnings',
    '--input-type=module',
    '-e',
    hook,
  ])
  assert.deepEqual(
    stdout.split('\n').filter((l) => l.startsWith('LOADED')),
    [],
  )
})
