// What makes the simulated directory behave like Active Directory for the AD connector: the AD attribute types
// and classes it writes, and the directory hooks that generate objectGUID, default userAccountControl and
// sAMAccountName, keep sAMAccountName unique, enforce employeeID's length and take unicodePwd.
import { randomBytes } from 'node:crypto'
import type { Directory, DirectoryHooks } from '../ldap-server/directory.ts'
import { setDnTypeSpelling, type Dn } from '../ldap-server/dn-key.ts'
import { makeAttr, type Attr } from '../ldap-server/entry.ts'
import { equalityKey } from '../ldap-server/matching.ts'
import { sshaHash } from '../ldap-server/password.ts'
import { fail, ResultCode } from '../ldap-server/result-code.ts'
import { Syntax } from '../ldap-server/schema-data.ts'
import { extendSchema, requireAttributeType } from '../ldap-server/schema.ts'

const ci = 'caseIgnoreMatch'
const ciSub = 'caseIgnoreSubstringsMatch'
// OIDs from MS-ADSC (the AD schema); syntaxes mapped to the nearest LDAP ones. employeeNumber (MS-ADSC: may-contain of
// user) is defined by the base schema already.
const USER_MAY =
  'adminDescription sAMAccountName userPrincipalName mail proxyAddresses displayName employeeID employeeNumber userAccountControl pwdLastSet unicodePwd givenName'

// AD shows these RDN types in capitals (CN=Jan,OU=1a,DC=school,DC=test)
const UPPER_RDN_TYPES = new Set(['cn', 'ou', 'dc', 'o', 'c', 'l', 'st', 'street'])

export function registerAdSchema(): void {
  // process-wide: an LDAP simulator in the same process would show capitals too (tests run one file per process)
  setDnTypeSpelling((type) => (UPPER_RDN_TYPES.has(type.key) ? type.key.toUpperCase() : type.name))
  extendSchema({
    attributes: [
      ['sAMAccountName', '1.2.840.113556.1.4.221', ci, '', ciSub, Syntax.directoryString, true],
      ['userPrincipalName', '1.2.840.113556.1.4.656', ci, '', ciSub, Syntax.directoryString, true],
      ['proxyAddresses', '1.2.840.113556.1.2.210', ci, '', ciSub, Syntax.directoryString, false],
      ['employeeID', '1.2.840.113556.1.4.35', ci, '', ciSub, Syntax.directoryString, true],
      ['userAccountControl', '1.2.840.113556.1.4.8', 'integerMatch', '', '', Syntax.integer, true],
      ['pwdLastSet', '1.2.840.113556.1.4.96', 'integerMatch', '', '', Syntax.integer, true],
      ['unicodePwd', '1.2.840.113556.1.4.90', 'octetStringMatch', '', '', Syntax.octetString, true],
      ['groupType', '1.2.840.113556.1.4.750', 'integerMatch', '', '', Syntax.integer, true],
      // MS-ADA1: adminDescription (rangeUpper 1024), managedBy (a DN), info (rangeUpper 1024), all single-valued
      ['adminDescription', '1.2.840.113556.1.2.226', ci, '', ciSub, Syntax.directoryString, true],
      ['managedBy', '1.2.840.113556.1.4.653', 'distinguishedNameMatch', '', '', Syntax.dn, true],
      ['info', '1.2.840.113556.1.2.81', ci, '', ciSub, Syntax.directoryString, true],
    ],
    // GUESS: objectGUID and objectCategory are kept as operational attributes (returned when asked by name,
    // never schema-checked); AD returns objectGUID with `*` too, and objectCategory is a DN there
    operational: [
      ['objectGUID', '1.2.840.113556.1.4.2', 'octetStringMatch', '', '', Syntax.octetString, true],
      ['objectCategory', '1.2.840.113556.1.4.782', ci, '', '', Syntax.directoryString, true],
    ],
    classes: [
      // GUESS: `user` sits below the simulator's organizationalPerson, which (as slapd's person) requires sn;
      // AD's person requires only cn
      ['user', 'structural', 'organizationalPerson', '', USER_MAY],
      // GUESS: adminDescription is a may of every class in AD (top); here of group and user only
      [
        'group',
        'structural',
        'top',
        'cn',
        'member sAMAccountName description groupType mail displayName adminDescription managedBy info',
      ],
      ['container', 'structural', 'top', 'cn', 'description'],
    ],
  })
}

const RANGE_UPPER: Readonly<Record<string, number>> = { employeeid: 16, samaccountname: 256 }
// Samba 4.17 answers these over their rangeUpper with 21 (0000200B objectclass_attrs: invalid value), not 19
const SYNTAX_UPPER: Readonly<Record<string, number>> = { admindescription: 1024, info: 1024 }

