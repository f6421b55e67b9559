// A stored plan's actions are gzip members of ~1 MB of JSON lines each (plan-document.ts). The index, kept
// beside them (table `plan_action_index`, migration 0010), says where each member starts, which actions it holds
// and which targets, kinds, reasons and schools occur in it, so a page of actions (filtered or not) reads
// and decompresses only the members that can hold a match: the first page of a plan of 176,000 actions is
// one member (~1,500 actions), not all 117 of them.
import { gunzipSync } from 'node:zlib'
import type { Action } from '../model/index.ts'
import { fold } from '../util/fold-text.ts'

/** Which actions a page shows; every given field must match (school: code or name, case and accents folded). */
export interface PlanActionFilter {
  readonly target?: string | undefined
  readonly kind?: string | undefined
  /** The reason's change (`new`, `left`, …). */
  readonly reason?: string | undefined
  /** The person key, exactly. */
  readonly person?: string | undefined
  readonly school?: string | undefined
}

export interface IndexedMember {
  /** Byte offset of the gzip member in `actions_gz`, and its length. */
  readonly at: number
  readonly bytes: number
  /** Index in the plan of the member's first action, and how many it holds. */
  readonly first: number
  readonly count: number
  readonly targets: readonly string[]
  readonly kinds: readonly string[]
  readonly reasons: readonly string[]
  /** Folded (fold()). */
  readonly schools: readonly string[]
}

export interface PlanActionIndex {
  readonly members: readonly IndexedMember[]
  /** The distinct values over the whole plan, sorted: the choices of the plan page's filters. */
  readonly facets: PlanActionFacets
}

export interface PlanActionFacets {
  readonly targets: readonly string[]
  readonly kinds: readonly string[]
  readonly reasons: readonly string[]
  /** As written in the actions (not folded). */
  readonly schools: readonly string[]
}

/** Collects the index while plan-document.ts writes the members. */
export class ActionIndexBuilder {
  readonly #members: IndexedMember[] = []
  readonly #facets = {
    targets: new Set<string>(),
    kinds: new Set<string>(),
    reasons: new Set<string>(),
  }
  readonly #schools = new Set<string>()
  /** fold() per school name: a plan has a few hundred schools and one action per person or more. */
  readonly #folded = new Map<string, string>()
  #at = 0
  #first = 0
  #count = 0
  #member = newMember()

  add(a: Action): void {
    this.#count++
    this.#member.targets.add(a.target)
    this.#member.kinds.add(a.kind)
    this.#member.reasons.add(a.reason.change)
    const school = a.subject?.school
    if (school !== undefined && school !== '') {
      let folded = this.#folded.get(school)
      if (folded === undefined) {
        folded = fold(school)
        this.#folded.set(school, folded)
        this.#schools.add(school)
      }
      this.#member.schools.add(folded)
    }
  }

  /** The actions added since the last call went into a member of `bytes` compressed bytes. */
  member(bytes: number): void {
    const m = this.#member
    this.#members.push({
      at: this.#at,
      bytes,
      first: this.#first,
      count: this.#count,
      targets: [...m.targets],
      kinds: [...m.kinds],
      reasons: [...m.reasons],
      schools: [...m.schools],
    })
    for (const t of m.targets) this.#facets.targets.add(t)
    for (const k of m.kinds) this.#facets.kinds.add(k)
    for (const r of m.reasons) this.#facets.reasons.add(r)
    this.#at += bytes
    this.#first += this.#count
    this.#count = 0
    this.#member = newMember()
  }

  build(): PlanActionIndex {
    const sorted = (s: ReadonlySet<string>) => [...s].sort()
    return {
      members: this.#members,
      facets: {
        targets: sorted(this.#facets.targets),
        kinds: sorted(this.#facets.kinds),
        reasons: sorted(this.#facets.reasons),
        schools: sorted(this.#schools),
      },
    }
  }
}

function newMember() {
  return {
    targets: new Set<string>(),
    kinds: new Set<string>(),
    reasons: new Set<string>(),
    schools: new Set<string>(),
  }
}

export function actionMatches(a: Action, f: PlanActionFilter): boolean {
  return (
    (f.target === undefined || a.target === f.target) &&
    (f.kind === undefined || a.kind === f.kind) &&
    (f.reason === undefined || a.reason.change === f.reason) &&
    (f.person === undefined || a.person === f.person) &&
    (f.school === undefined || fold(a.subject?.school ?? '') === fold(f.school))
  )
}

/** Whether a member can hold an action the filter matches (the person is not indexed: any member can). */
export function memberMayMatch(m: IndexedMember, f: PlanActionFilter): boolean {
  return (
    m.count > 0 &&
    (f.target === undefined || m.targets.includes(f.target)) &&
    (f.kind === undefined || m.kinds.includes(f.kind)) &&
    (f.reason === undefined || m.reasons.includes(f.reason)) &&
    (f.school === undefined || m.schools.includes(fold(f.school)))
  )
}

/**
 * The JSON lines of one member, read with its bytes only; parsed one by one as a page needs them (a first
 * page of 100 parses 101 of a member's ~2,000 actions: the parse, not the gunzip, is most of a page's cost).
 */
export function linesOfMember(gz: Uint8Array, mustHold?: string): string[] {
  const text = gunzipSync(gz).toString('utf8')
  // a member that cannot hold a match is not split into lines
  if (text === '' || (mustHold !== undefined && !text.includes(mustHold))) return []
  if (!text.endsWith('\n'))
    throw new Error('stored plan actions end without a newline (truncated?)')
  return text.slice(0, -1).split('\n')
}

/** A page of actions: each with its index in the plan (the key the next page starts after). */
export interface PlanActionsPage {
  readonly items: readonly { readonly index: number; readonly action: Action }[]
  /** More matching actions may follow the last item. */
  readonly more: boolean
}

/**
 * Pages through the members from the one holding action `after + 1`, reading each member that may match
 * with `read`, until `limit` matches and one more are found (the one more says whether a next page exists).
 */
export async function pageActions(
  index: PlanActionIndex,
  read: (m: IndexedMember) => Promise<Uint8Array>,
  q: { readonly filter: PlanActionFilter; readonly after?: number; readonly limit: number },
): Promise<PlanActionsPage> {
  const start = (q.after ?? -1) + 1
  const items: { index: number; action: Action }[] = []
  // the person is not in the index, so every member is read; a member or line without the person's key as JSON
  // text is skipped unsplit or unparsed (the parse, not the gunzip, is most of a member's cost)
  const person =
    q.filter.person === undefined ? undefined : `"person":${JSON.stringify(q.filter.person)}`
  for (const m of index.members) {
    if (m.first + m.count <= start || !memberMayMatch(m, q.filter)) continue
    const lines = linesOfMember(await read(m), person)
    if (person !== undefined && lines.length === 0) continue
    if (lines.length !== m.count)
      throw new Error(
        `stored plan actions: a member holds ${lines.length}, its index says ${m.count}`,
      )
    for (let i = Math.max(0, start - m.first); i < lines.length; i++) {
      if (person !== undefined && !lines[i]!.includes(person)) continue
      const action = JSON.parse(lines[i]!) as Action
      if (!actionMatches(action, q.filter)) continue
      if (items.length === q.limit) return { items, more: true }
      items.push({ index: m.first + i, action })
    }
  }
  return { items, more: false }
}
