// Shared protocol plumbing for connectors (HTTP, OAuth2, SOAP, XML). Connectors may import this; it imports
// only the contract, so it cannot couple connectors to each other or to the engine.
export * from './auth-provider.ts'
export * from './http-client.ts'
export * from './http-error.ts'
export * from './oauth2-client-credentials.ts'
export * from './oauth2-token.ts'
export * from './ordered-prefetch.ts'
export * from './read-retry.ts'
export * from './retry-after.ts'
export * from './soap.ts'
export * from './xml.ts'
