// Dutch secondary-school structure for the generator: school types with their levels and grades, the
// subjects per level and grade, and upper-grade profiles (vakkeuze). Pure data and pure draws.
import { weightedTable } from './prng.ts'
import type { Rng } from './prng.ts'
import type { Level, Stream } from './board-model.ts'

export interface SchoolType {
  readonly type: 'scholengemeenschap' | 'lyceum' | 'vmbo' | 'gymnasium'
  /** [level, first grade, last grade, share of pupils per grade] */
  readonly levels: readonly (readonly [Level, number, number, number])[]
}

export const schoolTypes = weightedTable<SchoolType>([
  [
    {
      type: 'scholengemeenschap',
      levels: [
        ['brugklas', 1, 1, 3],
        ['vmbo-t', 2, 4, 0.9],
        ['havo', 2, 5, 1.1],
        ['vwo', 2, 6, 0.9],
      ],
    },
    40,
  ],
  [
    {
      type: 'lyceum',
      levels: [
        ['havo', 1, 5, 1.2],
        ['vwo', 1, 6, 1],
      ],
    },
    25,
  ],
  [
    {
      type: 'vmbo',
      levels: [
        ['vmbo-b', 1, 4, 0.8],
        ['vmbo-k', 1, 4, 1],
        ['vmbo-t', 1, 4, 1.2],
      ],
    },
    25,
  ],
  [{ type: 'gymnasium', levels: [['vwo', 1, 6, 1]] }, 10],
])

/** Prefix letter in class titles: `H3a`, `V5b`, `M2c`; the brugklas has none (`1A`). */
export const levelLetter: Readonly<Record<Level, string>> = {
  brugklas: '',
  'vmbo-b': 'B',
  'vmbo-k': 'K',
  'vmbo-t': 'M',
  havo: 'H',
  vwo: 'V',
}

export function isUpperGrade({ level, grade }: Stream): boolean {
  if (level === 'havo' || level === 'vwo') return grade >= 4
  return level !== 'brugklas' && grade >= 3
}

export const subjectTitles: Readonly<Record<string, string>> = {
  ne: 'Nederlands',
  en: 'Engels',
  fa: 'Frans',
  du: 'Duits',
  wi: 'wiskunde',
  wisA: 'wiskunde A',
  wisB: 'wiskunde B',
  wisC: 'wiskunde C',
  gs: 'geschiedenis',
  ak: 'aardrijkskunde',
  bi: 'biologie',
  nask: 'natuur- en scheikunde',
  na: 'natuurkunde',
  sk: 'scheikunde',
  ec: 'economie',
  beco: 'bedrijfseconomie',
  inf: 'informatica',
  lo: 'lichamelijke opvoeding',
  mu: 'muziek',
  bv: 'beeldende vorming',
  ckv: 'CKV',
  maat: 'maatschappijleer',
  mm: 'mens en maatschappij',
  la: 'Latijn',
  gr: 'Grieks',
  kubv: 'kunst (beeldend)',
  pr: 'praktijkvak',
}

/** The lower-grade curriculum, taught per stamgroep. */
export function lowerCurriculum({ level, grade }: Stream, classics: boolean): string[] {
  const vmboBk = level === 'vmbo-b' || level === 'vmbo-k'
  const subjects = ['ne', 'en', 'wi', 'bi', 'lo']
  subjects.push(...(vmboBk ? ['mm', 'pr'] : ['gs', 'ak']))
  if (!vmboBk) subjects.push('fa')
  if (grade === 1) subjects.push('mu', 'bv')
  if (grade >= 2 && !vmboBk) subjects.push('du')
  if (grade >= 2)
    subjects.push(grade === 3 && (level === 'havo' || level === 'vwo') ? 'na' : 'nask')
  if (grade === 3 && (level === 'havo' || level === 'vwo')) subjects.push('sk', 'ec')
  if (classics && level === 'vwo') subjects.push('la', ...(grade >= 2 ? ['gr'] : []))
  return subjects
}

const hvProfiles = weightedTable([
  ['NT', 18],
  ['NG', 22],
  ['EM', 35],
  ['CM', 25],
] as const)
const vmboSectors = weightedTable([
  ['techniek', 25],
  ['zorg', 30],
  ['economie', 30],
  ['groen', 15],
] as const)

/** Upper-grade vakkeuze: common part, profile part and one or two free choices. */
export function drawUpperChoice(
  rng: Rng,
  { level }: Stream,
  classics: boolean,
): { profile: string; subjects: string[] } {
  if (level === 'havo' || level === 'vwo') {
    const profile = rng.weighted(hvProfiles)
    const common = ['ne', 'en', 'lo', 'maat', 'ckv']
    if (level === 'vwo') common.push(classics ? rng.pick(['la', 'gr']) : rng.pick(['fa', 'du']))
    const part: Record<typeof profile, () => string[]> = {
      NT: () => ['wisB', 'na', 'sk', rng.pick(['inf', 'bi'])],
      NG: () => [rng.chance(0.6) ? 'wisB' : 'wisA', 'bi', 'sk', rng.pick(['ak', 'na'])],
      EM: () => ['wisA', 'ec', 'gs', rng.pick(['beco', 'ak'])],
      CM: () => [
        rng.chance(0.7) ? 'wisA' : 'wisC',
        'gs',
        rng.pick(['ak', 'ec']),
        rng.pick(['fa', 'du']),
      ],
    }
    const subjects = [...common, ...part[profile]()]
    const free = ['ak', 'ec', 'bi', 'beco', 'fa', 'du', 'kubv', 'inf', 'mu'].filter(
      (s) => !subjects.includes(s),
    )
    subjects.push(rng.pick(free))
    return { profile, subjects }
  }
  const sector = rng.weighted(vmboSectors)
  const sectorSubjects = {
    techniek: ['wi', 'nask'],
    zorg: ['bi', 'mm'],
    economie: ['ec', 'wi'],
    groen: ['bi', 'wi'],
  }
  const subjects = ['ne', 'en', 'lo', 'maat', 'pr', ...sectorSubjects[sector]]
  if (level === 'vmbo-t')
    subjects.push(rng.pick(['gs', 'ak', 'du', 'fa'].filter((s) => !subjects.includes(s))))
  return { profile: sector, subjects }
}

/** All (level, grade) streams of a school type with their pupil weights. */
export function streamsOf(type: SchoolType): { stream: Stream; weight: number }[] {
  const out: { stream: Stream; weight: number }[] = []
  for (const [level, from, to, weight] of type.levels) {
    for (let grade = from; grade <= to; grade++) {
      const stream = { level, grade }
      out.push({ stream, weight: weight * (isUpperGrade(stream) ? 0.9 : 1) })
    }
  }
  return out
}
