// Aura fields ↔ the IMS pms v1.0 `person` element, with the namespaces and element mapping of the HelloID Aura
// connector (Tools4everBV/HelloID-Conn-Prov-Target-Aura, create.ps1: ConvertTo-ImsAccountObject and
// ConvertTo-AuraAccountFromXML), and the IMS statusInfo of every answer.
import { listOf, textOf, type ParsedEnvelope } from '../../protocol/index.ts'

export const WSDL_NS = 'http://www.imsglobal.org/services/pms/wsdl/imsPersonManServiceSync_v1p0'
export const MESS_NS = 'http://www.imsglobal.org/services/pms/xsd/imsPersonManMessSchema_v1p0'
export const DATA_NS = 'http://www.imsglobal.org/services/pms/xsd/imsPersonManDataSchema_v1p0'
export const COMMON_NS = 'http://www.imsglobal.org/services/common/imsCommonSchema_v1p0'

/** Elements that may repeat: parsed as arrays always. */
export const AURA_ARRAYS = ['partName', 'tel', 'extensionField', 'codeMinorField']

/** The Aura fields Koppel writes; attribute names in the target config are these names. */
export const AURA_FIELDS = [
  'LENERSCODE',
  'VOORN',
  'VOORV',
  'LENERSNAAM',
  'EMAILADRES',
  'PASNUMMER',
  'ADRES',
  'POSTCODE',
  'PLAATS',
  'KAMERNR',
  'GEBDATUM',
  'GESLACHT',
  'TELEFOON',
  'GSM',
  'CC_EMAILADRES',
  'VESTIGING',
  'UserPrincipalName',
] as const

/** Read-only: the end date as the read reports it (GUESS: an extension field `uitschrijfdatum`). */
export const END_DATE_FIELD = 'UITSDATUM'

export type AuraFields = Record<string, string>

const NAME_PARTS = [
  ['VOORN', 'First'],
  ['VOORV', 'Middle'],
  ['LENERSNAAM', 'Last'],
] as const
const ADDRESS = [
  ['ADRES', 'street'],
  ['POSTCODE', 'postcode'],
  ['PLAATS', 'locality'],
  ['KAMERNR', 'extadd'],
] as const
const DEMOGRAPHICS = [
  ['GEBDATUM', 'bday'],
  ['GESLACHT', 'gender'],
] as const
const TELS = [
  ['TELEFOON', 'Voice'],
  ['GSM', 'Mobile'],
] as const
const EXTENSIONS = [
  ['PASNUMMER', 'rentalcode'],
  ['CC_EMAILADRES', 'cc_emailadres'],
  ['VESTIGING', 'vestiging'],
  ['UserPrincipalName', 'UserPrincipalName'],
] as const

/**
 * The `person` element for the fields given (LENERSCODE always as userId/userIdValue). A field with an empty
 * value is sent as an empty element, which Aura reads as "clear"; a field that is absent is not sent, so Aura
 * keeps it.
 */
export function personElement(
  lenerscode: string,
  fields: AuraFields,
  password?: string,
): Record<string, unknown> {
  const has = (f: string) => Object.hasOwn(fields, f)
  const person: Record<string, unknown> = {
    userId: {
      '@_xmlns': DATA_NS,
      userIdValue: { '@_xmlns': COMMON_NS, '#text': lenerscode },
      // The IMS common schema's UserIdDType names it passWord, in the common namespace (the HelloID script's
      // namespace table lists passWord there; a password in the data namespace would be silently dropped)
      ...(password !== undefined ? { passWord: { '@_xmlns': COMMON_NS, '#text': password } } : {}),
    },
  }
  const parts = NAME_PARTS.filter(([f]) => has(f)).map(([f, type]) => ({
    namePartType: type,
    namePartValue: fields[f],
  }))
  if (parts.length > 0) person.name = { '@_xmlns': DATA_NS, partName: parts }
  if (has('EMAILADRES')) person.email = { '@_xmlns': COMMON_NS, '#text': fields.EMAILADRES }
  const address = Object.fromEntries(
    ADDRESS.filter(([f]) => has(f)).map(([f, el]) => [el, fields[f]]),
  )
  if (Object.keys(address).length > 0) person.address = { '@_xmlns': DATA_NS, ...address }
  const demo = Object.fromEntries(
    DEMOGRAPHICS.filter(([f]) => has(f)).map(([f, el]) => [el, fields[f]]),
  )
  if (Object.keys(demo).length > 0) person.demographics = { '@_xmlns': DATA_NS, ...demo }
  const tels = TELS.filter(([f]) => has(f)).map(([f, type]) => ({
    '@_xmlns': DATA_NS,
    telValue: fields[f],
    telType_: type,
  }))
  if (tels.length > 0) person.tel = tels
  const ext = EXTENSIONS.filter(([f]) => has(f)).map(([f, name]) => ({
    '@_xmlns': COMMON_NS,
    fieldName: name,
    fieldType: 'String',
    fieldValue: fields[f],
  }))
  if (ext.length > 0) person.extension = { '@_xmlns': DATA_NS, extensionField: ext }
  return person
}

