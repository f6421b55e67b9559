// Finds the entries a search returns: base/one/sub scope from a base entry that must exist (32 otherwise),
// narrowed through the equality indexes when the filter allows, in creation order as slapd's back-mdb
// returns them. The root DSE (empty base, base scope) is answered here too. Paging and size limits are the
// protocol layer's; attribute selection is select-attributes.ts.
import { isWithin, toDn } from './dn-key.ts'
import type { Directory } from './directory.ts'
import { makeAttr, type Attr, type Entry } from './entry.ts'
import { candidates, evaluate, type Filter } from './filter.ts'
import { fail, ResultCode } from './result-code.ts'
import { requireAttributeType } from './schema.ts'

export type Scope = 'base' | 'one' | 'sub'

export const SUPPORTED_CONTROLS = ['1.2.840.113556.1.4.319']
export const SUPPORTED_EXTENSIONS = ['1.3.6.1.4.1.4203.1.11.3']

export function findEntries(
  directory: Directory,
  baseText: string,
  scope: Scope,
  filter: Filter,
): Entry[] {
  const baseDn = toDn(baseText)
  if (baseDn.key === '') {
    if (scope !== 'base') fail(ResultCode.noSuchObject)
    const dse = rootDse(directory)
    return evaluate(filter, dse, (e, key) => e.attrs.get(key)) === true ? [dse] : []
  }
  const base = directory.require(baseDn)
  if (scope === 'base') return evaluate(filter, base, directory.read) === true ? [base] : []

  const narrowed = candidates(filter, directory.indexLookup)
  let ids: number[]
  if (narrowed !== undefined) {
    ids = []
    for (const id of narrowed) {
      const entry = directory.entryById(id)
      if (entry === undefined) continue
      if (scope === 'one' ? entry.parent === base.id : isWithin(entry.dn, base.dn)) ids.push(id)
    }
  } else if (scope === 'one') {
    ids = [...directory.childIds(base.id)]
  } else {
    ids = subtreeIds(directory, base.id)
  }
  ids.sort((a, b) => a - b)
  const found: Entry[] = []
  for (const id of ids) {
    const entry = directory.entryById(id)
    if (entry !== undefined && evaluate(filter, entry, directory.read) === true) found.push(entry)
  }
  return found
}

/** Whether the entry still exists unchanged in place and still matches: paged searches re-check each page. */
export function stillMatches(
  directory: Directory,
  entry: Entry,
  filter: Filter,
): Entry | undefined {
  if (entry.dn.key === '') return entry
  const current = directory.entryById(entry.id)
  return current !== undefined && evaluate(filter, current, directory.read) === true
    ? current
    : undefined
}

function subtreeIds(directory: Directory, rootId: number): number[] {
  const ids: number[] = []
  const stack = [rootId]
  while (stack.length > 0) {
    const id = stack.pop() ?? 0
    ids.push(id)
    for (const child of directory.childIds(id)) stack.push(child)
  }
  return ids
}

function rootDse(directory: Directory): Entry {
  const attrs = new Map<string, Attr>()
  const put = (key: string, values: string[]) =>
    attrs.set(key, makeAttr(requireAttributeType(key), values))
  put('objectclass', ['top', 'OpenLDAProotDSE'])
  put('structuralobjectclass', ['OpenLDAProotDSE'])
  put('namingcontexts', [directory.baseDn.pretty])
  put('supportedcontrol', SUPPORTED_CONTROLS)
  put('supportedextension', SUPPORTED_EXTENSIONS)
  put('supportedldapversion', ['3'])
  put('subschemasubentry', ['cn=Subschema'])
  put('entrydn', [''])
  return { id: 0, dn: { rdns: [], key: '', pretty: '' }, parent: undefined, attrs }
}
