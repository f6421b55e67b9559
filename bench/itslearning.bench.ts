// `node bench/itslearning.bench.ts`: figures for the itslearning targets (printed, never asserted; not part of
// `npm run bench`). KOPPEL_BENCH_ITSL_FILE persons (default 20000) go through the IMS file target's actions at
// concurrency 20 and are delivered to a real sshd (skipped without openssh-server); KOPPEL_BENCH_ITSL_ES creates
// (default 2000) go to the IMS ES simulator, as single calls and in bulk.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ConnectorContext } from '../src/contract/index.ts'
import {
  ImsEsTarget,
  imsEsOptionsSchema,
  ImsFileTarget,
  imsFileOptionsSchema,
} from '../src/connectors/itslearning/index.ts'
import { startItslearningEsSimulator } from '@koppel/sim/itslearning-es'
import { sshdSkipReason, startSshd } from '../test/harness/sshd.ts'

const fileCount = Number(process.env['KOPPEL_BENCH_ITSL_FILE'] ?? 20000)
const esCount = Number(process.env['KOPPEL_BENCH_ITSL_ES'] ?? 2000)
const ctx: ConnectorContext = {
  baseDir: '/',
  log: () => undefined,
  now: () => new Date('2026-11-23T10:00:00Z'),
}
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(2)

async function inWaves(
  n: number,
  width: number,
  one: (i: number) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < n; i += width)
    await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, k) => one(i + k)))
}

console.log(`# itslearning targets — ${new Date().toISOString()}, Node ${process.version}`)
const noSshd = sshdSkipReason()
if (noSshd !== undefined) console.log(`IMS file: skipped: ${noSshd}`)
else {
  const s = await startSshd()
  const dir = await mkdtemp(join(tmpdir(), 'koppel-bench-itsl-'))
  try {
    const o = imsFileOptionsSchema.parse({
      stateDir: dir,
      sftp: {
        host: s.host,
        port: s.port,
        username: s.username,
        privateKey: '${env:UNUSED}',
        hostKeyFingerprint: s.hostKeyFingerprint,
        remoteDir: s.uploadDir,
      },
    })
    const t = new ImsFileTarget(
      'bench',
      { ...o, sftp: { ...o.sftp, privateKey: s.privateKey } },
      ctx,
    )
    let t0 = performance.now()
    await inWaves(fileCount, 20, async (i) => {
      const r = await t.create({
        attributes: {
          syncPersonKey: `p${i}`,
          userId: `u${i}`,
          givenName: 'Jan',
          familyName: `Jansen ${i}`,
          email: `u${i}@school.test`,
          institutionRole: 'student',
        },
        anchor: { attribute: 'syncPersonKey', value: `p${i}` },
        enabled: true,
      })
      await t.grant(r, { type: 'membership', id: `12AB/2026-2027/klas-${i % 400}#learner` })
    })
    console.log(
      `IMS file: ${fileCount} creates + ${fileCount} grants (state journal, concurrency 20): ${secs(t0)} s`,
    )
    t0 = performance.now()
    const r = await t.deliver()
    const mb = ((await stat(join(s.uploadDir, 'koppel-ims.xml'))).size / 1e6).toFixed(1)
    console.log(`IMS file: first delivery over SFTP: ${secs(t0)} s (${r.message}, ${mb} MB)`)
    t0 = performance.now()
    const again = await t.deliver()
    console.log(`IMS file: delivery without changes: ${secs(t0)} s (${again.outcome})`)
  } finally {
    await s.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

const sim = await startItslearningEsSimulator({ username: 'bench', password: 'bench' })
try {
  for (const batchSize of [1, 50]) {
    const o = imsEsOptionsSchema.parse({
      url: sim.url,
      username: 'bench',
      password: '${env:UNUSED}',
      batchSize,
    })
    const es = new ImsEsTarget('bench', { ...o, password: 'bench' }, ctx)
    const before = sim.calls.length
    const t0 = performance.now()
    await inWaves(esCount, 10, (i) =>
      es.create({
        attributes: { syncPersonKey: `b${batchSize}-${i}`, givenName: 'An', familyName: 'Bos' },
        anchor: { attribute: 'syncPersonKey', value: `b${batchSize}-${i}` },
        enabled: true,
      }),
    )
    console.log(
      `IMS ES simulator: ${esCount} creates, batchSize ${batchSize}, concurrency 10: ${secs(t0)} s, ${sim.calls.length - before} SOAP calls`,
    )
  }
} finally {
  await sim.close()
}
