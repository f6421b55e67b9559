/** Scalar values that flow from sources through rules into targets. */
export type Scalar = string | number | boolean | null

/** An attribute value in a target: single or multi-valued (LDAP, SCIM emails, proxyAddresses). */
export type AttributeValue = string | readonly string[]

export type Attributes = Readonly<Record<string, AttributeValue>>

/** A calendar date `YYYY-MM-DD`; windows are start-inclusive and end-exclusive, as in OneRoster. */
export type IsoDate = string

/** Deep-freezes plain data so that model values can be shared between stages without copies. */
export function freeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value as object)) freeze(v)
  }
  return value
}
