// The process's one LISTEN connection on a real PostgreSQL: channels of several listeners on one session, and a
// session the server ends is made again with every channel LISTENed, the listeners told.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import {
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '../../test/harness/postgres.ts'
import { overlappingQueryWarnings } from '../../test/harness/pg-overlap-warnings.ts'
import { listenConnection, listenConnections } from './listen-connection.ts'

const until = async (what: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('listen connection', { skip: postgresSkipReason() ?? false }, () => {
  let server: PostgresServer | undefined
  let admin: pg.Client | undefined
  before(async () => {
    server = await startPostgres()
    admin = new pg.Client({ connectionString: server.url })
    await admin.connect()
  })
  after(async () => {
    await admin?.end()
    await server?.stop()
  })

  const sessions = async () => {
    const { rows } = await (admin as pg.Client).query<{ n: number }>(
      "select count(*)::int as n from pg_stat_activity where application_name like '% listen'",
    )
    return rows[0]?.n ?? 0
  }

  // first in the file: pg@8 warns once per process
  test('many tenants listening and leaving at once send their statements one at a time', async () => {
    const warnings = overlappingQueryWarnings()
    try {
      const url = server?.url ?? ''
      const heard: string[] = []
      // as the boards of a window each LISTEN their channel while the connection is still being made
      const channels = Array.from({ length: 8 }, (_, i) => `chan_many_${i}`)
      const listening = await Promise.all(
        channels.map((ch) => listenConnection(url).listen(ch, (p) => heard.push(`${ch}:${p}`))),
      )
      await admin?.query("select pg_notify('chan_many_0', 'x'), pg_notify('chan_many_7', 'y')")
      await until(() => heard.length === 2)
      assert.deepEqual(heard.sort(), ['chan_many_0:x', 'chan_many_7:y'])
      // and once connected, more channels at once, while others leave (UNLISTEN)
      const more = await Promise.all(
        channels.map((ch) => listenConnection(url).listen(`${ch}_b`, () => {})),
      )
      for (const l of listening.slice(1)) l.close()
      await Promise.all(
        channels.map((ch) => listenConnection(url).listen(`${ch}_c`, () => {})),
      ).then((ls) => ls.forEach((l) => l.close()))
      for (const l of [listening[0], ...more]) l?.close()
      await until(async () => (await sessions()) === 0)
      await new Promise((r) => setImmediate(r))
      assert.deepEqual(warnings.seen(), [])
    } finally {
      warnings.stop()
    }
  })

  test('channels of many listeners share one session, which comes back after the server ends it', async () => {
    const url = server?.url ?? ''
    const heard: string[] = []
    let reconnects = 0
    const a = await listenConnection(url).listen(
      'chan_a',
      (p) => heard.push(`a:${p}`),
      () => {
        reconnects++
      },
    )
    const b = await listenConnection(url).listen('chan_b', (p) => heard.push(`b:${p}`))
    const b2 = await listenConnection(url).listen('chan_b', (p) => heard.push(`b2:${p}`))
    assert.equal(await sessions(), 1)
    assert.equal(listenConnections(), 1)
    await admin?.query("select pg_notify('chan_a', 'one'), pg_notify('chan_b', 'two')")
    await until(() => heard.length === 3)
    assert.deepEqual(heard.sort(), ['a:one', 'b2:two', 'b:two'])

    await admin?.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name like '% listen'",
    )
    await until(() => reconnects === 1)
    assert.equal(listenConnection(url).live, true)
    heard.length = 0
    b2.close()
    await admin?.query("select pg_notify('chan_a', 'three'), pg_notify('chan_b', 'four')")
    await until(() => heard.length === 2)
    assert.deepEqual(heard.sort(), ['a:three', 'b:four'])

    a.close()
    b.close()
    await until(async () => (await sessions()) === 0)
    assert.equal(listenConnections(), 0, 'nobody listens: no connection kept')
  })

  test('a server that cannot be reached rejects the listen (the caller polls)', async () => {
    await assert.rejects(
      listenConnection('postgres://nobody@127.0.0.1:9/none').listen('chan', () => {}),
      /ECONNREFUSED|connect/,
    )
  })
})
