/**
 * A plan's actions never change once stored (its status does, and is read apart), but reading them means
 * decompressing the whole plan (~12 MB of JSON at 100,000 persons). Paging through one plan's actions, or
 * reloading its page, would pay that every time, so the last few plans are kept, keyed by plan id; the API and
 * the dashboard share one cache.
 */
import type { Action, Plan } from '../../model/index.ts'
import type { Store } from '../../store/index.ts'

export class PlanActionsCache {
  readonly #store: Store
  readonly #size: number
  readonly #plans = new Map<string, Promise<Plan | undefined>>()

  constructor(store: Store, size = 2) {
    this.#store = store
    this.#size = size
  }

  async actions(planId: string): Promise<readonly Action[] | undefined> {
    return (await this.#stored(planId))?.actions
  }

  /** The plan as stored, with its status as it is now (approve and reject change it; nothing else does). */
  async plan(planId: string): Promise<Plan | undefined> {
    const plan = await this.#stored(planId)
    if (plan === undefined) return undefined
    return { ...plan, status: (await this.#store.planStatus(planId)) ?? plan.status }
  }

  #stored(planId: string): Promise<Plan | undefined> {
    const hit = this.#plans.get(planId)
    if (hit !== undefined) {
      // most recently used last, so the oldest is dropped first
      this.#plans.delete(planId)
      this.#plans.set(planId, hit)
      return hit
    }
    const read = this.#store.getPlan(planId)
    // a plan not found (yet) is not remembered: it may be stored a moment later
    void read.then(
      (a) => a === undefined && this.#plans.delete(planId),
      () => this.#plans.delete(planId),
    )
    this.#plans.set(planId, read)
    while (this.#plans.size > this.#size)
      this.#plans.delete(this.#plans.keys().next().value as string)
    return read
  }
}
