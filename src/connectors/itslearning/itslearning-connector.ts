// itslearning: one folder, two target definitions that share the conventions (itslearning-conventions.ts) —
// `itslearning-ims-file` (IMS Enterprise 1.1 XML over SFTP) and `itslearning-ims-es` (IMS Enterprise Services).
import type { TargetDefinition } from '../../contract/index.ts'
import { imsEsOptionsSchema } from './ims-es-options.ts'
import { ImsEsTarget } from './ims-es-target.ts'
import { imsFileOptionsSchema } from './ims-file-options.ts'
import { ImsFileTarget } from './ims-file-target.ts'

export const itslearningImsFileConnector: TargetDefinition<typeof imsFileOptionsSchema> = {
  role: 'target',
  type: 'itslearning-ims-file',
  description:
    'itslearning by IMS Enterprise 1.1 XML file: actions kept in a local state, the whole population delivered as one file over SFTP (atomic rename), with a deletion/change limit before upload',
  schema: imsFileOptionsSchema,
  create(name, options, context) {
    return new ImsFileTarget(name, options, context)
  },
}

export const itslearningImsEsConnector: TargetDefinition<typeof imsEsOptionsSchema> = {
  role: 'target',
  type: 'itslearning-ims-es',
  description:
    'itslearning by IMS Enterprise Services (SOAP): persons (delete to the trash can), schools/courses/course groups created on demand, memberships; concurrent creates sent as bulk calls with per-item status',
  schema: imsEsOptionsSchema,
  create(name, options, context) {
    return new ImsEsTarget(name, options, context)
  },
}
