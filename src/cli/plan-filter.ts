import type { Action, ActionKind } from '../model/index.ts'
import { ACTION_KINDS } from '../model/index.ts'
import { fold } from '../util/fold-text.ts'

/** Narrows the plan table (`koppel plan --kind … --target … --person … --school …`); the stored plan is whole. */
export interface PlanFilter {
  readonly kinds?: readonly ActionKind[]
  readonly targets?: readonly string[]
  /** Part of the name, the leerlingnummer/personeelsnummer, or the person key. */
  readonly person?: string
  /** School code (BRIN) or name. */
  readonly school?: string
}

export interface PlanFilterFlags {
  readonly kind?: string
  readonly target?: string
  readonly person?: string
  readonly school?: string
}

/** The filter from the command-line flags; comma-separated lists for kind and target. */
export function planFilterOf(
  flags: PlanFilterFlags,
): { ok: true; filter: PlanFilter } | { ok: false; message: string } {
  const list = (s: string | undefined) =>
    s
      ?.split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '')
  const kinds = list(flags.kind)
  const unknown = kinds?.filter((k) => !(ACTION_KINDS as readonly string[]).includes(k)) ?? []
  if (unknown.length > 0)
    return {
      ok: false,
      message: `--kind: unknown action kind ${unknown.map((k) => `"${k}"`).join(', ')}; one of ${ACTION_KINDS.join(', ')}`,
    }
  const targets = list(flags.target)
  return {
    ok: true,
    filter: {
      ...(kinds !== undefined ? { kinds: kinds as ActionKind[] } : {}),
      ...(targets !== undefined ? { targets } : {}),
      ...(flags.person !== undefined && flags.person.trim() !== ''
        ? { person: flags.person.trim() }
        : {}),
      ...(flags.school !== undefined && flags.school.trim() !== ''
        ? { school: flags.school.trim() }
        : {}),
    },
  }
}

export function isFiltered(f: PlanFilter): boolean {
  return (
    f.kinds !== undefined ||
    f.targets !== undefined ||
    f.person !== undefined ||
    f.school !== undefined
  )
}

export function describeFilter(f: PlanFilter): string {
  const parts: string[] = []
  if (f.kinds !== undefined) parts.push(`kind ${f.kinds.join(',')}`)
  if (f.targets !== undefined) parts.push(`target ${f.targets.join(',')}`)
  if (f.person !== undefined) parts.push(`person "${f.person}"`)
  if (f.school !== undefined) parts.push(`school "${f.school}"`)
  return parts.join(', ')
}

export function filterActions(actions: readonly Action[], f: PlanFilter): Action[] {
  if (!isFiltered(f)) return [...actions]
  const person = f.person !== undefined ? fold(f.person) : undefined
  const school = f.school !== undefined ? fold(f.school) : undefined
  return actions.filter((a) => {
    if (f.kinds !== undefined && !f.kinds.includes(a.kind)) return false
    if (f.targets !== undefined && !f.targets.includes(a.target)) return false
    if (person !== undefined && !matchesPerson(a, person)) return false
    if (school !== undefined && fold(a.subject?.school ?? '') !== school) return false
    return true
  })
}

function matchesPerson(a: Action, wanted: string): boolean {
  return (
    fold(a.label).includes(wanted) ||
    fold(a.subject?.number ?? '') === wanted ||
    fold(a.person) === wanted
  )
}
