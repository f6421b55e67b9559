/**
 * `koppel user add <name> --role viewer|operator|admin`: a local user of the dashboard. The password is read
 * from standard input (one line; piped or typed), never from an argument, which `ps` and shell history keep.
 * `koppel user grant <name> --role R [--tenant T]` gives that user a role in another tenant of the same store
 * (one password for all of them); `koppel user revoke <name> [--tenant T]` takes it away with its sessions
 * and tokens there.
 */
import type { Command, Option } from 'commander'
import type { ConnectorDefinition } from '../contract/index.ts'
import { openTenantAudit, TenantAuditError } from '../app/tenant-audit.ts'
import { addUser, checkTenantName, grantUser, UserInputError } from '../http/access/users.ts'
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
  user
    .command('grant')
    .description("give an existing user a role in a tenant of the store (default: the config's)")
    .argument('<name>', 'user name')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--tenant <tenant>', "a tenant of the same store (default: the config's tenant)")
    .addOption(config())
    .action(async (name: string, o: { config: string; role: string; tenant?: string }) =>
      set(await userGrantCommand(o.config, name, o, definitions)),
    )
  user
    .command('revoke')
    .description("take a user's role in a tenant away, with their sessions and API tokens there")
    .argument('<name>', 'user name')
    .option('--tenant <tenant>', "a tenant of the same store (default: the config's tenant)")
    .addOption(config())
    .action(async (name: string, o: { config: string; tenant?: string }) =>
      set(await userRevokeCommand(o.config, name, o.tenant, definitions)),
    )
}

export async function userGrantCommand(
  config: string,
  name: string,
  o: { readonly role: string; readonly tenant?: string | undefined },
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  return withEngine(config, definitions, async (loaded) => {
    const { engine } = loaded
    const tenant = o.tenant ?? loaded.config.tenant
    try {
      checkTenantName(tenant)
      // the grant is an event of the tenant it is in, checked before anything changes
      const audit = await openTenantAudit(loaded, tenant)
      try {
        const tenants = await grantUser(engine.store.access, {
          name,
          role: o.role,
          tenant,
          now: engine.now(),
        })
        await audit.append([
          { type: 'user.granted', actor: actor(), data: { user: name, role: o.role, tenant } },
        ])
        out(`User ${name} is ${o.role} in ${tenant}. Tenants now:`)
        for (const g of tenants) out(`  ${g.tenant}  ${g.role}`)
        return EXIT.ok
      } finally {
        await audit.close()
      }
    } catch (e) {
      if (e instanceof UserInputError || e instanceof TenantAuditError) {
        err(e.message)
        return EXIT.error
      }
      throw e
    }
  })
}

export async function userRevokeCommand(
  config: string,
  name: string,
  tenantFlag: string | undefined,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  return withEngine(config, definitions, async (loaded) => {
    const { engine } = loaded
    const tenant = tenantFlag ?? loaded.config.tenant
    let audit
    try {
      checkTenantName(tenant)
      audit = await openTenantAudit(loaded, tenant)
    } catch (e) {
      if (e instanceof UserInputError || e instanceof TenantAuditError) {
        err(e.message)
        return EXIT.error
      }
      throw e
    }
    try {
      if (!(await engine.store.access.revokeTenant(name, tenant))) {
        err(`user ${name}: has no role in ${tenant}`)
        return EXIT.error
      }
      await audit.append([{ type: 'user.revoked', actor: actor(), data: { user: name, tenant } }])
    } finally {
      await audit.close()
    }
    out(
      `User ${name} has no role in ${tenant} any more; their sessions and tokens there are ended.`,
    )
    return EXIT.ok
  })
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
