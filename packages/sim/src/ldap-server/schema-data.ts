// The slice of OpenLDAP's core, cosine, inetorgperson and nis schemas (and slapd's built-in operational
// attributes) that the simulator knows, transcribed from Debian slapd 2.5's /etc/ldap/schema files with
// supertypes resolved. Anything not listed here is unknown to the simulator, as it would be to a slapd
// without the extra schema.

// syntax OIDs, shortened
const S = '1.3.6.1.4.1.1466.115.121.1.'
export const Syntax = {
  audio: `${S}4`,
  binary: `${S}5`,
  bitString: `${S}6`,
  boolean: `${S}7`,
  certificate: `${S}8`,
  deliveryMethod: `${S}14`,
  directoryString: `${S}15`,
  dn: `${S}12`,
  fax: `${S}23`,
  generalizedTime: `${S}24`,
  guide: `${S}25`,
  ia5String: `${S}26`,
  integer: `${S}27`,
  jpeg: `${S}28`,
  nameAndOptionalUid: `${S}34`,
  numericString: `${S}36`,
  oid: `${S}38`,
  octetString: `${S}40`,
  postalAddress: `${S}41`,
  printableString: `${S}44`,
  telephoneNumber: `${S}50`,
  teletexTerminalIdentifier: `${S}51`,
  telexNumber: `${S}52`,
  uuid: '1.3.6.1.1.16.1',
  csn: '1.3.6.1.4.1.4203.666.11.2.1',
} as const

type Row = readonly [names: string, oid: string, eq: string, ord: string, sub: string, syntax: string, single: boolean]
const ci = 'caseIgnoreMatch'
const ciSub = 'caseIgnoreSubstringsMatch'
const dnm = 'distinguishedNameMatch'
const tel = 'telephoneNumberMatch'
const telSub = 'telephoneNumberSubstringsMatch'
const ia5 = 'caseIgnoreIA5Match'
const ia5Sub = 'caseIgnoreIA5SubstringsMatch'
const int = 'integerMatch'
const list = 'caseIgnoreListMatch'
const listSub = 'caseIgnoreListSubstringsMatch'

