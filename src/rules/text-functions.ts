/**
 * String helpers for mappings: diacritics to ASCII, username slugs, first letters, initials.
 * Pure functions over JS strings; the CEL wrappers live in cel-library.ts. Does not know about persons.
 */
import { createRequire } from 'node:module'
import type { transliterate as Transliterate } from 'transliteration'

// required on first use: the package builds its tables at load (~0.1 s of CPU at every start of the CLI, issue
// 17 P2), and only names beyond Latin need it
let transliterateOnce: typeof Transliterate | undefined
const transliterate = (text: string, options: Parameters<typeof Transliterate>[1]): string => {
  transliterateOnce ??= (
    createRequire(import.meta.url)('transliteration') as { transliterate: typeof Transliterate }
  ).transliterate
  return transliterateOnce(text, options)
}

// Letters NFKD leaves alone because Unicode treats them as letters of their own, not as letter + mark.
const ASCII_TABLE: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'Th',
  ı: 'i',
  ħ: 'h',
  Ħ: 'H',
  ŋ: 'n',
  Ŋ: 'N',
  ĸ: 'k',
  ŧ: 't',
  Ŧ: 'T',
  ə: 'e',
  Ə: 'E',
  ƒ: 'f',
  ʻ: "'",
  ʼ: "'",
  '‘': "'",
  '’': "'",
  '‚': "'",
  '´': "'",
  '`': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '–': '-',
  '—': '-',
  '‐': '-',
  '‑': '-',
  '·': '',
}

const MARKS = /\p{M}/gu
// eslint-disable-next-line no-control-regex
const NON_ASCII_ONE = /[^\u0000-\u007f]/
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007f]/g

/**
 * Diacritics and special Latin letters to ASCII ("Çiğdem Şahin" → "Cigdem Sahin", "Søren" → "Soren"); other
 * scripts transliterated by the `transliteration` package ("张伟" → "Zhang Wei", "Ελένη" → "Eleni", a Cyrillic
 * "А" in "Аnna" → "A"). The output is always ASCII: what has no Latin reading (emoji) is dropped.
 * "ij" (and the ligature ĳ) stays "ij".
 */
export function ascii(s: string): string {
  const decomposed = s.normalize('NFKD').replace(MARKS, '')
  let out = ''
  for (const ch of decomposed) out += ASCII_TABLE[ch] ?? ch
  if (!NON_ASCII_ONE.test(out)) return out
  return transliterate(out, { unknown: '' }).replace(NON_ASCII, '')
}

/**
 * A username-safe slug: ASCII, lower case, only a-z 0-9 and `.` `-` `_`. Spaces and apostrophes are removed
 * rather than turned into separators, so "van 't Hof" becomes "vanthof"; runs of separators collapse to
 * their first one and separators at either end are trimmed.
 */
export function slug(s: string): string {
  let out = slugs.get(s)
  if (out === undefined) {
    if (slugs.size >= MAX_SLUGS) slugs.clear()
    slugs.set(s, (out = slugOf(s)))
  }
  return out
}

// Usernames are mostly slugs of given and family names, which repeat across a board (a few thousand distinct
// among 100,000 persons): NFKD, the table and three regexes once per distinct name. Bounded: a mapping that
// slugs something unique per person (a full name) only ever holds the last MAX_SLUGS.
const slugs = new Map<string, string>()
const MAX_SLUGS = 50_000

function slugOf(s: string): string {
  return ascii(s)
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '')
    .replace(/([._-])[._-]+/g, '$1')
    .replace(/^[._-]+|[._-]+$/g, '')
}

/** The first n characters (code points, so a surrogate pair is never cut in half). */
export function left(s: string, n: number): string {
  if (n <= 0) return ''
  return Array.from(s).slice(0, n).join('')
}

/** The first n letters, skipping anything that is not a letter ("'t Hooft", 1 → "H"). */
export function prefixLetters(s: string, n: number): string {
  if (n <= 0) return ''
  return (s.match(/\p{L}/gu) ?? []).slice(0, n).join('')
}

/**
 * Initials of given names: "Jan Peter" → "J.P.", "Anne-Marie" → "A.M.". Dutch treats IJ as one letter, so
 * "IJsbrand" → "IJ.". Existing dots are tolerated ("J.P." → "J.P.").
 */
export function initialsOf(names: string): string {
  let out = ''
  for (const part of names.split(/[\s.\-‐]+/u)) {
    const letters = part.replace(/^[^\p{L}]+/u, '')
    if (letters === '') continue
    const first = /^ij/i.test(letters) ? 'IJ' : (Array.from(letters)[0] ?? '').toUpperCase()
    out += `${first}.`
  }
  return out
}

/** Replaces every occurrence of `from` (literally, not as a pattern). */
export function replaceAll(s: string, from: string, to: string): string {
  return from === '' ? s : s.split(from).join(to)
}
