// Debian's Chromium for the browser tests, driven by playwright-core (which downloads no browser of its own).
import { existsSync } from 'node:fs'

export const CHROMIUM = process.env['KOPPEL_CHROMIUM'] ?? '/usr/bin/chromium'

/** Why the browser tests cannot run here; undefined when they can, and always under KOPPEL_REQUIRE_SERVERS=1 (CI). */
export function chromiumSkipReason(): string | undefined {
  // CI sets this so that a missing browser fails the run instead of quietly skipping the browser tests
  if (process.env['KOPPEL_REQUIRE_SERVERS'] === '1') return undefined
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not installed: apt-get install chromium`
}
