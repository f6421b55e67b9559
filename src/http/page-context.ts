/** What every dashboard page handler needs from the request: the language and who is asking. */
import type { Context } from 'hono'
import type { AuthEnv, Principal } from './access/auth.ts'
import { pickLang, type Lang } from '../web/i18n.ts'
import type { Viewer } from '../web/layout.ts'

export function lang(c: Context): Lang {
  return pickLang(c.req.query('lang'), c.req.header('accept-language'))
}

export function principal(c: Context<AuthEnv>): Principal {
  const p = c.get('principal')
  if (p === undefined) throw new Error('requireRole runs before every page handler')
  return p
}

export function viewerOf(c: Context<AuthEnv>): Viewer {
  const p = principal(c)
  return { user: p.user, role: p.role, csrf: p.csrf, tenant: p.tenant }
}

/** A form field as trimmed text ('' when absent or a file). */
export function field(body: Record<string, unknown>, name: string): string {
  const v = body[name]
  return typeof v === 'string' ? v.trim() : ''
}
