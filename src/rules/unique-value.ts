/**
 * Picks a value no other person holds: the candidates in order, then the first candidate iterated
 * ("j.jansen", "j.jansen2", "j.jansen3", …) with the base cut so that base + suffix fits in maxLength.
 * Claims the chosen value in the oracle. Deterministic for a given oracle state; the oracle decides what
 * "taken" means (case-insensitive, a person's own value is not taken).
 */

/** Who holds which values of a target's unique attributes. Comparisons must be case-insensitive (LDAP/AD are). */
export interface UniquenessOracle {
  /** True when another person than `person` holds `value`. */
  isTaken(attribute: string, value: string, person: string): boolean
  claim(attribute: string, value: string, person: string): void
}

export interface UniqueSettings {
  readonly attribute: string
  readonly person: string
  /** Template with `{value}` and `{n}`; n counts from 2. */
  readonly iterate: string
  readonly maxLength?: number
  readonly lowercase?: boolean
  /** Iterations tried before giving up. */
  readonly limit?: number
  /** A value must match this to be used (a username pattern); others are skipped, never claimed. */
  readonly pattern?: RegExp
}

export const DEFAULT_ITERATE = '{value}{n}'
/** The default for unique attributes: a letter first, at least two characters, no separator or space last
 *  (no `.`, `.van`, `2`, `eva.`). */
export const DEFAULT_UNIQUE_PATTERN = '^\\p{L}.*[^\\s._-]$'
export const DEFAULT_ITERATION_LIMIT = 1000

export type UniqueOutcome =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string }

/**
 * `candidates` yields the candidate values lazily, already lower-cased and cut, so that later candidates
 * (and their possible errors) are only computed when the earlier ones are taken.
 */
export function chooseUnique(
  candidates: Iterable<string>,
  s: UniqueSettings,
  oracle: UniquenessOracle,
): UniqueOutcome {
  let first: string | undefined
  const refused: string[] = []
  for (const c of candidates) {
    if (s.pattern !== undefined && !s.pattern.test(c)) {
      refused.push(JSON.stringify(c))
      continue
    }
    first ??= c
    if (!oracle.isTaken(s.attribute, c, s.person)) return claim(c, s, oracle)
  }
  if (first === undefined && refused.length > 0) {
    // a made-up name (".", ".2", "nna.jansen") is worse than none: the person is reported instead
    return {
      ok: false,
      error: `no candidate matches the pattern ${s.pattern?.source}: ${refused.join(', ')}`,
    }
  }
  if (first === undefined) return { ok: false, error: 'no candidate yielded a value' }
  const limit = s.limit ?? DEFAULT_ITERATION_LIMIT
  for (let n = 2; n < limit + 2; n++) {
    let v = iterationValue(s.iterate, first, n, s.maxLength)
    if (v === undefined)
      return {
        ok: false,
        error: `"${s.iterate}" with n=${n} does not fit in ${s.maxLength} characters`,
      }
    if (s.lowercase === true) v = v.toLowerCase()
    if (s.pattern !== undefined && !s.pattern.test(v)) continue
    if (!oracle.isTaken(s.attribute, v, s.person)) return claim(v, s, oracle)
  }
  return { ok: false, error: `no free value after ${limit} tries, from "${first}" on` }
}

function claim(value: string, s: UniqueSettings, oracle: UniquenessOracle): UniqueOutcome {
  oracle.claim(s.attribute, value, s.person)
  return { ok: true, value }
}

/** The template for one n, with the base cut as far as needed to fit; undefined if not even one character fits. */
export function iterationValue(
  template: string,
  base: string,
  n: number,
  maxLength?: number,
): string | undefined {
  const pieces = split(template)
  const ns = String(n)
  const parts = pieces.hasN ? pieces.parts.map((p) => p.split('{n}').join(ns)) : pieces.parts
  const slots = parts.length - 1
  if (maxLength === undefined || slots === 0) return parts.join(base)
  const fixed = pieces.hasN ? parts.reduce((sum, p) => sum + p.length, 0) : pieces.fixed
  const room = Math.floor((maxLength - fixed) / slots)
  if (room < 1) return undefined
  return parts.join(cut(base, room))
}

// Iteration runs up to a thousand times per value: split each template once.
const templates = new Map<string, { parts: string[]; hasN: boolean; fixed: number }>()
function split(template: string) {
  let t = templates.get(template)
  if (t === undefined) {
    const parts = template.split('{value}')
    t = { parts, hasN: template.includes('{n}'), fixed: parts.join('').length }
    templates.set(template, t)
  }
  return t
}

/** Cuts to at most `max` code points. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s
  return Array.from(s).slice(0, max).join('')
}
