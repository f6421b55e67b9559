/** The dashboard's pages: data from the same engine functions as the API and the CLI, rendered by `html`. */
import { html } from '../notify/html.ts'
import type { ExplainOutcome, ReadValue } from '../engine/explain.ts'
import type { EngineStatus } from '../engine/status.ts'
import type { Action } from '../model/index.ts'
import type {
  AuditEvent,
  AuditVerification,
  PlanActionFacets,
  PlanHead,
  UserRecord,
} from '../store/index.ts'
import { t, type Lang } from './i18n.ts'
import { page, type Viewer } from './layout.ts'
import { actionsChart, type DayCount } from './actions-chart.ts'

/** `sso`: the label of the single sign-on button (`serve.oidc`), when one is configured. */
export function loginPage(lang: Lang, next: string, error?: string, sso?: string): string {
  return page(
    lang,
    t(lang, 'login'),
    undefined,
    html`${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
<form method="post" action="/login">
  <input type="hidden" name="next" value="${next}">
  <label for="name">${t(lang, 'user')}</label><input id="name" name="name" autocomplete="username" required>
  <label for="password">${t(lang, 'password')}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <p><button type="submit">${t(lang, 'login')}</button></p>
</form>
${sso === undefined ? '' : html`<p><a class="sso" href="/login/oidc">${t(lang, 'loginWith')} ${sso}</a></p>`}`,
  )
}

export function overviewPage(
  lang: Lang,
  viewer: Viewer,
  s: EngineStatus,
  perDay: readonly DayCount[] = [],
): string {
  const blocked =
    s.blocked.length === 0
      ? html`<p>${t(lang, 'noBlocked')}</p>`
      : html`<ul>${s.blocked.map(
          (b) =>
            html`<li><a class="blocked" href="/plans/${encodeURIComponent(b.id)}">${b.id}</a> (${b.createdAt}): ${b.findings.map((f) => f.message).join('; ')}</li>`,
        )}</ul>`
  const runs = html`<table><caption>${t(lang, 'lastRuns')}</caption>
<thead><tr><th scope="col">Run</th><th scope="col">${t(lang, 'state')}</th><th scope="col">${t(lang, 'started')}</th><th scope="col">${t(lang, 'plan')}</th></tr></thead>
<tbody>${s.runs.map(
    (r) =>
      html`<tr><td>${r.id}</td><td>${r.state}</td><td>${r.startedAt}</td><td>${r.planId === undefined ? '' : html`<a href="/plans/${encodeURIComponent(r.planId)}">${r.planId}</a>`}</td></tr>`,
  )}</tbody></table>`
  return page(
    lang,
    t(lang, 'overview'),
    viewer,
    html`<h2>${t(lang, 'blockedPlans')}</h2>${blocked}${runs}${perDay.length === 0 ? '' : actionsChart(lang, perDay)}`,
  )
}

export interface ActionFilter {
  readonly target?: string | undefined
  readonly kind?: string | undefined
  readonly reason?: string | undefined
  /** School code (BRIN) or name, as `koppel plan --school`. */
  readonly school?: string | undefined
}

