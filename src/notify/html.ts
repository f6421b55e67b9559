/**
 * HTML built only through a tagged template that escapes every interpolated value, so person data (a name with
 * `<script>`, a failure message quoting a target's answer) can only ever reach a mail as text. Nested fragments
 * made by `html` are kept as they are; anything else is escaped.
 */
export class SafeHtml {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
}

type Interpolation =
  SafeHtml | string | number | readonly (SafeHtml | string | number)[] | undefined

function render(v: Interpolation): string {
  if (v === undefined) return ''
  if (v instanceof SafeHtml) return v.value
  if (Array.isArray(v)) return v.map((x) => render(x)).join('')
  return escapeHtml(String(v))
}

export function html(strings: TemplateStringsArray, ...values: readonly Interpolation[]): SafeHtml {
  let out = strings[0] ?? ''
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '')
  return new SafeHtml(out)
}
