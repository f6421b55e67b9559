/**
 * Refuses text that is syntax for a terminal or a protocol rather than data, at the one place every source read
 * passes (the engine's snapshot intake), so no connector can forget it. A value that holds one is an issue
 * naming source, record and field, and the read fails as a whole: a half-accepted snapshot would turn the
 * refused persons into leavers. Refused: C0 controls except TAB (NUL, ESC, line breaks), DEL and C1 (U+0080–
 * U+009F; U+009B is a one-byte escape sequence), the bidi overrides and isolates U+202A–U+202E and U+2066–U+2069
 * (they reorder what an admin reads), and unpaired surrogates (not Unicode; cannot be encoded as UTF-8).
 */
import type { Issue } from '../model/issue.ts'
import type { SourceSnapshot } from '../model/snapshot.ts'

const HOSTILE =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  /[\x00-\x08\x0A-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Stops reporting after this many: one broken export can have a bad value in every row. */
export const MAX_HOSTILE_ISSUES = 100

const NAMES: Record<number, string> = {
  0x00: 'NUL',
  0x0a: 'line feed',
  0x0d: 'carriage return',
  0x1b: 'ESC',
  0x7f: 'DEL',
  0x9b: 'CSI',
}

/** Why the text must not be used, or undefined when it is plain data. */
export function hostileCharacter(text: string): string | undefined {
  const m = HOSTILE.exec(text)
  if (m === null) return undefined
  const code = m[0].charCodeAt(0)
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  const what =
    code >= 0xd800 && code <= 0xdfff
      ? 'an unpaired surrogate'
      : code >= 0x202a
        ? 'a bidirectional control'
        : 'a control character'
  const name = NAMES[code] !== undefined ? ` (${NAMES[code]})` : ''
  return `${what} ${hex}${name} at position ${m.index + 1}`
}

const HOSTILE_ALL = new RegExp(HOSTILE.source, 'g')

/** The text with every refused character written as `\u{…}`, so an issue can name a record whose key holds one. */
export function visible(text: string): string {
  return text.replace(HOSTILE_ALL, (c) => `\\u{${c.charCodeAt(0).toString(16).toUpperCase()}}`)
}

/**
 * Whether the JSON text of a record may hold a refused character. JSON.stringify writes every C0 control (TAB
 * included) as an escape (`\n`, `\u001b`) and every unpaired surrogate as `\udXXX`, and the others as they are;
 * so text with neither a backslash escape nor one of the others holds none. A false alarm (TAB, a backslash
 * before an `n` in the data) only means the record is checked field by field. A key whose value is undefined is
 * not in the JSON text: it is dropped wherever the record goes (the stored snapshot, the CEL view), so it
 * reaches nothing.
 */
export function mayHoldRefused(json: string): boolean {
  return SUSPECT_IN_JSON.test(json)
}

const SUSPECT_IN_JSON = /\\[bfnrtu]|[\x7F-\x9F\u202A-\u202E\u2066-\u2069]/

/**
 * Every string in the snapshot's persons and groups, keys included; at most MAX_HOSTILE_ISSUES issues. With
 * `suspects` (the records whose JSON text mayHoldRefused, found while hashing the snapshot), only those persons
 * and groups are walked: the others hold no refused character, so the issues are the same.
 */
export function hostileTextIssues(
  snapshot: SourceSnapshot,
  suspects?: ReadonlySet<object>,
): Issue[] {
  const issues: Issue[] = []
  const check = (record: string, value: unknown, field: string): void => {
    if (issues.length >= MAX_HOSTILE_ISSUES) return
    if (typeof value === 'string') {
      const why = hostileCharacter(value)
      if (why !== undefined) {
        issues.push({
          severity: 'error',
          code: 'control_character',
          message: `${visible(field)} holds ${why}; fix it in the source (values are refused, not cleaned)`,
          source: snapshot.source,
          record: visible(record),
          field: visible(field),
        })
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => check(record, v, `${field}[${i}]`))
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const at = field === '' ? k : `${field}.${k}`
        check(record, k, `${at} (the key)`)
        check(record, v, at)
      }
    }
  }
  // most records are clean: they are walked without building a field path per value, and only a record that
  // holds a refused character is walked again to name the fields
  const walk = (record: object) => suspects === undefined || suspects.has(record)
  for (const p of snapshot.persons) if (walk(p) && !isClean(p)) check(p.key, p, '')
  for (const g of snapshot.groups) if (walk(g) && !isClean(g)) check(`group ${g.key}`, g, '')
  for (const key of snapshot.removed) if (!isClean(key)) check(key, key, 'key')
  return issues
}

/** Whether no string in `value` (object keys included) holds a refused character. */
function isClean(value: unknown): boolean {
  if (typeof value === 'string') return !HOSTILE.test(value)
  if (Array.isArray(value)) {
    for (const v of value) if (!isClean(v)) return false
    return true
  }
  if (value !== null && typeof value === 'object') {
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue
      if (HOSTILE.test(k) || !isClean((value as Record<string, unknown>)[k])) return false
    }
  }
  return true
}

/**
 * A source's own issue with every refused character made visible: a bad value is quoted in the issue, and the
 * issue goes to a terminal, a mail and the audit log before any value check could run.
 */
export function visibleIssue(issue: Issue): Issue {
  const out: Record<string, unknown> = { ...issue }
  for (const k of ['message', 'record', 'field', 'value', 'file'] as const) {
    const v = issue[k]
    if (typeof v === 'string' && hostileCharacter(v) !== undefined) out[k] = visible(v)
  }
  return out as unknown as Issue
}
