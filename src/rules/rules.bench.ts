/**
 * Benchmark: 100,000 persons × 1–2 contracts × 20 rules (role/location/grade/date conditions, a few with
 * memberships macros), with and without the verdict cache; then a name/username mapping for every person.
 * Prints figures, asserts nothing. Run: `node src/rules/rules.bench.ts [persons]`.
 */
import type { Contract } from '../model/contract.ts'
import type { Membership } from '../model/membership.ts'
import type { Person } from '../model/person.ts'
import { compileMapping } from './compile-mapping.ts'
import { compileRules, type RuleSpec } from './compile-rules.ts'
import type { UniquenessOracle } from './unique-value.ts'

const N = Number(process.argv[2] ?? 100_000)
const TODAY = '2025-10-01'
const out = (s: string) => process.stdout.write(`${s}\n`)
const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const r = rng(7)
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
const LOCATIONS = ['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'L8']
const PROGRAMMES = ['vmbo-kb', 'havo', 'vwo', 'gymnasium']
// Enough distinct names that username collisions are as frequent as at a real board, not more.
const GIVEN = (
  'Jan Anna Mohammed Sanne Daan Emma Noah Zoë Çiğdem Lars Fleur Sem Julia Lucas Tess Finn Mila Levi Sara Bram ' +
  'Lotte Jesse Eva Thijs Noor Milan Lisa Ruben Fenna Luuk Yara Ömer Ayşe Stijn Iris Jayden Nina Gijs Elif Joost'
).split(' ')
const FAMILY: [string, string][] = (
  'de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Janssen|Visser|Smit|Meijer|de Boer|Mulder|' +
  'de Groot|Bos|Vos|Peters|Hendriks|van Leeuwen|Dekker|Brouwer|de Wit|Dijkstra|Smits|de Graaf|van der Meer|van der Linden|Kok|' +
  'Jacobs|de Haan|Vermeulen|van den Heuvel|van der Veen|van den Broek|de Bruijn|de Bruin|van der Heijden|Schouten|van Beek|' +
  'Willems|van Vliet|van de Ven|Hoekstra|Maas|Verhoeven|Koster|van Dam|van der Wal|Prins|Blom|Huisman|Yılmaz|El Amrani|' +
  "Kaya|Şahin|Nguyen|Öztürk|van 't Hof|in 't Veld|Bouzid|Çelik"
)
  .split('|')
  .map((n) => {
    const m = /^((?:van|de|in|der|den|'t)(?: (?:van|de|der|den|'t))*) (.+)$/.exec(n)
    return m === null ? ['', n] : [m[1] as string, m[2] as string]
  })

const STEMS =
  'Ver Groen Zwart Wit Hoog Laag Berg Kamp Veld Bosch Brink Molen Steen Water Hout Kerk Borg Dijk Zand Hof Vliet Brug Haven Akker Heide Beek Meer Weide Stad Dorp'.split(
    ' ',
  )
const ENDINGS =
  'man mans ink ema stra huis hof kamp veld sma ing ers en er hout dijk broek water brink horst'.split(
    ' ',
  )

function makeContract(key: string, j: number, student: boolean): Contract {
  const location = pick(LOCATIONS)
  const grade = 1 + Math.floor(r() * 6)
  const base = {
    kind: student ? 'enrolment' : 'employment',
    id: `${key}-c${j}`,
    source: 'sis',
    organisation: 'board',
    location,
    start: pick(['2024-08-01', '2025-08-01', '2025-11-01']),
    attributes: {},
  } as const
  if (student)
    return {
      ...base,
      role: 'student',
      grade,
      programme: pick(PROGRAMMES),
      classGroup: `${location}-${grade}${pick(['A', 'B', 'C', 'D'])}`,
      schoolYear: '2025-2026',
    }
  return {
    ...base,
    role: pick(['teacher', 'teacher', 'teacher', 'staff', 'administrator'] as const),
    title: pick(['docent', 'conciërge', 'teamleider', 'ict']),
    department: pick(['Bèta', 'Talen', 'ICT', 'Admin']),
  }
}

