// The LDAP assertion control (RFC 4528): a write carries a filter that the target entry must match, or the
// server refuses it with result 122. We assert `entryUUID=<id>` so that a write aimed at a locator never
// lands on another entry that took that DN after ours moved. Non-critical: a server that does not know the
// control (a simulator, say) ignores it and the write still goes to the DN.
import { BerWriter, Control, EqualityFilter } from 'ldapts'

const OID = '1.3.6.1.1.12'

export class AssertionControl extends Control {
  readonly #filter: EqualityFilter

  constructor(attribute: string, value: string) {
    super(OID, { critical: false })
    this.#filter = new EqualityFilter({ attribute, value })
  }

  protected override writeControl(writer: BerWriter): void {
    const inner = new BerWriter()
    this.#filter.write(inner)
    writer.writeBuffer(inner.buffer, 0x04)
  }
}

export const assertEntryUuid = (id: string): AssertionControl =>
  new AssertionControl('entryUUID', id)
