/**
 * The page shell: every page is built through `html` (src/notify/html.ts), which escapes each interpolated
 * value, and carries no inline script or style (the CSP forbids both); keyboard users get a skip link.
 */
import { html, type SafeHtml } from '../notify/html.ts'
import { t, type Lang } from './i18n.ts'

export interface Viewer {
  readonly user: string
  readonly role: string
  readonly csrf: string | undefined
  /** The school board this service answers for: with several in one store, which one you are looking at. */
  readonly tenant?: string | undefined
}

export function page(
  lang: Lang,
  title: string,
  viewer: Viewer | undefined,
  body: SafeHtml,
): string {
  const nav =
    viewer === undefined
      ? html``
      : html`<nav aria-label="${t(lang, 'title')}"><ul>
  <li><a href="/">${t(lang, 'overview')}</a></li>
  <li><a href="/persons">${t(lang, 'persons')}</a></li>
  <li><a href="/sources">${t(lang, 'sourcesTargets')}</a></li>
  <li><a href="/drift">${t(lang, 'drift')}</a></li>
  <li><a href="/schedules">${t(lang, 'schedules')}</a></li>
  <li><a href="/audit">${t(lang, 'audit')}</a></li>
  ${viewer.role === 'admin' ? html`<li><a href="/admin/users">${t(lang, 'users')}</a></li><li><a href="/admin/config">${t(lang, 'config')}</a></li>` : ''}
  <li><form method="post" action="/logout"><input type="hidden" name="_csrf" value="${viewer.csrf ?? ''}">
    <button type="submit">${t(lang, 'logout')} (${viewer.user}, ${viewer.role})</button></form></li>
</ul></nav>`
  return html`<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t(lang, 'title')}</title><link rel="stylesheet" href="/static/koppel.css"></head>
<body><a class="skip" href="#main">${lang === 'nl' ? 'Naar de inhoud' : 'Skip to content'}</a>
<header><p class="brand">${t(lang, 'title')}${viewer?.tenant === undefined ? '' : html` · <span class="tenant">${viewer.tenant}</span>`}</p>${nav}</header>
<main id="main"><h1>${title}</h1>
${body}
</main></body></html>`.value
}

export const STYLESHEET = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #fff; }
header { background: #12355b; color: #fff; padding: .5rem 1rem; display: flex; gap: 2rem; align-items: center; }
header a, header button { color: #fff; }
.brand { font-weight: bold; margin: 0; }
nav ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; align-items: center; }
nav form { margin: 0; }
nav button { background: transparent; border: 1px solid #fff; padding: .2rem .5rem; cursor: pointer; }
main { padding: 1rem; max-width: 80rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #999; padding: .25rem .5rem; text-align: left; }
.blocked { color: #8a1c1c; font-weight: bold; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; color: #000; padding: .5rem; }
a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #f0a500; outline-offset: 2px; }
label { display: block; margin: .5rem 0 .2rem; }
.error { color: #8a1c1c; }
.chart { margin: .5rem 0; }
.chart svg { max-width: 100%; height: auto; }
.chart text { font-size: 10px; fill: #1a1a1a; }
.bar-applied { fill: #12355b; }
.bar-failed { fill: #b3261e; }
.key-applied::before, .key-failed::before { content: ''; display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; }
.key-applied::before { background: #12355b; }
.key-failed::before { background: #b3261e; }
summary:focus { outline: 3px solid #f0a500; outline-offset: 2px; }
`
