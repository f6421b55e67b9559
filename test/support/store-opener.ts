// A separate process that opens the store (running its migrations) and closes it: one of several Koppel
// processes starting at once against one database. Usage: node test/support/store-opener.ts '<store options JSON>'
// Prints `opened` on stdout; a failure ends the process with the error on stderr.
import { openStore, type StoreOptions } from '../../src/store/index.ts'

const options = JSON.parse(process.argv[2] ?? '') as StoreOptions
const store = await openStore(options)
await store.close()
process.stdout.write('opened\n')
