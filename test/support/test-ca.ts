// A throwaway certificate authority for tests that need a simulator over HTTPS with verification on (the Graph
// SDK sends its token only to https hosts): openssl makes a CA and a server certificate for 127.0.0.1 and
// localhost, valid 100 years from the (possibly faked) clock, in a temporary folder that is removed again.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestCa {
  /** The CA certificate (PEM) a client trusts. */
  readonly ca: string
  /** The server's key and certificate (PEM), signed by the CA, for 127.0.0.1 and localhost. */
  readonly key: string
  readonly cert: string
}

let made: TestCa | undefined

export function testCa(): TestCa {
  made ??= makeCa()
  return made
}

function makeCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-ca-'))
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  try {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '36500',
      '-subj',
      '/CN=Koppel test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    )
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=127.0.0.1',
    )
    writeFileSync(
      join(dir, 'ext.cnf'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
    )
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '36500',
      '-extfile',
      'ext.cnf',
    )
    const read = (f: string) => readFileSync(join(dir, f), 'utf8')
    return { ca: read('ca.pem'), key: read('server.key'), cert: read('server.pem') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
