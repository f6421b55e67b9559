/**
 * `koppel sim serve [--scenario <name>]`: somewhere to practise. Starts a scenario's simulators on loopback with
 * a generated school board, writes the koppel.yaml that uses them into a fresh folder, and keeps them running
 * until Ctrl-C, so `koppel plan -c <dir>/koppel.yaml`, `apply`, `explain`, `audit log` … can be tried at will.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { connectorDefinitions } from '../connectors/index.ts'
import { configJsonSchema } from '../config/index.ts'
import { generateBoard, type SimBoard } from '@koppel/sim/generator'
import { toIsoDate } from '../util/dates.ts'
import { scenarioNamed, SCENARIOS, type Scenario, type ScenarioRun } from './demo-scenarios.ts'
import { err, EXIT, out } from './output.ts'

export interface StartedScenario {
  readonly run: ScenarioRun
  /** Absolute path of the written koppel.yaml. */
  readonly config: string
}

/** The scenario by name, or an error line listing the names there are. */
export function pickScenario(name: string | undefined): Scenario | string {
  const s = scenarioNamed(name ?? (SCENARIOS[0] as Scenario).name)
  return s ?? `--scenario must be one of ${SCENARIOS.map((x) => x.name).join(', ')}, not ${name}`
}

/** Recreates `dir`, starts the scenario's simulators, writes koppel.yaml, its secret files and the schema. */
export async function startScenarioIn(
  dir: string,
  scenario: Scenario,
  board: SimBoard,
  today: string,
): Promise<StartedScenario> {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const password = randomBytes(12).toString('base64url')
  const run = await scenario.start({ dir, board, today, password })
  for (const [file, content] of Object.entries(run.secrets)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true, mode: 0o700 })
    writeFileSync(join(dir, file), `${content}\n`, { mode: 0o600 })
  }
  const config = join(dir, 'koppel.yaml')
  writeFileSync(config, run.config)
  writeFileSync(
    join(dir, 'koppel.schema.json'),
    `${JSON.stringify(configJsonSchema(connectorDefinitions), null, 2)}\n`,
  )
  return { run, config }
}

/** Resolves on Ctrl-C (SIGINT) or SIGTERM; both exist on Windows too (Ctrl-C, Ctrl-Break, closing the window). */
export function stopRequested(): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolveStop()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

export function scenarioList(): string {
  return SCENARIOS.map((s) => `  ${s.name.padEnd(12)} ${s.description}`).join('\n')
}

export async function simServeCommand(o: {
  scenario?: string
  dir: string
  persons: string
  seed: string
  today?: string
}): Promise<number> {
  const scenario = pickScenario(o.scenario)
  if (typeof scenario === 'string') {
    err(`${scenario}\n${scenarioList()}`)
    return EXIT.error
  }
  const persons = Number(o.persons)
  if (!Number.isInteger(persons) || persons < 100 || persons > 100_000) {
    err('--persons must be a whole number from 100 to 100,000')
    return EXIT.error
  }
  const dir = resolve(o.dir)
  const today = o.today ?? toIsoDate(new Date())
  const board = generateBoard({ seed: o.seed, persons, today })
  const started = await startScenarioIn(dir, scenario, board, today)
  try {
    const rel = relative(process.cwd(), started.config)
    out(`Scenario ${scenario.name}: ${scenario.description}`)
    out(
      `A school board of ${persons} persons (seed ${o.seed}); the simulators start empty where they are targets.`,
    )
    for (const s of started.run.services) out(`  ${s}`)
    out(
      `Config: ${rel} (secrets in ${relative(process.cwd(), join(dir, 'secrets'))}, never in the config)`,
    )
    out(`In another terminal: node bin/koppel.ts plan -c ${rel}`)
    out(`                     node bin/koppel.ts apply -c ${rel}`)
    out('Press Ctrl-C here to stop the simulators.')
    await stopRequested()
    out('Stopping the simulators.')
    return EXIT.ok
  } finally {
    await started.run.stop()
  }
}