export function planPage(
  lang: Lang,
  viewer: Viewer,
  plan: PlanHead,
  facets: PlanActionFacets,
  shown: readonly Action[],
  filter: ActionFilter,
  next: string | undefined,
  canDecide: boolean,
  message?: string,
): string {
  const options = (
    name: keyof ActionFilter,
    values: readonly string[],
  ) => html`<select id="f-${name}" name="${name}">
<option value="">${t(lang, 'all')}</option>${values.map((v) => html`<option value="${v}"${filter[name] === v ? html` selected` : ''}>${v}</option>`)}</select>`
  const query = new URLSearchParams(
    Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  )
  if (next !== undefined) query.set('cursor', next)
  const decide =
    canDecide && plan.status === 'blocked'
      ? html`<h2>${t(lang, 'decision')}</h2>
<form method="post" action="/plans/${encodeURIComponent(plan.id)}/decide">
  <input type="hidden" name="_csrf" value="${viewer.csrf ?? ''}">
  <label for="reason">${t(lang, 'reason')}</label><textarea id="reason" name="reason" required rows="2" cols="60"></textarea>
  <p><button type="submit" name="decision" value="approve">${t(lang, 'approve')}</button>
  <button type="submit" name="decision" value="reject">${t(lang, 'reject')}</button></p>
</form>`
      : ''
  return page(
    lang,
    `${t(lang, 'plan')} ${plan.id}`,
    viewer,
    html`${message === undefined ? '' : html`<p role="status">${message}</p>`}
<p>${t(lang, 'status')}: <strong class="${plan.status === 'blocked' ? 'blocked' : ''}">${plan.status}</strong> · ${t(lang, 'created')}: ${plan.createdAt} · ${t(lang, 'actions')}: ${plan.actionCount}</p>
<h2>${t(lang, 'findings')}</h2>
${plan.findings.length === 0 ? html`<p>-</p>` : html`<ul>${plan.findings.map((f) => html`<li>${f.message}</li>`)}</ul>`}
${decide}
<h2>${t(lang, 'actions')}</h2>
<form method="get" action="/plans/${encodeURIComponent(plan.id)}">
  <label for="f-target">${t(lang, 'target')}</label>${options('target', facets.targets)}
  <label for="f-kind">${t(lang, 'kind')}</label>${options('kind', facets.kinds)}
  <label for="f-reason">${t(lang, 'reason')}</label>${options('reason', facets.reasons)}
  <label for="f-school">${t(lang, 'school')}</label>${options('school', facets.schools)}
  <p><button type="submit">${t(lang, 'filter')}</button></p>
</form>
<table><thead><tr><th scope="col">${t(lang, 'target')}</th><th scope="col">${t(lang, 'kind')}</th><th scope="col">${t(lang, 'person')}</th><th scope="col">${t(lang, 'school')}</th><th scope="col">${t(lang, 'reason')}</th></tr></thead>
<tbody>${shown.map((a) => html`<tr><td>${a.target}</td><td>${a.kind}${'permission' in a ? ` ${a.permission}` : ''}</td><td>${a.label} (${a.person})</td><td>${a.subject?.school ?? ''}</td><td>${a.reason.change}: ${a.reason.detail}</td></tr>`)}</tbody></table>
${next === undefined ? '' : html`<p><a href="/plans/${encodeURIComponent(plan.id)}?${query.toString()}">${t(lang, 'next')}</a></p>`}`,
  )
}

export function auditPage(
  lang: Lang,
  viewer: Viewer,
  events: readonly AuditEvent[],
  verification: AuditVerification,
): string {
  const chain = verification.ok
    ? html`<p>${t(lang, 'chain')}: ${t(lang, 'chainOk')} (${verification.events})</p>`
    : html`<p class="error" role="alert">${t(lang, 'chain')}: ${t(lang, 'chainBroken')}</p>`
  return page(
    lang,
    t(lang, 'audit'),
    viewer,
    html`${chain}<table><thead><tr><th scope="col">#</th><th scope="col">${t(lang, 'at')}</th><th scope="col">${t(lang, 'type')}</th><th scope="col">${t(lang, 'actor')}</th><th scope="col">${t(lang, 'plan')}</th><th scope="col">${t(lang, 'person')}</th></tr></thead>
<tbody>${events.map((e) => html`<tr><td>${e.seq}</td><td>${e.at}</td><td>${e.type}</td><td>${e.actor}</td><td>${e.planId ?? ''}</td><td>${e.person ?? ''}</td></tr>`)}</tbody></table>`,
  )
}

export function usersPage(lang: Lang, viewer: Viewer, users: readonly UserRecord[]): string {
  return page(
    lang,
    t(lang, 'users'),
    viewer,
    html`<table><thead><tr><th scope="col">${t(lang, 'user')}</th><th scope="col">${t(lang, 'role')}</th><th scope="col">${t(lang, 'created')}</th></tr></thead>
<tbody>${users.map((u) => html`<tr><td>${u.name}</td><td>${u.role}</td><td>${u.createdAt}</td></tr>`)}</tbody></table>`,
  )
}

export function messagePage(
  lang: Lang,
  viewer: Viewer | undefined,
  title: string,
  message: string,
): string {
  return page(
    lang,
    title,
    viewer,
    html`<p>${message}</p><p><a href="/">${t(lang, 'overview')}</a></p>`,
  )
}

