// Turns placement slots into pupils grouped in households: siblings share a family name (mostly) and their
// guardians. Only some households have guardians in the export, so that guardians make up the board's
// guardian share exactly. Also draws pupils' birth dates from their grade.
import type { Rng } from './prng.ts'
import type { SchoolYear, Sex, SimGuardian, SimPupil } from './board-model.ts'
import { asciiSlug, drawFamilyName, drawGivenName, drawSex } from './dutch-names.ts'
import type { FamilyName } from './dutch-names.ts'
import { addDays } from './school-dates.ts'
import type { Slot } from './school-structure.ts'

/** Birth date fitting the grade: grade 1 starts at about 12; some pupils are a year older or younger. */
export function pupilBirthDate(rng: Rng, year: SchoolYear, grade: number): string {
  const startYear = year.endYear - 1
  const shift = rng.chance(0.12) ? 1 : rng.chance(0.03) ? -1 : 0
  const from = `${startYear - 13 - (grade - 1) - shift}-10-01`
  return addDays(from, rng.int(365))
}

export function newPupil(
  rng: Rng,
  slot: Slot,
  number: number,
  family: FamilyName,
  year: SchoolYear,
): SimPupil {
  const sex = drawSex(rng)
  return {
    kind: 'pupil',
    id: rng.uuid(),
    number: String(number),
    sex,
    birthDate: pupilBirthDate(rng, year, slot.grade),
    givenName: drawGivenName(rng, sex, 'pupil'),
    familyName: family.name,
    familyNamePrefix: family.prefix,
    locationId: slot.locationId,
    level: slot.level,
    grade: slot.grade,
    stamgroepId: slot.stamgroepId,
    subjects: slot.subjects,
    profile: slot.profile,
    guardianIds: [],
  }
}

export function newGuardian(
  rng: Rng,
  sex: Sex,
  family: FamilyName,
  childIds: readonly string[],
): SimGuardian {
  const givenName = drawGivenName(rng, sex, 'adult')
  const local = `${asciiSlug(givenName)}.${asciiSlug(family.prefix + family.name)}${rng.between(1, 99)}`
  return {
    kind: 'guardian',
    id: rng.uuid(),
    sex,
    givenName,
    familyName: family.name,
    familyNamePrefix: family.prefix,
    email: `${local}@${rng.pick(['example.com', 'example.net', 'example.org'])}`,
    childIds,
  }
}

function householdSize(rng: Rng): number {
  const x = rng.next()
  return x < 0.72 ? 1 : x < 0.95 ? 2 : 3
}

/** Guardians for one household: a first one who usually carries the family name, sometimes a partner. */
export function guardiansFor(
  rng: Rng,
  family: FamilyName,
  childIds: readonly string[],
  count: number,
): SimGuardian[] {
  const firstSex: Sex = rng.chance(0.55) ? 'female' : 'male'
  const out = [newGuardian(rng, firstSex, rng.chance(0.6) ? family : drawFamilyName(rng), childIds)]
  if (count > 1) {
    const other: Sex = rng.chance(0.9) ? (firstSex === 'female' ? 'male' : 'female') : firstSex
    out.push(newGuardian(rng, other, rng.chance(0.35) ? family : drawFamilyName(rng), childIds))
  }
  return out
}

export function buildHouseholds(
  rng: Rng,
  slots: readonly Slot[],
  firstNumber: number,
  guardianCount: number,
  year: SchoolYear,
): { pupils: SimPupil[]; guardians: SimGuardian[] } {
  const order = rng.shuffled(slots.map((_, i) => i))
  const pupils: SimPupil[] = new Array(slots.length)
  const households: { family: FamilyName; members: number[] }[] = []
  for (let i = 0; i < order.length;) {
    const family = drawFamilyName(rng)
    const members = order.slice(i, i + householdSize(rng))
    i += members.length
    households.push({ family, members })
    for (const m of members) {
      // A child now and then carries another family name than its siblings (a parent's other name).
      const own = rng.chance(0.07) ? drawFamilyName(rng) : family
      pupils[m] = newPupil(rng, slots[m] as Slot, firstNumber + m, own, year)
    }
  }
  const guardians: SimGuardian[] = []
  let left = guardianCount
  for (const h of rng.shuffled(households)) {
    if (left <= 0) break
    const childIds = h.members.map((m) => (pupils[m] as SimPupil).id)
    const made = guardiansFor(rng, h.family, childIds, Math.min(left, rng.chance(0.55) ? 2 : 1))
    left -= made.length
    guardians.push(...made)
    const ids = made.map((g) => g.id)
    for (const m of h.members) pupils[m] = { ...(pupils[m] as SimPupil), guardianIds: ids }
  }
  return { pupils, guardians }
}
