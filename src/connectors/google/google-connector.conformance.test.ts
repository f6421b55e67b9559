// The shared target conformance suite against the Google Workspace Directory API simulator.
import { runTargetConformance } from '../../../test/conformance/target-conformance.ts'
import { googleConformanceFixture, makeServiceAccount } from './google-test-fixture.ts'
import { startGoogleSim } from '@koppel/sim/google'

runTargetConformance({
  name: 'google-workspace',
  async setup({ pageSize }) {
    const sa = makeServiceAccount()
    const sim = await startGoogleSim({ serviceAccount: sa })
    return googleConformanceFixture(sim, sa.keyJson, pageSize, () => sim.close())
  },
})
