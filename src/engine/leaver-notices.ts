/**
 * Leaver notices: the manager (staff) or mentor (pupil) named on a contract is told, some days before and on the
 * end date, that the person leaves. Only persons who really leave count: a contract that ends while another one
 * runs on (a teacher moving school, a renewed employment) is no leaver. Each notice is sent once; the audit log
 * (`notice.leaver` events) remembers which were sent, so a second run on the same day sends nothing and a run
 * that missed the exact day sends the notice late rather than never (until the end date).
 */
import type { Contract, Person } from '../model/index.ts'
import { addDays, inYearlyWindow, toIsoDate } from '../util/dates.ts'
import { labelOf, subjectOf } from './action-subject.ts'
import { readSources } from './read-sources.ts'
import { mergePersons } from './merge-persons.ts'
import type { Engine } from './pipeline.ts'

/** What one recipient is told about one leaver: names they may see (their own, the leaver's) and the dates. */
export interface LeaverNotice {
  readonly leaver: { readonly key: string; readonly name: string; readonly number?: string }
  /** The leaving contract as the recipient knows it: role, school, class or department. */
  readonly contract: {
    readonly id: string
    readonly role: string
    readonly end: string
    readonly where?: string
  }
  /** Days from today to the end date (0: today is the last day). */
  readonly daysLeft: number
  /** Every configured moment this notice covers (more than one when runs were missed). */
  readonly covers: readonly number[]
}

export interface LeaverNoticeBatch {
  readonly recipient: { readonly key: string; readonly name: string; readonly email: string }
  readonly notices: readonly LeaverNotice[]
}

/** Manager or mentor without an e-mail address: the notice cannot go anywhere, said instead of dropped. */
export interface UnsentNotice {
  readonly leaver: string
  readonly manager?: string
  readonly why: string
}

export interface DueNotices {
  readonly batches: readonly LeaverNoticeBatch[]
  readonly unsent: readonly UnsentNotice[]
}

/** The key under which a sent notice is remembered: one per contract, end date and configured moment. */
export function noticeKey(contract: string, end: string, days: number): string {
  return `${contract}|${end}|${days}`
}

/**
 * The notices due today, grouped per recipient (one mail each, naming only their own leavers). `daysBefore`
 * lists the moments (14 and 0: two weeks ahead and on the end date); `sent` holds the keys already sent.
 */
export function dueLeaverNotices(
  persons: readonly Person[],
  today: string,
  daysBefore: readonly number[],
  sent: ReadonlySet<string>,
  /** End dates nobody is disabled on (the school-year turnover hold): no notice for those. */
  quietEnd: (end: string) => boolean = () => false,
): DueNotices {
  const byKey = new Map(persons.map((p) => [p.key, p]))
  const batches = new Map<
    string,
    { recipient: LeaverNoticeBatch['recipient']; notices: LeaverNotice[] }
  >()
  const unsent: UnsentNotice[] = []
  const moments = [...new Set(daysBefore)].sort((a, b) => b - a)
  for (const person of persons) {
    const end = leavingOn(person.contracts)
    if (end === undefined || end < today || quietEnd(end)) continue
    for (const c of person.contracts) {
      if (c.end !== end) continue
      const due = moments.filter(
        (d) => addDays(end, -d) <= today && !sent.has(noticeKey(c.id, end, d)),
      )
      if (due.length === 0) continue
      const manager = c.manager !== undefined ? byKey.get(c.manager) : undefined
      if (manager?.email === undefined) {
        unsent.push({
          leaver: person.key,
          ...(c.manager !== undefined ? { manager: c.manager } : {}),
          why:
            c.manager === undefined
              ? 'the contract names no manager or mentor'
              : `manager/mentor ${c.manager} has no e-mail address in the sources`,
        })
        continue
      }
      const batch = batches.get(manager.key) ?? {
        recipient: { key: manager.key, name: labelOf(manager), email: manager.email },
        notices: [],
      }
      batches.set(manager.key, batch)
      const where = [c.organisationName ?? c.organisationCode, c.classGroup ?? c.department]
        .filter((x) => x !== undefined)
        .join(', ')
      const number = subjectOf(person, c).number
      batch.notices.push({
        leaver: {
          key: person.key,
          name: labelOf(person),
          ...(number !== undefined ? { number } : {}),
        },
        contract: { id: c.id, role: c.role, end, ...(where !== '' ? { where } : {}) },
        daysLeft: daysBetween(today, end),
        covers: due,
      })
    }
  }
  return {
    batches: [...batches.values()].sort((a, b) => (a.recipient.key < b.recipient.key ? -1 : 1)),
    unsent,
  }
}