export const USER_ATTRIBUTES: readonly Row[] = [
  ['associatedName', '0.9.2342.19200300.100.1.38', dnm, '', '', Syntax.dn, false],
  ['audio', '0.9.2342.19200300.100.1.55', '', '', '', Syntax.audio, false],
  ['businessCategory', '2.5.4.15', ci, '', ciSub, Syntax.directoryString, false],
  ['carLicense', '2.16.840.1.113730.3.1.1', ci, '', ciSub, Syntax.directoryString, false],
  ['cn|commonName', '2.5.4.3', ci, '', ciSub, Syntax.directoryString, false],
  ['dc|domainComponent', '0.9.2342.19200300.100.1.25', ia5, '', ia5Sub, Syntax.ia5String, true],
  ['departmentNumber', '2.16.840.1.113730.3.1.2', ci, '', ciSub, Syntax.directoryString, false],
  ['description', '2.5.4.13', ci, '', ciSub, Syntax.directoryString, false],
  ['destinationIndicator', '2.5.4.27', ci, '', ciSub, Syntax.printableString, false],
  ['displayName', '2.16.840.1.113730.3.1.241', ci, '', ciSub, Syntax.directoryString, true],
  ['employeeNumber', '2.16.840.1.113730.3.1.3', ci, '', ciSub, Syntax.directoryString, true],
  ['employeeType', '2.16.840.1.113730.3.1.4', ci, '', ciSub, Syntax.directoryString, false],
  ['facsimileTelephoneNumber|fax', '2.5.4.23', '', '', '', Syntax.fax, false],
  ['gecos', '1.3.6.1.1.1.1.2', ia5, '', ia5Sub, Syntax.ia5String, true],
  ['gidNumber', '1.3.6.1.1.1.1.1', int, 'integerOrderingMatch', '', Syntax.integer, true],
  ['givenName|gn', '2.5.4.42', ci, '', ciSub, Syntax.directoryString, false],
  ['homeDirectory', '1.3.6.1.1.1.1.3', 'caseExactIA5Match', '', '', Syntax.ia5String, true],
  ['homePhone|homeTelephoneNumber', '0.9.2342.19200300.100.1.20', tel, '', telSub, Syntax.telephoneNumber, false],
  ['homePostalAddress', '0.9.2342.19200300.100.1.39', list, '', listSub, Syntax.postalAddress, false],
  ['host', '0.9.2342.19200300.100.1.9', ci, '', ciSub, Syntax.directoryString, false],
  ['initials', '2.5.4.43', ci, '', ciSub, Syntax.directoryString, false],
  ['internationaliSDNNumber', '2.5.4.25', 'numericStringMatch', '', 'numericStringSubstringsMatch', Syntax.numericString, false],
  ['jpegPhoto', '0.9.2342.19200300.100.1.60', '', '', '', Syntax.jpeg, false],
  ['l|localityName', '2.5.4.7', ci, '', ciSub, Syntax.directoryString, false],
  ['labeledURI', '1.3.6.1.4.1.250.1.57', 'caseExactMatch', '', '', Syntax.directoryString, false],
  ['loginShell', '1.3.6.1.1.1.1.4', 'caseExactIA5Match', '', '', Syntax.ia5String, true],
  ['mail|rfc822Mailbox', '0.9.2342.19200300.100.1.3', ia5, '', ia5Sub, Syntax.ia5String, false],
  ['manager', '0.9.2342.19200300.100.1.10', dnm, '', '', Syntax.dn, false],
  ['member', '2.5.4.31', dnm, '', '', Syntax.dn, false],
  ['memberUid', '1.3.6.1.1.1.1.12', 'caseExactIA5Match', '', 'caseExactIA5SubstringsMatch', Syntax.ia5String, false],
  ['mobile|mobileTelephoneNumber', '0.9.2342.19200300.100.1.41', tel, '', telSub, Syntax.telephoneNumber, false],
  ['o|organizationName', '2.5.4.10', ci, '', ciSub, Syntax.directoryString, false],
  ['ou|organizationalUnitName', '2.5.4.11', ci, '', ciSub, Syntax.directoryString, false],
  ['owner', '2.5.4.32', dnm, '', '', Syntax.dn, false],
  ['pager|pagerTelephoneNumber', '0.9.2342.19200300.100.1.42', tel, '', telSub, Syntax.telephoneNumber, false],
  ['photo', '0.9.2342.19200300.100.1.7', '', '', '', Syntax.fax, false],
  ['physicalDeliveryOfficeName', '2.5.4.19', ci, '', ciSub, Syntax.directoryString, false],
  ['postalAddress', '2.5.4.16', list, '', listSub, Syntax.postalAddress, false],
  ['postalCode', '2.5.4.17', ci, '', ciSub, Syntax.directoryString, false],
  ['postOfficeBox', '2.5.4.18', ci, '', ciSub, Syntax.directoryString, false],
  ['preferredDeliveryMethod', '2.5.4.28', '', '', '', Syntax.deliveryMethod, true],
  ['preferredLanguage', '2.16.840.1.113730.3.1.39', ci, '', ciSub, Syntax.directoryString, true],
  ['registeredAddress', '2.5.4.26', list, '', listSub, Syntax.postalAddress, false],
  ['roleOccupant', '2.5.4.33', dnm, '', '', Syntax.dn, false],
  ['roomNumber', '0.9.2342.19200300.100.1.6', ci, '', ciSub, Syntax.directoryString, false],
  ['searchGuide', '2.5.4.14', '', '', '', Syntax.guide, false],
  ['secretary', '0.9.2342.19200300.100.1.21', dnm, '', '', Syntax.dn, false],
  ['seeAlso', '2.5.4.34', dnm, '', '', Syntax.dn, false],
  ['shadowExpire', '1.3.6.1.1.1.1.10', int, '', '', Syntax.integer, true],
  ['shadowFlag', '1.3.6.1.1.1.1.11', int, '', '', Syntax.integer, true],
  ['shadowInactive', '1.3.6.1.1.1.1.9', int, '', '', Syntax.integer, true],
  ['shadowLastChange', '1.3.6.1.1.1.1.5', int, '', '', Syntax.integer, true],
  ['shadowMax', '1.3.6.1.1.1.1.7', int, '', '', Syntax.integer, true],
  ['shadowMin', '1.3.6.1.1.1.1.6', int, '', '', Syntax.integer, true],
  ['shadowWarning', '1.3.6.1.1.1.1.8', int, '', '', Syntax.integer, true],
  ['sn|surname', '2.5.4.4', ci, '', ciSub, Syntax.directoryString, false],
  ['st|stateOrProvinceName', '2.5.4.8', ci, '', ciSub, Syntax.directoryString, false],
  ['street|streetAddress', '2.5.4.9', ci, '', ciSub, Syntax.directoryString, false],
  ['telephoneNumber', '2.5.4.20', tel, '', telSub, Syntax.telephoneNumber, false],
  ['teletexTerminalIdentifier', '2.5.4.22', '', '', '', Syntax.teletexTerminalIdentifier, false],
  ['telexNumber', '2.5.4.21', '', '', '', Syntax.telexNumber, false],
  ['title', '2.5.4.12', ci, '', ciSub, Syntax.directoryString, false],
  ['uid|userid', '0.9.2342.19200300.100.1.1', ci, '', ciSub, Syntax.directoryString, false],
  ['uidNumber', '1.3.6.1.1.1.1.0', int, 'integerOrderingMatch', '', Syntax.integer, true],
  ['uniqueMember', '2.5.4.50', 'uniqueMemberMatch', '', '', Syntax.nameAndOptionalUid, false],
  ['userCertificate', '2.5.4.36', 'certificateExactMatch', '', '', Syntax.certificate, false],
  ['userPassword', '2.5.4.35', 'octetStringMatch', '', '', Syntax.octetString, false],
  ['userPKCS12', '2.16.840.1.113730.3.1.216', '', '', '', Syntax.binary, false],
  ['userSMIMECertificate', '2.16.840.1.113730.3.1.40', '', '', '', Syntax.binary, false],
  ['x121Address', '2.5.4.24', 'numericStringMatch', '', 'numericStringSubstringsMatch', Syntax.numericString, false],
  ['x500UniqueIdentifier', '2.5.4.45', 'bitStringMatch', '', '', Syntax.bitString, false],
  // objectClass is a user attribute in slapd: it comes back with '*'
  ['objectClass', '2.5.4.0', 'objectIdentifierMatch', '', '', Syntax.oid, false],
]

