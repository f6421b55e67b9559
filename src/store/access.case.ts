// The access tables (users, sessions, API tokens) on every dialect: upsert keeps the creation time and a
// hash when none is given, grants expire by the clock passed in, and tenants do not see each other's rows.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { freshTenant, withStore, type StoreHarness } from './store-fixtures.ts'

export function accessCases(harness: () => StoreHarness): void {
  test('access: users upsert by name; a role change keeps the hash; another tenant sees none', async () => {
    const h = harness()
    const tenant = freshTenant('access')
    await withStore(h, tenant, async (store) => {
      await store.access.putUser({
        name: 'jan',
        role: 'viewer',
        passwordHash: '$argon2id$x',
        createdAt: '2026-11-23T10:00:00.000Z',
      })
      await store.access.putUser({
        name: 'jan',
        role: 'admin',
        passwordHash: undefined,
        createdAt: '2026-12-01T10:00:00.000Z',
      })
      assert.deepEqual(await store.access.getUser('jan'), {
        name: 'jan',
        role: 'admin',
        passwordHash: '$argon2id$x',
        createdAt: '2026-11-23T10:00:00.000Z',
      })
      assert.deepEqual(
        (await store.access.listUsers()).map((u) => u.name),
        ['jan'],
      )
    })
    await withStore(h, freshTenant('access-other'), async (store) => {
      assert.equal(await store.access.getUser('jan'), undefined)
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
}
