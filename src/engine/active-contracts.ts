import type { Contract } from '../model/index.ts'
import { addDays } from '../util/dates.ts'

/**
 * Contracts that count today: started (or starting within `provisionDaysBefore` days, so accounts exist on the
 * first school day) and not yet ended. `end` is exclusive, as in OneRoster.
 */
export function activeContracts(
  contracts: readonly Contract[],
  today: string,
  provisionDaysBefore: number,
): Contract[] {
  const horizon = addDays(today, provisionDaysBefore)
  return contracts.filter(
    (c) => (c.start === undefined || c.start <= horizon) && (c.end === undefined || c.end > today),
  )
}

/** The last day a person had a contract (the latest exclusive end), or undefined when any contract is open-ended. */
export function lastContractEnd(contracts: readonly Contract[]): string | undefined {
  let last: string | undefined
  for (const c of contracts) {
    if (c.end === undefined) return undefined
    if (last === undefined || c.end > last) last = c.end
  }
  return last
}
