/**
 * Splits a Dutch family name as displayed ("van den Berg") into its prefix ("van den", the tussenvoegsel) and
 * the name proper ("Berg"). Knows the common prefixes of the Dutch civil registry's list, not all ~300; a name
 * whose start is not a known prefix is left whole. Does not apply name conventions (B/BP/P/PB): rules do that;
 * `applyDutchNames` only takes the convention over from the source. Shared by the OneRoster CSV and REST connectors.
 */
import type { NameConvention } from '../../model/index.ts'

const PREFIXES = [
  'van',
  'de',
  'der',
  'den',
  'het',
  "'t",
  'te',
  'ter',
  'ten',
  'van de',
  'van der',
  'van den',
  'van het',
  "van 't",
  'van ter',
  'van ten',
  'in de',
  'in den',
  'in der',
  'in het',
  "in 't",
  'op de',
  'op den',
  'op der',
  'op het',
  "op 't",
  'op ten',
  'uit de',
  'uit den',
  'uit het',
  "uit 't",
  'uijt de',
  'uijt den',
  'aan de',
  'aan den',
  'aan der',
  'aan het',
  "aan 't",
  'bij de',
  'bij den',
  "bij 't",
  'onder de',
  'onder den',
  'over de',
  'voor de',
  'voor den',
  "voor 't",
  'achter de',
  'boven de',
  'tot',
  'tot de',
  'tot den',
  'da',
  'dal',
  'das',
  'del',
  'della',
  'des',
  'di',
  'dos',
  'du',
  'la',
  'le',
  'les',
  'los',
  'von',
  'von der',
  'von dem',
  'vom',
  'zu',
  'zum',
  'zur',
]

const KNOWN = new Set(PREFIXES)
const MAX_WORDS = 4

export interface SplitName {
  readonly prefix?: string
  readonly name: string
}

/**
 * Takes the longest run of leading words that is a known prefix and leaves at least one word; letter case is
 * ignored for matching ("Van Dijk" at the start of a sentence) and kept in the result. `d'Ancona` splits as
 * prefix "d'" and name "Ancona".
 */
export function splitDutchName(displayed: string): SplitName {
  const words = displayed.trim().split(/\s+/)
  for (let n = Math.min(MAX_WORDS, words.length - 1); n >= 1; n--) {
    const candidate = words.slice(0, n).join(' ')
    if (KNOWN.has(candidate.toLowerCase()))
      return { prefix: candidate, name: words.slice(n).join(' ') }
  }
  const apostrophe = /^([dDlL]')(\p{L}.*)$/u.exec(words[0] ?? '')
  if (apostrophe !== null && apostrophe[1] !== undefined && apostrophe[2] !== undefined) {
    return { prefix: apostrophe[1], name: [apostrophe[2], ...words.slice(1)].join(' ') }
  }
  return { name: displayed.trim() }
}

/**
 * Removes a known prefix from the front of a displayed name: ("van den Berg", "van den") → "Berg". When the
 * name does not start with the prefix it is returned unchanged (the export already held the bare name).
 */
export function stripPrefix(displayed: string, prefix: string): string {
  const d = displayed.trim()
  const p = prefix.trim()
  if (p === '') return d
  if (d.length > p.length && d.slice(0, p.length).toLowerCase() === p.toLowerCase()) {
    const rest = d.slice(p.length)
    if (/^\s/.test(rest)) return rest.trim()
    if (p.endsWith("'")) return rest
  }
  return d
}

/**
 * A name and its prefix from a displayed name and, when the source has a prefix field (OneRoster
 * `metadata.nl.familyNamePrefix` / `nl.partnerNamePrefix`), that field (undefined: no such field). Without the
 * field the displayed name is split when `split` is set.
 */
export function nameWithPrefix(
  displayed: string,
  prefix: string | undefined,
  split: boolean,
): SplitName {
  if (prefix !== undefined)
    return prefix === ''
      ? { name: displayed.trim() }
      : { name: stripPrefix(displayed, prefix), prefix: prefix.trim() }
  return split ? splitDutchName(displayed) : { name: displayed.trim() }
}

const NAME_CONVENTIONS = new Set(['B', 'BP', 'P', 'PB'])

/** The person fields set by `applyDutchNames`. */
export interface DutchNamedPerson {
  familyName: string
  familyNamePrefix?: string
  partnerName?: string
  partnerNamePrefix?: string
  nameConvention?: NameConvention
}

/**
 * Sets the family and partner names (with prefixes) and the name convention from the OneRoster Dutch `nl.*`
 * metadata: a prefix argument is undefined when the source has no such field, `partnerName` and
 * `nameConvention` are '' when absent. Returns the convention when it is not one of B, BP, P, PB (the caller
 * reports it against its own field), else undefined.
 */
export function applyDutchNames(
  p: DutchNamedPerson,
  familyName: string,
  familyNamePrefix: string | undefined,
  partnerName: string,
  partnerNamePrefix: string | undefined,
  nameConvention: string,
  split: boolean,
): string | undefined {
  const family = nameWithPrefix(familyName, familyNamePrefix, split)
  p.familyName = family.name
  if (family.prefix) p.familyNamePrefix = family.prefix
  if (partnerName !== '') {
    const pp = nameWithPrefix(partnerName, partnerNamePrefix, split)
    p.partnerName = pp.name
    if (pp.prefix) p.partnerNamePrefix = pp.prefix
  }
  if (NAME_CONVENTIONS.has(nameConvention)) p.nameConvention = nameConvention as NameConvention
  else if (nameConvention !== '') return nameConvention
  return undefined
}
