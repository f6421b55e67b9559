// Starts the simulated LDAP directory on 127.0.0.1: the demo's stand-in for OpenLDAP slapd, reached through
// the same LDAP connector. It owns the TCP server, the optional JSON persistence and the initial tree (base
// entry, ou=people, ou=groups, ou=disabled). It has no TLS, SASL or ACLs beyond "the admin writes".
import { createServer } from 'node:net'
import type { WireAttribute } from './attribute-input.ts'
import { Directory } from './directory.ts'
import { listenDirectory } from './listen.ts'
import { DebouncedSaver, loadDirectory } from './persistence.ts'

export interface LdapServerOptions {
  /** Default `dc=school,dc=test`. */
  readonly baseDn?: string
  /** Default `cn=admin,<baseDn>`; like slapd's rootdn it is not an entry. */
  readonly adminDn?: string
  readonly adminPassword: string
  /** JSON file the directory is loaded from and saved to. */
  readonly persistPath?: string
  /** Default 0: any free port. */
  readonly port?: number
}

export interface RunningLdapServer {
  /** `ldap://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  readonly baseDn: string
  readonly adminDn: string
  /** Closes connections, stops listening and writes the file (with `persistPath`). Safe to call twice. */
  stop(): Promise<void>
  entryCount(): number
}

export async function startLdapServer(options: LdapServerOptions): Promise<RunningLdapServer> {
  const baseDn = options.baseDn ?? 'dc=school,dc=test'
  const directory = new Directory({
    baseDn,
    adminDn: options.adminDn ?? `cn=admin,${baseDn}`,
    adminPassword: options.adminPassword,
  })
  const loaded =
    options.persistPath === undefined ? false : await loadDirectory(directory, options.persistPath)
  const saver =
    options.persistPath === undefined
      ? undefined
      : new DebouncedSaver(directory, options.persistPath)
  if (!loaded) seed(directory)
  if (saver !== undefined) {
    directory.onChange = () => saver.schedule()
    if (!loaded) await saver.flush()
  }

  const listening = await listenDirectory(
    directory,
    (onSocket) => createServer(onSocket),
    options.port,
  )
  const port = listening.port
  let stopped: Promise<void> | undefined
  return {
    url: `ldap://127.0.0.1:${port}`,
    port,
    baseDn: directory.baseDn.pretty,
    adminDn: directory.adminDn.pretty,
    entryCount: () => directory.size,
    stop: () =>
      (stopped ??= (async () => {
        await listening.close()
        await saver?.flush()
      })()),
  }
}

function seed(directory: Directory) {
  const admin = directory.adminSession
  const base = directory.baseDn
  const top = base.rdns[0]?.[0]
  const attr = (type: string, ...values: string[]): WireAttribute => ({
    type,
    values: values.map((v) => Buffer.from(v)),
  })
  const name = top?.value ?? 'school'
  const baseAttributes =
    top?.type.key === 'dc'
      ? [
          attr('objectClass', 'dcObject', 'organization'),
          attr('dc', name),
          attr('o', name.charAt(0).toUpperCase() + name.slice(1)),
        ]
      : top?.type.key === 'ou'
        ? [attr('objectClass', 'organizationalUnit'), attr('ou', name)]
        : [attr('objectClass', 'organization'), attr('o', name)]
  directory.add(admin, base.pretty, baseAttributes)
  for (const ou of ['people', 'groups', 'disabled']) {
    directory.add(admin, `ou=${ou},${base.pretty}`, [
      attr('objectClass', 'organizationalUnit'),
      attr('ou', ou),
    ])
  }
}