/** Operational attributes: never writable by clients; `virtual` ones are computed when read, not stored. */
export const OPERATIONAL_ATTRIBUTES: readonly (readonly [...Row, virtual: boolean])[] = [
  ['structuralObjectClass', '2.5.21.9', 'objectIdentifierMatch', '', '', Syntax.oid, true, false],
  ['entryUUID', '1.3.6.1.1.16.4', 'UUIDMatch', 'UUIDOrderingMatch', '', Syntax.uuid, true, false],
  ['creatorsName', '2.5.18.3', dnm, '', '', Syntax.dn, true, false],
  ['createTimestamp', '2.5.18.1', 'generalizedTimeMatch', 'generalizedTimeOrderingMatch', '', Syntax.generalizedTime, true, false],
  ['entryCSN', '1.3.6.1.4.1.4203.666.1.7', 'CSNMatch', 'CSNOrderingMatch', '', Syntax.csn, true, false],
  ['modifiersName', '2.5.18.4', dnm, '', '', Syntax.dn, true, false],
  ['modifyTimestamp', '2.5.18.2', 'generalizedTimeMatch', 'generalizedTimeOrderingMatch', '', Syntax.generalizedTime, true, false],
  ['entryDN', '1.3.6.1.1.20', dnm, '', '', Syntax.dn, true, true],
  ['subschemaSubentry', '2.5.18.10', dnm, '', '', Syntax.dn, true, true],
  ['hasSubordinates', '2.5.18.9', 'booleanMatch', '', '', Syntax.boolean, true, true],
  // root DSE attributes
  ['namingContexts', '1.3.6.1.4.1.1466.101.120.5', dnm, '', '', Syntax.dn, false, false],
  ['supportedControl', '1.3.6.1.4.1.1466.101.120.13', 'objectIdentifierMatch', '', '', Syntax.oid, false, false],
  ['supportedExtension', '1.3.6.1.4.1.1466.101.120.7', 'objectIdentifierMatch', '', '', Syntax.oid, false, false],
  ['supportedFeatures', '1.3.6.1.4.1.4203.1.3.5', 'objectIdentifierMatch', '', '', Syntax.oid, false, false],
  ['supportedLDAPVersion', '1.3.6.1.4.1.1466.101.120.15', int, '', '', Syntax.integer, false, false],
]

