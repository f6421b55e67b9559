import type { ConnectorDefinition } from '../contract/index.ts'
import { liftHold, placeHold } from '../engine/index.ts'
import type { PersonHold } from '../model/index.ts'
import { actor } from './actor.ts'
import { withEngine } from './commands-plan.ts'
import { writeJson } from './json-stream.ts'
import { err, EXIT, out } from './output.ts'
import { terminalSafe } from './terminal-text.ts'

export interface HoldFlags {
  readonly config: string
  readonly reason?: string
  readonly until?: string
  readonly lift?: boolean
  readonly json?: boolean
}

/**
 * `koppel hold <person> --reason … --until YYYY-MM-DD` freezes one person's entitlements; `--lift` ends the hold
 * (the next plan catches the person up). Without a person: the holds, as `status` lists them.
 */
export async function holdCommand(
  person: string | undefined,
  flags: HoldFlags,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  if (
    person === undefined &&
    (flags.lift === true || flags.reason !== undefined || flags.until !== undefined)
  ) {
    err(
      'Name the person: koppel hold <person> --reason "…" --until YYYY-MM-DD, or koppel hold <person> --lift.',
    )
    return EXIT.error
  }
  if (
    person !== undefined &&
    flags.lift !== true &&
    (flags.reason === undefined || flags.until === undefined)
  ) {
    err(
      'A hold needs --reason "…" and --until YYYY-MM-DD (the first day it no longer applies); --lift ends one.',
    )
    return EXIT.error
  }
  return withEngine(flags.config, definitions, async ({ engine }) => {
    if (person === undefined) {
      const holds = await engine.store.listHolds()
      if (flags.json === true) await writeJson(process.stdout, { kind: 'holds', holds })
      else out(holds.length === 0 ? 'No holds.' : holds.map(holdLine).join('\n'))
      return EXIT.ok
    }
    if (flags.lift === true) {
      const r = await liftHold(engine, person, {
        actor: actor(),
        ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
      })
      if (!r.ok) {
        err(terminalSafe(r.message, 300))
        for (const c of r.candidates ?? []) err(`  ${holdLine(c)}`)
        return EXIT.error
      }
      if (flags.json === true)
        await writeJson(process.stdout, { kind: 'hold-lifted', hold: r.hold })
      else
        out(
          `Lifted: ${holdLine(r.hold)}\nThe next plan catches ${terminalSafe(r.hold.label, 80)} up.`,
        )
      return EXIT.ok
    }
    const r = await placeHold(engine, person, {
      reason: flags.reason ?? '',
      until: flags.until ?? '',
      actor: actor(),
    })
    if (!r.ok) {
      err(terminalSafe(r.message, 300))
      for (const c of r.candidates ?? [])
        err(
          `  ${terminalSafe(c.key, 60)}  ${terminalSafe(c.name, 60)}${c.number !== undefined ? `  nr ${terminalSafe(c.number, 30)}` : ''}`,
        )
      return EXIT.error
    }
    if (flags.json === true) await writeJson(process.stdout, { kind: 'hold', hold: r.hold })
    else
      out(
        `${r.replaced !== undefined ? 'Replaced the hold' : 'Held'}: ${holdLine(r.hold)}\nNo plan has actions for this person until then; \`koppel hold ${terminalSafe(r.hold.person, 60)} --lift\` ends it sooner.`,
      )
    return EXIT.ok
  })
}

function holdLine(h: PersonHold): string {
  const t = (v: string, max = 120) => terminalSafe(v, max)
  return `${t(h.person, 60)}  ${t(h.label, 60)}  until ${h.until}  by ${t(h.placedBy, 40)}: ${t(h.reason, 200)}`
}
