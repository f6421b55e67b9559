import { resolve } from 'node:path'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { toIsoDate } from '../util/dates.ts'
import { err, EXIT, out } from './output.ts'

export async function simGenerateCommand(o: {
  persons: string
  seed: string
  out: string
  schools?: string
  oneroster: string
  today?: string
}): Promise<number> {
  const persons = Number(o.persons)
  if (!Number.isInteger(persons) || persons < 100 || persons > 1_000_000) {
    err('--persons must be a whole number from 100 to 1,000,000')
    return EXIT.error
  }
  if (o.oneroster !== '1.2' && o.oneroster !== '1.1') {
    err('--oneroster must be 1.2 or 1.1')
    return EXIT.error
  }
  const started = Date.now()
  const board = generateBoard({
    seed: o.seed,
    persons,
    today: o.today ?? toIsoDate(new Date()),
    ...(o.schools !== undefined ? { schools: Number(o.schools) } : {}),
  })
  const dir = resolve(o.out)
  await writeOneRosterCsv(dir, board, { version: o.oneroster })
  out(
    `Wrote a board of ${persons} persons (seed ${o.seed}) as OneRoster ${o.oneroster} CSV to ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  )
  return EXIT.ok
}
