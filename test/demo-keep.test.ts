// `koppel demo --keep` leaves the simulators running with the printed config, so the admin can practise
// `koppel plan -c koppel-demo/koppel.yaml` afterwards (issue 12.9).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const bin = resolve(import.meta.dirname, '..', 'bin', 'koppel.ts')

for (const source of ['oneroster', 'somtoday']) {
  test(`demo --keep --source ${source}: plan against the kept simulators finds no changes; Ctrl-C stops them`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koppel-demo-keep-'))
    const demo = spawn(
      process.execPath,
      [
        '--no-warnings',
        bin,
        'demo',
        '--keep',
        '--source',
        source,
        '--dir',
        'demo',
        '--persons',
        '100',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    try {
      let stdout = ''
      demo.stdout.setEncoding('utf8')
      await new Promise<void>((ready, fail) => {
        demo.stdout.on('data', (chunk: string) => {
          stdout += chunk
          if (stdout.includes('Press Ctrl-C')) ready()
        })
        demo.once('exit', (code) =>
          fail(new Error(`the demo ended (${code}) before keeping the simulators:\n${stdout}`)),
        )
      })
      assert.match(stdout, /In another terminal: node bin\/koppel\.ts plan -c demo\/koppel\.yaml/)
      const plan = await promisify(execFile)(
        process.execPath,
        ['--no-warnings', bin, 'plan', '-c', join('demo', 'koppel.yaml'), '--detailed-exitcode'],
        { cwd: dir },
      )
      assert.match(plan.stdout, /No changes/)
      demo.kill('SIGINT')
      const [code] = (await once(demo, 'exit')) as [number | null]
      assert.equal(code, 0)
    } finally {
      if (demo.exitCode === null) demo.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })
}
