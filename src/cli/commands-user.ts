/**
 * `koppel user add <name> --role viewer|operator|admin`: a local user of the dashboard. The password is read
 * from standard input (one line; piped or typed), never from an argument, which `ps` and shell history keep.
 */
import type { Command, Option } from 'commander'
import type { ConnectorDefinition } from '../contract/index.ts'
import { addUser, UserInputError } from '../http/access/users.ts'
import { ROLES } from '../http/access/roles.ts'
import { actor } from './actor.ts'
import { withEngine } from './commands-plan.ts'
import { err, EXIT, out } from './output.ts'

export function registerUserCommands(
  program: Command,
  config: () => Option,
  definitions: readonly ConnectorDefinition[],
  set: (code: number) => void,
): void {
  const user = program.command('user').description('local users of the dashboard and HTTP API')
  user
    .command('add')
    .description('create a user, or set the role and password of one (password read from stdin)')
    .argument('<name>', 'user name (lower case)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .addOption(config())
    .action(async (name: string, o: { config: string; role: string }) =>
      set(await userAddCommand(o.config, name, o.role, definitions, process.stdin)),
    )
}

export async function userAddCommand(
  config: string,
  name: string,
  role: string,
  definitions: readonly ConnectorDefinition[],
  input: NodeJS.ReadableStream,
): Promise<number> {
  if (process.stdin.isTTY === true && input === process.stdin)
    process.stderr.write(`Password for ${name} (input is shown; pipe it to hide it): `)
  const password = await firstLine(input)
  return withEngine(config, definitions, async ({ engine }) => {
    try {
      const r = await addUser(engine.store.access, { name, role, password, now: engine.now() })
      await engine.store.appendAudit([
        {
          type: r.created ? 'user.added' : 'user.changed',
          actor: actor(),
          data: { user: name, role },
        },
      ])
      out(
        `${r.created ? 'Added' : 'Updated'} user ${name} (${role}). Log in at the URL \`koppel serve\` prints.`,
      )
      return EXIT.ok
    } catch (e) {
      if (e instanceof UserInputError) {
        err(e.message)
        return EXIT.error
      }
      throw e
    }
  })
}

async function firstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = ''
  for await (const chunk of input) {
    text += String(chunk)
    if (text.includes('\n')) break
  }
  return text.split(/\r?\n/)[0] ?? ''
}
