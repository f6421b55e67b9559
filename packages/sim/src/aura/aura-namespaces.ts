// Namespace check for the elements of an Aura read/create/update request. The HelloID Aura script
// (Tools4everBV/HelloID-Conn-Prov-Target-Aura, create.ps1: Write-ToAuraXmlDocument) puts each element in the
// namespace of its own table; elements the table does not list inherit their parent's namespace (the script
// removes the empty xmlns it would otherwise carry). The IMS common schema's UserIdDType names the password child
// `passWord` (the script's current version writes `password`; both are taken, in the common namespace only).
import { XMLParser } from 'fast-xml-parser'

export const DATA_NS = 'http://www.imsglobal.org/services/pms/xsd/imsPersonManDataSchema_v1p0'
export const COMMON_NS = 'http://www.imsglobal.org/services/common/imsCommonSchema_v1p0'
const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/'

const DATA = [
  'address',
  'formatName',
  'name',
  'photo',
  'extension',
  'recordInfo',
  'tel',
  'demographics',
  'userId',
]
const COMMON = [
  'extensionField',
  'email',
  'dataSource',
  'authenticationType',
  'passWord',
  'password',
  'pwEncryptionType',
  'userIdType',
  'userIdValue',
  'identifier',
]

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseTagValue: false,
  processEntities: false,
})

type Node = Record<string, unknown>

interface Element {
  readonly qname: string
  readonly local: string
  readonly prefix: string
  readonly attrs: Record<string, string>
  readonly children: Node[]
}

function elementOf(node: Node): Element | undefined {
  const qname = Object.keys(node).find((k) => k !== ':@' && k !== '#text')
  if (qname === undefined) return undefined
  const i = qname.indexOf(':')
  return {
    qname,
    local: i < 0 ? qname : qname.slice(i + 1),
    prefix: i < 0 ? '' : qname.slice(0, i),
    attrs: (node[':@'] ?? {}) as Record<string, string>,
    children: (node[qname] ?? []) as Node[],
  }
}

/** The in-scope prefix → namespace map after an element's own declarations. */
function scopeOf(el: Element, parent: ReadonlyMap<string, string>): Map<string, string> {
  const scope = new Map(parent)
  for (const [k, v] of Object.entries(el.attrs)) {
    if (k === '@_xmlns') scope.set('', v)
    else if (k.startsWith('@_xmlns:')) scope.set(k.slice('@_xmlns:'.length), v)
  }
  return scope
}

/** The namespace an element of `person` must be in, given its parent's. */
function expected(local: string, parentNs: string): string {
  if (DATA.includes(local)) return DATA_NS
  if (COMMON.includes(local)) return COMMON_NS
  return parentNs
}

function check(
  el: Element,
  scope: ReadonlyMap<string, string>,
  parentNs: string,
  path: string,
): string | undefined {
  const inner = scopeOf(el, scope)
  const ns = inner.get(el.prefix) ?? ''
  const want = expected(el.local, parentNs)
  if (ns !== want) return `${path}/${el.local} is in namespace '${ns}', expected '${want}'`
  for (const c of el.children) {
    const child = elementOf(c)
    if (child === undefined) continue
    const found = check(child, inner, ns, `${path}/${el.local}`)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * The first element below the operation (its `sourcedId/identifier`, its `person`) that is in the wrong
 * namespace, or undefined. A .NET XmlSerializer would skip such an element without a word (a password would be
 * lost); the simulator refuses it so that a client putting it there fails its tests.
 */
export function requestNamespaceProblem(xml: string): string | undefined {
  let scope = new Map<string, string>()
  let nodes = parser.parse(xml) as Node[]
  // Envelope → Body → operation
  for (const want of ['Envelope', 'Body', '']) {
    const el = nodes
      .map(elementOf)
      .find((e): e is Element => e !== undefined && (want === '' || e.local === want))
    if (el === undefined) return undefined
    scope = scopeOf(el, scope)
    if (want !== '' && scope.get(el.prefix) !== SOAP11_NS) return undefined
    if (want === '') {
      const opNs = scope.get(el.prefix) ?? ''
      for (const c of el.children) {
        const child = elementOf(c)
        const found = child === undefined ? undefined : check(child, scope, opNs, '')
        if (found !== undefined) return found
      }
      return undefined
    }
    nodes = el.children
  }
  return undefined
}
