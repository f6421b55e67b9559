/**
 * `koppel serve`: runs in the foreground until SIGTERM or SIGINT, logging JSON lines (pino) on stdout,
 * one object per line with the schedule, tick, plan and run in its fields. A stop finishes the actions in
 * flight, leaves the rest of an apply to resume, and exits 0.
 */
import { pino } from 'pino'
import type { ConnectorDefinition } from '../contract/index.ts'
import { loadEngine } from '../app/load-engine.ts'
import { nameConnections } from '../store/index.ts'
import { startServe } from './serve.ts'

export interface ServeFlags {
  readonly config: string
  readonly host?: string
  readonly port?: string
  readonly runAtStart?: boolean
}

export async function serveCommand(
  flags: ServeFlags,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  const log = pino({ base: { pid: process.pid } })
  nameConnections('koppel-serve')
  const r = await loadEngine(flags.config, definitions, {
    log: (level, message, fields) => log[level]({ ...fields, from: 'connector' }, message),
  })
  if (!r.ok) {
    for (const e of r.errors) log.error({}, e)
    return 1
  }
  const loaded = r.loaded
  const base = loaded.config.serve?.listen ?? { host: '127.0.0.1', port: 8470 }
  const port = flags.port === undefined ? base.port : Number(flags.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    log.error({}, `--port must be a port number (0 to 65535), got ${JSON.stringify(flags.port)}`)
    await loaded.close()
    return 1
  }
  const service = log.child({ tenant: loaded.config.tenant })
  let handle
  try {
    handle = await startServe(loaded, {
      log: service,
      listen: { host: flags.host ?? base.host, port },
      runAtStart: flags.runAtStart === true,
    })
  } catch (e) {
    service.error(
      { err: e instanceof Error ? e.message : String(e) },
      'koppel serve could not start',
    )
    await loaded.close()
    return 1
  }
  const started = handle
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGTERM', onTerm)
      process.off('SIGINT', onInt)
      started.stop(signal).then(resolve, (e: unknown) => {
        service.error({ err: String(e) }, 'the stop failed')
        resolve()
      })
    }
    const onTerm = () => stop('SIGTERM')
    const onInt = () => stop('SIGINT')
    process.on('SIGTERM', onTerm)
    process.on('SIGINT', onInt)
  })
  await loaded.close()
  return 0
}
