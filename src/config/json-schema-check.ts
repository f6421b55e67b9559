/**
 * Test support: checks a value against the subset of JSON Schema that `configJsonSchema` emits (type,
 * properties, required, additionalProperties, items, oneOf/anyOf, const, enum, pattern, bounds), the way an
 * editor's YAML language server would. Throws on keywords it does not know, so it cannot pass by ignoring
 * them. Not a general validator.
 */
type Schema = Readonly<Record<string, unknown>>

const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default', 'secret', 'format'])
const CHECKED = new Set([
  ...[
    'type',
    'properties',
    'required',
    'additionalProperties',
    'items',
    'oneOf',
    'anyOf',
    'const',
    'enum',
  ],
  ...[
    'pattern',
    'minimum',
    'maximum',
    'exclusiveMinimum',
    'exclusiveMaximum',
    'minItems',
    'maxItems',
  ],
  ...['minLength', 'maxLength', 'propertyNames', 'not'],
])

function typeMatches(type: string, v: unknown): boolean {
  if (type === 'integer') return Number.isInteger(v)
  if (type === 'array') return Array.isArray(v)
  if (type === 'object') return typeof v === 'object' && v !== null && !Array.isArray(v)
  if (type === 'null') return v === null
  return typeof v === type
}

export function jsonSchemaErrors(schema: Schema, v: unknown, at = '$'): string[] {
  for (const k of Object.keys(schema))
    if (!ANNOTATIONS.has(k) && !CHECKED.has(k)) throw new Error(`unsupported ${k} at ${at}`)
  const errors: string[] = []
  const sub = (s: unknown, value: unknown, path: string) =>
    jsonSchemaErrors(s as Schema, value, path)
  const types =
    schema['type'] === undefined ? [] : ([] as string[]).concat(schema['type'] as string)
  if (types.length > 0 && !types.some((t) => typeMatches(t, v)))
    return [`${at}: expected ${types.join('|')}`]
  if ('const' in schema && schema['const'] !== v)
    errors.push(`${at}: expected ${JSON.stringify(schema['const'])}`)
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(v))
    errors.push(`${at}: not in enum`)
  if ('not' in schema && sub(schema['not'], v, at).length === 0) errors.push(`${at}: matches "not"`)
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key] as unknown[] | undefined
    if (options === undefined) continue
    const passing = options.filter((o) => sub(o, v, at).length === 0).length
    if (key === 'oneOf' ? passing !== 1 : passing === 0)
      errors.push(`${at}: ${passing} of ${key} match`)
  }
  if (
    typeof v === 'string' &&
    typeof schema['pattern'] === 'string' &&
    !new RegExp(schema['pattern'], 'u').test(v)
  ) {
    errors.push(`${at}: does not match ${schema['pattern']}`)
  }
  const minLength = schema['minLength']
  if (typeof v === 'string' && typeof minLength === 'number' && v.length < minLength)
    errors.push(`${at}: too short`)
  if (typeof v === 'number') {
    if (typeof schema['minimum'] === 'number' && v < schema['minimum'])
      errors.push(`${at}: < minimum`)
    if (typeof schema['maximum'] === 'number' && v > schema['maximum'])
      errors.push(`${at}: > maximum`)
  }
  if (Array.isArray(v)) {
    if (typeof schema['minItems'] === 'number' && v.length < schema['minItems'])
      errors.push(`${at}: too few items`)
    if (schema['items'] !== undefined)
      v.forEach((item, i) => errors.push(...sub(schema['items'], item, `${at}[${i}]`)))
  }
  if (typeMatches('object', v)) {
    const obj = v as Record<string, unknown>
    const props = (schema['properties'] ?? {}) as Record<string, unknown>
    for (const r of (schema['required'] ?? []) as string[])
      if (!(r in obj)) errors.push(`${at}: missing ${r}`)
    for (const [k, value] of Object.entries(obj)) {
      const extra = schema['additionalProperties']
      if (k in props) errors.push(...sub(props[k], value, `${at}.${k}`))
      else if (extra === false) errors.push(`${at}: unknown key ${k}`)
      else if (typeof extra === 'object') errors.push(...sub(extra, value, `${at}.${k}`))
    }
  }
  return errors
}
