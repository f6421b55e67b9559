// Starts the simulated Active Directory on 127.0.0.1 over LDAPS: the simulated LDAP directory
// (packages/sim/src/ldap-server) with AD's schema additions and hooks (ad-semantics.ts), a self-signed CA and server
// certificate made with the openssl CLI, and an AD-shaped initial tree (CN=Users, OU=people, OU=groups).
// It listens on LDAPS only, so unicodePwd always arrives encrypted, as AD requires.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:tls'
import type { WireAttribute } from '../ldap-server/attribute-input.ts'
import { Directory } from '../ldap-server/directory.ts'
import { listenDirectory } from '../ldap-server/listen.ts'
import { AD_HOOKS, registerAdSchema } from './ad-semantics.ts'

export interface AdServerOptions {
  readonly adminPassword: string
  /** Default `DC=school,DC=test`. */
  readonly baseDn?: string
  /** Default 0: any free port. */
  readonly port?: number
}

export interface RunningAdServer {
  /** `ldaps://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  readonly baseDn: string
  /** `CN=Administrator,CN=Users,<baseDn>` (like slapd's rootdn, not an entry). */
  readonly adminDn: string
  /** PEM file of the CA that signed the server certificate (for 127.0.0.1). */
  readonly caFile: string
  stop(): Promise<void>
}

export async function startAdServer(options: AdServerOptions): Promise<RunningAdServer> {
  registerAdSchema()
  const baseDn = options.baseDn ?? 'DC=school,DC=test'
  const adminDn = `CN=Administrator,CN=Users,${baseDn}`
  const directory = new Directory({
    baseDn,
    adminDn,
    adminPassword: options.adminPassword,
    hooks: AD_HOOKS,
  })
  seed(directory)
  const dir = mkdtempSync(join(tmpdir(), 'koppel-ad-sim-'))
  const tls = makeCertificates(dir)
  const key = readFileSync(tls.keyFile)
  const cert = readFileSync(tls.certFile)
  const listening = await listenDirectory(
    directory,
    (onSocket) => createServer({ key, cert }, onSocket),
    options.port,
  )
  const port = listening.port
  let stopped: Promise<void> | undefined
  return {
    url: `ldaps://127.0.0.1:${port}`,
    port,
    baseDn: directory.baseDn.pretty,
    adminDn: directory.adminDn.pretty,
    caFile: tls.caFile,
    stop: () =>
      (stopped ??= (async () => {
        await listening.close()
        rmSync(dir, { recursive: true, force: true })
      })()),
  }
}

function seed(directory: Directory) {
  const admin = directory.adminSession
  const base = directory.baseDn
  const attr = (type: string, ...values: string[]): WireAttribute => ({
    type,
    values: values.map((v) => Buffer.from(v)),
  })
  const name = base.rdns[0]?.[0]?.value ?? 'school'
  directory.add(admin, base.pretty, [
    attr('objectClass', 'dcObject', 'organization'),
    attr('o', name),
  ])
  directory.add(admin, `CN=Users,${base.pretty}`, [attr('objectClass', 'container')])
  for (const ou of ['people', 'groups'])
    directory.add(admin, `OU=${ou},${base.pretty}`, [attr('objectClass', 'organizationalUnit')])
}

// A CA and a server certificate for 127.0.0.1, made with the openssl CLI (as test/harness/slapd.ts does)
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
    '30',
    '-subj',
    '/CN=Koppel AD simulator CA',
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
    '30',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('server.pem'),
  )
  return { caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server.key') }
}
