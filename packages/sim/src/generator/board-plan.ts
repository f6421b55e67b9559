// Plans a board before any person exists: board name and domain, schools with BRIN codes, locations and
// levels, and how many pupils, staff and guardians each school gets. Small and cheap even for a million
// persons; the heavy per-person work happens school by school in school-chunk.ts.
import { Rng } from './prng.ts'
import { schoolTypes } from './curriculum.ts'
import type { SchoolType } from './curriculum.ts'
import type { Level, SimLocation, SimSchool } from './board-model.ts'
import { asciiSlug } from './dutch-names.ts'

/** Share of persons per kind; guardians are the remainder. Documented in README.md. */
export const PUPIL_SHARE = 0.8
export const STAFF_SHARE = 0.08
/** Below this many persons per school the structure (classes, teachers) stops making sense. */
export const MIN_PERSONS_PER_SCHOOL = 50
const PUPILS_PER_SCHOOL = 1000

const regions = [
  'Rijnland',
  'Amstelland',
  'Twente',
  'Drechtsteden',
  'Kennemerland',
  'Gooi en Vecht',
  'Westfriesland',
  'Achterhoek',
  'Peel en Maas',
  'Zeeuws-Vlaanderen',
  'Hart van Brabant',
  'Noordoost-Friesland',
]
const denominations = ['Openbaar', 'Christelijk', 'Katholiek', 'Interconfessioneel']
const cities = [
  'Leiden',
  'Alphen aan den Rijn',
  'Amstelveen',
  'Enschede',
  'Hengelo',
  'Dordrecht',
  'Zwijndrecht',
  'Haarlem',
  'Heemstede',
  'Hilversum',
  'Bussum',
  'Hoorn',
  'Enkhuizen',
  'Doetinchem',
  'Winterswijk',
  'Venlo',
  'Venray',
  'Terneuzen',
  'Hulst',
  'Tilburg',
  'Waalwijk',
  'Dokkum',
  'Leeuwarden',
  'Katwijk',
  'Almelo',
  "'s-Hertogenbosch",
  'Den Helder',
  'Gouda',
  'Zoetermeer',
  'Utrecht',
  'Zeist',
  'Amersfoort',
  'Zwolle',
  'Deventer',
  'Apeldoorn',
]
const eponyms = [
  'Erasmus',
  'Spinoza',
  'Huygens',
  'Comenius',
  'Da Vinci',
  'Montessori',
  'Rembrandt',
  'Vermeer',
  'Escher',
  'Grotius',
  'Thorbecke',
  'Coornhert',
  'Vondel',
  'Maerlant',
  'Stanislas',
  'Dalton',
  'Bonaventura',
  'Sint-Jans',
  'Van der Capellen',
  "'t Hooghe Landt",
  'De Breul',
  'Het Baken',
  'Wolfert',
  'Oranje Nassau',
  'Fioretti',
]

/** Splits `total` over `weights` exactly (largest remainder), deterministic on ties. */
export function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  if (weights.length === 0 || sum <= 0) return weights.map(() => 0)
  const exact = weights.map((w) => (total * w) / sum)
  const out = exact.map(Math.floor)
  let rest = total - out.reduce((a, b) => a + b, 0)
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (const [, i] of order) {
    if (rest-- <= 0) break
    out[i] = (out[i] as number) + 1
  }
  return out
}

function uniqueBrin(rng: Rng, used: Set<string>): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
  for (;;) {
    const brin = `${rng.int(10)}${rng.int(10)}${letters[rng.int(26)]}${letters[rng.int(26)]}`
    if (!used.has(brin)) {
      used.add(brin)
      return brin
    }
  }
}

function schoolName(rng: Rng, type: SchoolType['type'], city: string, used: Set<string>): string {
  const base = {
    scholengemeenschap: `${rng.pick(eponyms)} College`,
    lyceum: `${rng.pick(eponyms)} Lyceum`,
    vmbo: rng.chance(0.5) ? `Vakcollege ${city}` : `${rng.pick(eponyms)} vmbo`,
    gymnasium: `Stedelijk Gymnasium ${city}`,
  }[type]
  let name = used.has(base) ? `${base} ${city}` : base
  for (let n = 2; used.has(name); n++) name = `${base} ${city} ${n}`
  used.add(name)
  return name
}