// MS-ADTS 2.2.12: exactly one scope bit (global 2, domain local 4, universal 8), optionally SECURITY_ENABLED
const GROUP_TYPES = new Set([2, 4, 8].flatMap((scope) => [scope, scope | 0x80000000 | 0]))

function checkGroupType(attrs: Map<string, Attr>) {
  const value = text(attrs, 'grouptype')
  if (value !== undefined && !GROUP_TYPES.has(Number(value)))
    fail(ResultCode.unwillingToPerform, `00000057: groupType ${value} is not a valid group type`)
}

function set(attrs: Map<string, Attr>, key: string, values: ReadonlyArray<string | Buffer>) {
  attrs.set(key, makeAttr(requireAttributeType(key), [...values]))
}

function text(attrs: Map<string, Attr>, key: string): string | undefined {
  const v = attrs.get(key)?.values[0]
  return v === undefined ? undefined : typeof v === 'string' ? v : v.toString('utf8')
}

const isClass = (attrs: Map<string, Attr>, name: string) =>
  (attrs.get('objectclass')?.values ?? []).some((v) => String(v).toLowerCase() === name)

/** unicodePwd: the password in double quotes, UTF-16LE (MS-ADTS 3.1.1.3.1.5.1); kept as an {SSHA} userPassword so binds work. */
function takeUnicodePwd(attrs: Map<string, Attr>) {
  const raw = attrs.get('unicodepwd')?.values[0]
  if (raw === undefined) return
  attrs.delete('unicodepwd')
  const decoded = Buffer.from(raw).toString('utf16le')
  if (decoded.length < 2 || !decoded.startsWith('"') || !decoded.endsWith('"')) {
    fail(
      ResultCode.constraintViolation,
      '0000052D: unicodePwd must be the password in double quotes, UTF-16LE',
    )
  }
  set(attrs, 'userpassword', [sshaHash(decoded.slice(1, -1))])
}

function checkCommon(directory: Directory, self: Dn | undefined, attrs: Map<string, Attr>) {
  for (const [key, limit] of Object.entries(RANGE_UPPER)) {
    const value = text(attrs, key)
    if (value !== undefined && value.length > limit)
      fail(ResultCode.constraintViolation, `${key}: value exceeds rangeUpper ${limit}`)
  }
  for (const [key, limit] of Object.entries(SYNTAX_UPPER)) {
    const value = text(attrs, key)
    if (value !== undefined && value.length > limit)
      fail(
        ResultCode.invalidAttributeSyntax,
        `0000200B: objectclass_attrs: attribute '${key}' contains at least one invalid value!`,
      )
  }
  const sam = text(attrs, 'samaccountname')
  if (sam !== undefined) {
    const type = requireAttributeType('samaccountname')
    const key = equalityKey(type, sam)
    for (const other of directory.walk()) {
      if (self !== undefined && other.dn.key === self.key) continue
      const theirs = other.attrs.get('samaccountname')
      if (theirs !== undefined && theirs.keys.includes(key)) {
        fail(
          ResultCode.entryAlreadyExists,
          `00002071: samldb: samAccountName '${sam}' already in use!`,
        )
      }
    }
  }
  takeUnicodePwd(attrs)
}

export const AD_HOOKS: DirectoryHooks = {
  beforeAdd(directory, dn, attrs) {
    if (attrs.has('objectguid'))
      fail(ResultCode.unwillingToPerform, 'objectGUID is set by the directory')
    set(attrs, 'objectguid', [randomBytes(16)])
    const account = isClass(attrs, 'user') || isClass(attrs, 'group')
    if (account && !attrs.has('samaccountname')) {
      // AD makes one up: $ and six random characters (GUESS: the exact form differs per version)
      set(attrs, 'samaccountname', [`$${randomBytes(4).toString('hex').slice(0, 6).toUpperCase()}`])
    }
    if (isClass(attrs, 'user')) {
      set(attrs, 'objectcategory', ['person'])
      // NORMAL_ACCOUNT | ACCOUNTDISABLE | PASSWD_NOTREQD, AD's value for a user created without one
      if (!attrs.has('useraccountcontrol')) set(attrs, 'useraccountcontrol', ['546'])
    } else if (isClass(attrs, 'group')) {
      set(attrs, 'objectcategory', ['group'])
      // a group added without one is a global security group (AD's default)
      if (!attrs.has('grouptype')) set(attrs, 'grouptype', [String(0x2 | 0x80000000 | 0)])
      checkGroupType(attrs)
    }
    checkCommon(directory, undefined, attrs)
    void dn
  },
  beforeModify(directory, entry, attrs) {
    if (isClass(attrs, 'group')) checkGroupType(attrs)
    checkCommon(directory, entry.dn, attrs)
  },
}
