// The dashboard end to end in Debian's Chromium (playwright-core): an operator logs in, sees the blocked plan
// first on the overview, opens it, approves it with a reason; an operator cannot reach the admin pages; axe-core
// finds no serious or critical accessibility violations on the overview, the plan page and the pages of sources
// and targets, drift, schedules, a person (with "apply this person now" and its outcome) and the configuration, each
// reached from the menu with the keyboard. The server is `koppel serve`'s listener (@hono/node-server) on loopback over the fixture engine and its SQLite store.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import { chromium, type Browser, type Page } from 'playwright-core'
import { applyStoredPlan, makePlan } from '../engine/index.ts'
import type { Plan } from '../model/index.ts'
import { engineFixture, pupil, type Fixture } from '../../test/support/engine-fixture.ts'
import { CHROMIUM, chromiumSkipReason } from '../../test/harness/chromium.ts'
import { resolveSecrets, type KoppelConfig } from '../config/index.ts'
import { addUser } from './access/users.ts'
import { mountDashboard } from './dashboard-http.ts'

const skip = chromiumSkipReason()
const PASSWORD = 'correct horse battery'

interface AxeResult {
  readonly violations: readonly {
    readonly id: string
    readonly impact: string | null
    readonly nodes: readonly { readonly target: readonly string[] }[]
  }[]
}

