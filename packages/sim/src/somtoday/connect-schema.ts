// The ConnectAPI resources the simulator serves, transcribed field by field from the vendor's OpenAPI
// description "Somtoday Connect - Generiek Koppelvlak" 14.10.0 (components.schemas), as published in
// github.com/DwayneSelsig/SomtodayOpenAPI2MicrosoftSchoolDataSync, SomtodayOpenAPI2MicrosoftSchoolDataSync/
// OpenAPIs/openapi.json (commit 38d8342). Names and types are the spec's; the comments are our own words.
//
// Every object is strict: a field the spec does not define fails the check, so the simulator cannot grow a
// field the real service does not send. Every field is optional because the spec marks none required and
// says a field whose value is null, or that the koppelpartij has no field permission for, is left out.
// The `veldpermissies` member of the *Response wrappers is not transcribed: the simulator never serves it
// (it is only sent with `?veldpermissies=true`), so serving one fails the check.
import { z } from 'zod'

const uuid = z.uuid()
/** `format: date` — YYYY-MM-DD. */
const date = z.iso.date()
const int = z.number().int()
const text = z.string()
const geslacht = z.enum(['ONBEKEND', 'MAN', 'VROUW'])

/** Instelling: the school board the token was issued for. */
export const Instelling = z.strictObject({
  uuid: uuid.optional(),
  naam: text.optional(),
  afkorting: text.optional(),
  /** BRIN4 numbers; the first is the default one. */
  brins: z.array(text).optional(),
})
export const InstellingResponse = z.strictObject({ instellingen: z.array(Instelling).optional() })

export const ExternalIdentifiers = z.strictObject({
  brinnr: text.optional(),
  digideliveryid: text.optional(),
})

export const Vestiging = z.strictObject({
  uuid: uuid.optional(),
  naam: text.optional(),
  afkorting: text.optional(),
  /** BRIN6 numbers of the vestiging. */
  brins: z.array(text).optional(),
  externalidentifiers: z.array(ExternalIdentifiers).optional(),
})
export const VestigingResponse = z.strictObject({ vestigingen: z.array(Vestiging).optional() })

export const VestigingReferentie = z.strictObject({ uuid: uuid.optional(), naam: text.optional() })

/** The spec allows only Dutch addresses here (postcode, street, number) plus a free line for abroad. */
export const Adres = z.strictObject({
  postcode: text.optional(),
  straat: text.optional(),
  huisnummer: text.optional(),
  huisnummer_toevoeging: text.optional(),
  huisnummer_zonder_toevoeging: text.optional(),
  woonplaats: text.optional(),
  land: text.optional(),
  buitenlands_adres: text.optional(),
})

export const DebiteurGegevens = z.strictObject({
  externDebiteurnummer: text.optional(),
  iban: text.optional(),
  bicNummer: text.optional(),
  tenaamstelling: text.optional(),
  adres: Adres.optional(),
  ouderVerzorgerUUID: uuid.optional(),
})

export const OuderVerzorgerReferentie = z.strictObject({
  uuid: uuid.optional(),
  volgnummer: int.optional(),
})

/** A medewerker who can act as a pupil's mentor, and why (the plaatsing itself, or first/second stamgroep mentor). */
export const Mentor = z.strictObject({
  medewerker_uuid: uuid.optional(),
  toewijzing: z.enum(['Plaatsing', 'EersteMentorStamgroep', 'TweedeMentorStamgroep']).optional(),
})

export const LeerlingVestiging = z.strictObject({
  uuid: uuid.optional(),
  vestiging: VestigingReferentie.optional(),
})

/** Note: no schooljaar and no vestiging, unlike Lesgroep; mentoren are Mentor objects, not uuids. */
export const Stamgroep = z.strictObject({
  uuid: uuid.optional(),
  omschrijving: text.optional(),
  leerjaar: int.optional(),
  onderwijssoort: text.optional(),
  naam: text.optional(),
  leerlingen: z.array(LeerlingVestiging).optional(),
  mentoren: z.array(Mentor).optional(),
})
export const StamgroepResponse = z.strictObject({ stamgroepen: z.array(Stamgroep).optional() })

export const Opleiding = z.strictObject({
  uuid: uuid.optional(),
  afkorting: text.optional(),
  naam: text.optional(),
  code: text.optional(),
  landelijke_naam: text.optional(),
  profielafkorting: text.optional(),
  profielnaam: text.optional(),
  leerjaren: z.array(int).optional(),
  vanafschooljaar: text.optional(),
  totschooljaar: text.optional(),
})

/** startdatum and einddatum are both inclusive; schooljaar is written like "2021/2022". */
export const Plaatsing = z.strictObject({
  uuid: uuid.optional(),
  schooljaar: text.optional(),
  startdatum: date.optional(),
  einddatum: date.optional(),
  leerjaar: int.optional(),
  opleiding: Opleiding.optional(),
  stamgroep: Stamgroep.optional(),
  mentoren: z.array(Mentor).optional(),
  digiDeliveryId: text.optional(),
  opleidingskenmerken: z.array(text).optional(),
})
export const PlaatsingResponse = z.strictObject({ plaatsingen: z.array(Plaatsing).optional() })

