// The one table `npm run bench` ends with (issue 17): every performance goal P1–P7, its figure from this run,
// met or missed, and the machine's load average when the figure was taken (figures from a busy machine are
// pessimistic; the load says how much). Also runs a script as a child process for its wall time and peak RSS.
import { spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')

export interface GoalRow {
  readonly id: string
  readonly measure: string
  readonly goal: string
  /** Undefined when the part was skipped. */
  readonly figure?: string
  /** Undefined when there is no figure, or the goal is not a plain threshold. */
  readonly met?: boolean
  /** 1-minute load average when the figure was taken. */
  readonly load?: number
  readonly note?: string
}

export const load1 = (): number => loadavg()[0] ?? Number.NaN

/** The rows as a Markdown table (pasteable into docs/benchmarks.md). */
export function formatGoalTable(rows: readonly GoalRow[]): string {
  const lines = [
    '| # | measure | goal | figure | | load |',
    '| --- | --- | --- | --- | --- | --- |',
  ]
  for (const r of rows) {
    const verdict =
      r.figure === undefined
        ? 'skipped'
        : r.met === undefined
          ? 'see note'
          : r.met
            ? 'met'
            : 'missed'
    const figure =
      r.figure === undefined
        ? (r.note ?? '—')
        : `${r.figure}${r.note !== undefined ? ` (${r.note})` : ''}`
    lines.push(
      `| ${r.id} | ${r.measure} | ${r.goal} | ${figure} | ${verdict} | ${r.load === undefined ? '' : r.load.toFixed(1)} |`,
    )
  }
  return lines.join('\n')
}

export interface ChildFigures {
  readonly wallS: number
  readonly peakRssMb: number
  readonly exitCode: number | null
  readonly stdout: string
  /** Load average at the end of the run. */
  readonly load: number
}

/** Runs `node <script> …args` with bench/report-rss.ts preloaded: wall time, the child's own peak RSS, its output. */
export function runChild(
  script: string,
  args: readonly string[],
  options: { cwd?: string } = {},
): Promise<ChildFigures> {
  const rssFile = join(
    tmpdir(),
    `koppel-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`,
  )
  const started = performance.now()
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        '--no-warnings',
        '--import',
        join(ROOT, 'bench', 'report-rss.ts'),
        resolve(ROOT, script),
        ...args,
      ],
      {
        cwd: options.cwd ?? ROOT,
        env: { ...process.env, KOPPEL_BENCH_RSS_FILE: rssFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)))
    child.on('error', fail)
    child.on('close', (code) => {
      const wallS = (performance.now() - started) / 1000
      let peakRssMb = Number.NaN
      try {
        peakRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024
      } catch {
        // the child died before its exit hook (out of memory, killed): no figure
      }
      rmSync(rssFile, { force: true })
      if (code !== 0 && code !== 2) process.stderr.write(stderr)
      done({
        wallS,
        peakRssMb,
        exitCode: code,
        stdout: Buffer.concat(out).toString(),
        load: load1(),
      })
    })
  })
}

/** "12.3 s, 845 MB" */
export const wallAndRss = (f: { wallS: number; peakRssMb: number }): string =>
  `${f.wallS.toFixed(1)} s, ${Number.isNaN(f.peakRssMb) ? '?' : f.peakRssMb.toFixed(0)} MB`
