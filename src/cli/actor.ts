import { userInfo } from 'node:os'

/**
 * Who is at the keyboard, for the audit log: the operating system's account of this process, which a missing or
 * edited USER variable does not change (cron, systemd and `env -i` run without one). Where the account has no
 * name (a container uid without a passwd entry) the uid stands in, never "unknown".
 */
export function actor(): string {
  try {
    return `cli:${userInfo().username}`
  } catch {
    return `cli:uid-${process.getuid?.() ?? 'unknown'}`
  }
}
