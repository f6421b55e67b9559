import type { Server, Socket } from 'node:net'
import { LdapConnection } from './connection.ts'
import type { Directory } from './directory.ts'

export interface ListeningDirectory {
  readonly port: number
  /** Stops listening and drops every open connection. */
  close(): Promise<void>
}

/**
 * Serves a directory on loopback through a server made by `make` (plain TCP for LDAP, TLS for LDAPS): one
 * LdapConnection per socket, sockets tracked so that close does not wait for clients that keep theirs open.
 */
export async function listenDirectory(
  directory: Directory,
  make: (onSocket: (socket: Socket) => void) => Server,
  port = 0,
): Promise<ListeningDirectory> {
  const sockets = new Set<Socket>()
  const server = make((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    new LdapConnection(socket, directory)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
    },
  }
}
