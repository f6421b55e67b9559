import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  BerError,
  BerReader,
  constructed,
  encodeInt,
  encodeOctets,
  Tag,
  tlv,
  tlvSize,
} from './ber.ts'

test('integers encode in minimal two’s complement and decode back', () => {
  for (const n of [0, 1, 127, 128, 255, 256, -1, -128, -129, 65535, 2 ** 31 - 1, -(2 ** 31)]) {
    assert.equal(new BerReader(encodeInt(n)).int(), n, String(n))
  }
  assert.deepEqual([...encodeInt(128)], [0x02, 0x02, 0x00, 0x80])
  assert.deepEqual([...encodeInt(-129)], [0x02, 0x02, 0xff, 0x7f])
})

test('long-form lengths, and tlvSize waits for a whole message', () => {
  const big = encodeOctets(Buffer.alloc(70_000, 7))
  assert.deepEqual([...big.subarray(0, 5)], [0x04, 0x83, 0x01, 0x11, 0x70])
  assert.equal(new BerReader(big).octets().length, 70_000)
  const msg = constructed(Tag.sequence, [encodeInt(5), tlv(0x42, Buffer.alloc(0))])
  assert.equal(tlvSize(msg), msg.length)
  assert.equal(tlvSize(msg.subarray(0, 1)), undefined)
  assert.equal(tlvSize(big.subarray(0, 3)), undefined)
  assert.equal(tlvSize(big.subarray(0, 10)), big.length, 'size known from the header alone')
})

test('wrong tags and truncated values fail loudly', () => {
  assert.throws(() => new BerReader(encodeInt(1)).octets(), BerError)
  assert.throws(() => new BerReader(Buffer.from([0x04, 0x05, 0x61])).octets(), BerError)
})
