import type { Command } from 'commander'
import { scenarioList, simServeCommand } from './demo-serve.ts'

/** `koppel sim serve`: registered under `koppel sim` (docs/cli.md). */
export function registerSimServe(sim: Command, set: (code: number) => void): void {
  sim
    .command('serve')
    .description(
      'start the simulators of a practice scenario with a generated school, and the config that uses them, until Ctrl-C',
    )
    .option('--scenario <name>', 'which systems to simulate (see below)', 'ldap')
    .option(
      '--dir <dir>',
      'folder for koppel.yaml, its secrets and the store (recreated)',
      'koppel-sim',
    )
    .option('--persons <n>', 'size of the generated school board', '600')
    .option('--seed <seed>', 'seed; the same seed gives the same school', '2026')
    .option('--today <date>', 'the day the school is generated for (YYYY-MM-DD; default today)')
    .addHelpText('after', `\nScenarios:\n${scenarioList()}`)
    .action(
      async (o: { scenario: string; dir: string; persons: string; seed: string; today?: string }) =>
        set(await simServeCommand(o)),
    )
}
