// A separate process that takes the apply lease and holds it until killed: what a running `koppel apply`
// looks like to another one. Usage: node test/support/lease-holder.ts '<store options JSON>' [tenant]
// Prints `held <holder>` (or `refused`) on stdout.
import { acquireApplyLease } from '../../src/engine/apply-lease.ts'
import { openStore, type StoreOptions } from '../../src/store/index.ts'

const options = JSON.parse(process.argv[2] ?? '') as StoreOptions
const store = await openStore(options, { tenant: process.argv[3] ?? 'default' })
const lease = await acquireApplyLease(store)
process.stdout.write(lease === undefined ? 'refused\n' : `held ${lease.holder}\n`)
if (lease === undefined) await store.close()
else setInterval(() => {}, 60_000)
