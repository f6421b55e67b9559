import { displayWidth, wrapLine } from './terminal-text.ts'

export interface TableColumn {
  readonly head: string
  /** Share of the width left over after the fixed columns; 0 keeps the column at its natural width. */
  readonly flex: number
  /** Narrowest the column gets when the terminal is narrow. */
  readonly min: number
  /** Widest a fixed column (flex 0) gets when the table does not fit; longer cells wrap. */
  readonly max?: number
}

const GAP = '  '

/**
 * A plain table that fits `width` terminal columns: flexible columns share the room that is left, and cells
 * wrap inside their column instead of the terminal wrapping the whole line. Cells must already be
 * terminal-safe (terminalSafe); a `\n` in a cell starts a new line within it. Linear in the size of the text.
 */
export function renderTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  width: number,
): string {
  const widths = fitWidths(columns, rows, width)
  const multiLine = rows.some((r) =>
    r.some((c, i) => c.includes('\n') || displayWidth(c) > (widths[i] ?? 0)),
  )
  const out: string[] = [
    line(
      columns.map((c) => c.head),
      widths,
    ),
    widths.map((w) => '─'.repeat(w)).join(GAP),
  ]
  for (const [n, row] of rows.entries()) {
    const cells = row.map((c, i) => c.split('\n').flatMap((l) => wrapLine(l, widths[i] ?? 1)))
    const height = Math.max(...cells.map((c) => c.length))
    if (multiLine && n > 0) out.push('')
    for (let k = 0; k < height; k++)
      out.push(
        line(
          cells.map((c) => c[k] ?? ''),
          widths,
        ),
      )
  }
  return out.join('\n')
}

function line(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) =>
      i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(c))),
    )
    .join(GAP)
    .trimEnd()
}

function fitWidths(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  width: number,
): number[] {
  const natural = columns.map((c, i) =>
    Math.max(
      displayWidth(c.head),
      ...rows.map((r) => Math.max(0, ...(r[i] ?? '').split('\n').map(displayWidth))),
    ),
  )
  const room = width - GAP.length * (columns.length - 1)
  if (natural.reduce((a, b) => a + b, 0) <= room) return natural
  const widths = columns.map((c, i) =>
    c.flex === 0 ? Math.min(natural[i] ?? 0, c.max ?? Infinity) : (natural[i] ?? 0),
  )
  let free = room
  for (const [i, c] of columns.entries()) if (c.flex === 0) free -= widths[i] ?? 0
  // water-filling: a flexible column that needs less than its share gives the rest to the others
  let open = columns.map((c, i) => (c.flex > 0 ? i : -1)).filter((i) => i >= 0)
  while (open.length > 0) {
    const weight = open.reduce((a, i) => a + (columns[i]?.flex ?? 0), 0)
    const small = open.filter((i) => (natural[i] ?? 0) <= (free * (columns[i]?.flex ?? 0)) / weight)
    if (small.length === 0) {
      for (const i of open)
        widths[i] = Math.max(
          columns[i]?.min ?? 1,
          Math.floor((free * (columns[i]?.flex ?? 0)) / weight),
        )
      break
    }
    for (const i of small) free -= natural[i] ?? 0
    open = open.filter((i) => !small.includes(i))
  }
  return widths
}
