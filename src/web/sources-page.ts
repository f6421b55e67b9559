/** Sources and targets: from sourcesAndTargets (the store only; nothing is contacted). */
import type { SourcesAndTargets } from '../engine/index.ts'
import { html } from '../notify/html.ts'
import { t, type Lang } from './i18n.ts'
import { page, type Viewer } from './layout.ts'

export function sourcesPage(lang: Lang, viewer: Viewer, s: SourcesAndTargets): string {
  const th = (w: Parameters<typeof t>[1]) => html`<th scope="col">${t(lang, w)}</th>`
  const sources = html`<table><caption>${t(lang, 'sources')}</caption>
<thead><tr>${th('source')}${th('type')}${th('lastRead')}${th('persons')}${th('groups')}${th('issuesLastPlan')}</tr></thead>
<tbody>${s.sources.map(
    (
      x,
    ) => html`<tr><th scope="row">${x.name}</th><td>${x.type}</td><td>${x.lastRead?.takenAt ?? t(lang, 'neverRead')}</td><td>${x.lastRead?.persons ?? '-'}</td><td>${x.lastRead?.groups ?? '-'}</td>
<td>${x.refused === undefined ? '' : html`<p class="error">${t(lang, 'readRefused')} ${x.refused.at} (${x.refused.actor}): ${x.refused.issues} ${t(lang, 'errors')}${x.refused.code === undefined ? '' : ` (${x.refused.code})`}</p>`}${x.issues.errors} ${t(lang, 'errors')}, ${x.issues.warnings} ${t(lang, 'warnings')}${x.issues.first.length === 0 ? '' : html`<ul>${x.issues.first.map((i) => html`<li>${i.record ?? ''} ${i.field ?? ''}: ${i.message}</li>`)}</ul>`}</td></tr>`,
  )}</tbody></table>`
  const targets = html`<table><caption>${t(lang, 'targets')}</caption>
<thead><tr>${th('target')}${th('type')}${(['active', 'disabled', 'deleted'] as const).map((w) => html`<th scope="col">${capital(t(lang, w))}</th>`)}${th('groups')}${th('lastRun')}</tr></thead>
<tbody>${s.targets.map((x) => {
    const run = x.lastRun
    const outcome =
      run === undefined
        ? t(lang, 'none')
        : html`${run.state} (${run.startedAt}): ${
            Object.entries(run.outcomes)
              .map(([o, n]) => `${o} ${n}`)
              .join(', ') || '-'
          }${run.failures > 0 ? html`, <span class="error">${run.failures} ${t(lang, 'failures').toLowerCase()}</span>` : ''}${run.messages.length === 0 ? '' : html`<ul>${run.messages.map((m) => html`<li>${m}</li>`)}</ul>`}`
    return html`<tr><th scope="row">${x.name}</th><td>${x.type}</td><td>${x.accounts.active}</td><td>${x.accounts.disabled}</td><td>${x.accounts.deleted}</td><td>${x.groups}</td><td>${outcome}</td></tr>`
  })}</tbody></table>`
  const plan =
    s.planId === undefined
      ? ''
      : html`<p>${t(lang, 'issuesLastPlan')}: <a href="/plans/${encodeURIComponent(s.planId)}">${s.planId}</a>${s.otherIssues > 0 ? ` (+${s.otherIssues})` : ''}</p>`
  return page(
    lang,
    t(lang, 'sourcesTargets'),
    viewer,
    html`${plan}${sources}${targets}<p><a href="/drift">${t(lang, 'drift')}</a></p>`,
  )
}

const capital = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1)