export const LesgroepReferentie = z.strictObject({
  uuid: uuid.optional(),
  naam: text.optional(),
  vestiging: VestigingReferentie.optional(),
})

/**
 * A pupil's subject choice. `landelijke_vakcode` is typed string in the spec although its example (191) is a
 * number; the schema keeps the declared type.
 */
export const Vakkeuze = z.strictObject({
  uuid: uuid.optional(),
  begindatum: date.optional(),
  einddatum: date.optional(),
  landelijke_vakcode: text.optional(),
  landelijke_vaknaam: text.optional(),
  school_vaknaam: text.optional(),
  school_vakafkorting: text.optional(),
  niveau: text.optional(),
  leerjaar: int.optional(),
  onderwijssoort: text.optional(),
  opleiding: text.optional(),
  vestiging: VestigingReferentie.optional(),
})

export const Leerling = z.strictObject({
  uuid: uuid.optional(),
  eckid: text.optional(),
  leerlingnummer: int.optional(),
  roepnaam: text.optional(),
  voornamen: text.optional(),
  voorletters: text.optional(),
  voorvoegsel: text.optional(),
  achternaam: text.optional(),
  geslacht: geslacht.optional(),
  geboortedatum: date.optional(),
  emailadres: text.optional(),
  mobielnummer: text.optional(),
  telefoonnummer: text.optional(),
  adres: Adres.optional(),
  verzorgers: z.array(OuderVerzorgerReferentie).optional(),
  vestiging: VestigingReferentie.optional(),
  plaatsingen: z.array(Plaatsing).optional(),
  lesgroepen: z.array(LesgroepReferentie).optional(),
  vakkeuzes: z.array(Vakkeuze).optional(),
  gebruikersnaam: text.optional(),
  eduPersonRealId: text.optional(),
  parnassysLeerlingNummer: int.optional(),
  geboorteplaats: text.optional(),
  geboorteland: text.optional(),
  wenstContactViaEMail: z.boolean().optional(),
  BSN: text.optional(),
  /** Whether the pupil has a running plaatsing at the moment of the call. */
  isActief: z.boolean().optional(),
  schoolVanHerkomstBrin: text.optional(),
  schoolVanHerkomstNaam: text.optional(),
  adviesSchoolVanHerkomst: text.optional(),
  onderwijsSinds: date.optional(),
  debiteurGegevens: DebiteurGegevens.optional(),
  telefoonnummer_geheim: z.boolean().optional(),
  adres_geheim: z.boolean().optional(),
})
export const LeerlingResponse = z.strictObject({ leerlingen: z.array(Leerling).optional() })

/** The spec: "het medewerkernummer begint altijd met Medewerker", example "Medewerker 51326". */
export const MEDEWERKERNUMMER = /^Medewerker /

export const Medewerker = z.strictObject({
  uuid: uuid.optional(),
  eckid: text.optional(),
  bsn: text.optional(),
  /** Medewerkers have no field for all given names, only the roepnaam. */
  roepnaam: text.optional(),
  voorletters: text.optional(),
  voorvoegsel: text.optional(),
  achternaam: text.optional(),
  geslacht: geslacht.optional(),
  geboortedatum: date.optional(),
  adres: Adres.optional(),
  emailadres: text.optional(),
  werk_telefoonnummer: text.optional(),
  prive_telefoonnummer: text.optional(),
  medewerkernummer: text
    .regex(MEDEWERKERNUMMER, 'medewerkernummer starts with "Medewerker "')
    .optional(),
  afkorting: text.optional(),
  lesgroepen: z.array(LesgroepReferentie).optional(),
  vestiging: VestigingReferentie.optional(),
  hoofdvestiging: VestigingReferentie.optional(),
  /** Whether the medewerker teaches a lesgroep. */
  is_docent: z.boolean().optional(),
  functie: text.optional(),
  gebruikersnaam: text.optional(),
  /** int64; the spec warns it need not be unique. */
  externnummer: int.optional(),
  eduPersonRealId: text.optional(),
  datum_in_dienst: date.optional(),
  datum_uit_dienst: date.optional(),
  reden_uit_dienst: text.optional(),
  privetelefoonnummer_geheim: z.boolean().optional(),
  adres_geheim: z.boolean().optional(),
})
export const MedewerkerResponse = z.strictObject({ medewerkers: z.array(Medewerker).optional() })