function makePerson(i: number): Person {
  const key = `p${String(i).padStart(6, '0')}`
  const student = r() < 0.88
  const contracts = Array.from({ length: r() < 0.25 ? 2 : 1 }, (_, j) =>
    makeContract(key, j, student),
  )
  const memberships: Membership[] = Array.from({ length: 2 + Math.floor(r() * 6) }, () => ({
    group: `${pick(['wi', 'ne', 'en', 'gs', 'bi'])}-${pick(LOCATIONS)}-${Math.floor(r() * 40)}`,
    role: student ? 'student' : pick(['teacher', 'mentor'] as const),
  }))
  // A third of the family names from the most common ones, the rest from a long tail, as in the Netherlands.
  const [prefix, family] = r() < 0.35 ? pick(FAMILY) : ['', `${pick(STEMS)}${pick(ENDINGS)}`]
  return {
    kind: 'person',
    key,
    sourceIds: { sis: key },
    givenName: pick(GIVEN),
    familyName: family,
    ...(prefix !== '' ? { familyNamePrefix: prefix } : {}),
    attributes: { 'metadata.lwoo': r() < 0.1 },
    contracts,
    memberships,
  }
}

const RULES: RuleSpec[] = [
  { name: 'students-ad', when: 'contract.role == "student"', grant: [{ account: 'ad' }] },
  {
    name: 'staff-ad',
    when: 'contract.role in ["teacher", "staff", "administrator"]',
    grant: [{ account: 'ad' }],
  },
  { name: 'everyone-lms', when: 'contract.start <= today', grant: [{ account: 'lms' }] },
  {
    name: 'upper-years',
    when: 'contract.role == "student" && contract.location == "L3" && contract.grade >= 2',
    grant: [{ account: 'exam' }],
  },
  {
    name: 'lower-library',
    when: 'contract.role == "student" && contract.grade <= 3',
    grant: [{ account: 'library' }],
  },
  {
    name: 'location-group',
    when: 'has(contract.location)',
    grant: [
      {
        permission: {
          target: 'ad',
          type: 'group',
          id: '"cn=loc-" + contract.location + ",ou=groups"',
        },
      },
    ],
  },
  {
    name: 'class-group',
    when: 'contract.role == "student" && has(contract.classGroup)',
    grant: [
      {
        permission: {
          target: 'ad',
          type: 'group',
          id: '"cn=" + contract.classGroup + ",ou=classes"',
        },
      },
    ],
  },
  {
    name: 'grade-group',
    when: 'has(contract.grade)',
    grant: [
      { permission: { target: 'lms', type: 'course', id: '"grade-" + string(contract.grade)' } },
    ],
  },
  {
    name: 'programme',
    when: 'contract.role == "student" && contract.programme in ["vwo", "gymnasium"]',
    grant: [{ permission: { target: 'lms', type: 'role', id: '"vwo-learner"' } }],
  },
  {
    name: 'exam-year',
    when: 'has(contract.grade) && contract.grade == finalGrade',
    grant: [{ permission: { target: 'exam', type: 'role', id: '"candidate"' } }],
  },
  {
    name: 'teachers',
    when: 'contract.role == "teacher"',
    grant: [{ permission: { target: 'lms', type: 'role', id: '"instructor"' } }],
  },
  {
    name: 'ict',
    when: 'contract.role != "student" && contract.department == "ICT"',
    grant: [{ permission: { target: 'ad', type: 'group', id: '"cn=ict-admins"' } }],
  },
  {
    name: 'team-leads',
    when: 'contract.role != "student" && contract.title == "teamleider"',
    grant: [{ permission: { target: 'ad', type: 'role', id: '"team-lead"' } }],
  },
  {
    name: 'lwoo',
    when: 'person.attributes["metadata.lwoo"] == true',
    grant: [{ permission: { target: 'lms', type: 'group', id: '"lwoo-support"' } }],
  },
  {
    name: 'new-this-year',
    when: 'contract.start >= "2025-08-01"',
    grant: [{ permission: { target: 'lms', type: 'group', id: '"new-" + contract.location' } }],
  },
  {
    name: 'l1-l2',
    when: 'contract.location in ["L1", "L2"] && contract.role != "student"',
    grant: [{ permission: { target: 'ad', type: 'group', id: '"cn=north"' } }],
  },
  {
    name: 'mentors',
    when: 'person.memberships.exists(m, m.role == "mentor")',
    grant: [{ permission: { target: 'lms', type: 'role', id: '"mentor"' } }],
  },
  {
    name: 'maths',
    when: 'person.memberships.exists(m, m.group.startsWith("wi-"))',
    grant: [{ permission: { target: 'lms', type: 'course', id: '"maths"' } }],
  },
  {
    name: 'busy',
    when: 'size(person.memberships) > 5',
    grant: [{ permission: { target: 'lms', type: 'group', id: '"busy"' } }],
  },
  {
    name: 'all-classes',
    when: 'contract.role == "student" && size(contracts) > 1',
    grant: [
      {
        permission: {
          target: 'ad',
          type: 'group',
          id: 'contracts.map(c, "cn=" + c.classGroup + ",ou=classes")',
        },
      },
    ],
  },
].map((rule) => ({ ...rule, when: rule.when.replace('finalGrade', '6') }))

