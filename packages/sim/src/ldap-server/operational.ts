// The operational attributes slapd keeps on every entry (entryUUID, creatorsName, createTimestamp,
// modifiersName, modifyTimestamp, entryCSN, structuralObjectClass), stamped on add and on every change.
// Virtual ones (entryDN, hasSubordinates, subschemaSubentry) are computed by the directory on read.
import { randomUUID } from 'node:crypto'
import { makeAttr, type Attr } from './entry.ts'
import { requireAttributeType } from './schema.ts'

/** GeneralizedTime as slapd writes it: `20261122143005Z`. */
export function generalizedTime(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z')
}

let csnCount = 0

/** A change sequence number in slapd's format: `20261122143005.123456Z#000000#000#000000`. */
export function changeSequenceNumber(date: Date): string {
  const micros = String(date.getUTCMilliseconds() * 1000).padStart(6, '0')
  csnCount = (csnCount + 1) % 0x1000000
  const count = csnCount.toString(16).padStart(6, '0')
  return `${generalizedTime(date).slice(0, -1)}.${micros}Z#${count}#000#000000`
}

function set(attrs: Map<string, Attr>, key: string, value: string) {
  attrs.set(key, makeAttr(requireAttributeType(key), [value]))
}

export function stampCreated(
  attrs: Map<string, Attr>,
  who: string,
  structural: string,
  date = new Date(),
): void {
  set(attrs, 'structuralobjectclass', structural)
  set(attrs, 'entryuuid', randomUUID())
  set(attrs, 'creatorsname', who)
  set(attrs, 'createtimestamp', generalizedTime(date))
  stampModified(attrs, who, date)
}

export function stampModified(attrs: Map<string, Attr>, who: string, date = new Date()): void {
  set(attrs, 'entrycsn', changeSequenceNumber(date))
  set(attrs, 'modifiersname', who)
  set(attrs, 'modifytimestamp', generalizedTime(date))
}
