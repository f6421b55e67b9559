// Next school year's OneRoster CSV export, made from this year's (as the generator writes it): every pupil one
// grade up with next year's class ("2B" → "3B", "H4a" → "H5a"), the exam classes leave (vmbo-t/mavo "M4",
// havo "H5", vwo "V6"), a few new first-year pupils join in a new "1A". Staff stay; their enrollments move with
// the classes, and enrollments of classes that left are dropped. Sessions, courses and classes get next year's
// ids (`as-2027-2028`, `crs-2028-…`, `cls-2028-<location>-<title>`), as a student information system's export
// of the new year has them.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'

type Row = Record<string, string>

/** Last grade per stream letter of a class title; brugklas titles ("1A") have no letter. */
const LAST_GRADE: Readonly<Record<string, number>> = { M: 4, H: 5, V: 6, '': 6 }

/**
 * Next year's title of a class ("1B" → "2B", "H4a" → "H5a", "H4-ak-1" → "H5-ak-1"), or undefined when the class
 * is in its last grade and leaves school.
 */
export function nextClassTitle(title: string): string | undefined {
  const m = /^([A-Z]?)(\d)(.*)$/.exec(title)
  if (m === null)
    throw new Error(`class title ${JSON.stringify(title)} is not <stream letter><grade>…`)
  const [, letter = '', grade = '', rest = ''] = m
  const last = LAST_GRADE[letter]
  if (last === undefined)
    throw new Error(`class title ${JSON.stringify(title)}: unknown stream ${letter}`)
  const g = Number(grade)
  return g >= last ? undefined : `${letter}${g + 1}${rest}`
}

export interface Joiner {
  readonly sourcedId: string
  readonly givenName: string
  readonly familyName: string
  readonly organisationCode: string
  readonly classTitle: string
  /** leerlingnummer, also the username */
  readonly username: string
}

export interface Turnover {
  /** The new school year's label ("2027-2028"). */
  readonly schoolYear: string
  /** sourcedIds of the pupils who left (exam classes). */
  readonly leavers: readonly string[]
  readonly joiners: readonly Joiner[]
}

const JOINER_NAMES: readonly (readonly [string, string])[] = [
  ['Noor', 'Bakker'],
  ['Daan', 'Visser'],
  ['Sem', 'Jansen'],
  ['Yara', 'El Idrissi'],
  ['Lieke', 'Smit'],
  ['Milan', 'de Boer'],
  ['Fenna', 'Mulder'],
  ['Luuk', 'Bos'],
]

async function readCsv(dir: string, name: string): Promise<{ columns: string[]; rows: Row[] }> {
  const text = await readFile(join(dir, name), 'utf8')
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Row[]
  const columns = (parse(text.split('\n', 1)[0] ?? '', {}) as string[][])[0] ?? []
  return { columns, rows }
}

async function writeCsv(
  dir: string,
  name: string,
  columns: readonly string[],
  rows: readonly Row[],
): Promise<void> {
  await writeFile(
    join(dir, name),
    stringify(rows as Row[], { header: true, columns: [...columns] }),
  )
}

