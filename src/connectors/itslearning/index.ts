// Public surface of the two itslearning target connectors (IMS Enterprise file and IMS Enterprise Services).
export { itslearningImsFileConnector, itslearningImsEsConnector } from './itslearning-connector.ts'
export { ImsFileTarget } from './ims-file-target.ts'
export { ImsEsTarget } from './ims-es-target.ts'
export { imsEsOptionsSchema, type ImsEsOptions } from './ims-es-options.ts'
export { imsFileOptionsSchema, type ImsFileOptions } from './ims-file-options.ts'
export {
  formatMembership,
  parseMembership,
  syncKeyFor,
  MAX_SYNC_KEY,
} from './itslearning-conventions.ts'
export { readImsXml, type ParsedIms } from './ims-file-xml.ts'
