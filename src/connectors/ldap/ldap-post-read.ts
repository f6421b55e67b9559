// The LDAP post-read control (RFC 4527): an add (or modify, rename) carries a list of attributes, and the server
// returns the entry as it is after the write in the response, atomically. We ask for entryUUID on add, which saves
// the read-back search that would otherwise follow every create. Non-critical: a server that does not know the
// control ignores it, the entry stays undefined and the caller reads the entry back itself.
import { BerReader, BerWriter, Control, SearchEntry, type Entry } from 'ldapts'

const OID = '1.3.6.1.1.13.2'
// SearchResultEntry is [APPLICATION 4] SEQUENCE (RFC 4511 §4.5.2)
const SEARCH_RESULT_ENTRY = 0x64

export class PostReadControl extends Control {
  readonly #attributes: readonly string[]
  /** The entry the server returned with the response; undefined until then, or when it sent none. */
  entry: Entry | undefined

  constructor(attributes: readonly string[]) {
    // ldapts hands a response control to the request control whose responseType matches: the same OID here
    super(OID, { critical: false })
    this.#attributes = attributes
  }

  protected override writeControl(writer: BerWriter): void {
    const inner = new BerWriter()
    inner.startSequence()
    for (const name of this.#attributes) inner.writeString(name)
    inner.endSequence()
    writer.writeBuffer(inner.buffer, 0x04)
  }

  protected override parseControl(reader: BerReader): void {
    // a malformed value must not break the add response it rides on: without an entry the caller reads back
    try {
      if (reader.readSequence(SEARCH_RESULT_ENTRY) === null) return
      const parsed = new SearchEntry({ messageId: 0 })
      parsed.parseMessage(reader)
      this.entry = parsed.toObject([], [])
    } catch {
      this.entry = undefined
    }
  }
}
