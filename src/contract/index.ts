export * from './connector-error.ts'
export type * from './source-connector.ts'
export type * from './target-connector.ts'
export type * from './connector-definition.ts'
