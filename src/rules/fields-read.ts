/**
 * Which person and contract fields a configuration reads, from the paths its expressions read
 * (expression-reads.ts) plus the fields the engine itself reads. A source uses the answer to tell a required
 * field nobody reads (a warning) from one that matters (an error). Conservative: a whole-object read
 * (`fullName(person)`), a read through an iteration variable (`contracts.exists(c, c.role == …)`) or any root it
 * does not know counts as reading every field.
 */
export type FieldPath = readonly string[]

/** Roots whose reads are understood; any other identifier is a macro variable or similar: everything is read. */
const KNOWN_ROOTS = new Set(['person', 'contract', 'today', 'account'])

/** `isRead('person.username')`: whether any of the paths reads that field, one above it, or one below it. */
export function fieldsRead(paths: readonly FieldPath[]): (field: string) => boolean {
  if (paths.some((p) => !KNOWN_ROOTS.has(p[0] ?? '') || (p[0] === 'person' && p.length === 1)))
    return () => true
  const read = paths.filter((p) => p[0] === 'person' || p[0] === 'contract').map((p) => p.join('.'))
  return (field) =>
    read.some((r) => r === field || field.startsWith(`${r}.`) || r.startsWith(`${field}.`))
}
