// Initial passwords: AD's unicodePwd wants the password in double quotes, UTF-16LE encoded (MS-ADTS 3.1.1.3.1.5.1),
// written over an encrypted connection. A password the engine does not supply is generated here from the
// configured policy with crypto.randomInt. A password is never logged and never put into an error message.
import { randomInt } from 'node:crypto'

export interface PasswordPolicy {
  readonly length: number
  readonly lowercase: boolean
  readonly uppercase: boolean
  readonly digits: boolean
  readonly symbols: boolean
  /** Leaves out characters that are easily misread on a letter to a pupil (0 O o 1 l I). */
  readonly excludeAmbiguous: boolean
}

const CLASSES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  symbols: '!#$%&*+-=?@_',
} as const
const AMBIGUOUS = /[0Oo1lI]/g

export const unicodePwd = (password: string): Buffer => Buffer.from(`"${password}"`, 'utf16le')

/** A password with at least one character of every enabled class, the rest drawn from all of them. */
export function generatePassword(policy: PasswordPolicy): string {
  const sets = (Object.keys(CLASSES) as Array<keyof typeof CLASSES>)
    .filter((k) => policy[k])
    .map((k) => (policy.excludeAmbiguous ? CLASSES[k].replace(AMBIGUOUS, '') : CLASSES[k]))
  if (sets.length === 0) throw new Error('password policy enables no character class')
  if (policy.length < sets.length)
    throw new Error(
      `password length ${policy.length} is shorter than the ${sets.length} required classes`,
    )
  const all = sets.join('')
  const chars = sets.map((set) => pick(set))
  while (chars.length < policy.length) chars.push(pick(all))
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[chars[i], chars[j]] = [chars[j] as string, chars[i] as string]
  }
  return chars.join('')
}

const pick = (set: string): string => set[randomInt(set.length)] as string
