// Starts a throwaway OpenLDAP slapd on a free 127.0.0.1 port in a temp folder, with the base entries
// dc=school,dc=test, ou=people and ou=groups (RUNNING-SERVERS.md §1–2). It does not install slapd: callers
// check `slapdSkipReason()` and skip with that reason when the Debian packages are missing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from 'ldapts'
import { freePort, waitForPort } from './free-port.ts'

const SLAPD = '/usr/sbin/slapd'
const SLAPPASSWD = '/usr/sbin/slappasswd'

export interface SlapdOptions {
  /** Skip fsync on every write (about 4× faster); default true, as tests don't need durability. */
  readonly nosync?: boolean
  /** Also listen on ldaps:// with a fresh self-signed CA (StartTLS works on the plain port too). */
  readonly tls?: boolean
  /**
   * Also make Koppel's own service account (cn=koppel,ou=services) with only the rights docs/connectors/ldap.md
   * lists (`koppelAcl`), and ou=disabled; without it there are no ACLs and only the rootdn writes.
   */
  readonly serviceAccount?: boolean
}

export interface Slapd {
  readonly url: string
  /** Set when started with `tls: true`. */
  readonly ldapsUrl?: string
  /** PEM file of the CA that signed the server certificate, when started with `tls: true`. */
  readonly caFile?: string
  readonly port: number
  readonly baseDn: string
  readonly adminDn: string
  readonly adminPassword: string
  readonly peopleDn: string
  readonly groupsDn: string
  /** With `serviceAccount`: Koppel's non-admin bind DN and password. */
  readonly serviceDn?: string
  readonly servicePassword?: string
  /** Stops slapd and keeps the database, so that `restart` brings the same data back on the same port. */
  halt(): Promise<void>
  restart(): Promise<void>
  /** Stops slapd and removes its folder. Safe to call twice. */
  stop(): Promise<void>
}

/** Undefined when slapd can run here; otherwise the reason to put into `{ skip }`. */
export function slapdSkipReason(): string | undefined {
  // CI sets this so that a missing server fails the run instead of quietly skipping the real-server tests
  if (process.env['KOPPEL_REQUIRE_SERVERS'] === '1') return undefined
  return existsSync(SLAPD) && existsSync(SLAPPASSWD)
    ? undefined
    : 'slapd not installed: apt-get install slapd ldap-utils'
}

const BASE_DN = 'dc=school,dc=test'
const ADMIN_DN = `cn=admin,${BASE_DN}`
const SERVICE_DN = `cn=koppel,ou=services,${BASE_DN}`

/**
 * The least rights of Koppel's service account in a slapd.conf database section, as docs/connectors/ldap.md
 * shows them: write below the people, disabled and groups OUs (add, modify, rename/move, delete and the
 * `children` of those OUs, which creating an OU below them needs too), set passwords without reading them,
 * read everything else (baseDn's own entry, the schema for matching rules).
 */
export function koppelAcl(o: {
  service: string
  people: string
  disabled: string
  groups: string
}): string {
  return `access to dn.subtree="${o.people}" attrs=userPassword
  by dn.exact="${o.service}" =wx
  by self =wx
  by anonymous auth
  by * none
access to dn.subtree="${o.disabled}" attrs=userPassword
  by dn.exact="${o.service}" =wx
  by anonymous auth
  by * none
access to dn.subtree="${o.people}"
  by dn.exact="${o.service}" write
  by users read
access to dn.subtree="${o.disabled}"
  by dn.exact="${o.service}" write
  by users read
access to dn.subtree="${o.groups}"
  by dn.exact="${o.service}" write
  by users read
access to *
  by users read
  by anonymous auth
`
}

