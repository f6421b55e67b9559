import type { Account, Action, AttributeValue, FieldChange, Person } from '../model/index.ts'
import type { DesiredAccount } from './desire.ts'
import type { EngineTarget } from './engine-types.ts'
import { personField } from './person-field.ts'
import { labelOf, subjectOf } from './action-subject.ts'
import { valueOf } from './account-values.ts'

export interface WriteBackInput {
  readonly target: EngineTarget
  /** This target's actions from plan-target (a write-back of a new account waits for its create). */
  readonly actions: readonly Action[]
  readonly desired: ReadonlyMap<string, DesiredAccount>
  readonly frozen: ReadonlySet<string>
  /** This target's ledger rows. */
  readonly ledger: readonly Account[]
  /** Source name → record id → that source's own record (not the merged person: its values are the source's). */
  readonly records: ReadonlyMap<string, ReadonlyMap<string, Person>>
}

/**
 * Plans write-backs for one target: for every person who keeps an account there, each configured source field
 * whose value in the source differs from the account's attribute (as it will be after this plan's create or
 * update) becomes one `write-back` action per source. Level-based: a value someone changed by hand in the
 * source is written again. Computes only.
 */
export function planWriteBack(input: WriteBackInput): Action[] {
  const setups = input.target.writeBacks ?? []
  if (setups.length === 0) return []
  const ledger = new Map<string, Account>()
  for (const a of input.ledger) if (a.state !== 'deleted') ledger.set(a.person, a)
  const planned = new Map<
    string,
    { attributes: Record<string, AttributeValue>; removed: Set<string>; createId?: string }
  >()
  for (const a of input.actions) {
    if (a.kind !== 'create' && a.kind !== 'update' && a.kind !== 'correlate') continue
    const p = planned.get(a.person) ?? { attributes: {}, removed: new Set<string>() }
    for (const ch of a.changes) {
      if (ch.new !== undefined) p.attributes[ch.field] = ch.new
      else p.removed.add(ch.field.toLowerCase())
    }
    if (a.kind === 'create') p.createId = a.id
    planned.set(a.person, p)
  }
  const out: Action[] = []
  for (const [key, d] of input.desired) {
    if (input.frozen.has(key)) continue
    const row = ledger.get(key)
    const next = planned.get(key)
    if (row === undefined && next?.createId === undefined) continue
    // the value after this plan: what its create/update writes, else what the ledger holds
    const valueAfter = (attribute: string): string | undefined => {
      if (next?.removed.has(attribute.toLowerCase()) === true) return undefined
      return (
        (next !== undefined ? valueOf(next.attributes, attribute) : undefined) ??
        valueOf(row?.attributes ?? {}, attribute)
      )
    }
    for (const setup of setups) {
      const recordId = d.person.sourceIds[setup.source]
      if (recordId === undefined) continue
      const record = input.records.get(setup.source)?.get(recordId)
      const changes: FieldChange[] = []
      for (const [field, attribute] of Object.entries(setup.fields)) {
        const value = valueAfter(attribute)
        if (value === undefined || value === '') continue
        const current =
          record === undefined ? undefined : personField(record, setup.current[field] ?? '')
        if (current === value) continue
        changes.push(
          current === undefined || current === ''
            ? { field, new: value }
            : { field, old: current, new: value },
        )
      }
      if (changes.length === 0) continue
      const createId = next?.createId
      out.push({
        kind: 'write-back',
        id: `${input.target.name}/${key}/write-back/${setup.source}`,
        target: input.target.name,
        person: key,
        label: labelOf(d.person),
        subject: subjectOf(d.person, d.contract),
        ...(row !== undefined ? { account: { targetId: row.targetId, locator: row.locator } } : {}),
        changes,
        reason: {
          change: 'write-back',
          rule: d.rule,
          detail: `${changes.map((c) => c.field).join(', ')} of ${setup.source} record ${recordId}`,
        },
        writeBack: { source: setup.source, record: recordId },
        ...(createId !== undefined ? { after: createId } : {}),
      })
    }
  }
  return out
}
