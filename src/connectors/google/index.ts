// Public surface of the Google Workspace target connector.
export { googleConnector, createGoogleTarget } from './google-connector.ts'
export { GoogleTarget, googleErrorDetail, queryValue, GOOGLE_ATTRIBUTES } from './google-target.ts'
export { googleOptionsSchema, DEFAULT_SCOPES, type GoogleOptions } from './google-options.ts'
export {
  parseServiceAccountKey,
  serviceAccountAuth,
  type ServiceAccountKey,
} from './google-auth.ts'
