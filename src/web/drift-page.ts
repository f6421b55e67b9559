/**
 * Drift: how each listable target differs from what Koppel manages (driftReport, as `koppel drift`). Reading
 * the targets costs time and load, so the report runs only on the button (a POST, operator role).
 */
import type { DriftItem, DriftOutcome } from '../engine/index.ts'
import type { AttributeValue } from '../model/index.ts'
import { html } from '../notify/html.ts'
import { t, type Lang } from './i18n.ts'
import { page, type Viewer } from './layout.ts'

export function driftPage(
  lang: Lang,
  viewer: Viewer,
  targets: readonly string[],
  chosen: string | undefined,
  report: DriftOutcome | undefined,
): string {
  const canRun = viewer.role === 'operator' || viewer.role === 'admin'
  const form = canRun
    ? html`<form method="post" action="/drift">
  <input type="hidden" name="_csrf" value="${viewer.csrf ?? ''}">
  <label for="drift-target">${t(lang, 'target')}</label><select id="drift-target" name="target"><option value="">${t(lang, 'all')}</option>${targets.map(
    (x) => html`<option value="${x}"${chosen === x ? html` selected` : ''}>${x}</option>`,
  )}</select>
  <p><button type="submit">${t(lang, 'driftRun')}</button></p>
</form>`
    : ''
  return page(
    lang,
    t(lang, 'drift'),
    viewer,
    html`<p>${t(lang, 'driftHint')}</p>${form}${report === undefined ? '' : result(lang, report)}`,
  )
}

function result(lang: Lang, r: DriftOutcome) {
  if (!r.ok)
    return html`<ul class="error" role="alert">${r.issues.slice(0, 20).map((i) => html`<li>${i.message}</li>`)}</ul>`
  return html`<div role="status">${r.targets.map((x) => {
    if (!x.listed)
      return html`<h2>${x.target}</h2><p>${t(lang, 'notListed')} (${x.managed} ${t(lang, 'managed')})</p>`
    const head = html`<h2>${x.target}</h2><p>${x.accounts} ${t(lang, 'accountsWord')}, ${x.managed} ${t(lang, 'managed')}</p>`
    if (x.items.length === 0) return html`${head}<p>${t(lang, 'driftNone')}</p>`
    return html`${head}<table><thead><tr><th scope="col">${t(lang, 'drift')}</th><th scope="col">${t(lang, 'account')}</th><th scope="col">${t(lang, 'person')}</th><th scope="col">${t(lang, 'inTarget')}</th><th scope="col">${t(lang, 'koppelWill')}</th></tr></thead>
<tbody>${x.items.map((i) => html`<tr><td>${i.kind}</td><td>${i.account.locator}</td><td>${i.person?.label ?? '-'}</td><td>${changed(lang, i)}</td><td>${wouldDo(i)}</td></tr>`)}</tbody></table>`
  })}</div>`
}

function changed(lang: Lang, i: DriftItem): string {
  if (i.kind === 'unmanaged') return t(lang, 'notManaged')
  if (i.kind === 'missing') return t(lang, 'gone')
  return (i.changes ?? [])
    .map((c) => `${c.field}: ${show(c.old)} (Koppel: ${show(c.new)})`)
    .join('; ')
}

function wouldDo(i: DriftItem): string {
  if (i.actions.length === 0) return i.note ?? '-'
  return i.actions
    .map((a) => `${a.kind}${a.permission !== undefined ? ` ${a.permission}` : ''}`)
    .join(', ')
}

function show(v: AttributeValue | undefined): string {
  return v === undefined ? '∅' : typeof v === 'string' ? v : `[${v.join(', ')}]`
}
