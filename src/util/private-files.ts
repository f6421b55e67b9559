// Files that hold pupils' personal data (the embedded store, connector state) are the owner's alone: created
// 0600 in folders created 0700, whatever the umask lets through by default. A file an older version created
// with looser bits is tightened when it is opened again; an existing folder is left as the admin set it.
import { closeSync, fchmodSync, fstatSync, mkdirSync, openSync } from 'node:fs'
import { chmod, mkdir, open, stat, writeFile, type FileHandle } from 'node:fs/promises'

export const PRIVATE_FILE_MODE = 0o600
export const PRIVATE_DIR_MODE = 0o700
const GROUP_OR_OTHER = 0o077

/** Creates the folder (and missing parents) owner-only; an existing one is left alone. */
export function makePrivateDirSync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
}

export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
}

/** Creates an empty owner-only file if it is missing, or takes group and other bits off an existing one. */
export function ensurePrivateFileSync(path: string): void {
  const fd = openSync(path, 'a', PRIVATE_FILE_MODE)
  try {
    if ((fstatSync(fd).mode & GROUP_OR_OTHER) !== 0) fchmodSync(fd, PRIVATE_FILE_MODE)
  } finally {
    closeSync(fd)
  }
}

/** Opens for appending, creating owner-only; an existing file with group or other bits is tightened. */
export async function openPrivateForAppend(path: string): Promise<FileHandle> {
  const fh = await open(path, 'a', PRIVATE_FILE_MODE)
  try {
    if (((await fh.stat()).mode & GROUP_OR_OTHER) !== 0) await fh.chmod(PRIVATE_FILE_MODE)
  } catch (e) {
    await fh.close()
    throw e
  }
  return fh
}

/** writeFile of a new file (a temp file before a rename), owner-only. */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  await writeFile(path, content, { flush: true, mode: PRIVATE_FILE_MODE })
  // writeFile's mode applies only when it creates the file
  if (((await stat(path)).mode & GROUP_OR_OTHER) !== 0) await chmod(path, PRIVATE_FILE_MODE)
}
