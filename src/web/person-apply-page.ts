/** What "apply this person now" did: the outcome of runPerson (the engine function `koppel run --person` calls). */
import type { RunPersonOutcome } from '../engine/index.ts'
import { html } from '../notify/html.ts'
import { t, type Lang } from './i18n.ts'
import { page, type Viewer } from './layout.ts'

export function personApplyPage(
  lang: Lang,
  viewer: Viewer,
  query: string,
  r: RunPersonOutcome,
): string {
  const back = html`<p><a href="/persons?q=${encodeURIComponent(query)}">${t(lang, 'persons')}: ${query}</a></p>`
  if (r.kind === 'not-planned') {
    return page(
      lang,
      t(lang, 'notPlanned'),
      viewer,
      html`<ul class="error" role="alert">${r.issues.map((i) => html`<li>${i.message}</li>`)}</ul>
${r.candidates.length === 0 ? '' : html`<ul>${r.candidates.slice(0, 50).map((c) => html`<li><a href="/persons?q=${encodeURIComponent(c.key)}">${c.name}</a> ${c.number ?? ''}</li>`)}</ul>`}${back}`,
    )
  }
  const planLink = html`<p>${t(lang, 'plan')}: <a href="/plans/${encodeURIComponent(r.plan.id)}">${r.plan.id}</a> (${r.plan.actions.length} ${t(lang, 'actions').toLowerCase()})</p>`
  if (r.kind === 'blocked') {
    const findings = html`<ul>${r.plan.findings.map((f) => html`<li>${f.message}</li>`)}</ul>`
    return page(
      lang,
      t(lang, 'planBlocked'),
      viewer,
      html`<p role="status" class="blocked">${t(lang, 'personBlocked')}</p>${findings}${planLink}${back}`,
    )
  }
  if (r.kind === 'unchanged') {
    const notes =
      r.plan.notes.length === 0
        ? ''
        : html`<ul>${r.plan.notes.map((n) => html`<li>${n}</li>`)}</ul>`
    return page(
      lang,
      t(lang, 'done'),
      viewer,
      html`<p role="status">${t(lang, 'personUnchanged')}</p>${notes}${planLink}${back}`,
    )
  }
  if (r.kind === 'refused')
    return page(
      lang,
      t(lang, 'refused'),
      viewer,
      html`<p class="error" role="alert">${r.refusal.message}</p>${planLink}${back}`,
    )
  const report = r.report
  const title =
    report.failures.length > 0 || report.state === 'failed'
      ? t(lang, 'appliedWithFailures')
      : t(lang, 'applied')
  const rows = Object.entries(report.counts).flatMap(([target, kinds]) =>
    Object.entries(kinds).flatMap(([kind, outcomes]) =>
      Object.entries(outcomes ?? {}).map(
        ([outcome, n]) =>
          html`<tr><td>${target}</td><td>${kind}</td><td>${outcome}</td><td>${n ?? 0}</td></tr>`,
      ),
    ),
  )
  const failures =
    report.failures.length === 0
      ? ''
      : html`<h2>${t(lang, 'failures')}</h2><ul>${report.failures.map((f) => html`<li>${f.target}: ${f.message}</li>`)}</ul>`
  return page(
    lang,
    title,
    viewer,
    html`<p role="status">${t(lang, 'state')}: <strong>${report.state}</strong></p>${planLink}
<table><thead><tr><th scope="col">${t(lang, 'target')}</th><th scope="col">${t(lang, 'kind')}</th><th scope="col">${t(lang, 'outcome')}</th><th scope="col">${t(lang, 'count')}</th></tr></thead>
<tbody>${rows}</tbody></table>${failures}${back}`,
  )
}