const t = performance.now()
const persons = Array.from({ length: N }, (_, i) => makePerson(i))
const contractCount = persons.reduce((n, p) => n + p.contracts.length, 0)
out(
  `generated ${N} persons, ${contractCount} contracts, ${RULES.length} rules in ${(performance.now() - t).toFixed(0)} ms`,
)

// Wall time and CPU time: the machine may be shared, and CPU time is what this code costs.
const took = (start: number, cpu: number) =>
  `${(performance.now() - start).toFixed(0).padStart(6)} ms wall ${(cpuMs() - cpu).toFixed(0).padStart(6)} ms cpu`

function runRules(label: string, cache: boolean, specs: readonly RuleSpec[] = RULES): void {
  const rules = compileRules(specs, { cache })
  let grants = 0
  let issues = 0
  const [start, cpu] = [performance.now(), cpuMs()]
  for (const p of persons) {
    const res = rules.entitlementsFor(p, p.contracts, TODAY)
    grants += res.grants.length
    issues += res.issues.length
  }
  const s = rules.stats()
  out(
    `${label.padEnd(14)} ${took(start, cpu)}  CEL evaluations ${s.evaluations.toLocaleString('en')}  cache hits ${s.hits.toLocaleString('en')}  grants ${grants.toLocaleString('en')}  issues ${issues}`,
  )
}

// Twice each: the first pass also pays for converting persons to CEL values (cached per object after that).
runRules('no cache', false)
runRules('no cache (2)', false)
runRules('cache', true)
runRules('cache (2)', true)
// The part the cache cannot help: rules over memberships and `contracts` are evaluated per contract.
const PER_TUPLE = RULES.filter(
  (rule) => !/memberships|contracts/.test(rule.when + JSON.stringify(rule.grant)),
)
runRules(`cache, ${PER_TUPLE.length} only`, true, PER_TUPLE)
runRules(`no cache, ${PER_TUPLE.length}`, false, PER_TUPLE)

const mapping = compileMapping('ad', {
  sAMAccountName: {
    candidates: [
      'slug(left(givenName(person), 1) + "." + familyName(person))',
      'slug(givenName(person) + "." + familyName(person))',
    ],
    unique: true,
    once: true,
    maxLength: 20,
  },
  cn: 'fullName(person)',
  sn: 'familyName(person)',
  displayName: 'sortName(person)',
  initials: 'initials(person)',
  mail: 'account.sAMAccountName + "@school.test"',
  ou: '"ou=" + contract.location + ",dc=school,dc=test"',
  dn: '"cn=" + account.cn + ",ou=" + contract.location + ",dc=school,dc=test"',
})
const owners = new Map<string, string>()
const oracle: UniquenessOracle = {
  isTaken: (a, v, p) => {
    const o = owners.get(`${a}\u0000${v.toLowerCase()}`)
    return o !== undefined && o !== p
  },
  claim: (a, v, p) => void owners.set(`${a}\u0000${v.toLowerCase()}`, p),
}
// First run: every username is new (the initial load of a whole board). Later runs keep the once-values from
// the ledger, as the engine does, so only joiners generate.
const ledger = new Map<string, string>()
function runMapping(label: string): void {
  const [start, cpu] = [performance.now(), cpuMs()]
  const before = mapping.stats()
  let issues = 0
  let iterated = 0
  for (const p of persons) {
    const c = p.contracts[0] as Contract
    const kept = ledger.get(p.key)
    const keep = kept === undefined ? undefined : { sAMAccountName: kept }
    const res = mapping.evaluate(
      { person: p, contract: c, contracts: p.contracts, today: TODAY, keep },
      oracle,
    )
    issues += res.issues.length
    const uid = res.attributes.sAMAccountName
    if (typeof uid === 'string') {
      ledger.set(p.key, uid)
      if (/\d$/.test(uid)) iterated++
    }
  }
  const s = mapping.stats()
  const evals = s.evaluations - before.evaluations
  const hits = s.hits - before.hits
  out(
    `${label.padEnd(14)} ${took(start, cpu)}  8 attributes; CEL evaluations ${evals.toLocaleString('en')}  cache hits ${hits.toLocaleString('en')}  iterated usernames ${iterated}  issues ${issues}`,
  )
}
runMapping('mapping (new)')
runMapping('mapping (kept)')
