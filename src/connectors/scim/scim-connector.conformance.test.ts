// The shared target conformance suite against the scimmy-based SCIM simulator, in each feature configuration:
// everything on, no PATCH (PUT fallback), no Bulk, no ETag.
import { runTargetConformance } from '../../../test/conformance/target-conformance.ts'
import { startScimSim, type ScimSimOptions } from '@koppel/sim/scim'
import { scimConformanceFixture } from './scim-test-fixture.ts'

const configurations: Array<[string, ScimSimOptions]> = [
  ['all features', {}],
  ['no PATCH', { patch: false }],
  ['no Bulk', { bulk: false }],
  ['no ETag', { etag: false }],
]

for (const [label, features] of configurations) {
  runTargetConformance({
    name: `scim (${label})`,
    async setup({ pageSize }) {
      const sim = await startScimSim({ ...features, token: 'conformance-token' })
      return scimConformanceFixture(sim.url, 'conformance-token', pageSize, () => sim.close())
    },
  })
}
