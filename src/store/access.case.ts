// The access tables (logins, roles per tenant, sessions, API tokens) on every dialect: upsert keeps the creation
// time and a hash when none is given, grants expire by the clock passed in, tenants do not see each other's
// rows, and one login holds roles in several tenants of the store (migration 0008).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { freshTenant, withStore, type StoreHarness } from './store-fixtures.ts'

export function accessCases(harness: () => StoreHarness): void {
  test('access: users upsert by name; a role change keeps the hash; another tenant sees none', async () => {
    const h = harness()
    const tenant = freshTenant('access')
    // logins are store-wide since 0008: a name of its own, as other tests share the database
    const jan = freshTenant('jan')
    await withStore(h, tenant, async (store) => {
      await store.access.putUser({
        name: jan,
        role: 'viewer',
        passwordHash: '$argon2id$x',
        createdAt: '2026-11-23T10:00:00.000Z',
      })
      await store.access.putUser({
        name: jan,
        role: 'admin',
        passwordHash: undefined,
        createdAt: '2026-12-01T10:00:00.000Z',
      })
      assert.deepEqual(await store.access.getUser(jan), {
        name: jan,
        role: 'admin',
        passwordHash: '$argon2id$x',
        createdAt: '2026-11-23T10:00:00.000Z',
      })
      assert.deepEqual(
        (await store.access.listUsers()).map((u) => u.name),
        [jan],
      )
    })
    await withStore(h, freshTenant('access-other'), async (store) => {
      assert.equal(await store.access.getUser(jan), undefined)
    })
  })

  test('access: a grant is found by its hash until it expires, and is gone once removed', async () => {
    await withStore(harness(), freshTenant('grants'), async (store) => {
      const grant = {
        secretHash: 'a'.repeat(64),
        userName: 'jan',
        role: 'operator' as const,
        label: 'cli',
        createdAt: '2026-11-23T10:00:00.000Z',
        expiresAt: '2026-11-24T10:00:00.000Z',
      }
      for (const kind of ['sessions', 'api_tokens'] as const) {
        await store.access.addGrant(kind, grant)
        assert.deepEqual(
          await store.access.findGrant(kind, grant.secretHash, new Date('2026-11-24T09:59:59Z')),
          grant,
        )
        assert.equal(
          await store.access.findGrant(kind, grant.secretHash, new Date('2026-11-24T10:00:00Z')),
          undefined,
        )
        assert.equal(
          await store.access.findGrant(kind, 'b'.repeat(64), new Date('2026-11-23T11:00:00Z')),
          undefined,
        )
        assert.deepEqual(await store.access.listGrants(kind, 'jan'), [grant])
        await store.access.removeGrant(kind, grant.secretHash)
        assert.deepEqual(await store.access.listGrants(kind), [])
      }
    })
  })

  test('access: one login, a role per tenant; a tenant without a role does not know the user', async () => {
    const h = harness()
    const [a, b, c] = [freshTenant('ta'), freshTenant('tb'), freshTenant('tc')]
    const name = freshTenant('helpdesk')
    const now = new Date('2026-11-23T10:00:00Z')
    await withStore(h, a, async (store) => {
      await store.access.putUser({
        name,
        role: 'admin',
        passwordHash: '$argon2id$a',
        createdAt: now.toISOString(),
      })
      assert.equal(await store.access.grantTenant(name, b, 'viewer', now), true)
      assert.equal(await store.access.grantTenant(`${name}-x`, b, 'viewer', now), false)
      assert.deepEqual(await store.access.tenantsOf(name), [
        { tenant: a, role: 'admin' },
        { tenant: b, role: 'viewer' },
      ])
    })
    await withStore(h, b, async (store) => {
      // the same password in b: it is the login's, not the tenant's
      assert.deepEqual(await store.access.getUser(name), {
        name,
        role: 'viewer',
        passwordHash: '$argon2id$a',
        createdAt: now.toISOString(),
      })
      assert.deepEqual(
        (await store.access.listUsers()).map((u) => u.name),
        [name],
      )
    })
    await withStore(h, c, async (store) => {
      assert.equal(await store.access.getUser(name), undefined)
      assert.deepEqual(await store.access.listUsers(), [])
    })
  })

  test("access: another tenant's live session or token is recognised as such; a revoke ends them there only", async () => {
    const h = harness()
    const [a, b] = [freshTenant('ra'), freshTenant('rb')]
    const name = freshTenant('docent')
    const now = new Date('2026-11-23T10:00:00Z')
    const grant = (hash: string) => ({
      secretHash: hash,
      userName: name,
      role: 'viewer' as const,
      label: 'test',
      createdAt: now.toISOString(),
      expiresAt: '2026-11-24T10:00:00.000Z',
    })
    const [inA, inB] = [
      freshTenant('hash-a').padEnd(64, 'a'),
      freshTenant('hash-b').padEnd(64, 'b'),
    ]
    await withStore(h, a, async (store) => {
      await store.access.putUser({
        name,
        role: 'viewer',
        passwordHash: '$x',
        createdAt: now.toISOString(),
      })
      assert.ok(await store.access.grantTenant(name, b, 'operator', now))
      await store.access.addGrant('api_tokens', grant(inA))
      await store.access.addGrant('sessions', grant(inA))
    })
    await withStore(h, b, async (store) => {
      await store.access.addGrant('api_tokens', grant(inB))
      for (const kind of ['sessions', 'api_tokens'] as const) {
        assert.equal(await store.access.findGrant(kind, inA, now), undefined)
        assert.equal(await store.access.isOtherTenantsGrant(kind, inA, now), true)
        assert.equal(
          await store.access.isOtherTenantsGrant(kind, inA, new Date('2026-11-24T10:00:00Z')),
          false,
          'an expired grant of another tenant is nothing',
        )
      }
      assert.equal(await store.access.isOtherTenantsGrant('api_tokens', inB, now), false)
      assert.equal(await store.access.revokeTenant(name, b), true)
      assert.equal(await store.access.revokeTenant(name, b), false)
      assert.equal(await store.access.getUser(name), undefined)
      assert.deepEqual(await store.access.listGrants('api_tokens', name), [])
    })
    await withStore(h, a, async (store) => {
      assert.equal((await store.access.getUser(name))?.role, 'viewer')
      assert.equal((await store.access.listGrants('api_tokens', name)).length, 1)
      assert.deepEqual(await store.access.tenantsOf(name), [{ tenant: a, role: 'viewer' }])
    })
  })
}