/** `landelijke_vakcode`: typed string, example a number (see Vakkeuze). */
export const Lesgroep = z.strictObject({
  uuid: uuid.optional(),
  naam: text.optional(),
  leerlingen: z.array(LeerlingVestiging).optional(),
  /** Medewerker uuids, not objects. */
  docenten: z.array(uuid).optional(),
  vak: text.optional(),
  vaknaam: text.optional(),
  landelijke_vakcode: text.optional(),
  vakuuid: uuid.optional(),
  vakkeuzes: z.array(Vakkeuze).optional(),
  leerjaar: int.optional(),
  schooljaar: text.optional(),
  onderwijssoort: text.optional(),
  vestiging: VestigingReferentie.optional(),
})
export const LesgroepResponse = z.strictObject({ lesgroepen: z.array(Lesgroep).optional() })

/** A pupil a guardian is related to, with the kind of relation and the guardian's rights. */
export const LeerlingReferentie = z.strictObject({
  uuid: uuid.optional(),
  relatiesoort: text.optional(),
  ouderlijk_gezag: z.boolean().optional(),
  mag_post_ontvangen: z.boolean().optional(),
})

/**
 * Note what is absent: no roepnaam, no voornamen (only voorletters), no geboortedatum, and no `leerlingen`;
 * the children are `leerlingen_van_vestiging` (uuids) and `relatie_tot_leerlingen`.
 */
export const OuderVerzorger = z.strictObject({
  uuid: uuid.optional(),
  geslacht: geslacht.optional(),
  voorletters: text.optional(),
  voorvoegsel: text.optional(),
  achternaam: text.optional(),
  gebruikersnaam: text.optional(),
  emailadres: text.optional(),
  telefoonnummer: text.optional(),
  adres: Adres.optional(),
  leerlingen_van_vestiging: z.array(uuid).optional(),
  relatie_tot_leerlingen: z.array(LeerlingReferentie).optional(),
  wenstContactViaEMail: z.boolean().optional(),
  uitgebreidTelefoonnummer: text.optional(),
  uitgebreidMobielNummer: text.optional(),
  uitgebreidMobielWerkNummer: text.optional(),
  telefoonnummer_geheim: z.boolean().optional(),
  mobielwerknummer_geheim: z.boolean().optional(),
  adres_geheim: z.boolean().optional(),
})
export const OuderVerzorgerResponse = z.strictObject({
  ouderVerzorgers: z.array(OuderVerzorger).optional(),
})

export const RemoteUserIdentifier = z.strictObject({
  providerType: z.enum(['AZURE', 'GOOGLE', 'OIDC']).optional(),
  /** Selects the school's OIDC configuration; Somtoday does not create one. */
  domain: text.optional(),
  identifier: text.optional(),
})

export const Account = z.strictObject({
  /** The leerling's, medewerker's or ouderVerzorger's uuid (not the account's). */
  uuid: uuid.optional(),
  usertype: z.enum(['LEERLING', 'MEDEWERKER', 'VERZORGER']).optional(),
  remoteidentifiers: z.array(RemoteUserIdentifier).optional(),
  gebruikersnaam: text.optional(),
  emailadres: text.optional(),
  subject: text.optional(),
  'account-uuid': uuid.optional(),
  rollen: z.array(text).optional(),
})
export const AccountResponse = z.strictObject({ accounts: z.array(Account).optional() })
/** The bulk PUT answers a bare array of Accounts, not an AccountResponse. */
export const AccountList = z.array(Account)

export const AccountInput = z.strictObject({
  uuid: uuid.optional(),
  remoteidentifier: RemoteUserIdentifier.optional(),
  gebruikersnaam: text.optional(),
  emailadres: text.optional(),
})
/**
 * A 400 on an account PUT: one entry per refused input. `input` is typed AccountInput, but what a client sent
 * may be anything, so the echo is only required to be present.
 */
export const InvalidAccountInput = z.strictObject({
  input: z.unknown(),
  errors: z.array(text).optional(),
})
export const InvalidAccountInputList = z.array(InvalidAccountInput)

/** `code` is numeric ("Numerieke foutcode"). */
export const ErrorObject = z.strictObject({
  code: int.optional(),
  problem: text.optional(),
  clarification: text.optional(),
})
export const GeneralResponse = z.strictObject({ errors: z.array(ErrorObject).optional() })

/**
 * Not from the Somtoday spec: the OAuth2 token endpoint answers as RFC 6749 §5.1 (success) and §5.2 (error).
 */
export const TokenResponse = z.object({
  access_token: text,
  token_type: text,
  expires_in: int.optional(),
  scope: text.optional(),
})
export const TokenError = z.object({ error: text, error_description: text.optional() })

/** Which schema a served JSON body must satisfy; the simulator tags each response with one of these. */
export type ConnectSchema = z.ZodType

/** Validates a body; returns a readable list of problems (empty when it conforms). */
export function offSpec(schema: ConnectSchema, body: unknown): string[] {
  const r = schema.safeParse(body)
  if (r.success) return []
  return r.error.issues
    .slice(0, 10)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(body)'}: ${i.message}`)
}
