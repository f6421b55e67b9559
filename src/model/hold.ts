/**
 * One person's entitlements frozen on purpose (long-term sick, a legal hold): no action is planned for them
 * while the hold lasts, and the next plan after it is lifted or ends catches them up.
 */
export interface PersonHold {
  readonly kind: 'hold'
  /** The person's key. */
  readonly person: string
  /** How the person was named when the hold was placed, for plans and status ("Jan de Vries"). */
  readonly label: string
  readonly reason: string
  /** YYYY-MM-DD: the first day the hold no longer applies. */
  readonly until: string
  readonly placedBy: string
  readonly placedAt: string
}
