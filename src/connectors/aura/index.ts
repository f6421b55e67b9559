// Public surface of the Aura Online target connector.
export { auraConnector, createAuraTarget, AuraTarget, kindForCodeMinor } from './aura-connector.ts'
export { auraOptionsSchema, type AuraOptions } from './aura-options.ts'
export { challengeResponse } from './aura-client.ts'
