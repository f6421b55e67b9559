import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { userInfo } from 'node:os'
import { test } from 'node:test'

test('the audit actor is the OS user, also when USER and LOGNAME are unset', () => {
  const code = "import { actor } from './src/cli/actor.ts'; process.stdout.write(actor())"
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    env: { PATH: process.env['PATH'] ?? '' },
    encoding: 'utf8',
  })
  assert.equal(out, `cli:${userInfo().username}`)
})
