/**
 * Holds on persons (`koppel hold`): one person's entitlements frozen with a reason and an end date. While a hold
 * lasts, no plan has an action for the person (as for a person whose rule failed: the accounts keep their state);
 * every plan names the hold in a note, and `status` lists it. Lifted, or past its end, the next plan catches the
 * person up through the usual diff. Placing and lifting are audited.
 */
import type { PersonHold } from '../model/index.ts'
import { canonicalJson, sha256 } from '../util/canonical-json.ts'
import { isIsoDate, toIsoDate } from '../util/dates.ts'
import { readSources } from './read-sources.ts'
import { fold } from '../util/fold-text.ts'
import { findPersons, type PersonCandidate } from './find-person.ts'
import { mergePersons } from './merge-persons.ts'
import type { Engine } from './pipeline.ts'

export type HoldOutcome =
  | { readonly ok: true; readonly hold: PersonHold; readonly replaced?: PersonHold }
  | {
      readonly ok: false
      readonly code: 'not-found' | 'ambiguous' | 'invalid' | 'unreadable'
      readonly message: string
      readonly candidates?: readonly PersonCandidate[]
    }

export type LiftOutcome =
  | { readonly ok: true; readonly hold: PersonHold }
  | {
      readonly ok: false
      readonly code: 'not-found' | 'ambiguous'
      readonly message: string
      readonly candidates?: readonly PersonHold[]
    }

/** Holds in force on `today`: person key → the note every plan carries for them. */
export function activeHolds(holds: readonly PersonHold[], today: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const h of holds) if (today < h.until) out.set(h.person, holdNote(h))
  return out
}

export function holdNote(h: PersonHold): string {
  return `hold: ${h.label} (${h.person}) is held until ${h.until} by ${h.placedBy}: ${h.reason}; nothing is planned for them`
}

/**
 * What a plan records of the holds it honoured (person, end, reason: what its notes say): a change of holds is a
 * change of the plan's inputs, so the unchanged-sources shortcut never returns a plan made under other holds.
 */
export function holdsInput(holds: readonly PersonHold[]): string {
  return sha256(
    canonicalJson(
      [...holds]
        .sort((a, b) => (a.person < b.person ? -1 : 1))
        .map((h) => [h.person, h.until, h.reason]),
    ),
  )
}

/**
 * Places (or replaces) a hold on the one person `query` names: a key, number, username or part of the name, as
 * `koppel explain` finds them (the sources are read for that; nothing else is). `until` must lie after today.
 */
export async function placeHold(
  engine: Engine,
  query: string,
  o: { readonly reason: string; readonly until: string; readonly actor: string },
): Promise<HoldOutcome> {
  const today = toIsoDate(engine.now())
  const reason = o.reason.trim()
  if (reason === '')
    return { ok: false, code: 'invalid', message: 'a hold needs a reason (--reason)' }
  // Date.parse takes 2027-02-30 for 2027-03-02: the round trip must give the same day
  if (!isIsoDate(o.until) || toIsoDate(new Date(`${o.until}T00:00:00Z`)) !== o.until)
    return { ok: false, code: 'invalid', message: `--until ${o.until}: not a date (YYYY-MM-DD)` }
  if (o.until <= today)
    return {
      ok: false,
      code: 'invalid',
      message: `--until ${o.until}: the hold would already be over (today is ${today})`,
    }
  const read = await readSources(engine, today)
  if ('issues' in read)
    return {
      ok: false,
      code: 'unreadable',
      message: `the sources could not be read: ${read.issues[0]?.message ?? ''}`,
    }
  const ledger = await engine.store.listAccounts()
  const merged = mergePersons(read.snapshots, {
    primaryOrder: engine.setup.primaryContract,
    ...(engine.setup.match !== undefined ? { match: engine.setup.match } : {}),
    ledgerKeys: new Set(ledger.filter((a) => a.state !== 'deleted').map((a) => a.person)),
  })
  const found = findPersons(query, merged.persons, ledger)
  if (found.length === 0)
    return {
      ok: false,
      code: 'not-found',
      message: `no person in the sources or the ledger matches "${query}"`,
    }
  if (found.length > 1)
    return {
      ok: false,
      code: 'ambiguous',
      message: `${found.length} persons match "${query}"; name one by key or number`,
      candidates: found.map((f) => f.candidate),
    }
  const { key, candidate } = found[0] as (typeof found)[number]
  const previous = (await engine.store.listHolds()).find((h) => h.person === key)
  const hold: PersonHold = {
    kind: 'hold',
    person: key,
    label: candidate.name,
    reason,
    until: o.until,
    placedBy: o.actor,
    placedAt: engine.now().toISOString(),
  }
  // the event before the row: a hold without its event would be a sign of a cut log
  await engine.store.appendAudit([
    {
      type: 'hold.placed',
      actor: o.actor,
      person: key,
      data: {
        until: o.until,
        reason,
        ...(previous !== undefined
          ? { replaces: { until: previous.until, reason: previous.reason } }
          : {}),
      },
    },
  ])
  await engine.store.saveHold(hold)
  return { ok: true, hold, ...(previous !== undefined ? { replaced: previous } : {}) }
}

/** Lifts the hold on the person `query` names among the held ones (key, or part of the name). */
export async function liftHold(
  engine: Engine,
  query: string,
  o: { readonly actor: string; readonly reason?: string },
): Promise<LiftOutcome> {
  const holds = await engine.store.listHolds()
  const q = fold(query.trim())
  const exact = holds.filter((h) => fold(h.person) === q)
  const found =
    exact.length > 0 ? exact : holds.filter((h) => q !== '' && fold(h.label).includes(q))
  if (found.length === 0)
    return { ok: false, code: 'not-found', message: `no hold on a person matching "${query}"` }
  if (found.length > 1)
    return {
      ok: false,
      code: 'ambiguous',
      message: `${found.length} held persons match "${query}"; name one by key`,
      candidates: found,
    }
  const hold = found[0] as PersonHold
  await engine.store.appendAudit([
    {
      type: 'hold.lifted',
      actor: o.actor,
      person: hold.person,
      data: {
        until: hold.until,
        reason: hold.reason,
        ...(o.reason !== undefined ? { liftReason: o.reason } : {}),
      },
    },
  ])
  await engine.store.deleteHold(hold.person)
  return { ok: true, hold }
}
