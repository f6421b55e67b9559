// The clock tests inject into the engine and the connectors: the date is the test's (`today`), never the wall's,
// and time moves on by a millisecond per reading so that "newest first" orderings stay as they are in real use.
export interface TestClock {
  /** YYYY-MM-DD; set it to move the clock to 10:00 UTC on another day. */
  today: string
  readonly now: () => Date
}

export function testClock(today: string): TestClock {
  let tick = 0
  const clock: TestClock = {
    today,
    now: () => new Date(Date.parse(`${clock.today}T10:00:00Z`) + tick++),
  }
  return clock
}
