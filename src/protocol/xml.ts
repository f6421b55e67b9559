import { XMLBuilder, XMLParser } from 'fast-xml-parser'

/** Attribute keys are `@_name`, text beside attributes is `#text` (fast-xml-parser's defaults, kept everywhere). */
export const ATTR = '@_'

export interface ParseXmlOptions {
  /** Local element names that are always arrays, so one child and many children read the same. */
  readonly arrays?: readonly string[]
  /** Keep namespace prefixes on names. Default false: `soap:Body` reads as `Body`. */
  readonly keepPrefixes?: boolean
  /** Trim whitespace around text values. Default true; false keeps a leading or trailing space in a name. */
  readonly trimValues?: boolean
}

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError'
}

/**
 * Parses untrusted XML safely: a document type declaration is refused outright (no external or internal
 * entities, so no XXE and no entity expansion), values stay strings (a BRIN "00AA" or a leading-zero student
 * number must not become a number), and only the five predefined entities and character references are decoded.
 */
export function parseXml(text: string, options: ParseXmlOptions = {}): Record<string, unknown> {
  if (/<!DOCTYPE/i.test(text))
    throw new XmlSyntaxError('XML with a document type declaration (DOCTYPE) is refused')
  const arrays = new Set(options.arrays ?? [])
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: ATTR,
    removeNSPrefix: options.keepPrefixes !== true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: options.trimValues ?? true,
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (name) => arrays.has(name.includes(':') ? (name.split(':').pop() as string) : name),
  })
  const result: unknown = parser.parse(text, true)
  if (result === null || typeof result !== 'object') throw new XmlSyntaxError('not an XML document')
  return result as Record<string, unknown>
}

/** Serialises an object in the same shape; element order is key order (some services insist on it). */
export function buildXml(
  doc: Record<string, unknown>,
  options: { declaration?: boolean; pretty?: boolean } = {},
): string {
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: ATTR,
    format: options.pretty === true,
    indentBy: '  ',
    suppressEmptyNode: true,
    processEntities: true,
  })
  const xml = builder.build(doc) as string
  return options.declaration === false ? xml : `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`
}

/** The text of an element that may carry attributes (`{ '#text': 'x', '@_type': 'y' }`) or be plain. */
export function textOf(node: unknown): string | undefined {
  if (node === undefined || node === null) return undefined
  if (typeof node === 'string') return node
  if (typeof node === 'number' || typeof node === 'boolean') return String(node)
  if (typeof node === 'object' && '#text' in node)
    return textOf((node as Record<string, unknown>)['#text'])
  if (typeof node === 'object' && Object.keys(node).every((k) => k.startsWith(ATTR))) return ''
  return undefined
}

/** A child that may be one element or many, always as an array. */
export function listOf<T = unknown>(node: unknown): T[] {
  if (node === undefined || node === null || node === '') return []
  return (Array.isArray(node) ? node : [node]) as T[]
}