/** "Apply this person now" (operator): the same runPerson as `koppel run --person`, with a required reason. */
function applyForm(lang: Lang, viewer: Viewer, key: string) {
  return html`<form method="post" action="/persons/apply" class="apply">
  <input type="hidden" name="_csrf" value="${viewer.csrf ?? ''}"><input type="hidden" name="person" value="${key}">
  <p>${t(lang, 'applyHint')}</p>
  <label for="apply-reason">${t(lang, 'reason')}</label><textarea id="apply-reason" name="reason" required rows="2" cols="60"></textarea>
  <p><button type="submit">${t(lang, 'applyNow')}</button></p>
</form>`
}

const reads = (r: readonly ReadValue[]) =>
  r.map((v) => `${v.path} = ${JSON.stringify(v.value)}`).join(', ')

/** Search by name, number or username; one match shows the explain trace (the engine's explainPerson). */
export function personPage(
  lang: Lang,
  viewer: Viewer,
  query: string,
  outcome: ExplainOutcome | undefined,
): string {
  const form = html`<form method="get" action="/persons" role="search">
  <label for="q">${t(lang, 'searchHint')}</label><input id="q" name="q" value="${query}" required>
  <button type="submit">${t(lang, 'search')}</button></form>`
  return page(
    lang,
    t(lang, 'persons'),
    viewer,
    html`${form}${outcome === undefined ? '' : explained(lang, outcome, viewer)}`,
  )
}

function explained(lang: Lang, o: ExplainOutcome, viewer: Viewer) {
  if (o.kind === 'not-found') return html`<p role="status">${t(lang, 'nobody')}</p>`
  if (o.kind === 'unreadable')
    return html`<p class="error" role="alert">${t(lang, 'unreadable')}</p><ul>${o.issues.map((i) => html`<li>${i.message}</li>`)}</ul>`
  if (o.kind === 'ambiguous') {
    return html`<p role="status">${t(lang, 'several')}</p><ul>${o.candidates.map(
      (c) =>
        html`<li><a href="/persons?q=${encodeURIComponent(c.key)}">${c.name}</a> ${c.number ?? ''} ${c.classGroup ?? ''} ${c.school ?? ''}</li>`,
    )}</ul>`
  }
  const e = o.explanation
  return html`<h2>${e.person.name} (${e.person.number ?? e.person.key})</h2>
${viewer.role === 'operator' || viewer.role === 'admin' ? applyForm(lang, viewer, e.person.key) : ''}
<h3>${t(lang, 'contracts')}</h3>
<ul>${e.contracts.map((c) => html`<li>${c.contract.id}: ${c.contract.role} ${c.contract.classGroup ?? ''} ${c.contract.start ?? ''} – ${c.contract.end ?? ''} (${c.status})</li>`)}</ul>
<h3>${t(lang, 'accounts')}</h3>
${e.targets.map(
  (tg) => html`<h4>${tg.target}: ${tg.account?.state ?? '-'} ${tg.account?.locator ?? ''}</h4>
${tg.grant === undefined ? '' : html`<p>${t(lang, 'rule')} ${tg.grant.rule} (${tg.grant.contract}): ${reads(tg.grant.reads)}</p>`}
<table><thead><tr><th scope="col">${t(lang, 'permission')}</th><th scope="col">${t(lang, 'rule')}</th><th scope="col">${t(lang, 'held')}</th></tr></thead>
<tbody>${tg.permissions.map((p) => html`<tr><td>${p.type} ${p.id}</td><td>${p.rule === undefined ? '-' : `${p.rule} (${p.contract ?? ''}): ${reads(p.reads)}`}</td><td>${p.held ? t(lang, 'yes') : t(lang, 'no')}</td></tr>`)}</tbody></table>`,
)}
<h3>${t(lang, 'nearMisses')}</h3>
<ul>${e.nearMisses.map((n) => html`<li>${n.rule} (${n.contract}): ${n.when} — ${n.why}${n.error === undefined ? '' : `: ${n.error}`} ${reads(n.reads)}</li>`)}</ul>
<h3>${t(lang, 'nextActions')}</h3>
<ul>${e.nextActions.map((a) => html`<li>${a.target} ${a.kind}: ${a.reason.detail}</li>`)}</ul>`
}
