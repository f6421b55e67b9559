/**
 * A problem found in input, shaped so that a message can name the record and the field.
 * `path` is the record's identity followed by the field: e.g. ["users.csv", 14, "givenName"].
 */
export interface Issue {
  readonly severity: 'error' | 'warning'
  /** Short stable code, snake_case: `missing_field`, `bad_enum`, `bad_date`, `duplicate_id`, … */
  readonly code: string
  readonly message: string
  readonly source?: string
  readonly file?: string
  /** 1-based line in the file (header is line 1). */
  readonly line?: number
  readonly record?: string
  readonly field?: string
  readonly value?: string
}

export function formatIssue(i: Issue): string {
  const where = [
    i.source,
    i.file !== undefined ? (i.line !== undefined ? `${i.file}:${i.line}` : i.file) : undefined,
    i.record !== undefined ? `record ${i.record}` : undefined,
    i.field !== undefined ? `field ${i.field}` : undefined,
  ].filter((s) => s !== undefined)
  return `${i.severity}: ${where.length > 0 ? `${where.join(', ')}: ` : ''}${i.message}`
}
