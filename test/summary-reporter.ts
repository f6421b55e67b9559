// node:test reporter that ends the output with the one line CI reads: "N passed, N failed, N skipped".
import type { TestEvent } from 'node:test/reporters'

export default async function* summary(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  let passed = 0
  let failed = 0
  let skipped = 0
  for await (const ev of source) {
    if (ev.type === 'test:pass' && ev.data.details.type !== 'suite') {
      if (ev.data.skip !== undefined || ev.data.todo !== undefined) skipped++
      else passed++
    }
    // a todo that fails is expected to (node's exit code agrees): counted with the skipped, not as a failure
    if (ev.type === 'test:fail' && ev.data.details.type !== 'suite') {
      if (ev.data.todo !== undefined) skipped++
      else failed++
    }
  }
  yield `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`
}