describe('the dashboard in Chromium', { skip }, () => {
  let fx: Fixture
  let server: ServerType
  let base = ''
  let browser: Browser
  let blocked: Plan
  let axeSource = ''

  before(async () => {
    fx = await engineFixture()
    for (let i = 0; i < 40; i++)
      fx.persons.push(pupil(`p${String(i).padStart(2, '0')}`, `Kind${i}`, 'Mulder', '1A'))
    const first = await makePlan(fx.engine, { actor: 'test' })
    assert.ok(first.ok && (await applyStoredPlan(fx.engine, first.plan.id, { actor: 'test' })).ok)
    fx.persons.splice(20)
    fx.clock.today = '2026-11-24'
    const second = await makePlan(fx.engine, { actor: 'test' })
    assert.ok(second.ok && second.plan.status === 'blocked')
    blocked = second.plan
    await addUser(fx.engine.store.access, {
      name: 'operator',
      role: 'operator',
      password: PASSWORD,
      now: fx.engine.now(),
    })
    await addUser(fx.engine.store.access, {
      name: 'beheer',
      role: 'admin',
      password: PASSWORD,
      now: fx.engine.now(),
    })
    const written = {
      version: 1,
      tenant: 'default',
      store: { kind: 'postgres', url: 'postgres://koppel:${env:PGPASSWORD}@db.test/koppel' },
      audit: {},
      sources: [],
      merge: { match: [], primaryContract: ['employment', 'enrolment'] },
      targets: [],
      rules: [],
      schedules: [{ name: 'nightly', cron: '30 5 * * 1-5', timezone: 'Europe/Amsterdam' }],
    } as const satisfies KoppelConfig
    const config = resolveSecrets(written, {
      env: { PGPASSWORD: 'pg-s3cret' },
      readFile: () => '',
      baseDir: '/x',
    })
    assert.ok(config.ok)
    const app = new Hono()
    mountDashboard(app, { engine: fx.engine, config: config.config })
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
        resolve(info.port),
      )
    })
    // Chromium keeps Secure cookies on http://localhost (a potentially trustworthy origin), as on https
    base = `http://localhost:${port}`
    // without libfaketime (CI's second run sets the clock a year ahead through LD_PRELOAD): Chromium crawls under
    // it, and the browser's clock plays no part; the server runs on the engine's injected clock
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] =>
          e[1] !== undefined && e[0] !== 'LD_PRELOAD' && !e[0].startsWith('FAKETIME'),
      ),
    )
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], env })
    axeSource = await readFile(
      createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
      'utf8',
    )
  })
  after(async () => {
    await browser?.close()
    await new Promise<void>((resolve) =>
      server === undefined ? resolve() : server.close(() => resolve()),
    )
    await fx?.cleanup()
  })

  async function loggedIn(user = 'operator'): Promise<Page> {
    const page = await browser.newPage()
    await page.goto(`${base}/`)
    assert.match(page.url(), /\/login\?next=%2F$/)
    await page.getByLabel('User name').fill(user)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/`)
    return page
  }

  /** axe-core through the DevTools protocol: the page's CSP forbids injected script tags, as it should. */
  async function seriousViolations(page: Page): Promise<string[]> {
    const result = (await page.evaluate(
      `${axeSource}; axe.run(document, { resultTypes: ['violations'] })`,
    )) as AxeResult
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  }

  /** KOPPEL_SCREENSHOTS=docs/img refreshes the pictures docs/dashboard.md shows. */
  async function screenshot(page: Page, name: string): Promise<void> {
    const dir = process.env['KOPPEL_SCREENSHOTS']
    if (dir !== undefined) await page.screenshot({ path: join(dir, name), fullPage: false })
  }

  test('log in, see the blocked plan first, approve it with a reason; axe finds nothing serious', async () => {
    const page = await loggedIn()
    assert.deepEqual(await seriousViolations(page), [])
    await screenshot(page, 'dashboard-overview.png')
    const link = page.getByRole('link', { name: blocked.id }).first()
    await link.focus()
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/plans/${blocked.id}`)
    assert.equal(await page.locator('strong.blocked').textContent(), 'blocked')
    assert.deepEqual(await seriousViolations(page), [])
    await screenshot(page, 'dashboard-plan.png')
    await page.getByLabel('Reason').first().fill('half the pupils left on purpose')
    await page.getByRole('button', { name: 'Approve' }).click()
    await page.waitForURL(/done=approve$/)
    assert.equal(await page.locator('main strong').first().textContent(), 'approved')
    assert.equal(await fx.engine.store.planStatus(blocked.id), 'approved')
    const [event] = await fx.engine.store.listAudit({ limit: 1, kind: 'plan.approved' })
    assert.equal(event?.actor, 'operator')
    await page.close()
  })

  /** Follows a menu link with the keyboard (focus, Enter), as someone without a mouse would. */
  async function viaMenu(page: Page, name: string, path: string): Promise<void> {
    await page.getByRole('navigation').getByRole('link', { name, exact: true }).focus()
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}${path}`)
  }

  test('sources and targets, drift, schedules and a person: from the menu by keyboard; axe finds nothing serious', async () => {
    const page = await loggedIn()
    await viaMenu(page, 'Sources and targets', '/sources')
    assert.equal(await page.locator('h1').textContent(), 'Sources and targets')
    assert.deepEqual(await seriousViolations(page), [])
    await screenshot(page, 'dashboard-sources.png')
    await viaMenu(page, 'Drift', '/drift')
    assert.deepEqual(await seriousViolations(page), [])
    await page.getByRole('button', { name: 'Check for drift now' }).focus()
    await page.keyboard.press('Enter')
    await page.waitForLoadState()
    await page.locator('main h2').first().waitFor()
    assert.equal(await page.locator('main h2').first().textContent(), 'dir')
    assert.deepEqual(await seriousViolations(page), [])
    await screenshot(page, 'dashboard-drift.png')
    await viaMenu(page, 'Schedules', '/schedules')
    assert.match(
      (await page.locator('tbody tr').first().textContent()) ?? '',
      /nightly30 5 \* \* 1-5Europe\/Amsterdam/,
    )
    assert.deepEqual(await seriousViolations(page), [])
    await viaMenu(page, 'Persons', '/persons')
    await page.getByLabel('Name, pupil or employee number, or username').fill('p05')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/persons?q=p05`)
    assert.equal(await page.getByRole('button', { name: 'Apply this person now' }).count(), 1)
    assert.deepEqual(await seriousViolations(page), [])
    await page.getByLabel('Reason').fill('checking her account today')
    await page.getByRole('button', { name: 'Apply this person now' }).focus()
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/persons/apply`)
    // the fixture's source lost half its pupils: even one person's plan is blocked, and the page says it waits
    assert.equal(await page.locator('h1').textContent(), 'Plan blocked')
    assert.match((await page.getByRole('status').textContent()) ?? '', /it waits for approval/)
    assert.deepEqual(await seriousViolations(page), [])
    await screenshot(page, 'dashboard-person-apply.png')
    const [created] = await fx.engine.store.listAudit({ limit: 1, kind: 'plan' })
    assert.deepEqual(
      [created?.actor, created?.person, created?.data?.['reason']],
      ['operator', 'p05', 'checking her account today'],
    )
    await page.close()
  })

  test('an admin finds the configuration in the menu, secrets shown as ***; axe finds nothing serious', async () => {
    const page = await loggedIn('beheer')
    await viaMenu(page, 'Configuration', '/admin/config')
    const shown = (await page.locator('pre').textContent()) ?? ''
    assert.match(shown, /postgres:\/\/koppel:\*\*\*@db\.test\/koppel/)
    assert.ok(!shown.includes('s3cret'))
    assert.deepEqual(await seriousViolations(page), [])
    await page.close()
  })

  test('the accessibility check itself finds a serious violation where there is one', async () => {
    const page = await browser.newPage()
    await page.setContent(
      '<!doctype html><html lang="en"><title>t</title><main><img src="x.png"></main></html>',
    )
    assert.deepEqual(await seriousViolations(page), ['image-alt: img'])
    await page.close()
  })

  test('an operator cannot reach the admin pages, and the menu does not offer them', async () => {
    const page = await loggedIn()
    assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0)
    const r = await page.goto(`${base}/admin/users`)
    assert.equal(r?.status(), 403)
    assert.match(
      (await page.locator('main p').first().textContent()) ?? '',
      /needs the admin role; operator is operator/,
    )
    await page.close()
  })
})