/** The disable write: address/extadd holding the end date yyyyMMdd (documented in the v1 README). */
export function endDateElement(lenerscode: string, ymd: string): Record<string, unknown> {
  return {
    userId: { '@_xmlns': DATA_NS, userIdValue: { '@_xmlns': COMMON_NS, '#text': lenerscode } },
    address: { '@_xmlns': DATA_NS, extadd: ymd },
  }
}

/** Aura fields from a read `person` element; absent elements are absent, as on the HelloID read side. */
export function fieldsOf(node: unknown): AuraFields {
  const out: AuraFields = {}
  const obj = (v: unknown) =>
    v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {}
  const set = (field: string, v: unknown) => {
    const t = textOf(v)
    if (t !== undefined && t !== '') out[field] = t
  }
  const p = obj(node)
  set('LENERSCODE', obj(p.userId).userIdValue)
  for (const part of listOf<Record<string, unknown>>(obj(p.name).partName)) {
    // the reference compares namePartType case-insensitively (PowerShell switch)
    const type = (textOf(part.namePartType) ?? '').toLowerCase()
    const hit = NAME_PARTS.find(([, t]) => t.toLowerCase() === type)
    if (hit) set(hit[0], part.namePartValue)
  }
  set('EMAILADRES', p.email)
  const address = obj(p.address)
  for (const [f, el] of ADDRESS) set(f, address[el])
  const demo = obj(p.demographics)
  for (const [f, el] of DEMOGRAPHICS) set(f, demo[el])
  for (const tel of listOf<Record<string, unknown>>(p.tel)) {
    // documented: on read, Item1 or Voice is TELEFOON; compared case-insensitively as the reference does
    const type = (textOf(tel.telType_) ?? '').toLowerCase()
    if (type === 'voice' || type === 'item1') set('TELEFOON', tel.telValue)
    else if (type === 'mobile') set('GSM', tel.telValue)
  }
  for (const f of listOf<Record<string, unknown>>(obj(p.extension).extensionField)) {
    // documented: the read side compares fieldName case-insensitively
    const name = (textOf(f.fieldName) ?? '').toLowerCase()
    const hit = EXTENSIONS.find(([, n]) => n.toLowerCase() === name)
    if (hit) set(hit[0], f.fieldValue)
    // GUESS: the end date comes back as extension field `uitschrijfdatum`
    else if (name === 'uitschrijfdatum') set(END_DATE_FIELD, f.fieldValue)
  }
  return out
}

export interface AuraStatus {
  readonly success: boolean
  readonly codeMajor: string
  readonly codeMinor: string
  readonly text: string
}

/**
 * `Header/syncResponseHeaderInfo/statusInfo`. Success as HelloID decides it: codeMajor `success`, or a
 * description text "alles Ok" with a codeMajor other than `failure`, all compared case-insensitively (PowerShell's
 * -eq/-ne); anything else (also a missing statusInfo) is a failure.
 */
export function statusOf(env: ParsedEnvelope): AuraStatus {
  const info = ((env.header.syncResponseHeaderInfo as Record<string, unknown> | undefined)
    ?.statusInfo ?? {}) as Record<string, unknown>
  const codeMajor = textOf(info.codeMajor) ?? ''
  const field = listOf<Record<string, unknown>>(
    (info.codeMinor as Record<string, unknown> | undefined)?.codeMinorField,
  )[0]
  const codeMinor = textOf(field?.codeMinorFieldValue) ?? ''
  const text = textOf((info.description as Record<string, unknown> | undefined)?.text) ?? ''
  const major = codeMajor.toLowerCase()
  const success = major === 'success' || (major !== 'failure' && text.toLowerCase() === 'alles ok')
  return { success, codeMajor: codeMajor || '(no statusInfo)', codeMinor, text }
}
