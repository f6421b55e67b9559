// The Aura Online target: library borrowers (leners) through the IMS pms messages of Aura's
// uPersonManagementServiceSync.asmx. An account is identified by its LENERSCODE (id = locator = LENERSCODE).
// Aura has no list, no delete and no way to clear an end date: disable writes the uitschrijfdatum, and there is
// no `enable` (a returning pupil's enable action fails as `unsupported` and names the borrower in the report).
import { ConnectorError } from '../../contract/index.ts'
import type {
  CreateRequest,
  OpOptions,
  Ref,
  TargetAccount,
  TargetConnector,
  TargetDefinition,
  WriteResult,
} from '../../contract/index.ts'
import type { AttributeValue, Attributes, FieldChange } from '../../model/index.ts'
import { AuraClient, type AuraAnswer } from './aura-client.ts'
import { auraOptionsSchema, type AuraOptions } from './aura-options.ts'
import {
  AURA_FIELDS,
  END_DATE_FIELD,
  endDateElement,
  fieldsOf,
  personElement,
  type AuraFields,
} from './aura-xml.ts'
import { COMMON_NS } from './aura-xml.ts'

const ID = 'LENERSCODE'
const KNOWN = new Map(AURA_FIELDS.map((f) => [f.toLowerCase(), f as string]))

export const auraConnector: TargetDefinition<typeof auraOptionsSchema> = {
  role: 'target',
  type: 'aura-online',
  description:
    'Aura Online library borrowers (IMS person management over SOAP, challenge/response session): create, update of changed fields, disable by end date; no list, enable or delete',
  schema: auraOptionsSchema,
  create(name, options, context) {
    return createAuraTarget(name, options, { now: context.now, log: context.log })
  },
}

export interface AuraServices {
  readonly now?: () => Date
  readonly log?: (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => void
}

export function createAuraTarget(
  name: string,
  options: AuraOptions,
  services: AuraServices = {},
): AuraTarget {
  return new AuraTarget(name, options, services)
}

export class AuraTarget implements TargetConnector {
  readonly name: string
  readonly type = 'aura-online'
  readonly capabilities
  readonly client: AuraClient
  readonly #now: () => Date
  readonly #dateFormat: Intl.DateTimeFormat