/** The day a person leaves: the end of their last contract, when every contract has an end. */
function leavingOn(contracts: readonly Contract[]): string | undefined {
  if (contracts.length === 0) return undefined
  let last: string | undefined
  for (const c of contracts) {
    if (c.end === undefined) return undefined
    if (last === undefined || c.end > last) last = c.end
  }
  return last
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

export interface LeaverNoticeOptions {
  readonly daysBefore: readonly number[]
  readonly actor: string
  /** Sends one recipient's notices (a mail); throws when it could not. */
  readonly send: (batch: LeaverNoticeBatch) => Promise<void>
}

export interface LeaverNoticeResult {
  readonly sent: number
  readonly problems: readonly string[]
}

/**
 * Reads the sources (as `explain` does: nothing stored), sends the notices due today and records each sent one
 * in the audit log. A recipient whose mail fails is said in `problems` and tried again on the next run.
 */
export async function sendLeaverNotices(
  engine: Engine,
  o: LeaverNoticeOptions,
): Promise<LeaverNoticeResult> {
  const today = toIsoDate(engine.now())
  const read = await readSources(engine, today)
  if ('issues' in read)
    return {
      sent: 0,
      problems: [
        `leaver notices: the sources could not be read (${read.issues[0]?.message ?? ''})`,
      ],
    }
  const merged = mergePersons(read.snapshots, {
    primaryOrder: engine.setup.primaryContract,
    ...(engine.setup.match !== undefined ? { match: engine.setup.match } : {}),
  })
  const horizon = addDays(today, Math.max(0, ...o.daysBefore))
  // only persons leaving within the horizon are looked up in the audit log
  const leaving = merged.persons.filter((p) => {
    const end = leavingOn(p.contracts)
    return end !== undefined && end >= today && end <= horizon
  })
  const sent = new Set<string>()
  for (const p of leaving) {
    for (const e of await engine.store.listAudit({
      kind: 'notice.leaver',
      person: p.key,
      limit: 100,
    })) {
      for (const k of (e.data?.['keys'] as string[] | undefined) ?? []) sent.add(k)
    }
  }
  // everyone, for the managers' and mentors' addresses; a leaver beyond the horizon has nothing due yet
  // every pupil's enrolment ends with the school year until next year's data arrives: where a hold window keeps
  // disables back on the end date in every target (the turnover), nobody is told about that date
  const targets = engine.setup.targets
  const quietEnd = (end: string) =>
    targets.length > 0 &&
    targets.every((t) =>
      t.lifecycle.holds.some(
        (h) => h.kinds.includes('disable') && inYearlyWindow(end, h.from, h.to),
      ),
    )
  const due = dueLeaverNotices(merged.persons, today, o.daysBefore, sent, quietEnd)
  const problems = due.unsent.map((u) => `leaver notice for ${u.leaver} not sent: ${u.why}`)
  let count = 0
  for (const batch of due.batches) {
    try {
      await o.send(batch)
    } catch (e) {
      problems.push(
        `leaver notice to ${batch.recipient.email} could not be sent: ${(e as Error).message}`,
      )
      continue
    }
    count += batch.notices.length
    await engine.store.appendAudit(
      batch.notices.map((n) => ({
        type: 'notice.leaver',
        actor: o.actor,
        person: n.leaver.key,
        data: {
          to: batch.recipient.key,
          end: n.contract.end,
          daysLeft: n.daysLeft,
          keys: n.covers.map((d) => noticeKey(n.contract.id, n.contract.end, d)),
        },
      })),
    )
  }
  return { sent: count, problems }
}