export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  const reason = slapdSkipReason()
  if (reason !== undefined) throw new Error(reason)
  const dir = await mkdtemp(join(tmpdir(), 'koppel-slapd-'))
  const password = `pw-${Math.random().toString(36).slice(2)}`
  const port = await freePort()
  const tlsPort = options.tls === true ? await freePort() : undefined
  const tls = options.tls === true ? makeCertificates(dir) : undefined
  await mkdir(join(dir, 'db'))
  const hash = execFileSync(SLAPPASSWD, ['-s', password], { encoding: 'utf8' }).trim()
  const servicePassword = `svc-${Math.random().toString(36).slice(2)}`
  const acl =
    options.serviceAccount === true
      ? koppelAcl({
          service: SERVICE_DN,
          people: `ou=people,${BASE_DN}`,
          disabled: `ou=disabled,${BASE_DN}`,
          groups: `ou=groups,${BASE_DN}`,
        })
      : ''
  await writeFile(join(dir, 'slapd.conf'), config(dir, hash, options.nosync !== false, tls) + acl)
  const urls = [
    `ldap://127.0.0.1:${port}/`,
    ...(tlsPort === undefined ? [] : [`ldaps://127.0.0.1:${tlsPort}/`]),
  ]

  let child: ChildProcess | undefined
  const launch = async () => {
    // -d 0 keeps slapd in the foreground, so that it is our child and dies with a signal we send by PID
    const proc = spawn(SLAPD, ['-d', '0', '-h', urls.join(' '), '-f', join(dir, 'slapd.conf')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`slapd exited with ${code}: ${stderr.trim()}`))),
    )
    exited.catch(() => {})
    await Promise.race([waitForPort(port), exited])
    if (tlsPort !== undefined) await Promise.race([waitForPort(tlsPort), exited])
    child = proc
  }
  const halt = async () => {
    const proc = child
    child = undefined
    if (proc === undefined || proc.exitCode !== null) return
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    proc.kill('SIGTERM')
    await gone
  }

  await launch()
  const url = `ldap://127.0.0.1:${port}`
  try {
    await addBaseEntries(
      url,
      password,
      options.serviceAccount === true ? servicePassword : undefined,
    )
  } catch (e) {
    await halt()
    await rm(dir, { recursive: true, force: true })
    throw e
  }
  return {
    url,
    ...(tlsPort === undefined
      ? {}
      : { ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`, caFile: tls?.caFile }),
    port,
    baseDn: BASE_DN,
    adminDn: ADMIN_DN,
    adminPassword: password,
    peopleDn: `ou=people,${BASE_DN}`,
    groupsDn: `ou=groups,${BASE_DN}`,
    ...(options.serviceAccount === true ? { serviceDn: SERVICE_DN, servicePassword } : {}),
    halt,
    restart: async () => {
      await halt()
      await launch()
    },
    stop: async () => {
      await halt()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

function config(
  dir: string,
  hash: string,
  nosync: boolean,
  tls?: { caFile: string; certFile: string; keyFile: string },
) {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${dir}/slapd.pid
loglevel none
sizelimit unlimited
${tls === undefined ? '' : `TLSCACertificateFile ${tls.caFile}\nTLSCertificateFile ${tls.certFile}\nTLSCertificateKeyFile ${tls.keyFile}`}
database mdb
maxsize 1073741824
suffix "${BASE_DN}"
rootdn "${ADMIN_DN}"
rootpw ${hash}
directory ${dir}/db
index objectClass,uid,cn,mail,member,uniqueMember,employeeNumber eq
index entryUUID eq
${nosync ? 'dbnosync' : ''}
`
}

async function addBaseEntries(url: string, password: string, servicePassword?: string) {
  const client = new Client({ url, timeout: 10_000 })
  try {
    await client.bind(ADMIN_DN, password)
    await client.add(BASE_DN, {
      objectClass: ['dcObject', 'organization'],
      o: 'School',
      dc: 'school',
    })
    await client.add(`ou=people,${BASE_DN}`, { objectClass: 'organizationalUnit', ou: 'people' })
    await client.add(`ou=groups,${BASE_DN}`, { objectClass: 'organizationalUnit', ou: 'groups' })
    if (servicePassword !== undefined) {
      await client.add(`ou=disabled,${BASE_DN}`, {
        objectClass: 'organizationalUnit',
        ou: 'disabled',
      })
      await client.add(`ou=services,${BASE_DN}`, {
        objectClass: 'organizationalUnit',
        ou: 'services',
      })
      const hash = execFileSync(SLAPPASSWD, ['-s', servicePassword], { encoding: 'utf8' }).trim()
      await client.add(SERVICE_DN, {
        objectClass: ['organizationalRole', 'simpleSecurityObject'],
        cn: 'koppel',
        userPassword: hash,
      })
    }
  } finally {
    await client.unbind()
  }
}

// A CA and a server certificate for 127.0.0.1, made with the openssl CLI (part of the base image).
function makeCertificates(dir: string) {
  const f = (name: string) => join(dir, name)
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' })
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Koppel test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  )
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
  )
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  run(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('server.pem'),
  )
  return { caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server.key') }
}
