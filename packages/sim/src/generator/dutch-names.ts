// Draws Dutch names: given names by sex and generation, family names with prefixes (a real top list plus a
// composed long tail), staff name usage conventions with partner names. Pure functions over a seeded Rng.
import { weightedTable } from './prng.ts'
import type { Rng, WeightedTable } from './prng.ts'
import type { NameConvention, PersonName, Sex } from './board-model.ts'
import {
  adultMen,
  adultWomen,
  familyNames,
  pupilBoys,
  pupilGirls,
  tailEndings,
  tailPrefixes,
  tailShare,
  tailStems,
} from './name-data.ts'

export interface FamilyName {
  readonly prefix: string
  readonly name: string
}

const givenTables = {
  pupil: { male: weightedTable(pupilBoys), female: weightedTable(pupilGirls) },
  adult: { male: weightedTable(adultMen), female: weightedTable(adultWomen) },
} as const

const topFamilies: WeightedTable<FamilyName> = weightedTable(
  familyNames.map(([prefix, name, w]) => [{ prefix, name }, w] as const),
)
const tailPrefixTable = weightedTable(tailPrefixes)

// Stems and endings that would read badly glued together ("Bergberg") are skipped by choosing again.
function tailName(rng: Rng): FamilyName {
  for (;;) {
    const stem = rng.pick(tailStems)
    const ending = rng.pick(tailEndings)
    if (stem.toLowerCase().endsWith(ending) || ending.startsWith(stem.toLowerCase())) continue
    const prefix = rng.weighted(tailPrefixTable)
    // Single-word prefixes fit place-like names; "van der Hoogman" would not.
    if (
      prefix !== '' &&
      ![
        'veld',
        'kamp',
        'berg',
        'hof',
        'veen',
        'broek',
        'horst',
        'beek',
        'wijk',
        'dijk',
        'land',
      ].includes(ending)
    )
      return { prefix: '', name: stem + ending }
    return { prefix, name: stem + ending }
  }
}

export function drawFamilyName(rng: Rng): FamilyName {
  return rng.chance(tailShare) ? tailName(rng) : rng.weighted(topFamilies)
}

export function drawGivenName(rng: Rng, sex: Sex, generation: 'pupil' | 'adult'): string {
  const tables = givenTables[generation]
  const table =
    sex === 'unspecified' ? (rng.chance(0.5) ? tables.male : tables.female) : tables[sex]
  return rng.weighted(table)
}

export function drawSex(rng: Rng): Sex {
  const x = rng.next()
  return x < 0.495 ? 'male' : x < 0.99 ? 'female' : 'unspecified'
}

export function personName(given: string, family: FamilyName): PersonName {
  return { givenName: given, familyName: family.name, familyNamePrefix: family.prefix }
}

/** The family name as displayed with its prefix: "van den Berg". */
export function displayFamilyName(name: {
  readonly familyName: string
  readonly familyNamePrefix: string
}): string {
  return name.familyNamePrefix ? `${name.familyNamePrefix} ${name.familyName}` : name.familyName
}

export interface StaffNameUsage {
  readonly nameConvention: NameConvention
  readonly partnerName: string
  readonly partnerNamePrefix: string
}

const conventions = weightedTable<NameConvention>([
  ['B', 62],
  ['BP', 14],
  ['P', 9],
  ['PB', 15],
])

/** Name usage: B needs no partner name but some have one on record; BP, P and PB always have one. */
export function drawStaffNameUsage(rng: Rng): StaffNameUsage {
  const nameConvention = rng.weighted(conventions)
  if (nameConvention === 'B' && !rng.chance(0.2))
    return { nameConvention, partnerName: '', partnerNamePrefix: '' }
  const partner = drawFamilyName(rng)
  return { nameConvention, partnerName: partner.name, partnerNamePrefix: partner.prefix }
}

/** Lower-case ASCII for e-mail local parts: strips diacritics, maps letters NFD cannot split, drops the rest. */
export function asciiSlug(text: string): string {
  return text
    .replace(/ø/g, 'o')
    .replace(/Ø/g, 'O')
    .replace(/ı/g, 'i')
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
}
