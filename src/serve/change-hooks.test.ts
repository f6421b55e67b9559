import assert from 'node:assert/strict'
import { test } from 'node:test'
import { signWebhook } from '../notify/run-webhook.ts'
import { hookAuthProblem, MAX_IDS, parseHookBody } from './change-hooks.ts'

const NOW = new Date('2026-11-23T09:00:00Z')
const headers = (h: Record<string, string>) => (name: string) => h[name]

test('a bearer hook takes exactly its token', () => {
  const hook = { source: 'somtoday', bearer: 'token-of-the-school' }
  assert.equal(
    hookAuthProblem(hook, headers({ authorization: 'Bearer token-of-the-school' }), '{}', NOW),
    undefined,
  )
  assert.equal(
    hookAuthProblem(hook, headers({ authorization: 'Bearer token-of-the-schoo' }), '{}', NOW),
    'wrong bearer token',
  )
  assert.equal(
    hookAuthProblem(hook, headers({ authorization: 'Basic dG9rZW4=' }), '{}', NOW),
    'missing Authorization: Bearer <token>',
  )
  assert.equal(
    hookAuthProblem(hook, headers({}), '{}', NOW),
    'missing Authorization: Bearer <token>',
  )
})

test('an HMAC hook checks the signature over timestamp and body, and the timestamp within 5 minutes', () => {
  const hook = { source: 'school', hmac: 'key-0123456789abcdef' }
  const body = '{"ids":["a"]}'
  const ts = String(NOW.getTime() / 1000)
  assert.equal(
    hookAuthProblem(
      hook,
      headers({ 'x-koppel-timestamp': ts, 'x-koppel-signature': signWebhook(hook.hmac, ts, body) }),
      body,
      NOW,
    ),
    undefined,
  )
  assert.equal(
    hookAuthProblem(
      hook,
      headers({ 'x-koppel-timestamp': ts, 'x-koppel-signature': signWebhook(hook.hmac, ts, body) }),
      '{"ids":["b"]}',
      NOW,
    ),
    'bad signature',
  )
  const old = String(NOW.getTime() / 1000 - 301)
  assert.equal(
    hookAuthProblem(
      hook,
      headers({
        'x-koppel-timestamp': old,
        'x-koppel-signature': signWebhook(hook.hmac, old, body),
      }),
      body,
      NOW,
    ),
    'X-Koppel-Timestamp is more than 5 minutes off',
  )
  assert.equal(
    hookAuthProblem(
      hook,
      headers({ 'x-koppel-signature': signWebhook(hook.hmac, ts, body) }),
      body,
      NOW,
    ),
    'missing X-Koppel-Timestamp or X-Koppel-Signature',
  )
})

test('the body names record ids; every problem names its field', () => {
  assert.deepEqual(parseHookBody('{"ids":["b","a","b"]}'), { ok: true, ids: ['b', 'a'] })
  assert.deepEqual(parseHookBody('nope'), {
    ok: false,
    problem: 'the body is not JSON; send {"ids": ["<record id>", ...]}',
  })
  assert.deepEqual(parseHookBody('{"ids":[]}'), {
    ok: false,
    problem: 'ids: must be a non-empty array of record ids',
  })
  assert.deepEqual(parseHookBody('{"ids":["ok", 7]}'), {
    ok: false,
    problem: 'ids[1]: must be a record id of 1 to 200 printable characters without spaces',
  })
  assert.deepEqual(parseHookBody('{"ids":["a\\u0000b"]}'), {
    ok: false,
    problem: 'ids[0]: must be a record id of 1 to 200 printable characters without spaces',
  })
  const many = JSON.stringify({ ids: Array.from({ length: MAX_IDS + 1 }, (_, i) => `id${i}`) })
  assert.equal(parseHookBody(many).ok, false)
})
