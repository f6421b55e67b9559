import { z } from 'zod'

/** A whole-string secret reference: `${env:NAME}` or `${file:path}`. */
export const SECRET_REFERENCE = /^\$\{(env|file):[^}]+\}$/

/**
 * Schema for a config field that holds a secret. It accepts only a reference, so a password can never be
 * written into koppel.yaml; the config loader resolves references after validation.
 */
export function secret() {
  return z
    .string()
    .regex(
      SECRET_REFERENCE,
      'must be a secret reference like ${env:NAME} or ${file:path}, never the secret itself',
    )
    .meta({ secret: true })
}
