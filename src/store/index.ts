// Public surface of the store: the contract and the factory. Implementation classes stay inside.
export { openStore, type OpenStoreOptions, type StoreOptions } from './open-store.ts'
export type * from './store.ts'
export type { AccessStore, Grant, GrantKind, Role, TenantRole, UserRecord } from './access-store.ts'
export {
  acquirePool,
  applicationName,
  nameConnections,
  openPools,
  type SharedPool,
} from './shared-pools.ts'