  constructor(name: string, options: AuraOptions, services: AuraServices) {
    this.name = name
    this.capabilities = {
      listAccounts: false, // the API has no list operation
      enableDisable: true, // disable = end date; see the class comment for enable
      delete: false,
      permissionTypes: [],
      readOnlyAttributes: [END_DATE_FIELD],
      defaultConcurrency: options.concurrency,
    } as const
    this.#now = services.now ?? (() => new Date())
    try {
      this.#dateFormat = new Intl.DateTimeFormat('en-CA', {
        timeZone: options.timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      })
    } catch (e) {
      throw new ConnectorError(
        'config',
        `${name}: timeZone ${JSON.stringify(options.timeZone)} is not a known time zone`,
        { cause: e },
      )
    }
    this.client = new AuraClient({
      url: options.baseUrl,
      password: options.password,
      partner: options.partner,
      timeoutMs: options.timeoutMs,
      ...(services.log !== undefined ? { log: services.log } : {}),
    })
  }

  /** Today as yyyyMMdd in the configured time zone (the format of the uitschrijfdatum). */
  today(): string {
    return this.#dateFormat.format(this.#now()).replaceAll('-', '')
  }

  async find(
    anchor: { readonly attribute: string; readonly value: string },
    options?: OpOptions,
  ): Promise<TargetAccount | undefined> {
    if (anchor.attribute.toLowerCase() !== ID.toLowerCase()) {
      throw new ConnectorError(
        'config',
        `${this.name}: Aura finds borrowers by LENERSCODE only, not by ${anchor.attribute}`,
      )
    }
    return this.#read(anchor.value, options?.signal)
  }

  async create(request: CreateRequest, options?: OpOptions): Promise<WriteResult> {
    const fields = toFields(request.attributes)
    const id = fields[ID] ?? request.anchor.value
    if (
      request.anchor.attribute.toLowerCase() !== ID.toLowerCase() ||
      id !== request.anchor.value
    ) {
      throw new ConnectorError(
        'config',
        `${this.name}: the anchor must be LENERSCODE and equal the LENERSCODE attribute`,
      )
    }
    if (id === '') throw new ConnectorError('invalid', `${this.name}: LENERSCODE is empty`)
    checkRoomNumber(fields)
    const signal = options?.signal
    const found = await this.#read(id, signal)
    if (found !== undefined) {
      // an earlier create that wrote the borrower but not its end date (see below) is completed here
      if (!request.enabled && found.enabled) await this.#writeEndDate(id, signal)
      return { outcome: 'unchanged', id: found.id, locator: found.locator }
    }
    const { [ID]: _id, ...rest } = fields
    const content = {
      sourcedId: sourcedId(id),
      person: personElement(id, rest, request.secrets?.password),
    }
    this.#check(
      await this.client.call('createPersonRequest', content, signal),
      `create borrower ${id}`,
    )
    if (!request.enabled) {
      // the API has no inactive create: create, then write the end date. If that second step fails the borrower
      // exists without an end date; the error says so, and the retried create finds it and writes the date.
      try {
        await this.#writeEndDate(id, signal)
      } catch (e) {
        const err = ConnectorError.isInstance(e) ? e : new ConnectorError('transient', String(e))
        throw new ConnectorError(
          err.kind,
          `${this.name}: borrower ${id} was created but writing its end date failed, so it exists ACTIVE until a retry writes it: ${err.message}`,
          {
            cause: e,
            ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
          },
        )
      }
    }
    return { outcome: 'created', id, locator: id }
  }

  /** Reads first and sends only the fields whose value differs from Aura's (HelloID's update.ps1 does the same). */
  async update(
    ref: Ref,
    changes: readonly FieldChange[],
    options?: OpOptions,
  ): Promise<WriteResult> {
    const wanted: AuraFields = {}
    for (const ch of changes) {
      const field = fieldName(ch.field)
      if (field === ID) {
        if (single(ch.new, ID) === ref.id) continue
        throw new ConnectorError(
          'invalid',
          `${this.name}: LENERSCODE is the borrower's id in Aura and cannot change (${ref.id} → ${String(ch.new)})`,
        )
      }
      wanted[field] = ch.new === undefined ? '' : single(ch.new, field)
    }
    checkRoomNumber(wanted)
    const current = await this.#read(ref.id, options?.signal)
    if (current === undefined)
      throw new ConnectorError('not-found', `${this.name}: borrower ${ref.id} is not in Aura`)
    const attrs = current.attributes as Record<string, string>
    const send: AuraFields = {}
    for (const [field, value] of Object.entries(wanted))
      if ((attrs[field] ?? '') !== value) send[field] = value
    if (Object.keys(send).length === 0) return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    const content = { sourcedId: sourcedId(ref.id), person: personElement(ref.id, send) }
    this.#check(
      await this.client.call('updatePersonRequest', content, options?.signal),
      `update borrower ${ref.id}`,
    )
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  /** Writes today as the uitschrijfdatum (address/extadd, yyyyMMdd); a borrower already ended is unchanged. */
  async disable(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    const current = await this.#read(ref.id, options?.signal)
    if (current === undefined) return { outcome: 'already-gone', id: ref.id, locator: ref.id }
    if (!current.enabled) return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    await this.#writeEndDate(ref.id, options?.signal)
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  async close(): Promise<void> {}

  async #writeEndDate(id: string, signal?: AbortSignal): Promise<void> {
    const content = { sourcedId: sourcedId(id), person: endDateElement(id, this.today()) }
    this.#check(
      await this.client.call('updatePersonRequest', content, signal),
      `write the end date of borrower ${id}`,
    )
  }

  async #read(id: string, signal?: AbortSignal): Promise<TargetAccount | undefined> {
    const answer = await this.client.call('readPersonRequest', { sourcedId: sourcedId(id) }, signal)
    const person = (answer.env.body.readPersonResponse as Record<string, unknown> | undefined)
      ?.person
    const fields = fieldsOf(person)
    // As the HelloID script decides it: a borrower exists exactly when userId/userIdValue is non-empty; the
    // status of a read is not consulted (how Aura says "not found" is not public). An expired session is
    // handled by the client before this point.
    if ((fields[ID] ?? '') === '') return undefined
    if (fields[ID] !== id)
      throw new ConnectorError(
        'invalid',
        `${this.name}: asked for borrower ${id}, Aura answered with ${fields[ID]}`,
      )
    const end = fields[END_DATE_FIELD]
    return { id, locator: id, attributes: fields, enabled: end === undefined || end > this.today() }
  }

  #check(answer: AuraAnswer, what: string): void {
    const s = answer.status
    if (s.success) return
    throw new ConnectorError(
      kindForCodeMinor(s.codeMinor),
      `${this.name}: ${what}: Aura answered ${s.codeMajor}${s.codeMinor ? ` (${s.codeMinor})` : ''}: ${s.text || 'no description'}`,
      {
        code: s.codeMinor || s.codeMajor,
      },
    )
  }
}

/** GUESS: codeMinor values as the IMS pms status vocabulary names them; anything else is a refusal (invalid). */
export function kindForCodeMinor(codeMinor: string): ConnectorError['kind'] {
  switch (codeMinor.toLowerCase()) {
    case 'unauthorisedrequest':
      return 'auth'
    case 'unknownobject':
      return 'not-found'
    case 'objectexists':
    case 'idalreadyexists':
      return 'conflict'
    case 'serverbusy':
    case 'targetreadfailure':
      return 'transient'
    default:
      return 'invalid'
  }
}

function sourcedId(id: string): Record<string, unknown> {
  return { identifier: { '@_xmlns': COMMON_NS, '#text': id } }
}

function fieldName(attribute: string): string {
  const f = KNOWN.get(attribute.toLowerCase())
  if (f === undefined)
    throw new ConnectorError(
      'config',
      `Aura has no field ${JSON.stringify(attribute)}; the fields are ${AURA_FIELDS.join(', ')}`,
    )
  return f
}

function single(v: AttributeValue | undefined, field: string): string {
  if (v === undefined) return ''
  if (typeof v === 'string') return v
  if (v.length <= 1) return v[0] ?? ''
  throw new ConnectorError('invalid', `Aura field ${field} takes one value, got ${v.length}`)
}

function toFields(attributes: Attributes): AuraFields {
  const out: AuraFields = {}
  for (const [k, v] of Object.entries(attributes)) {
    const field = fieldName(k)
    const value = single(v, field)
    if (value !== '') out[field] = value
  }
  return out
}

/** Aura reads address/extadd holding a valid yyyyMMdd date as the end date: a room number like that would disable. */
function checkRoomNumber(fields: AuraFields): void {
  const v = fields.KAMERNR
  if (v !== undefined && /^\d{8}$/.test(v)) {
    throw new ConnectorError(
      'invalid',
      `KAMERNR ${v} looks like a date yyyyMMdd, which Aura would take as the end date (uitschrijfdatum); refused`,
    )
  }
}
