// The shared target conformance suite against the Entra ID connector and the Microsoft Graph simulator, once with
// calls coalesced into $batch requests (the default) and once with every call on its own.
import { runTargetConformance } from '../../../test/conformance/target-conformance.ts'
import { startEntraSim } from '@koppel/sim/entra'
import { entraTarget, userSpec } from './entra-fixture.ts'

for (const batchSize of [20, 1]) {
  runTargetConformance({
    name: `entra-id (batchSize ${batchSize})`,
    async setup({ pageSize }) {
      const sim = await startEntraSim({ domains: ['school.test'] })
      return {
        // with batches the archive renames the group (archivePrefix); without, it is the ledger's only
        connector: entraTarget(sim, {
          pageSize,
          batchSize,
          ...(batchSize > 1 ? { groups: { archivePrefix: '[archived] ' } } : {}),
        }),
        makeAttributes: (i, o) => userSpec(i, o),
        updatableField: 'department',
        removableField: 'jobTitle',
        nameField: 'displayName',
        permission: (i) => ({
          type: 'group',
          id: sim.addGroup(`groep ${i}`, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
        }),
        renamed: (i) => ({ userPrincipalName: `r${i}@school.test`, mailNickname: `r${i}` }),
        invalidAttributes: (i) => {
          const { attributes, anchor } = userSpec(i)
          const { displayName: _d, ...rest } = attributes // displayName is required on create
          return { attributes: rest, anchor }
        },
        teardown: () => sim.close(),
      }
    },
  })
}
