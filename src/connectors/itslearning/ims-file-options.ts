// Options of the `itslearning-ims-file` target (zod v4), merged into its entry in koppel.yaml.
import { z } from 'zod'
import { secret } from '../../contract/index.ts'

export const imsFileOptionsSchema = z.object({
  /** Folder for the target's durable state and the last delivered file; relative to the config file. */
  stateDir: z.string().min(1),
  /** Name of the file on the SFTP server (itslearning's import picks it up by name). */
  fileName: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.xml$/, 'must be a plain file name ending in .xml')
    .default('koppel-ims.xml'),
  /** properties/datasource and the `source` of every sourcedid (≤ 32 characters, as PIFU limits it). */
  datasource: z.string().min(1).max(32).default('koppel'),
  /** Refuse a delivery that would delete more than this share (%) of the objects in the last delivered file. */
  maxDeletePercent: z.number().min(0).max(100).default(10),
  /** Refuse a delivery that would change more than this share (%) of the persons in the last delivered file. */
  maxChangePercent: z.number().min(0).max(100).default(25),
  /** Deliver whatever the change (an approved large change, e.g. the new school year); prefer a one-off `koppel approve`. */
  allowLargeChange: z.boolean().default(false),
  /** Days a course (or course group) that lost its last member stays in the file before it is dropped. */
  courseArchiveDays: z.number().int().min(0).max(3650).default(30),
  /**
   * institutionroletype written for carers/guardians. The IMS Enterprise 1.1 binding has no carer value, so the
   * default is the binding's `Other` (map it to the Parent profile in itslearning: Administration → Profiles →
   * "Synchronisation – Map from profile"); `Carer` is itslearning's own non-standard value, mapped to Parent by
   * default but outside the binding.
   */
  carerInstitutionRole: z.string().min(1).default('Other'),
  /** Operations in flight at once (they only write the local state). */
  concurrency: z.number().int().min(1).max(1000).default(20),
  sftp: z
    .object({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(22),
      username: z.string().min(1),
      /** OpenSSH or PEM private key, by reference (`${file:./secrets/itslearning_ed25519}`). */
      privateKey: secret().optional(),
      passphrase: secret().optional(),
      password: secret().optional(),
      /** The server's host key as `ssh-keygen -lf <key>.pub` prints it: SHA256:<43 base64 characters>. */
      hostKeyFingerprint: z
        .string()
        .regex(
          /^SHA256:[A-Za-z0-9+/]{43}=?$/,
          'must be SHA256:<base64> as ssh-keygen -lf prints it',
        ),
      /** Remote folder the file is uploaded to (must exist). */
      remoteDir: z.string().min(1).default('.'),
      timeoutMs: z.number().int().min(100).default(30_000),
    })
    .refine((s) => s.privateKey !== undefined || s.password !== undefined, {
      message: 'sftp needs privateKey or password',
    }),
})

export type ImsFileOptions = z.output<typeof imsFileOptionsSchema>