const bumpDate = (d: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(d) ? `${Number(d.slice(0, 4)) + 1}${d.slice(4)}` : d

/** Writes next school year's export of `from` into `to` (which must not hold one yet). */
export async function writeNextSchoolYear(
  from: string,
  to: string,
  options: { joiners: number },
): Promise<Turnover> {
  await mkdir(to, { recursive: true })
  // sessions: the school year and its terms, one year on
  const sessions = await readCsv(from, 'academicSessions.csv')
  const year = sessions.rows.find((r) => r.type === 'schoolYear')
  if (year === undefined) throw new Error('academicSessions.csv has no schoolYear')
  const endYear = Number(year.schoolYear)
  const oldLabel = `${endYear - 1}-${endYear}`
  const newLabel = `${endYear}-${endYear + 1}`
  const sessionId = new Map<string, string>()
  const newSessions = sessions.rows.map((r) => {
    const id = (r.sourcedId ?? '').replace(oldLabel, newLabel)
    sessionId.set(r.sourcedId ?? '', id)
    return {
      ...r,
      sourcedId: id,
      title: (r.title ?? '').replace(oldLabel, newLabel),
      startDate: bumpDate(r.startDate ?? ''),
      endDate: bumpDate(r.endDate ?? ''),
      parentSourcedId: sessionId.get(r.parentSourcedId ?? '') ?? r.parentSourcedId ?? '',
      schoolYear: String(endYear + 1),
    }
  })
  await writeCsv(to, 'academicSessions.csv', sessions.columns, newSessions)
  const mapSessions = (ids: string) =>
    ids
      .split(',')
      .map((s) => sessionId.get(s) ?? s)
      .join(',')

  // courses: next year's ids
  const courses = await readCsv(from, 'courses.csv')
  const courseId = (id: string) => id.replace(`crs-${endYear}-`, `crs-${endYear + 1}-`)
  await writeCsv(
    to,
    'courses.csv',
    courses.columns,
    courses.rows.map((r) => ({
      ...r,
      sourcedId: courseId(r.sourcedId ?? ''),
      schoolYearSourcedId: sessionId.get(r.schoolYearSourcedId ?? '') ?? '',
    })),
  )

  // classes: one grade up, the last grade dropped
  const orgs = await readCsv(from, 'orgs.csv')
  const orgCode = new Map(orgs.rows.map((o) => [o.sourcedId ?? '', o.identifier ?? '']))
  const classes = await readCsv(from, 'classes.csv')
  const classId = new Map<string, string>()
  const homerooms = new Set<string>()
  const newClasses: Row[] = []
  for (const c of classes.rows) {
    const title = c.title ?? ''
    const code = orgCode.get(c.schoolSourcedId ?? '') ?? ''
    const old = `cls-${endYear}-${code}-${title}`
    if (c.sourcedId !== old)
      throw new Error(`class ${c.sourcedId}: expected the generator's id ${old}`)
    if (c.classType === 'homeroom') homerooms.add(old)
    const next = nextClassTitle(title)
    if (next === undefined) continue
    const id = `cls-${endYear + 1}-${code}-${next}`
    classId.set(old, id)
    const grades = (c.grades ?? '')
      .split(',')
      .map((g) => (g === '' ? g : String(Number(g) + 1).padStart(2, '0')))
      .join(',')
    newClasses.push({
      ...c,
      sourcedId: id,
      title: next,
      classCode: next,
      grades,
      courseSourcedId: courseId(c.courseSourcedId ?? ''),
      termSourcedIds: mapSessions(c.termSourcedIds ?? ''),
    })
  }

  // pupils whose homeroom left, leave
  const enrollments = await readCsv(from, 'enrollments.csv')
  const leavers = new Set<string>()
  for (const e of enrollments.rows)
    if (
      e.role === 'student' &&
      homerooms.has(e.classSourcedId ?? '') &&
      !classId.has(e.classSourcedId ?? '')
    )
      leavers.add(e.userSourcedId ?? '')
  const newEnrollments: Row[] = enrollments.rows
    .filter((e) => classId.has(e.classSourcedId ?? '') && !leavers.has(e.userSourcedId ?? ''))
    .map((e) => ({ ...e, classSourcedId: classId.get(e.classSourcedId ?? '') ?? '' }))

  // joiners: a new first-year class at the first school, with its stamgroep course
  const users = await readCsv(from, 'users.csv')
  const roles = await readCsv(from, 'roles.csv')
  const demographics = await readCsv(from, 'demographics.csv')
  const firstHomeroom = classes.rows.find((c) => c.classType === 'homeroom')
  const template = users.rows.find((u) => u.grades === '01')
  if (firstHomeroom === undefined || template === undefined)
    throw new Error('no homeroom or no first-year pupil to copy')
  const school = firstHomeroom.schoolSourcedId ?? ''
  const code = orgCode.get(school) ?? ''
  const joiners: Joiner[] = []
  // guardians keep their account in the export; references to pupils who left are dropped
  const agents = (ids: string) =>
    ids
      .split(',')
      .filter((id) => id !== '' && !leavers.has(id))
      .join(',')
  const newUsers: Row[] = users.rows
    .filter((u) => !leavers.has(u.sourcedId ?? ''))
    .map((u) => ({
      ...u,
      agentSourcedIds: agents(u.agentSourcedIds ?? ''),
      grades: /^\d+$/.test(u.grades ?? '')
        ? String(Number(u.grades) + 1).padStart(2, '0')
        : (u.grades ?? ''),
    }))
  const newRoles: Row[] = roles.rows
    .filter((r) => !leavers.has(r.userSourcedId ?? ''))
    .map((r) => ({
      ...r,
      beginDate: bumpDate(r.beginDate ?? ''),
      endDate: bumpDate(r.endDate ?? ''),
    }))
  const newDemographics: Row[] = demographics.rows.filter((d) => !leavers.has(d.sourcedId ?? ''))
  if (options.joiners > 0) {
    const classIdNew = `cls-${endYear + 1}-${code}-1A`
    if ([...classId.values()].includes(classIdNew)) throw new Error(`${classIdNew} exists already`)
    newClasses.push({
      ...firstHomeroom,
      sourcedId: classIdNew,
      title: '1A',
      classCode: '1A',
      grades: '01',
      courseSourcedId: courseId(firstHomeroom.courseSourcedId ?? ''),
      termSourcedIds: mapSessions(firstHomeroom.termSourcedIds ?? ''),
    })
    const numbers = users.rows
      .map((u) => Number(u.identifier))
      .filter((n) => Number.isInteger(n) && n >= 100000)
    let next = Math.max(...numbers) + 1
    for (let i = 0; i < options.joiners; i++) {
      const [givenName, familyName] = JOINER_NAMES[i % JOINER_NAMES.length] as readonly [
        string,
        string,
      ]
      const id = `joiner-${endYear + 1}-${String(i + 1).padStart(3, '0')}`
      const number = String(next++)
      joiners.push({
        sourcedId: id,
        givenName,
        familyName,
        organisationCode: code,
        classTitle: '1A',
        username: number,
      })
      newUsers.push({
        ...Object.fromEntries(users.columns.map((c) => [c, ''])),
        sourcedId: id,
        enabledUser: 'true',
        username: number,
        identifier: number,
        givenName,
        familyName,
        grades: '01',
        primaryOrgSourcedId: school,
      })
      newRoles.push({
        ...Object.fromEntries(roles.columns.map((c) => [c, ''])),
        sourcedId: `rol-${id}-${code}`,
        userSourcedId: id,
        roleType: 'primary',
        role: 'student',
        orgSourcedId: school,
      })
      newDemographics.push({
        ...Object.fromEntries(demographics.columns.map((c) => [c, ''])),
        sourcedId: id,
        birthDate: `${endYear - 12}-0${(i % 9) + 1}-15`,
        sex: 'unspecified',
      })
      newEnrollments.push({
        ...Object.fromEntries(enrollments.columns.map((c) => [c, ''])),
        sourcedId: `enr-${id}`,
        classSourcedId: classIdNew,
        schoolSourcedId: school,
        userSourcedId: id,
        role: 'student',
      })
    }
  }
  await writeCsv(to, 'classes.csv', classes.columns, newClasses)
  await writeCsv(to, 'enrollments.csv', enrollments.columns, newEnrollments)
  await writeCsv(to, 'users.csv', users.columns, newUsers)
  await writeCsv(to, 'roles.csv', roles.columns, newRoles)
  await writeCsv(to, 'demographics.csv', demographics.columns, newDemographics)
  for (const f of ['orgs.csv', 'manifest.csv']) await copyFile(join(from, f), join(to, f))
  return { schoolYear: newLabel, leavers: [...leavers].sort(), joiners }
}
