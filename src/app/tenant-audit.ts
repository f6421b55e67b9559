/**
 * The audit log of another tenant of the same store, for the commands that act on one by `--tenant` (`koppel user
 * grant/revoke`): what happened to tenant T belongs in T's chain, where T's admins and `koppel audit verify` look.
 * The chain's HMAC key is per config; an event appended under a key T's chain does not use would break it, so
 * T's newest event is checked against this config's key first and a mismatch is refused before anything changes.
 */
import { dirname, isAbsolute, resolve } from 'node:path'
import { auditHash } from '../store/audit-chain.ts'
import { openStore, type AuditEventInput, type Store } from '../store/index.ts'
import type { LoadedEngine } from './load-engine.ts'

export class TenantAuditError extends Error {}

export interface TenantAudit {
  append(events: readonly AuditEventInput[]): Promise<void>
  close(): Promise<void>
}

/** The audit log of `tenant`: the engine's own store for the config's tenant, else that tenant's, opened here. */
export async function openTenantAudit(loaded: LoadedEngine, tenant: string): Promise<TenantAudit> {
  const own = loaded.engine.store
  if (tenant === own.tenant)
    return { append: async (events) => void (await own.appendAudit(events)), close: async () => {} }
  const { config } = loaded
  const key = config.audit.key
  const store = await openStore(
    config.store.kind === 'sqlite'
      ? { kind: 'sqlite', path: sqlitePath(loaded.configPath, config.store.path) }
      : {
          kind: 'postgres',
          url: config.store.url,
          ...(config.store.pool === undefined ? {} : { poolMax: config.store.pool.max }),
        },
    { tenant, ...(key === undefined ? {} : { auditKey: key }), now: loaded.engine.now },
  )
  try {
    await checkKey(store, key, loaded.configPath)
  } catch (e) {
    await store.close()
    throw e
  }
  return {
    append: async (events) => void (await store.appendAudit(events)),
    close: () => store.close(),
  }
}

/** The newest event must be linked under this config's key (or without one: a chain not yet keyed). */
async function checkKey(store: Store, key: string | undefined, configPath: string): Promise<void> {
  const newest = (await store.listAudit({ limit: 1 }))[0]
  if (newest === undefined) return
  const { prevHash, hash, ...fields } = newest
  if (hash === auditHash(prevHash, fields, key) || hash === auditHash(prevHash, fields)) return
  throw new TenantAuditError(
    `tenant ${store.tenant}: its audit log is kept under another audit key than ${configPath}'s audit.key; run this with ${store.tenant}'s own config (--config), so the event goes into its audit log`,
  )
}

function sqlitePath(configPath: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dirname(resolve(configPath)), path)
}
