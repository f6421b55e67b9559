import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { connectorDefinitions } from '../connectors/index.ts'
import { configJsonSchema } from '../config/index.ts'
import { applyChurn, generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startAdServer } from '@koppel/sim/ad-server'
import { startLdapServer } from '@koppel/sim/ldap-server'
import { DEFAULT_CLIENT, startSomtodaySim, type SomtodaySim } from '@koppel/sim/somtoday'
import { toIsoDate } from '../util/dates.ts'
import { applyCommand, planCommand } from './commands-plan.ts'
import { demoConfig, type DemoSource } from './demo-config.ts'
import { scenarioDemoCommand } from './demo-scenario.ts'
import { EXIT, out } from './output.ts'

/** Resolves on Ctrl-C (SIGINT) or SIGTERM; both exist on Windows too (Ctrl-C, Ctrl-Break, closing the window). */
function stopRequested(): Promise<void> {
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

/**
 * `koppel demo`: everything an admin needs to see Koppel work, with nothing installed but npm packages —
 * a generated school (OneRoster CSV), an in-process LDAP directory, the embedded store, and the same CLI
 * commands they will use on their own config: plan, apply, plan again (no changes), then a day of churn.
 * With `source: 'somtoday'` the same board is served by the Somtoday ConnectAPI simulator, started in-process
 * on loopback, instead of being written as OneRoster CSV.
 */
export async function demoCommand(o: {
  dir: string
  persons: string
  seed: string
  source?: string
  target?: string
  keep?: boolean
  scenario?: string
}): Promise<number> {
  if (o.scenario !== undefined) return scenarioDemoCommand({ ...o, scenario: o.scenario })
  const dir = resolve(o.dir)
  const somtoday = o.source === 'somtoday'
  if (o.source !== undefined && o.source !== 'oneroster' && !somtoday) {
    out(`--source must be oneroster or somtoday, not ${o.source}`)
    return EXIT.error
  }
  const ad = o.target === 'ad'
  if (o.target !== undefined && o.target !== 'ldap' && !ad) {
    out(`--target must be ldap or ad, not ${o.target}`)
    return EXIT.error
  }
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(somtoday ? dir : join(dir, 'export'), { recursive: true })
  const today = toIsoDate(new Date())
  const persons = Number(o.persons)

  out(`Koppel demo in ./${relative(process.cwd(), dir)}\n`)
  const board = generateBoard({ seed: o.seed, persons, today })
  let sim: SomtodaySim | undefined
  let source: DemoSource = { kind: 'oneroster' }
  if (somtoday) {
    out(
      `1. Generating a Dutch school board of ${persons} persons (seed ${o.seed}) and serving it from a Somtoday ConnectAPI simulator …`,
    )
    sim = await startSomtodaySim({ board, today })
    source = {
      kind: 'somtoday',
      baseUrl: sim.baseUrl,
      tokenUrl: sim.tokenUrl,
      organisation: sim.instelling.uuid,
    }
  } else {
    out(
      `1. Generating a Dutch school board of ${persons} persons (seed ${o.seed}) as OneRoster 1.2 CSV …`,
    )
    await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
  }

  const password = randomBytes(12).toString('base64url')
  // the AD simulator keeps its directory in memory only; the LDAP one saves it beside the config
  const ldap = ad
    ? await startAdServer({ adminPassword: password })
    : await startLdapServer({ adminPassword: password, persistPath: join(dir, 'directory.json') })
  mkdirSync(join(dir, 'secrets'), { mode: 0o700 })
  writeFileSync(join(dir, 'secrets', 'ldap-password'), `${password}\n`, { mode: 0o600 })
  if (sim !== undefined)
    writeFileSync(
      join(dir, 'secrets', 'somtoday-client-secret'),
      `${DEFAULT_CLIENT.clientSecret}\n`,
      { mode: 0o600 },
    )
  const config = join(dir, 'koppel.yaml')
  writeFileSync(
    config,
    demoConfig(
      ldap.url,
      source,
      'caFile' in ldap ? { kind: 'ad', caFile: ldap.caFile } : { kind: 'ldap' },
    ),
  )
  if (sim !== undefined)
    out(`   Somtoday simulator at ${sim.baseUrl} (instelling ${sim.instelling.naam}).`)
  writeFileSync(
    join(dir, 'koppel.schema.json'),
    `${JSON.stringify(configJsonSchema(connectorDefinitions), null, 2)}\n`,
  )
  out(
    `2. Started ${ad ? 'an Active Directory simulator (LDAPS)' : 'an LDAP directory'} in-process at ${ldap.url} and wrote ${relative(process.cwd(), config)}.\n`,
  )

  try {
    out('3. koppel apply — the plan, then the apply:\n')
    let code = await applyCommand({ config, yes: true, limit: '15' }, connectorDefinitions, 'apply')
    if (code !== EXIT.ok) return code
    out('\n4. koppel plan — a second run finds nothing to do:\n')
    code = await planCommand({ config, limit: '15' }, connectorDefinitions)
    if (code !== EXIT.ok) return code

    out('\n5. The next day: a few pupils change class, leave or join. koppel apply:\n')
    const next = applyChurn(board, {
      seed: `${o.seed}-day2`,
      today,
      movers: 0.02,
      leavers: 0.01,
      joiners: 0.01,
    })
    if (sim !== undefined) sim.setBoard(next, today)
    else {
      rmSync(join(dir, 'export'), { recursive: true, force: true })
      await writeOneRosterCsv(join(dir, 'export'), next, { version: '1.2' })
    }
    code = await applyCommand({ config, yes: true, limit: '15' }, connectorDefinitions, 'apply')
    if (code !== EXIT.ok) return code

    const rel = relative(process.cwd(), config)
    const saved = ad
      ? 'kept in memory'
      : `saved in ${relative(process.cwd(), join(dir, 'directory.json'))}`
    const entries = 'entryCount' in ldap ? `${ldap.entryCount()} entries` : 'the accounts'
    if (o.keep === true) {
      out(`\nThe directory now holds ${entries} (${saved}).`)
      out(
        `The simulators keep running for you to practise on${sim !== undefined ? ` (directory at ${ldap.url}, Somtoday at ${sim.baseUrl})` : ` (directory at ${ldap.url})`}.`,
      )
      out(`In another terminal: node bin/koppel.ts plan -c ${rel}`)
      out(`                     node bin/koppel.ts audit log -c ${rel}`)
      out('Press Ctrl-C here to stop them.')
      await stopRequested()
      out('Stopping the simulators.')
      return EXIT.ok
    }
    out(
      `\nThe directory now holds ${entries} (${saved}; it stops with the demo${sim !== undefined ? ', as does the Somtoday simulator' : ''}; \`--keep\` leaves it running).`,
    )
    out('The store, plans and audit log stay. Look around:')
    out(`  node bin/koppel.ts audit verify --config ${rel}`)
    out(`  node bin/koppel.ts validate --config ${rel} --show`)
    out('Write your own: node bin/koppel.ts init && node bin/koppel.ts validate')
    return EXIT.ok
  } finally {
    await ldap.stop()
    await sim?.close()
  }
}
