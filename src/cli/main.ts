import { ConnectorError } from '../contract/index.ts'
import { Command, CommanderError, Option } from 'commander'
import { connectorDefinitions } from '../connectors/index.ts'
import {
  approveCommand,
  auditVerifyCommand,
  initCommand,
  rejectCommand,
  schemaCommand,
  validateCommand,
} from './commands-admin.ts'
import { auditLogCommand, type AuditLogFlags } from './commands-audit.ts'
import { applyCommand, planCommand } from './commands-plan.ts'
import { statusCommand } from './commands-status.ts'
import { demoCommand } from './demo.ts'
import { explainCommand } from './commands-explain.ts'
import { driftCommand } from './commands-drift.ts'
import { holdCommand } from './commands-hold.ts'
import { revertCommand } from './commands-revert.ts'
import { runPersonCommand } from './commands-run-person.ts'
import { err, EXIT } from './output.ts'
import { simGenerateCommand } from './sim-generate.ts'
import { registerSimServe } from './sim-serve-command.ts'
import { serveCommand, type ServeFlags } from '../serve/serve-command.ts'
import { registerUserCommands } from './commands-user.ts'
import { registerBackupCommands } from '../ops/backup-command.ts'
import { registerWorkerCommand } from '../worker/worker-command.ts'

