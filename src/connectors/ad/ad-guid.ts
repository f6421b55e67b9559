// objectGUID is 16 bytes on the wire; Koppel keeps it as the canonical string AD tools show
// ({9a28e58b-96ae-417b-94d7-9183429e483a} without braces): the first three groups are little-endian
// (MS-DTYP 2.3.4.2), the last two in byte order.
const ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15]
const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function guidToString(bytes: Buffer): string {
  if (bytes.length !== 16) throw new Error(`objectGUID has ${bytes.length} bytes, expected 16`)
  const hex = ORDER.map((i) => (bytes[i] as number).toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export function guidToBytes(text: string): Buffer {
  if (!CANONICAL.test(text))
    throw new Error('expected a GUID like 9a28e58b-96ae-417b-94d7-9183429e483a')
  const hex = Buffer.from(text.replaceAll('-', ''), 'hex')
  const out = Buffer.alloc(16)
  ORDER.forEach((from, to) => (out[to] = hex[from] as number))
  return out
}
