// The read on a worker thread must give exactly what the single-thread read gives: the same snapshot, and for a
// broken export the same issues (file, line, record, field, value, message) in the same order, also when the
// issue cap cuts the list short; and a parsing thread that fails or stops must end the read with an error.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { IssueCollector } from '../../contract/issue-collector.ts'
import { readManifest } from './oneroster-csv-manifest.ts'
import { readRoster } from './oneroster-csv-package.ts'
import { ParseThread } from './oneroster-csv-parse-thread.ts'
import type { RowOrigin } from './oneroster-csv-reader.ts'
import { readRosterFile } from './oneroster-csv-reader.ts'
import type { BatchEvent } from './oneroster-csv-row-batch.ts'
import { replayBatch, RowBatchWriter } from './oneroster-csv-row-batch.ts'
import { fileColumns } from './oneroster-csv-spec.ts'
import { readPackage } from './oneroster-csv-test-package.ts'

const TODAY = '2025-10-01'
const dirs: string[] = []
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

async function board(persons: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-parse-thread-'))
  dirs.push(dir)
  await writeOneRosterCsv(dir, generateBoard({ seed: 'parse-thread', persons, today: TODAY }), {
    version: '1.2',
  })
  return dir
}

/** Sets one cell of an unquoted data row (1 = first after the header); `row` -1 appends `value` as a line. */
function edit(dir: string, file: string, row: number, column: string, value: string): void {
  const path = join(dir, file)
  const lines = readFileSync(path, 'utf8').split('\n')
  if (row === -1) lines.splice(lines.length - 1, 0, value)
  else {
    const at = (lines[0] ?? '').split(',').indexOf(column)
    assert.ok(at >= 0, `${file} has ${column}`)
    const cells = (lines[row] ?? '').split(',')
    cells[at] = value
    lines[row] = cells.join(',')
  }
  writeFileSync(path, lines.join('\n'))
}

function cellOf(dir: string, file: string, row: number, column: string): string {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n')
  return (lines[row] ?? '').split(',')[(lines[0] ?? '').split(',').indexOf(column)] ?? ''
}

/** An export with bad values, dangling references, a duplicate, quoted rows and a short row in four files. */
async function brokenBoard(): Promise<string> {
  const dir = await board(300)
  edit(dir, 'users.csv', 5, 'enabledUser', 'yes')
  edit(dir, 'roles.csv', 3, 'role', 'wizard')
  edit(dir, 'roles.csv', 7, 'userSourcedId', 'ghost-user')
  edit(dir, 'demographics.csv', 2, 'birthDate', '2013-02-30')
  edit(dir, 'enrollments.csv', 10, 'classSourcedId', 'no-such-class')
  edit(dir, 'enrollments.csv', 11, 'beginDate', '2026-13-01')
  edit(dir, 'enrollments.csv', 12, 'sourcedId', cellOf(dir, 'enrollments.csv', 11, 'sourcedId'))
  edit(dir, 'enrollments.csv', 20, 'role', 'Student')
  const user = cellOf(dir, 'enrollments.csv', 1, 'userSourcedId')
  const cls = cellOf(dir, 'enrollments.csv', 1, 'classSourcedId')
  const school = cellOf(dir, 'enrollments.csv', 1, 'schoolSourcedId')
  edit(dir, 'enrollments.csv', -1, '', `"e,1",,,"${cls}",${school},${user},"stu""dent",,,`)
  edit(dir, 'enrollments.csv', -1, '', `e-2,,,${cls},${school},"${user}\nx",student,,,`)
  edit(dir, 'enrollments.csv', -1, '', `e-3,,,${cls}`)
  return dir
}

describe('RowBatch', () => {
  test('rows sent as lines or as fields, and events between them, replay in their order', () => {
    const writer = new RowBatchWriter()
    const sent: unknown[] = []
    const issue = (n: number) => ({ code: `c${n}`, message: 'm' })
    // rows cut from two chunks of text, and rows with quotes sent field by field
    const chunk = 'a,b,\nu,v\nü,ß€,1\n'
    const at = (text: string, s = chunk) => ({
      rowSource: s,
      rowStart: s.indexOf(text),
      rowEnd: s.indexOf(text) + text.length,
    })
    const rows: [string[], number, boolean, RowOrigin | undefined][] = [
      [['a', 'b', ''], 2, false, at('a,b,')],
      [['x,y', 'say "hi"', 'two\nlines', ''], 3, true, undefined],
      [['ü', 'ß€', '1'], 5, false, at('ü,ß€,1')],
      [[''], 6, false, undefined],
      [['p', 'q'], 7, false, at('p,q', 'tail\np,q\n')],
    ]
    writer.event({ kind: 'header', variant: 1 })
    for (const [i, [fields, line, deleted, text]] of rows.entries()) {
      writer.event({ kind: 'error', issue: issue(i) })
      writer.row(fields, line, deleted, text)
      sent.push(['event', 'error', `c${i}`], ['row', fields, line, deleted])
    }
    writer.event({ kind: 'rows', count: 4 })
    const got: unknown[] = []
    replayBatch(writer.take(), {
      row: (fields, line, deleted) => got.push(['row', fields, line, deleted]),
      event: (e: BatchEvent) =>
        got.push(
          e.kind === 'error' || e.kind === 'warn'
            ? ['event', e.kind, e.issue.code]
            : ['event', e.kind],
        ),
    })
    assert.deepEqual(got, [['event', 'header'], ...sent, ['event', 'rows']])
    assert.equal(writer.empty, true)
  })
})

