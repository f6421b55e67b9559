// `koppel backup <file>` and `koppel restore <file>`: the store named by the config, copied out and put back
// (store-backup.ts). Only the config's store and audit key are read; no connector is created.
import { isAbsolute, resolve } from 'node:path'
import type { Command } from 'commander'
import type { ConnectorDefinition } from '../contract/index.ts'
import { formatConfigError, loadConfig, type KoppelConfig } from '../config/index.ts'
import { err, EXIT, out } from '../cli/output.ts'
import type { StoreOptions } from '../store/index.ts'
import { messageOf } from '../util/message-of.ts'
import { backupStore, restoreStore } from './store-backup.ts'

export function registerBackupCommands(
  program: Command,
  definitions: readonly ConnectorDefinition[],
  set: (code: number) => void,
): void {
  program
    .command('backup')
    .description('copy the store to <file>: a consistent SQLite copy, or a pg_dump archive')
    .argument('<file>', 'the backup file to write (must not exist)')
    .option('-c, --config <file>', 'config file', 'koppel.yaml')
    .action(async (file: string, o: { config: string }) =>
      set(await backupCommand(o.config, file, definitions)),
    )
  program
    .command('restore')
    .description('put a backup in place of the store, then verify its audit chain')
    .argument('<file>', 'a file written by koppel backup')
    .option('-c, --config <file>', 'config file', 'koppel.yaml')
    .option('--force', 'replace a store that holds data (stop every Koppel process first)')
    .action(async (file: string, o: { config: string; force?: boolean }) =>
      set(await restoreCommand(o.config, file, o.force === true, definitions)),
    )
}

export async function backupCommand(
  config: string,
  file: string,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  const loaded = await storeOf(config, definitions)
  if (loaded === undefined) return EXIT.error
  try {
    const result = await backupStore(loaded.options, resolve(file))
    out(`Backup written: ${result.file} (${result.bytes} bytes)`)
    return EXIT.ok
  } catch (e) {
    err(`The backup failed: ${messageOf(e)}`)
    return EXIT.error
  }
}

export async function restoreCommand(
  config: string,
  file: string,
  force: boolean,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  const loaded = await storeOf(config, definitions)
  if (loaded === undefined) return EXIT.error
  const { options, config: c } = loaded
  try {
    const { verification: v } = await restoreStore(options, resolve(file), {
      tenant: c.tenant,
      force,
      ...(c.audit.key === undefined ? {} : { auditKey: c.audit.key }),
    })
    if (!v.ok) {
      err(
        `Restored, but the audit log is BROKEN at event ${v.firstBadSeq} (of ${v.events}): ${v.problem}`,
      )
      err(
        'Do not provision from this store before finding out why; restore an older backup if it is intact.',
      )
      return EXIT.error
    }
    out(
      `Restored from ${file}. Audit log intact: ${v.events} events, head ${v.head}${v.keyed ? '' : ' (unkeyed)'}`,
    )
    return EXIT.ok
  } catch (e) {
    err(`The restore failed: ${messageOf(e)}`)
    return EXIT.error
  }
}

async function storeOf(
  configPath: string,
  definitions: readonly ConnectorDefinition[],
): Promise<{ options: StoreOptions; config: KoppelConfig } | undefined> {
  const r = await loadConfig(resolve(configPath), definitions, { env: process.env })
  if (!r.ok) {
    for (const e of r.errors) err(formatConfigError(e))
    return undefined
  }
  const { config, baseDir } = r
  const options: StoreOptions =
    config.store.kind === 'sqlite'
      ? {
          kind: 'sqlite',
          path: isAbsolute(config.store.path)
            ? config.store.path
            : resolve(baseDir, config.store.path),
        }
      : { kind: 'postgres', url: config.store.url }
  return { options, config }
}