/** `koppel` — parses arguments and dispatches; every command returns its exit code (docs/cli.md). */
export async function main(argv: readonly string[]): Promise<number> {
  const defs = connectorDefinitions
  let code: number = EXIT.ok
  const set = (c: number) => {
    code = c
  }
  const program = new Command('koppel')
    .description(
      'Identity provisioning for schools: sources → rules → plan → guard → apply → targets.',
    )
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => err(s.trimEnd()) })
  const config = () => new Option('-c, --config <file>', 'config file').default('koppel.yaml')
  const today = () => new Option('--today <date>', 'plan as if today were this date (YYYY-MM-DD)')

  program
    .command('init')
    .description('write a commented starter koppel.yaml and koppel.schema.json')
    .addOption(config())
    .option('--force', 'overwrite an existing file')
    .action((o: { config: string; force?: boolean }) =>
      set(initCommand(o.config, o.force === true, defs)),
    )
  program
    .command('validate')
    .description('check the config file; names file, line and field of every problem')
    .addOption(config())
    .option('--show', 'print the validated config with secrets redacted')
    .action(async (o: { config: string; show?: boolean }) =>
      set(await validateCommand(o.config, o.show === true, defs)),
    )
  program
    .command('schema')
    .description('print the config JSON Schema (for editor completion)')
    .action(() => set(schemaCommand(defs)))
  program
    .command('plan')
    .description('read the sources and show what would change (stores the plan)')
    .addOption(config())
    .addOption(
      new Option(
        '--at <date>',
        "preview the plan as it will be on this date (YYYY-MM-DD) with today's data; never applied",
      ),
    )
    .addOption(today().hideHelp())
    .option('--json', 'print the plan as JSON (docs/plan-json.md)')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on error')
    .option('--no-target-read', 'plan against the ledger only, without listing the targets')
    .option('--limit <n>', 'actions to show in the table', '100')
    .option(
      '--kind <kinds>',
      'show only these action kinds in the table (comma-separated: create,disable,…)',
    )
    .option('--target <names>', 'show only the actions of these targets (comma-separated)')
    .option(
      '--person <text>',
      'show only the actions for a person: part of the name, the number, or the key',
    )
    .option('--school <code>', 'show only the actions for one school (BRIN code or name)')
    .option(
      '--draft',
      'store the plan as a draft (e.g. with -c draft.yaml): shown, never approved or applied',
    )
    .action(async (o) => set(await planCommand(o, defs)))
  program
    .command('apply')
    .description('plan and apply after confirmation, or apply a stored plan')
    .addOption(config())
    .addOption(today())
    .option('--plan <id>', 'apply this stored plan')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print the run report as JSON')
    .option('--no-target-read', 'plan against the ledger only')
    .option('--limit <n>', 'actions to show in the table', '100')
    .action(async (o) => set(await applyCommand(o, defs, 'apply')))
  program
    .command('run')
    .description('plan, guard and apply unattended (for schedules); exit 3 when blocked')
    .addOption(config())
    .addOption(today())
    .option('--json', 'print the run report as JSON')
    .option('--no-target-read', 'plan against the ledger only')
    .option('--limit <n>', 'actions to show in the table', '20')
    .option(
      '--person <who>',
      'plan and apply only this person now: key, number, username or part of the name',
    )
    .option('--reason <text>', 'with --person: why; recorded in the audit log')
    .action(async (o) =>
      set(
        o.person !== undefined
          ? await runPersonCommand(o, defs)
          : await applyCommand({ ...o, yes: true }, defs, 'run'),
      ),
    )
  program
    .command('approve')
    .description(
      'release a plan the guard blocked, or a delivery a target refused (<target>:<token>)',
    )
    .argument('<id>', 'plan id, or <target>:<token> as the refusal names it')
    .addOption(config())
    .option('--reason <text>', 'why; recorded in the audit log with the approver')
    .action(async (id: string, o: { config: string; reason?: string }) =>
      set(await approveCommand(o.config, id, defs, o.reason)),
    )
  program
    .command('reject')
    .description('refuse a plan the guard blocked: it is never applied')
    .argument('<planId>', 'the blocked plan')
    .addOption(config())
    .option('--reason <text>', 'why (required); recorded in the audit log with who rejected it')
    .action(async (id: string, o: { config: string; reason?: string }) =>
      set(await rejectCommand(o.config, id, defs, o.reason)),
    )
  program
    .command('serve')
    .description(
      'run the schedules of the config in the foreground, log JSON lines; SIGTERM stops cleanly',
    )
    .addOption(config())
    .option('--host <address>', 'HTTP listener address (default: serve.listen.host)')
    .option('--port <n>', 'HTTP listener port (default: serve.listen.port)')
    .option('--run-at-start', 'run every schedule once at start, then at its times')
    .action(async (o: ServeFlags) => set(await serveCommand(o, defs)))
  registerUserCommands(program, config, defs, set)
  registerWorkerCommand(program, config, defs, set)
  program
    .command('explain')
    .description(
      'why a person has what they have: accounts, permissions, rules, near misses, next actions',
    )
    .argument(
      '<person>',
      'person key, leerlingnummer/personeelsnummer, username, or part of the name',
    )
    .addOption(config())
    .option('--json', 'print the explanation as JSON')
    .action(async (person: string, o: { config: string; json?: boolean }) =>
      set(await explainCommand(person, o, defs)),
    )
  program
    .command('status')
    .description(
      'last runs, blocked plans, held actions, pending deliveries, audit head; exit 3 when blocked',
    )
    .addOption(config())
    .option('--json', 'print the status as JSON')
    .option('--runs <n>', 'runs to show', '5')
    .option('--no-verify', 'do not recompute the audit chain (it reads every event)')
    .action(async (o) => set(await statusCommand(o, defs)))
  program
    .command('hold')
    .description(
      "freeze one person's entitlements (no actions planned) until a date; --lift ends it; no person: list",
    )
    .argument(
      '[person]',
      'person key, leerlingnummer/personeelsnummer, username, or part of the name',
    )
    .addOption(config())
    .option(
      '--reason <text>',
      'why (required to place a hold); recorded in the audit log and shown in plans',
    )
    .option(
      '--until <date>',
      'YYYY-MM-DD, the first day the hold no longer applies (required to place a hold)',
    )
    .option('--lift', 'end the hold now; the next plan catches the person up')
    .option('--json', 'print the hold(s) as JSON')
    .action(async (person: string | undefined, o) => set(await holdCommand(person, o, defs)))
  program
    .command('drift')
    .description(
      'accounts in the targets Koppel does not manage, managed ones missing, changed attributes; with what Koppel will do; exit 2 on drift',
    )
    .argument('[target]', 'only this target')
    .addOption(config())
    .option('--json', 'print the drift as JSON')
    .action(async (target: string | undefined, o: { config: string; json?: boolean }) =>
      set(await driftCommand(target, o, defs)),
    )
  program
    .command('revert')
    .description(
      'the inverse of an applied run as a new plan (enable, grant, restore, update back); apply it with apply --plan',
    )
    .argument('<run>', 'run id (koppel status lists the last runs)')
    .addOption(config())
    .option('--reason <text>', 'why; recorded in the audit log')
    .option('--json', 'print the plan as JSON')
    .option('--limit <n>', 'actions to show in the table', '100')
    .action(async (run: string, o) => set(await revertCommand(run, o, defs)))
  registerBackupCommands(program, defs, set)
  const audit = program.command('audit').description('audit log')
  audit
    .command('verify')
    .description('check the hash chain for edits and deletions')
    .addOption(config())
    .option(
      '--head <hash>',
      "a head hash kept outside the store (a run report's auditHead) that must still be in the log",
    )
    .action(async (o: { config: string; head?: string }) =>
      set(await auditVerifyCommand(o.config, defs, o.head)),
    )
  audit
    .command('log')
    .description('the audit events, newest first, with names')
    .addOption(config())
    .option('--person <text>', 'only this person: part of the name, the number, or the key')
    .option('--since <when>', 'only events since: YYYY-MM-DD, an ISO time, or 7d / 12h ago')
    .option(
      '--kind <kind>',
      'only this event kind or its prefix: plan, plan.approved, action.failed, delivery, …',
    )
    .option('--limit <n>', 'events to show', '100')
    .option('--json', 'print the events as JSON')
    .action(async (o: AuditLogFlags) => set(await auditLogCommand(o, defs)))
  const sim = program.command('sim').description('simulators and generated data')
  registerSimServe(sim, set)
  sim
    .command('generate')
    .description('generate a Dutch school board as OneRoster CSV')
    .option('--persons <n>', 'number of persons (100 to 1,000,000)', '1000')
    .option('--seed <seed>', 'seed; the same seed gives the same files', '2026')
    .option('--out <dir>', 'output folder', 'export')
    .option('--schools <n>', 'number of schools')
    .option('--oneroster <version>', '1.2 or 1.1', '1.2')
    .addOption(today())
    .action(async (o) => set(await simGenerateCommand(o)))
  program
    .command('demo')
    .description('generate a school, start a directory in-process and provision it, twice')
    .option('--dir <dir>', 'working folder (recreated)', 'koppel-demo')
    .option('--persons <n>', 'size of the generated school board', '600')
    .option('--seed <seed>', 'seed', '2026')
    .option(
      '--source <kind>',
      'where the school comes from: oneroster (CSV export) or somtoday (ConnectAPI simulator)',
      'oneroster',
    )
    .option(
      '--target <kind>',
      'the directory provisioned: ldap (LDAP server) or ad (Active Directory simulator over LDAPS)',
      'ldap',
    )
    .option(
      '--keep',
      'leave the simulators running afterwards (until Ctrl-C), so koppel plan -c <dir>/koppel.yaml works',
    )
    .option(
      '--scenario <name>',
      'run the demo on a practice scenario instead: ldap, somtoday, ad, two-sources, entra, itslearning',
    )
    .action(async (o) => set(await demoCommand(o)))

  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.error
    // a system that refused or could not be reached is the admin's to fix, not a bug: no stack trace
    if (ConnectorError.isInstance(e))
      err(`${e.kind === 'auth' ? 'Refused' : 'Failed'} (${e.kind}): ${e.message}`)
    else if (process.env['KOPPEL_DEBUG'] === '1')
      err(e instanceof Error ? (e.stack ?? e.message) : String(e))
    else
      err(
        `Error: ${e instanceof Error ? e.message : String(e)} (KOPPEL_DEBUG=1 shows where it came from)`,
      )
    return EXIT.error
  }
  return code
}