describe('the OneRoster read with a parsing thread', () => {
  let clean: string
  let broken: string
  before(async () => {
    clean = await board(400)
    broken = await brokenBoard()
  })

  test('a clean export: the same snapshot, and the thread was used', async () => {
    const one = await readPackage(clean, { parseThread: 'never' }, TODAY)
    const two = await readPackage(clean, { parseThread: 'always' }, TODAY)
    assert.equal(one.ok, true)
    assert.deepEqual(two, one)
    const issues = new IssueCollector('school')
    const manifest = await readManifest(clean, issues)
    assert.ok(manifest !== undefined)
    const read = await readRoster(clean, manifest, issues, { thread: true })
    assert.equal(read.threaded, true)
    assert.ok((read.roster?.enrollments.size ?? 0) > 300)
  })

  test('a broken export: the same issues in the same order, from four files', async () => {
    const one = await readPackage(broken, { parseThread: 'never' }, TODAY)
    const two = await readPackage(broken, { parseThread: 'always' }, TODAY)
    assert.ok(!one.ok && !two.ok)
    assert.deepEqual(two.issues, one.issues)
    const files = new Set(one.issues.map((i) => i.file))
    for (const f of ['users.csv', 'roles.csv', 'demographics.csv', 'enrollments.csv'])
      assert.ok(files.has(f), `an issue in ${f}: ${JSON.stringify(one.issues)}`)
    const codes = one.issues.map((i) => `${i.file}:${i.code}`)
    for (const c of [
      'roles.csv:unknown_reference',
      'enrollments.csv:unknown_reference',
      'enrollments.csv:duplicate_id',
      'enrollments.csv:bad_date',
      'enrollments.csv:bad_column_count',
      'enrollments.csv:bad_id',
    ])
      assert.ok(codes.includes(c), `${c} in ${codes.join(' ')}`)
  })

  test('when the issue cap cuts the list short, the same issues', async () => {
    for (const maxIssues of [3, 6, 9]) {
      const one = await readPackage(broken, { parseThread: 'never', maxIssues }, TODAY)
      const two = await readPackage(broken, { parseThread: 'always', maxIssues }, TODAY)
      assert.ok(!one.ok && !two.ok)
      assert.equal(one.issues.filter((i) => i.severity === 'error').length, maxIssues + 1)
      assert.deepEqual(two.issues, one.issues)
    }
  })

  test('a file the thread cannot open fails the read as on one thread', async () => {
    const dir = await board(100)
    rmSync(join(dir, 'enrollments.csv'))
    const { mkdirSync } = await import('node:fs')
    mkdirSync(join(dir, 'enrollments.csv'))
    const one = await readPackage(dir, { parseThread: 'never' }, TODAY).catch((e: Error) => e)
    const two = await readPackage(dir, { parseThread: 'always' }, TODAY).catch((e: Error) => e)
    assert.ok(one instanceof Error && two instanceof Error)
    assert.equal((two as NodeJS.ErrnoException).code, (one as NodeJS.ErrnoException).code)
    assert.equal(two.message, one.message)
  })
})

describe('a parsing thread that fails or stops', () => {
  const worker = (name: string, code: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'koppel-parse-thread-worker-'))
    dirs.push(dir)
    const path = join(dir, name)
    writeFileSync(path, code)
    return pathToFileURL(path)
  }
  const read = (entry: URL) => {
    const thread = new ParseThread(
      '1.2',
      [{ file: 'enrollments', path: '/nonexistent', mode: 'bulk' }],
      { entry },
    )
    const o = { variants: fileColumns('enrollments', '1.2') ?? [], issues: new IssueCollector('s') }
    return thread
      .read('enrollments', o, { header: () => {}, row: () => {} })
      .finally(() => thread.close())
  }

  test('an exception in the thread rejects the read, naming the file', async () => {
    await assert.rejects(read(worker('throws.mjs', 'throw new Error("boom")')), (e: Error) => {
      assert.match(e.message, /enrollments\.csv could not be read: .*failed: boom/)
      return true
    })
  })

  test('a thread that exits without its file rejects the read instead of leaving it waiting', async () => {
    for (const code of ['process.exit(3)', '']) {
      await assert.rejects(read(worker(`exits-${code.length}.mjs`, code)), (e: Error) => {
        assert.match(e.message, /enrollments\.csv could not be read: .*stopped \(exit code \d\)/)
        return true
      })
    }
  })

  test('the single-thread reader gives the rows the thread sends (a control for the tests above)', async () => {
    const dir = await board(100)
    let single = 0
    let threaded = 0
    const o = {
      path: join(dir, 'enrollments.csv'),
      file: 'enrollments.csv',
      variants: fileColumns('enrollments', '1.2') ?? [],
      mode: 'bulk' as const,
      issues: new IssueCollector('s'),
    }
    await readRosterFile(o, { header: () => {}, row: () => single++ })
    const thread = new ParseThread('1.2', [{ file: 'enrollments', path: o.path, mode: 'bulk' }])
    await thread.read(
      'enrollments',
      o,
      { header: () => {}, row: () => assert.fail('enrollments come as indices') },
      { table: [], row: () => threaded++ },
    )
    await thread.close()
    assert.ok(single > 100)
    assert.equal(threaded, single)
  })
})
