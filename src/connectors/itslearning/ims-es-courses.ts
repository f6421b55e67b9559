// Provisioned courses (provisionGroups:) in itslearning's hierarchy: school → school year → course → course
// group, as the membership convention builds it (itslearning-conventions.ts). A course sits below the school
// year its set names (`attributes: { school, schoolYear }`); a course group below the provisioned course its
// set names as `parent`. Sync keys get a `koppel:` prefix, so they never meet the convention's path keys.
import { ConnectorError, type GroupRequest } from '../../contract/index.ts'
import { MAX_SYNC_KEY, single, syncKeyFor, type GroupRef } from './itslearning-conventions.ts'

export function provisionedChain(request: GroupRequest): GroupRef[] {
  const title = request.title.trim()
  if (title === '' || title.length > MAX_SYNC_KEY) {
    throw new ConnectorError(
      'invalid',
      `group ${request.key}: itslearning needs a title of 1 to ${MAX_SYNC_KEY} characters, got ${JSON.stringify(request.title)}`,
    )
  }
  const syncKey = syncKeyFor(`koppel:${request.key}`)
  if (request.parent !== undefined)
    return [{ kind: 'CourseGroup', syncKey, parent: request.parent.id, title }]
  const school = single(request.attributes['school'])
  const year = single(request.attributes['schoolYear'])
  if (school === undefined || year === undefined) {
    throw new ConnectorError(
      'invalid',
      `group ${request.key}: a course needs the school and school year it belongs to; give its group set attributes: { school: …, schoolYear: … }`,
    )
  }
  // the same keys a membership grant `<school>/<year>/…` upserts, so both kinds of course share the hierarchy
  const schoolKey = syncKeyFor(encode(school))
  const yearKey = syncKeyFor(`${encode(school)}/${encode(year)}`)
  return [
    { kind: 'School', syncKey: schoolKey, title: school.slice(0, MAX_SYNC_KEY) },
    { kind: 'SchoolYear', syncKey: yearKey, parent: schoolKey, title: year.slice(0, MAX_SYNC_KEY) },
    {
      kind: 'Course',
      syncKey,
      parent: yearKey,
      title,
      code: single(request.attributes['code']) ?? title,
    },
  ]
}

// as the membership convention escapes a segment
const encode = (s: string) => s.replace(/%/g, '%25').replace(/\//g, '%2F').replace(/#/g, '%23')