function planLocations(
  rng: Rng,
  brin: string,
  name: string,
  levels: readonly Level[],
  pupils: number,
): SimLocation[] {
  const wanted = pupils < 700 ? 1 : pupils < 1500 ? rng.between(1, 2) : rng.between(2, 3)
  const count = Math.min(wanted, levels.length)
  const perLocation: Level[][] = Array.from({ length: count }, () => [])
  levels.forEach((level, i) => {
    perLocation[i % count]?.push(level)
    // Some levels are offered at two locations, which makes location moves possible.
    if (count > 1 && rng.chance(0.4)) perLocation[(i + 1) % count]?.push(level)
  })
  return perLocation.map((lv, i) => {
    const code = `${brin}${String(i).padStart(2, '0')}`
    const city = rng.pick(cities)
    return {
      id: `org-${code}`,
      code,
      name: count === 1 ? name : `${name} locatie ${city}`,
      city,
      levels: lv,
    }
  })
}

export interface BoardPlan {
  readonly id: string
  readonly name: string
  readonly domain: string
  readonly schools: SimSchool[]
  readonly totals: { pupils: number; staff: number; guardians: number; persons: number }
}

export function planBoard(seed: string, persons: number, schoolCount?: number): BoardPlan {
  if (!Number.isInteger(persons) || persons < MIN_PERSONS_PER_SCHOOL) {
    throw new RangeError(
      `persons must be a whole number of at least ${MIN_PERSONS_PER_SCHOOL}, got ${persons}`,
    )
  }
  const pupils = Math.round(persons * PUPIL_SHARE)
  const staff = Math.round(persons * STAFF_SHARE)
  const guardians = persons - pupils - staff
  const count = schoolCount ?? Math.max(1, Math.round(pupils / PUPILS_PER_SCHOOL))
  if (!Number.isInteger(count) || count < 1 || persons / count < MIN_PERSONS_PER_SCHOOL) {
    throw new RangeError(
      `schools must be an integer from 1 to persons / ${MIN_PERSONS_PER_SCHOOL}; ` +
        `got ${schoolCount} for ${persons} persons`,
    )
  }
  const rng = new Rng(seed, 'board')
  const region = rng.pick(regions)
  const denomination = rng.pick(denominations)
  const abbr = `s${denomination[0]}vo`.toLowerCase()
  const weights = Array.from({ length: count }, () => 0.4 + rng.next() * 1.2)
  const pupilsPer = allocate(pupils, weights)
  const staffPer = allocate(staff, pupilsPer)
  const guardiansPer = allocate(guardians, pupilsPer)
  const brins = new Set<string>()
  const names = new Set<string>()
  let pupilOffset = 0
  let staffOffset = 0
  const schools = pupilsPer.map((p, index): SimSchool => {
    const type = rng.weighted(schoolTypes)
    const brin = uniqueBrin(rng, brins)
    const name = schoolName(rng, type.type, rng.pick(cities), names)
    const levels = [...new Set(type.levels.map(([level]) => level))]
    const school: SimSchool = {
      index,
      brin,
      name,
      type: type.type,
      locations: planLocations(rng, brin, name, levels, p),
      pupils: p,
      staff: Math.max(1, staffPer[index] as number),
      guardians: guardiansPer[index] as number,
      firstPupilNumber: 100000 + pupilOffset,
      firstEmployeeNumber: 10000 + staffOffset,
    }
    pupilOffset += p
    staffOffset += school.staff
    return school
  })
  const staffTotal = schools.reduce((a, s) => a + s.staff, 0)
  return {
    id: `org-bestuur-${asciiSlug(region)}`,
    name: `Stichting ${denomination} Voortgezet Onderwijs ${region}`,
    domain: `${abbr}-${asciiSlug(region)}.nl`,
    schools,
    totals: { pupils, staff: staffTotal, guardians, persons: pupils + staffTotal + guardians },
  }
}
