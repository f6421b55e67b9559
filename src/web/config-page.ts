/** The validated configuration with every resolved secret shown as *** (redact, as `koppel validate --show`). */
import { html } from '../notify/html.ts'
import { t, type Lang } from './i18n.ts'
import { page, type Viewer } from './layout.ts'

export function configPage(lang: Lang, viewer: Viewer, redacted: unknown): string {
  const body =
    redacted === undefined
      ? html`<p>${t(lang, 'noConfig')}</p>`
      : html`<p>${t(lang, 'configHint')}</p><pre tabindex="0">${JSON.stringify(redacted, null, 2)}</pre>`
  return page(lang, t(lang, 'config'), viewer, body)
}
