import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { boardIntegrityProblems, collectBoard, displayFamilyName, generateBoard } from './index.ts'

const today = '2026-11-23'
const board = generateBoard({ seed: 'test', persons: 5000, today })
const all = collectBoard(board)
const fullName = (p: { givenName: string; familyName: string; familyNamePrefix: string }) =>
  `${p.givenName} ${displayFamilyName(p)}`

describe('generateBoard', () => {
  test('is deterministic for a seed and differs between seeds', () => {
    const again = collectBoard(generateBoard({ seed: 'test', persons: 5000, today }))
    assert.equal(JSON.stringify(again), JSON.stringify(all))
    const other = collectBoard(generateBoard({ seed: 'other', persons: 5000, today }))
    assert.notDeepEqual(other.pupils.map(fullName), all.pupils.map(fullName))
    // a number seed and its string form are the same seed
    assert.deepEqual(
      collectBoard(generateBoard({ seed: 7, persons: 200, today })),
      collectBoard(generateBoard({ seed: '7', persons: 200, today })),
    )
  })

  test('produces exactly the requested persons, split 80 / 8 / 12 %', () => {
    assert.equal(all.pupils.length, 4000)
    assert.equal(all.staff.length, 400)
    assert.equal(all.guardians.length, 600)
    assert.deepEqual(board.totals, { pupils: 4000, staff: 400, guardians: 600, persons: 5000 })
    for (const persons of [100, 1234]) {
      const b = collectBoard(generateBoard({ seed: 1, persons, today }))
      assert.equal(b.pupils.length + b.staff.length + b.guardians.length, persons)
    }
  })

  test('picks the school year from today (1 August to 31 July, end exclusive)', () => {
    assert.deepEqual(
      [
        board.schoolYear.title,
        board.schoolYear.startDate,
        board.schoolYear.endDate,
        board.schoolYear.endYear,
      ],
      ['2026-2027', '2026-08-01', '2027-08-01', 2027],
    )
    assert.equal(
      generateBoard({ seed: 1, persons: 100, today: '2026-07-31' }).schoolYear.title,
      '2025-2026',
    )
    assert.throws(
      () => generateBoard({ seed: 1, persons: 100, today: '2026-02-30' }),
      /today must be a calendar date/,
    )
  })

  test('gives schools BRIN codes and locations with BRIN + two digits', () => {
    const brins = board.schools.map((s) => s.brin)
    assert.equal(new Set(brins).size, brins.length)
    for (const s of board.schools) {
      assert.match(s.brin, /^\d{2}[A-Z]{2}$/)
      s.locations.forEach((l, i) => assert.equal(l.code, `${s.brin}${String(i).padStart(2, '0')}`))
    }
    assert.equal(generateBoard({ seed: 1, persons: 100_000, today }).schools.length, 80)
    assert.throws(
      () => generateBoard({ seed: 1, persons: 100, today, schools: 3 }),
      /schools must be/,
    )
    assert.throws(
      () => generateBoard({ seed: 1, persons: 20, today }),
      /persons must be a whole number of at least 50/,
    )
  })

  test('keeps every reference inside the board', () => {
    assert.deepEqual(boardIntegrityProblems(all), [])
    const broken = { ...all, enrolments: [{ ...all.enrolments[0]!, personId: 'nobody' }] }
    assert.deepEqual(boardIntegrityProblems(broken), [
      `enrolment ${all.enrolments[0]!.id}: unknown person nobody`,
    ])
  })

  test('gives each stamgroep one mentor and each lesgroep one teacher', () => {
    const roles = new Map<string, string[]>()
    for (const e of all.enrolments)
      if (e.role !== 'pupil') roles.set(e.groupId, [...(roles.get(e.groupId) ?? []), e.role])
    for (const g of all.groups) {
      const staffRoles = (roles.get(g.id) ?? []).filter((r) => r !== 'coordinator')
      assert.deepEqual(staffRoles, [g.kind === 'stamgroep' ? 'mentor' : 'teacher'], g.title)
    }
  })

  test('names classes the Dutch way and builds upper-grade clusters from subject choices', () => {
    const titles = all.groups.map((g) => g.title)
    assert.ok(
      titles.every((t) =>
        /^([BKMHV]\d[a-z]+|\d[A-Z]+)(-[a-zA-Z]+)?$|^[BKMHV]\d-[a-zA-Z]+-\d+$/.test(t),
      ),
      'class titles',
    )
    const clusters = all.groups.filter((g) => g.kind === 'lesgroep' && !g.stamgroepId)
    assert.ok(clusters.some((g) => /^V[456]-wisB-\d+$/.test(g.title)))
    const upper = all.pupils.filter((p) => p.profile !== '')
    assert.ok(upper.length > 0)
    const groups = new Map(all.groups.map((g) => [g.id, g]))
    const subjectsOf = new Map<string, string[]>()
    for (const e of all.enrolments) {
      const g = groups.get(e.groupId)
      if (g?.kind === 'lesgroep')
        subjectsOf.set(e.personId, [...(subjectsOf.get(e.personId) ?? []), g.subject])
    }
    for (const p of upper)
      assert.deepEqual(subjectsOf.get(p.id)?.sort(), [...p.subjects].sort(), p.number)
  })

  test('draws names with real skew, prefixes, diacritics and hard cases', () => {
    const persons = [...all.pupils, ...all.staff, ...all.guardians]
    const names = persons.map(fullName)
    assert.ok(names.length - new Set(names).size >= 5, 'several exact duplicate full names')
    const families = new Map<string, number>()
    for (const p of persons)
      families.set(displayFamilyName(p), (families.get(displayFamilyName(p)) ?? 0) + 1)
    const top = Math.max(...families.values())
    assert.ok(top >= 25 && top <= 150, `most common family name count ${top}`)
    const prefixes = new Set(persons.map((p) => p.familyNamePrefix).filter(Boolean))
    for (const p of ['van', 'de', 'van der', 'van den']) assert.ok(prefixes.has(p), p)
    assert.ok(
      persons.some((p) => /[^\p{ASCII}]/u.test(p.givenName)),
      'diacritics in given names',
    )
    assert.ok(
      persons.some((p) => /[^\p{ASCII}]/u.test(p.familyName)),
      'diacritics in family names',
    )
    assert.ok(
      persons.some((p) => displayFamilyName(p).includes("'")),
      'apostrophes',
    )
    assert.ok(
      persons.some((p) => p.familyName.includes(',')),
      'commas',
    )
  })

  test('gives staff name conventions, partner names and unique board e-mail', () => {
    const conventions = new Set(all.staff.map((s) => s.nameConvention))
    assert.deepEqual([...conventions].sort(), ['B', 'BP', 'P', 'PB'])
    for (const s of all.staff)
      if (s.nameConvention !== 'B') assert.ok(s.partnerName, s.employeeNumber)
    const emails = all.staff.map((s) => s.email)
    assert.equal(new Set(emails).size, emails.length)
    assert.ok(
      emails.every((e) => /^[a-z0-9.]+@[a-z-]+\.nl$/.test(e) && e.endsWith(`@${board.domain}`)),
    )
    assert.ok(all.staff.filter((s) => s.function === 'support').length > 0)
  })

  test('links guardians and pupils both ways', () => {
    const pupils = new Map(all.pupils.map((p) => [p.id, p]))
    for (const g of all.guardians) {
      for (const c of g.childIds) assert.ok(pupils.get(c)?.guardianIds.includes(g.id))
    }
    assert.ok(
      all.guardians.some((g) => g.childIds.length > 1),
      'siblings share guardians',
    )
  })

  test('marks mid-year leavers and starters with dates around today', () => {
    const mid = collectBoard(
      generateBoard({
        seed: 'test',
        persons: 2000,
        today,
        midYear: { left: 0.02, starting: 0.03 },
      }),
    )
    const left = new Set(mid.enrolments.filter((e) => e.endDate).map((e) => e.personId))
    const starting = new Set(mid.enrolments.filter((e) => e.beginDate).map((e) => e.personId))
    assert.equal(left.size, Math.round(0.02 * 1600))
    assert.equal(starting.size, Math.round(0.03 * 1600))
    for (const e of mid.enrolments) {
      if (e.endDate) assert.ok(e.endDate > '2026-08-01' && e.endDate <= today)
      if (e.beginDate) assert.ok(e.beginDate > today && e.beginDate < '2027-08-01')
    }
    assert.throws(
      () => generateBoard({ seed: 1, persons: 100, today, midYear: { left: 2 } }),
      /midYear.left/,
    )
  })

  test('streams a 50,000-person board school by school with exact totals', () => {
    const big = generateBoard({ seed: 'big', persons: 50_000, today })
    let pupils = 0
    let staff = 0
    let guardians = 0
    for (const chunk of big.chunks()) {
      pupils += chunk.pupils.length
      staff += chunk.staff.length
      guardians += chunk.guardians.length
      const one = {
        ...chunk,
        schools: [chunk.school],
        courses: [...chunk.courses],
        groups: [...chunk.groups],
        pupils: [...chunk.pupils],
        staff: [...chunk.staff],
        guardians: [...chunk.guardians],
        enrolments: [...chunk.enrolments],
      }
      assert.deepEqual(boardIntegrityProblems(one), [], chunk.school.brin)
    }
    assert.equal(big.schools.length, 40)
    assert.deepEqual({ pupils, staff, guardians, persons: pupils + staff + guardians }, big.totals)
    assert.equal(big.totals.persons, 50_000)
  })
})
