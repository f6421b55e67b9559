// SCIM attribute paths as Koppel attribute names (RFC 7644 §3.10 attrPath, plus the one value filter form
// that mappings need): `userName`, `name.familyName`, `emails[type eq "work"].value`,
// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`. Reading, writing and PATCH
// operations over a resource's JSON, and the escaping of values in filters.
import { ConnectorError } from '../../contract/index.ts'
import type { AttributeValue } from '../../model/index.ts'

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

export interface ScimPath {
  /** Extension schema URN, for extension attributes. */
  readonly urn?: string
  readonly attr: string
  /** `[type eq "work"]`: selects one element of a multi-valued attribute. */
  readonly filter?: { readonly attr: string; readonly value: string }
  readonly sub?: string
}

const NAME = '[A-Za-z][\\w$-]*'
const PATH = new RegExp(
  `^(${NAME})(?:\\[(${NAME})\\s+eq\\s+("(?:[^"\\\\]|\\\\.)*")\\])?(?:\\.(${NAME}))?$`,
)

export function parsePath(path: string): ScimPath {
  let urn: string | undefined
  let rest = path
  if (/^urn:/i.test(path)) {
    const bracket = path.indexOf('[')
    const cut = path.lastIndexOf(':', bracket === -1 ? path.length : bracket)
    urn = path.slice(0, cut)
    rest = path.slice(cut + 1)
  }
  const m = PATH.exec(rest)
  if (m === null || (urn !== undefined && !/^urn:[A-Za-z0-9][\w.:-]*$/.test(urn))) {
    throw new ConnectorError(
      'config',
      `${JSON.stringify(path)} is not a SCIM attribute path (e.g. userName, name.familyName, emails[type eq "work"].value)`,
    )
  }
  let filter: ScimPath['filter']
  if (m[2] !== undefined) filter = { attr: m[2], value: JSON.parse(m[3] as string) as string }
  return {
    ...(urn !== undefined ? { urn } : {}),
    attr: m[1] as string,
    ...(filter ? { filter } : {}),
    ...(m[4] !== undefined ? { sub: m[4] } : {}),
  }
}

/** The path as it goes into a PATCH `path` (RFC 7644 §3.5.2). */
export function formatPath(p: ScimPath, withSub = true): string {
  const f = p.filter ? `[${p.filter.attr} eq ${JSON.stringify(p.filter.value)}]` : ''
  const s = withSub && p.sub !== undefined ? `.${p.sub}` : ''
  return `${p.urn !== undefined ? `${p.urn}:` : ''}${p.attr}${f}${s}`
}

/** A filter value as a JSON string literal: quotes, backslashes and control characters escaped. */
export function filterValue(value: string): string {
  return JSON.stringify(value)
}

/** `attr eq "value"`, refusing attribute names that could change the filter's meaning. */
export function eqFilter(attribute: string, value: string): string {
  const p = parsePath(attribute)
  if (p.filter !== undefined)
    throw new ConnectorError(
      'config',
      `anchor attribute ${JSON.stringify(attribute)} cannot carry a value filter`,
    )
  return `${formatPath(p)} eq ${filterValue(value)}`
}

type Json = Record<string, unknown>

function key(obj: Json, name: string): string | undefined {
  if (name in obj) return name
  const lower = name.toLowerCase()
  return Object.keys(obj).find((k) => k.toLowerCase() === lower) // attribute names are case-insensitive
}

function container(resource: Json, p: ScimPath): Json | undefined {
  if (p.urn === undefined) return resource
  const k = key(resource, p.urn)
  const c = k === undefined ? undefined : resource[k]
  return c !== null && typeof c === 'object' ? (c as Json) : undefined
}

function element(list: unknown, f: NonNullable<ScimPath['filter']>): Json | undefined {
  if (!Array.isArray(list)) return undefined
  return list.find(
    (e): e is Json =>
      e !== null &&
      typeof e === 'object' &&
      String((e as Json)[key(e as Json, f.attr) ?? f.attr]) === f.value,
  )
}

function toValue(v: unknown): AttributeValue | undefined {
  if (v === undefined || v === null) return undefined
  if (Array.isArray(v)) return v.every((x) => typeof x !== 'object') ? v.map(String) : undefined
  if (typeof v === 'object') return undefined
  return String(v)
}

export function getPath(resource: Json, p: ScimPath): AttributeValue | undefined {
  const c = container(resource, p)
  if (c === undefined) return undefined
  const k = key(c, p.attr)
  let v: unknown = k === undefined ? undefined : c[k]
  if (p.filter !== undefined) v = element(v, p.filter)
  if (p.sub !== undefined) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined
    const sk = key(v as Json, p.sub)
    v = sk === undefined ? undefined : (v as Json)[sk]
  }
  return toValue(v)
}

/** Sets (or with `undefined` removes) a value in a resource's JSON, in place. */
export function setPath(resource: Json, p: ScimPath, value: AttributeValue | undefined): void {
  let c = container(resource, p)
  if (c === undefined) {
    if (value === undefined) return
    c = {}
    resource[p.urn as string] = c
  }
  const k = key(c, p.attr) ?? p.attr
  if (p.filter === undefined && p.sub === undefined) {
    if (value === undefined) delete c[k]
    else c[k] = value
    return
  }
  if (p.filter === undefined) {
    const sub = p.sub as string
    let obj = c[k] as Json | undefined
    if (obj === undefined || obj === null || typeof obj !== 'object') {
      if (value === undefined) return
      obj = {}
      c[k] = obj
    }
    if (value === undefined) delete obj[key(obj, sub) ?? sub]
    else obj[key(obj, sub) ?? sub] = value
    return
  }
  const list = Array.isArray(c[k]) ? (c[k] as Json[]) : []
  const el = element(list, p.filter)
  if (value === undefined) {
    if (el !== undefined) c[k] = list.filter((e) => e !== el)
    return
  }
  const sub = p.sub ?? 'value'
  if (el !== undefined) el[key(el, sub) ?? sub] = value
  else c[k] = [...list, { [p.filter.attr]: p.filter.value, [sub]: value }]
}

export interface PatchOperation {
  readonly op: 'add' | 'remove' | 'replace'
  readonly path?: string
  readonly value?: unknown
}

/**
 * The PATCH operation for one change against the resource as it is now, or none when nothing changes (a
 * removal of an absent value). A value filter that selects no element becomes an `add` of a new element:
 * RFC 7644 §3.5.2.3 makes `replace` with a non-matching filter a 400 noTarget.
 */
export function patchOperation(
  current: Json,
  p: ScimPath,
  value: AttributeValue | undefined,
): PatchOperation | undefined {
  const present = getPath(current, p)
  if (value === undefined) {
    if (present === undefined) return undefined
    return { op: 'remove', path: p.filter !== undefined ? formatPath(p, false) : formatPath(p) }
  }
  if (p.filter !== undefined) {
    const c = container(current, p)
    const exists = c !== undefined && element(c[key(c, p.attr) ?? p.attr], p.filter) !== undefined
    if (!exists) {
      return {
        op: 'add',
        path: formatPath({ ...(p.urn !== undefined ? { urn: p.urn } : {}), attr: p.attr }),
        value: [{ [p.filter.attr]: p.filter.value, [p.sub ?? 'value']: value }],
      }
    }
  }
  return { op: 'replace', path: formatPath(p), value }
}

export function isEmpty(value: AttributeValue | undefined): boolean {
  return value === undefined || value === '' || (Array.isArray(value) && value.length === 0)
}
