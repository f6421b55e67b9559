// The practice scenarios of `koppel demo --scenario` and `koppel sim serve` (issue 12.9): each one's simulators
// and config are planned and applied, a second plan is empty, and a day of movers, leavers and joiners applies
// cleanly. Then the two commands themselves, as an admin runs them.
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { loadEngine } from '../src/app/load-engine.ts'
import { SCENARIOS } from '../src/cli/demo-scenarios.ts'
import { startScenarioIn } from '../src/cli/demo-serve.ts'
import { applyStoredPlan, makePlan, type Engine } from '../src/engine/index.ts'
import type { Plan } from '../src/model/index.ts'
import { applyChurn, generateBoard } from '@koppel/sim/generator'
import { KOPPEL_BIN, runKoppel } from './support/koppel-cli.ts'

const TODAY = '2026-11-23'
const now = () => new Date(`${TODAY}T06:00:00Z`)
const work = mkdtempSync(join(tmpdir(), 'koppel-scenarios-'))
after(() => rmSync(work, { recursive: true, force: true }))

async function plan(engine: Engine): Promise<Plan> {
  const r = await makePlan(engine, { actor: 'scenario-test' })
  if (!r.ok)
    assert.fail(r.issues.map((i) => `${i.source ?? ''} ${i.record ?? ''}: ${i.message}`).join('\n'))
  assert.equal(r.plan.status, 'planned', JSON.stringify(r.plan.findings))
  return r.plan
}

async function apply(engine: Engine, p: Plan): Promise<void> {
  const r = await applyStoredPlan(engine, p.id, { actor: 'scenario-test' })
  if (!r.ok) assert.fail(r.message)
  assert.deepEqual(r.report.failures, [])
  assert.equal(r.report.state, 'done')
}

describe('practice scenarios', () => {
  const board = generateBoard({ seed: 'scenarios', persons: 120, today: TODAY })
  for (const scenario of SCENARIOS) {
    test(`${scenario.name}: plan and apply on its simulators, a second plan is empty, the next day applies`, async () => {
      const dir = join(work, scenario.name)
      const { run, config } = await startScenarioIn(dir, scenario, board, TODAY)
      try {
        const text = readFileSync(config, 'utf8')
        for (const [file, secret] of Object.entries(run.secrets)) {
          assert.ok(
            !text.includes(secret),
            `the secret of ${file} is in its file, not in the config`,
          )
          assert.ok(text.includes(`\${file:./${file}}`), `the config names ${file} by reference`)
        }
        const loaded = await loadEngine(config, connectorDefinitions, { now })
        if (!loaded.ok) assert.fail(loaded.errors.join('\n'))
        const { engine } = loaded.loaded
        try {
          const first = await plan(engine)
          const creates = first.actions.filter((a) => a.kind === 'create')
          assert.ok(creates.length > 50, JSON.stringify(first.summary))
          await apply(engine, first)
          assert.deepEqual(
            (await plan(engine)).actions.map((a) => `${a.kind} ${a.person}`),
            [],
          )
          await run.nextDay(
            applyChurn(board, {
              seed: 'scenarios-day2',
              today: TODAY,
              movers: 0.05,
              leavers: 0.03,
              joiners: 0.03,
            }),
            TODAY,
          )
          const next = await plan(engine)
          assert.ok(next.actions.length > 0, 'the next day changes something')
          await apply(engine, next)
          assert.deepEqual(
            (await plan(engine)).actions.map((a) => `${a.kind} ${a.person}`),
            [],
          )
        } finally {
          await loaded.loaded.close()
        }
      } finally {
        await run.stop()
      }
    })
  }

  test('the two-sources scenario merges a teacher who is in AFAS and in Somtoday into one person', async () => {
    const dir = join(work, 'merge')
    const scenario = SCENARIOS.find((s) => s.name === 'two-sources')
    assert.ok(scenario)
    const { run, config } = await startScenarioIn(dir, scenario, board, TODAY)
    try {
      const loaded = await loadEngine(config, connectorDefinitions, { now })
      if (!loaded.ok) assert.fail(loaded.errors.join('\n'))
      try {
        const first = await plan(loaded.loaded.engine)
        assert.deepEqual(
          first.issues.filter((i) => i.code === 'match_conflict'),
          [],
        )
        // a merged teacher has an employment from each source but one account
        const staffCreates = first.actions.filter(
          (a) =>
            a.kind === 'create' &&
            a.subject?.number !== undefined &&
            !/^\d{6}$/.test(a.subject.number),
        )
        assert.ok(staffCreates.length > 0)
        const keys = first.actions.filter((a) => a.kind === 'create').map((a) => a.person)
        assert.equal(new Set(keys).size, keys.length, 'one account per person')
        assert.ok(
          first.actions.some((a) => a.kind === 'write-back' && a.writeBack?.source === 'hr'),
          'usernames go back to AFAS',
        )
        assert.ok(
          first.actions.some((a) => a.kind === 'write-back' && a.writeBack?.source === 'school'),
          'and to Somtoday',
        )
      } finally {
        await loaded.loaded.close()
      }
    } finally {
      await run.stop()
    }
  })
})

