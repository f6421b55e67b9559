/**
 * `koppel demo --scenario <name>`: the demo's steps (apply, a quiet second plan, a day of movers, leavers and
 * joiners) on one of the practice scenarios' simulators — two sources merged, Entra ID, itslearning, … —
 * instead of the default OneRoster export into an LDAP directory.
 */
import { relative, resolve } from 'node:path'
import { connectorDefinitions } from '../connectors/index.ts'
import { applyChurn, generateBoard } from '@koppel/sim/generator'
import { toIsoDate } from '../util/dates.ts'
import { applyCommand, planCommand } from './commands-plan.ts'
import { EXIT, out } from './output.ts'
import { pickScenario, scenarioList, startScenarioIn, stopRequested } from './demo-serve.ts'

export async function scenarioDemoCommand(o: {
  scenario: string
  dir: string
  persons: string
  seed: string
  keep?: boolean
}): Promise<number> {
  const scenario = pickScenario(o.scenario)
  if (typeof scenario === 'string') {
    out(`${scenario}\n${scenarioList()}`)
    return EXIT.error
  }
  const dir = resolve(o.dir)
  const today = toIsoDate(new Date())
  const persons = Number(o.persons)
  out(`Koppel demo, scenario ${scenario.name}: ${scenario.description}\n`)
  out(
    `1. Generating a Dutch school board of ${persons} persons (seed ${o.seed}) and starting the simulators …`,
  )
  const board = generateBoard({ seed: o.seed, persons, today })
  const { run, config } = await startScenarioIn(dir, scenario, board, today)
  const rel = relative(process.cwd(), config)
  try {
    for (const s of run.services) out(`   ${s}`)
    out(`2. Wrote ${rel}.\n`)
    out('3. koppel apply — the plan, then the apply:\n')
    let code = await applyCommand({ config, yes: true, limit: '15' }, connectorDefinitions, 'apply')
    if (code !== EXIT.ok) return code
    out('\n4. koppel plan — a second run finds nothing to do:\n')
    code = await planCommand({ config, limit: '15' }, connectorDefinitions)
    if (code !== EXIT.ok) return code
    out('\n5. The next day: a few pupils change class, leave or join. koppel apply:\n')
    await run.nextDay(
      applyChurn(board, {
        seed: `${o.seed}-day2`,
        today,
        movers: 0.02,
        leavers: 0.01,
        joiners: 0.01,
      }),
      today,
    )
    code = await applyCommand({ config, yes: true, limit: '15' }, connectorDefinitions, 'apply')
    if (code !== EXIT.ok) return code
    if (o.keep === true) {
      out('\nThe simulators keep running for you to practise on.')
      out(`In another terminal: node bin/koppel.ts plan -c ${rel}`)
      out(`                     node bin/koppel.ts audit log -c ${rel}`)
      out('Press Ctrl-C here to stop them.')
      await stopRequested()
      out('Stopping the simulators.')
      return EXIT.ok
    }
    out(
      '\nThe simulators stop with the demo (`--keep` leaves them running; `koppel sim serve` starts them alone).',
    )
    out(`The store, plans and audit log stay: node bin/koppel.ts audit log -c ${rel}`)
    return EXIT.ok
  } finally {
    await run.stop()
  }
}
