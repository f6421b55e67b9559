import { createRequire } from 'node:module'
import type StringWidth from 'string-width'

// required on first use: its emoji tables cost ~0.07 s of CPU at load, and runs with --json never draw a table
let stringWidthOnce: typeof StringWidth | undefined
const stringWidth = (text: string): number => {
  stringWidthOnce ??= (
    createRequire(import.meta.url)('string-width') as { default: typeof StringWidth }
  ).default
  return stringWidthOnce(text)
}

/**
 * Characters that change how a terminal shows the text around them: C0/C1 controls and DEL (ESC starts ANSI
 * sequences that recolour, move the cursor or hide lines), bidi embeddings/overrides/isolates and marks (they
 * reorder what the admin reads), zero-width characters and line/paragraph separators.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/gu

/** The most characters of one value a table shows; the rest is summarised as "… (+N chars)", never cut in the data. */
export const MAX_VALUE_CHARS = 120

/**
 * A value from a source or target made safe to print: every unsafe character shown as its escape (`\u001b`), and
 * cut to `max` characters (code points, so a surrogate pair is never split). Person data reaches the terminal only
 * through here.
 */
export function terminalSafe(value: string, max: number = MAX_VALUE_CHARS): string {
  const chars = Array.from(value.length > max * 2 + 16 ? value.slice(0, max * 2 + 16) : value)
  const total = value.length > max * 2 + 16 ? Array.from(value).length : chars.length
  const shown = total > max ? chars.slice(0, max).join('') : chars.join('')
  const escaped = shown.replace(
    UNSAFE,
    (c) => `\\u${c.codePointAt(0)?.toString(16).padStart(4, '0') ?? ''}`,
  )
  return total > max ? `${escaped}… (+${total - max} chars)` : escaped
}

/** Columns the text takes in a terminal (wide CJK and emoji count two). Only for text already made safe. */
export function displayWidth(text: string): number {
  return stringWidth(text)
}

/**
 * Breaks one line of safe text into lines of at most `width` columns: after a space or comma where one falls in
 * the second half of the line, else anywhere (a long DN or e-mail address has no spaces).
 */
export function wrapLine(text: string, width: number): string[] {
  const w = Math.max(1, width)
  if (displayWidth(text) <= w) return [text]
  const lines: string[] = []
  let rest = Array.from(text)
  while (rest.length > 0) {
    let cols = 0
    let end = 0
    while (end < rest.length) {
      const cw = displayWidth(rest[end] ?? '')
      if (cols + cw > w) break
      cols += cw
      end++
    }
    if (end >= rest.length) {
      lines.push(rest.join(''))
      break
    }
    end = Math.max(end, 1)
    let cut = end
    for (let i = end; i > end / 2; i--) {
      const c = rest[i - 1]
      if (c === ' ' || c === ',') {
        cut = i
        break
      }
    }
    lines.push(rest.slice(0, cut).join('').trimEnd())
    rest = rest.slice(cut)
    while (rest[0] === ' ') rest = rest.slice(1)
  }
  return lines
}

/** terminalSafe for our own multi-line messages: each line made safe on its own, the line breaks kept. */
export function terminalSafeLines(text: string, max: number): string {
  return text
    .split('\n')
    .map((l) => terminalSafe(l, max))
    .join('\n')
}
