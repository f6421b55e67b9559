// A structural validator for IMS Enterprise 1.1 documents, after the structure in standards.md §1.2 (PIFU spec
// and Moodle's examples; the official XSD is not openly available, none is in ../shared/fixtures). It checks the
// element order and the binding's enumerations (institutionroletype, primaryrole, roletype, idtype, status,
// recstatus, relation) and a group's timeframe (dates, restrict 0 or 1). Used by the tests on every file the IMS file target writes and on the vendored Moodle
// fixtures. `itslearning: true` adds what Koppel's own files promise on top: group types, resolvable parents and
// members, sync keys ≤ 64. `institutionRoleExtensions` admits values outside the binding (itslearning's `Carer`,
// custom profile names) for a file meant only for itslearning.
import { listOf, parseXml, textOf } from '../../protocol/index.ts'
import { IMS11_INSTITUTION_ROLE_TYPES, MAX_SYNC_KEY } from './itslearning-conventions.ts'

const ROLETYPES = new Set(['01', '02', '03', '04', '05', '06', '07', '08'])
const RECSTATUS = ['1', '2', '3']
const TOP = ['comments', 'properties', 'person', 'group', 'membership']

type Node = Record<string, unknown>

export function checkImsStructure(
  text: string,
  options: { itslearning?: boolean; institutionRoleExtensions?: readonly string[] } = {},
): string[] {
  const problems: string[] = []
  const institutionRoles = new Set([
    ...IMS11_INSTITUTION_ROLE_TYPES,
    ...(options.institutionRoleExtensions ?? []),
  ])
  const recstatus = (node: Node, where: string) => {
    const v = textOf(node['@_recstatus'])
    if (v !== undefined && !RECSTATUS.includes(v.trim()))
      problems.push(`${where}: recstatus ${v} is not 1, 2 or 3`)
  }
  const doc = parseXml(text, {
    arrays: [
      'person',
      'group',
      'membership',
      'member',
      'role',
      'sourcedid',
      'relationship',
      'grouptype',
    ],
  })
  const ent = doc.enterprise as Node | undefined
  if (ent === undefined || typeof ent !== 'object') return ['root element is not <enterprise>']
  // order: comments?, properties, person*, group*, membership*
  let last = -1
  for (const name of rootChildren(text)) {
    const at = TOP.indexOf(name)
    if (at < 0) problems.push(`<${name}> is not allowed in <enterprise>`)
    else if (at < last)
      problems.push(
        `<${name}> comes after <${TOP[last]}>; the order is properties, person, group, membership`,
      )
    else last = at
  }
  if (typeof ent.properties !== 'object' || ent.properties === null)
    problems.push('<properties> is missing')
  else if (textOf((ent.properties as Node).datasource) === undefined)
    problems.push('properties/datasource is missing')

  const sourcedid = (node: unknown, where: string): string | undefined => {
    const s = listOf<Node>(node)[0]
    if (s === undefined) {
      problems.push(`${where}: sourcedid is missing`)
      return undefined
    }
    const id = textOf(s.id)?.trim()
    if (id === undefined || id === '') problems.push(`${where}: sourcedid/id is missing`)
    if (options.itslearning === true && textOf(s.source) === undefined)
      problems.push(`${where}: sourcedid/source is missing`)
    if (options.itslearning === true && id !== undefined && id.length > MAX_SYNC_KEY)
      problems.push(`${where}: id ${id} is longer than ${MAX_SYNC_KEY}`)
    return id
  }

  const persons = new Set<string>()
  for (const [i, p] of listOf<Node>(ent.person).entries()) {
    const id = sourcedid(p.sourcedid, `person ${i + 1}`)
    const where = `person ${id ?? i + 1}`
    if (id !== undefined) {
      if (persons.has(id)) problems.push(`${where}: duplicate id`)
      persons.add(id)
    }
    recstatus(p, where)
    const name = p.name as Node | undefined
    if (name === undefined) problems.push(`${where}: name is missing`)
    else if (options.itslearning === true) {
      const n = name.n as Node | undefined
      if (textOf(n?.given) === undefined) problems.push(`${where}: name/n/given is missing`)
      if (textOf(n?.family) === undefined) problems.push(`${where}: name/n/family is missing`)
    }
    const role = p.institutionrole as Node | undefined
    if (role !== undefined) {
      const type = textOf(role['@_institutionroletype'])
      if (type === undefined || !institutionRoles.has(type))
        problems.push(
          `${where}: institutionroletype ${String(type)} is not in the IMS Enterprise 1.1 binding's enumeration`,
        )
      if (!['Yes', 'No'].includes(textOf(role['@_primaryrole']) ?? 'Yes'))
        problems.push(`${where}: primaryrole must be Yes or No`)
    }
  }

  const groups = new Map<string, Node>()
  for (const [i, g] of listOf<Node>(ent.group).entries()) {
    const id = sourcedid(g.sourcedid, `group ${i + 1}`)
    const where = `group ${id ?? i + 1}`
    if (id !== undefined) {
      if (groups.has(id)) problems.push(`${where}: duplicate id`)
      groups.set(id, g)
    }
    recstatus(g, where)
    const d = g.description as Node | undefined
    if (textOf(d?.short) === undefined) problems.push(`${where}: description/short is missing`)
    const tf = g.timeframe as Node | undefined
    for (const edge of ['begin', 'end'] as const) {
      const at = tf?.[edge] as Node | string | undefined
      if (at === undefined) continue
      const date = textOf(at)?.trim() ?? ''
      if (!/^\d{4}-\d{2}-\d{2}/.test(date))
        problems.push(`${where}: timeframe/${edge} ${JSON.stringify(date)} is not a date`)
      const restrict = typeof at === 'object' ? textOf(at['@_restrict']) : undefined
      if (restrict !== undefined && restrict !== '0' && restrict !== '1')
        problems.push(`${where}: timeframe/${edge}@restrict must be 0 or 1`)
    }
    if (options.itslearning === true) {
      const t = listOf<Node>(g.grouptype)[0]
      if (
        textOf(t?.scheme) === undefined ||
        textOf(t?.typevalue) === undefined ||
        textOf((t?.typevalue as Node | undefined)?.['@_level']) === undefined
      )
        problems.push(`${where}: grouptype needs scheme and typevalue with a level`)
    }
  }
  for (const [id, g] of groups) {
    for (const r of listOf<Node>(g.relationship)) {
      if (!['1', '2', '3'].includes(textOf(r['@_relation']) ?? ''))
        problems.push(`group ${id}: relationship@relation must be 1, 2 or 3`)
      const parent = sourcedid(r.sourcedid, `group ${id} relationship`)
      if (textOf(r.label) === undefined) problems.push(`group ${id}: relationship/label is missing`)
      if (options.itslearning === true && parent !== undefined && !groups.has(parent))
        problems.push(`group ${id}: parent ${parent} is not in the file`)
    }
  }

  for (const [i, m] of listOf<Node>(ent.membership).entries()) {
    const gid = sourcedid(m.sourcedid, `membership ${i + 1}`)
    const where = `membership of ${gid ?? i + 1}`
    if (options.itslearning === true && gid !== undefined && !groups.has(gid))
      problems.push(`${where}: group is not in the file`)
    const members = listOf<Node>(m.member)
    if (members.length === 0) problems.push(`${where}: has no member`)
    for (const mm of members) {
      const pid = sourcedid(mm.sourcedid, `${where} member`)
      const idtypeNode = mm.idtype as Node | string | undefined
      const idtype =
        typeof idtypeNode === 'object'
          ? (textOf(idtypeNode['@_idtype']) ?? textOf(idtypeNode))
          : idtypeNode
      if (idtype !== '1' && idtype !== '2')
        problems.push(`${where} member ${pid}: idtype must be 1 (person) or 2 (group)`)
      if (options.itslearning === true && idtype === '1' && pid !== undefined && !persons.has(pid))
        problems.push(`${where}: member ${pid} is not a person in the file`)
      const roles = listOf<Node>(mm.role)
      if (roles.length === 0) problems.push(`${where} member ${pid}: role is missing`)
      for (const r of roles) {
        const rt = textOf(r['@_roletype'])
        if (rt === undefined || !ROLETYPES.has(rt))
          problems.push(`${where} member ${pid}: roletype ${String(rt)} is not 01–08`)
        recstatus(r, `${where} member ${pid}`)
        const status = textOf(r.status)
        if (status !== undefined && status !== '0' && status !== '1')
          problems.push(`${where} member ${pid}: status must be 0 or 1`)
      }
    }
  }
  return problems
}

function rootChildren(text: string): string[] {
  const out: string[] = []
  let depth = 0
  const body = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<\?[\s\S]*?\?>/g, '')
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m
    if (close === '/') depth--
    else {
      if (depth === 1) out.push(name as string)
      if (selfClose !== '/') depth++
    }
  }
  return out
}
