import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { heapFlags } from './heap-limit.ts'

const GB = 1024 ** 3
const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'koppel.ts')

describe('heapFlags', () => {
  test('a 24 GB machine with Node at its 4 GB cap: the heap may grow to 18 GB', () => {
    assert.deepEqual(
      heapFlags({
        execArgv: [],
        nodeOptions: undefined,
        memoryBytes: 24 * GB,
        heapLimitBytes: 4288 * 1024 ** 2,
      }),
      ['--max-old-space-size=18432', '--max-semi-space-size=8'],
    )
  })

  test('a small machine whose share is not larger than Node cap keeps the cap; the young generation is capped', () => {
    assert.deepEqual(
      heapFlags({ execArgv: [], nodeOptions: '', memoryBytes: 4 * GB, heapLimitBytes: 2.5 * GB }),
      ['--max-semi-space-size=8'],
    )
  })

  test('a young generation the user sized is kept (V8 grows it to 64 MB semi-spaces otherwise)', () => {
    const big = { memoryBytes: 24 * GB, heapLimitBytes: 4288 * 1024 ** 2 }
    assert.deepEqual(
      heapFlags({ ...big, execArgv: ['--max-semi-space-size=32'], nodeOptions: undefined }),
      ['--max-old-space-size=18432'],
    )
    assert.deepEqual(heapFlags({ ...big, execArgv: [], nodeOptions: '--max_semi_space_size=16' }), [
      '--max-old-space-size=18432',
    ])
  })

  test('sizes the user chose on the command line or in NODE_OPTIONS are kept', () => {
    const big = { memoryBytes: 64 * GB, heapLimitBytes: 4 * GB }
    assert.deepEqual(
      heapFlags({ ...big, execArgv: ['--max-old-space-size=300'], nodeOptions: undefined }),
      [],
    )
    assert.deepEqual(
      heapFlags({ ...big, execArgv: [], nodeOptions: '--trace-warnings --max_old_space_size=900' }),
      [],
    )
    assert.deepEqual(
      heapFlags({ ...big, execArgv: ['--max-heap-size=2000'], nodeOptions: undefined }),
      [],
    )
  })
})

describe('bin/koppel.ts restarts itself once with the raised heap', () => {
  // a module preloaded into koppel prints the pid and the heap cap every time a Node process starts with it
  const probe = async (nodeArgs: string[], env: Record<string, string> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'koppel-heap-'))
    try {
      const file = join(dir, 'probe.mjs')
      writeFileSync(
        file,
        "import v8 from 'node:v8'\nprocess.stderr.write(`PROBE ${process.pid} ${v8.getHeapStatistics().heap_size_limit}\\n`)\n",
      )
      // `plan` with an unknown option: the command counts as one that reads sources, and then fails at once
      const r = await promisify(execFile)(
        process.execPath,
        [...nodeArgs, '--no-warnings', '--import', file, BIN, 'plan', '--no-such-option'],
        { env: { ...process.env, ...env } },
      ).catch((e: { stderr: string }) => e)
      return [...r.stderr.matchAll(/^PROBE (\d+) (\d+)$/gm)].map((m) => ({
        pid: Number(m[1]),
        limit: Number(m[2]),
      }))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  test('the same process (same pid) starts again with the flags heapFlags gives for this machine', async (t) => {
    const starts = await probe([])
    const memoryBytes = Math.min(totalmem(), process.constrainedMemory() || Infinity)
    const flags = heapFlags({
      execArgv: [],
      nodeOptions: process.env['NODE_OPTIONS'],
      memoryBytes,
      heapLimitBytes: starts[0]?.limit ?? 0,
    })
    if (flags.length === 0) {
      assert.equal(starts.length, 1, JSON.stringify(starts))
      return t.skip(
        `this machine's ${Math.round(memoryBytes / GB)} GB give no more heap than Node's own cap`,
      )
    }
    assert.equal(starts.length, 2, JSON.stringify(starts))
    const [first, second] = starts as [
      { pid: number; limit: number },
      { pid: number; limit: number },
    ]
    assert.equal(second.pid, first.pid)
    // a machine whose memory gives no more heap still restarts, for the young generation's size
    if (flags.some((f) => f.startsWith('--max-old-space-size=')))
      assert.ok(second.limit > first.limit * 1.2, JSON.stringify(starts))
  })

  test('no restart when the user sized the heap, or with KOPPEL_KEEP_HEAP', async () => {
    assert.equal((await probe(['--max-old-space-size=300'])).length, 1)
    assert.equal((await probe([], { KOPPEL_KEEP_HEAP: '1' })).length, 1)
  })
})

describe('the restarted process starts from the compile cache (issue 17, P2)', () => {
  test('from the second run on, it never loads the TypeScript stripper', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'koppel-heap-cache-'))
    try {
      // START at every Node start; EXIT only in the process that was not replaced (the restarted one)
      const file = join(dir, 'probe.mjs')
      writeFileSync(
        file,
        "process.stderr.write('START\\n')\n" +
          "process.on('exit', () => process.stderr.write(`EXIT ${process.moduleLoadList.some((m) => m.includes('amaro'))}\\n`))\n",
      )
      // a fresh default cache folder (os.tmpdir() follows TMPDIR), and no cache chosen by whoever runs the tests
      const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: dir }
      delete env['NODE_COMPILE_CACHE']
      delete env['NODE_DISABLE_COMPILE_CACHE']
      delete env['KOPPEL_KEEP_HEAP']
      const run = async () => {
        const r = await promisify(execFile)(
          process.execPath,
          ['--no-warnings', '--import', file, BIN, 'plan', '--no-such-option'],
          { env },
        ).catch((e: { stderr: string }) => e)
        return r.stderr.split('\n').filter((l) => /^(START|EXIT)/.test(l))
      }
      const first = await run()
      if (first.length === 2)
        return t.skip('no restart on this machine (its memory gives no more heap than Node cap)')
      // the first run fills the fresh cache
      assert.deepEqual(first.slice(0, 2), ['START', 'START'])
      assert.deepEqual(await run(), ['START', 'START', 'EXIT false'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