describe('koppel sim serve and koppel demo --scenario', () => {
  test('sim serve --scenario entra: the printed config plans against the running simulators; Ctrl-C stops them', async () => {
    const dir = mkdtempSync(join(work, 'serve-'))
    const serve = spawn(
      process.execPath,
      [
        '--no-warnings',
        KOPPEL_BIN,
        'sim',
        'serve',
        '--scenario',
        'entra',
        '--dir',
        'practice',
        '--persons',
        '100',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    try {
      let stdout = ''
      serve.stdout.setEncoding('utf8')
      await new Promise<void>((ready, fail) => {
        serve.stdout.on('data', (chunk: string) => {
          stdout += chunk
          if (stdout.includes('Press Ctrl-C')) ready()
        })
        serve.once('exit', (code) =>
          fail(new Error(`sim serve ended (${code}) before serving:\n${stdout}`)),
        )
      })
      assert.match(
        stdout,
        /Microsoft Graph simulator \(Entra ID, tenant [^)]+\) at http:\/\/127\.0\.0\.1:\d+/,
      )
      assert.match(
        stdout,
        /In another terminal: node bin\/koppel\.ts plan -c practice\/koppel\.yaml/,
      )
      const planned = await runKoppel(
        ['plan', '-c', join('practice', 'koppel.yaml'), '--detailed-exitcode'],
        { cwd: dir },
      )
      assert.equal(planned.code, 2, planned.stderr + planned.stdout)
      assert.match(planned.stdout, /entra/)
      serve.kill('SIGINT')
      const [code] = (await once(serve, 'exit')) as [number | null]
      assert.equal(code, 0)
    } finally {
      if (serve.exitCode === null) serve.kill('SIGKILL')
    }
  })

  test('an unknown scenario is refused with the list of scenarios', async () => {
    const r = await runKoppel(['sim', 'serve', '--scenario', 'nope', '--dir', 'x'], { cwd: work })
    assert.equal(r.code, 1)
    assert.match(
      r.stderr,
      /--scenario must be one of ldap, somtoday, ad, two-sources, entra, itslearning, not nope/,
    )
    assert.equal(existsSync(join(work, 'x')), false, 'nothing was created')
  })

  test('demo --scenario itslearning runs the demo steps on the itslearning simulator', async () => {
    const dir = mkdtempSync(join(work, 'demo-'))
    const r = await runKoppel(
      ['demo', '--scenario', 'itslearning', '--dir', 'demo', '--persons', '100'],
      { cwd: dir },
    )
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.match(
      r.stdout,
      /itslearning IMS Enterprise Services simulator at http:\/\/127\.0\.0\.1:\d+/,
    )
    assert.match(r.stdout, /4\. koppel plan — a second run finds nothing to do:\s+No changes/)
    assert.match(r.stdout, /5\. The next day/)
  })
})