type ClassRow = readonly [name: string, kind: 'abstract' | 'structural' | 'auxiliary', sup: string, must: string, may: string]
const officeMay = 'x121Address registeredAddress destinationIndicator preferredDeliveryMethod telexNumber ' +
  'teletexTerminalIdentifier telephoneNumber internationaliSDNNumber facsimileTelephoneNumber street postOfficeBox ' +
  'postalCode postalAddress physicalDeliveryOfficeName st l'
const orgMay = `userPassword searchGuide seeAlso businessCategory ${officeMay} description`

export const OBJECT_CLASSES: readonly ClassRow[] = [
  ['top', 'abstract', '', 'objectClass', ''],
  ['person', 'structural', 'top', 'sn cn', 'userPassword telephoneNumber seeAlso description'],
  ['organizationalPerson', 'structural', 'person', '', `title ${officeMay} ou`],
  ['inetOrgPerson', 'structural', 'organizationalPerson', '',
    'audio businessCategory carLicense departmentNumber displayName employeeNumber employeeType givenName homePhone ' +
    'homePostalAddress initials jpegPhoto labeledURI mail manager mobile o pager photo roomNumber secretary uid ' +
    'userCertificate x500uniqueIdentifier preferredLanguage userSMIMECertificate userPKCS12'],
  ['groupOfNames', 'structural', 'top', 'member cn', 'businessCategory seeAlso owner ou o description'],
  ['groupOfUniqueNames', 'structural', 'top', 'uniqueMember cn', 'businessCategory seeAlso owner ou o description'],
  ['organizationalUnit', 'structural', 'top', 'ou', orgMay],
  ['organization', 'structural', 'top', 'o', orgMay],
  ['organizationalRole', 'structural', 'top', 'cn', `${officeMay} seeAlso roleOccupant ou description`],
  ['domain', 'structural', 'top', 'dc',
    `associatedName o description businessCategory seeAlso searchGuide userPassword ${officeMay}`],
  ['account', 'structural', 'top', 'uid', 'description seeAlso l o ou host'],
  ['posixGroup', 'structural', 'top', 'cn gidNumber', 'userPassword memberUid description'],
  ['dcObject', 'auxiliary', 'top', 'dc', ''],
  ['posixAccount', 'auxiliary', 'top', 'cn uid uidNumber gidNumber homeDirectory', 'userPassword loginShell gecos description'],
  ['shadowAccount', 'auxiliary', 'top', 'uid',
    'userPassword shadowLastChange shadowMin shadowMax shadowWarning shadowInactive shadowExpire shadowFlag description'],
  ['uidObject', 'auxiliary', 'top', 'uid', ''],
  ['simpleSecurityObject', 'auxiliary', 'top', 'userPassword', ''],
]

/** OIDs of the object classes above, so that `objectClass: 2.5.6.6` works as in slapd. */
export const OBJECT_CLASS_OIDS: Readonly<Record<string, string>> = {
  top: '2.5.6.0', person: '2.5.6.6', organizationalPerson: '2.5.6.7', inetOrgPerson: '2.16.840.1.113730.3.2.2',
  groupOfNames: '2.5.6.9', groupOfUniqueNames: '2.5.6.17', organizationalUnit: '2.5.6.5', organization: '2.5.6.4',
  organizationalRole: '2.5.6.8', domain: '0.9.2342.19200300.100.4.13', account: '0.9.2342.19200300.100.4.5',
  posixGroup: '1.3.6.1.1.1.2.2', dcObject: '1.3.6.1.4.1.1466.344', posixAccount: '1.3.6.1.1.1.2.0',
  shadowAccount: '1.3.6.1.1.1.2.1', uidObject: '1.3.6.1.1.3.1', simpleSecurityObject: '0.9.2342.19200300.100.4.19',
}
