/**
 * Checks a OneRoster CSV header row: the spec's columns, case-sensitive and in order, then only `metadata.…`
 * extension columns. Decides whether the rows can still be read by position (a misspelt column name can; a
 * missing or shifted column cannot, every value would land in the wrong field).
 */
import type { IssueCollector } from '../../contract/issue-collector.ts'
import { shown } from '../../contract/issue-collector.ts'
import type { ColumnSpec } from './oneroster-csv-spec.ts'
import { EXTENSION_PREFIX } from './oneroster-csv-spec.ts'

export interface HeaderCheck {
  /** Whether rows can be checked by the spec's column positions. */
  readonly usable: boolean
}

export function checkHeader(
  names: readonly string[],
  columns: readonly ColumnSpec[],
  otherVersion: readonly ColumnSpec[] | undefined,
  file: string,
  issues: IssueCollector,
): HeaderCheck {
  if (otherVersion !== undefined && sameNames(names, otherVersion) && !sameNames(names, columns)) {
    issues.error({
      code: 'wrong_version',
      file,
      line: 1,
      message: `${file} has the columns of the other OneRoster version than manifest.csv declares (oneroster.version)`,
    })
    return { usable: false }
  }
  const expected = new Set(columns.map((c) => c.name))
  let shifted = false
  for (let i = 0; i < columns.length; i++) {
    const want = (columns[i] as ColumnSpec).name
    const got = names[i]
    if (got === undefined) {
      issues.error({
        code: 'missing_column',
        file,
        line: 1,
        field: want,
        message: `column ${i + 1} must be ${want}, but the header ends before it`,
      })
      shifted = true
      continue
    }
    if (got === want) continue
    // a spec name in the wrong place means columns moved: reading by position would misfile every value
    if (expected.has(got)) shifted = true
    const near = got.toLowerCase() === want.toLowerCase() ? ' (headers are case-sensitive)' : ''
    issues.error({
      code: 'bad_header',
      file,
      line: 1,
      field: want,
      value: shown(got),
      message: `column ${i + 1} must be named ${want}, found ${JSON.stringify(shown(got))}${near}`,
    })
  }
  for (let i = columns.length; i < names.length; i++) {
    const got = names[i] ?? ''
    if (got.startsWith(EXTENSION_PREFIX) && got.length > EXTENSION_PREFIX.length) continue
    if (expected.has(got)) shifted = true
    issues.error({
      code: 'bad_header',
      file,
      line: 1,
      field: got,
      value: shown(got),
      message: `extra column ${i + 1} ${JSON.stringify(shown(got))}: columns after the spec's must be extensions named metadata.<name>`,
    })
  }
  return { usable: !shifted }
}

function sameNames(names: readonly string[], columns: readonly ColumnSpec[]): boolean {
  return columns.every((c, i) => names[i] === c.name)
}
