/** The dashboard's words in Dutch and English; the language comes from `?lang=` or the browser's Accept-Language. */
export type Lang = 'nl' | 'en'

const WORDS = {
  title: { nl: 'Koppel-dashboard', en: 'Koppel dashboard' },
  overview: { nl: 'Overzicht', en: 'Overview' },
  audit: { nl: 'Auditlog', en: 'Audit log' },
  users: { nl: 'Gebruikers', en: 'Users' },
  login: { nl: 'Inloggen', en: 'Log in' },
  logout: { nl: 'Uitloggen', en: 'Log out' },
  user: { nl: 'Gebruikersnaam', en: 'User name' },
  password: { nl: 'Wachtwoord', en: 'Password' },
  loginFailed: { nl: 'Onjuiste gebruikersnaam of wachtwoord.', en: 'Wrong user name or password.' },
  tooMany: { nl: 'Te veel mislukte pogingen; probeer het later opnieuw.', en: 'Too many failed attempts; try again later.' },
  blockedPlans: { nl: 'Geblokkeerde plannen', en: 'Blocked plans' },
  noBlocked: { nl: 'Geen plannen wachten op goedkeuring.', en: 'No plan waits for approval.' },
  lastRuns: { nl: 'Laatste runs', en: 'Last runs' },
  plans: { nl: 'Plannen', en: 'Plans' },
  plan: { nl: 'Plan', en: 'Plan' },
  status: { nl: 'Status', en: 'Status' },
  created: { nl: 'Gemaakt', en: 'Created' },
  started: { nl: 'Gestart', en: 'Started' },
  state: { nl: 'Toestand', en: 'State' },
  findings: { nl: 'Bevindingen van de bewaking', en: "The guard's findings" },
  actions: { nl: 'Acties', en: 'Actions' },
  target: { nl: 'Doelsysteem', en: 'Target' },
  kind: { nl: 'Soort', en: 'Kind' },
  person: { nl: 'Persoon', en: 'Person' },
  reason: { nl: 'Reden', en: 'Reason' },
  filter: { nl: 'Filteren', en: 'Filter' },
  all: { nl: 'alle', en: 'all' },
  approve: { nl: 'Goedkeuren', en: 'Approve' },
  reject: { nl: 'Afwijzen', en: 'Reject' },
  decision: { nl: 'Beslissing', en: 'Decision' },
  next: { nl: 'Volgende pagina', en: 'Next page' },
  chain: { nl: 'Keten', en: 'Chain' },
  chainOk: { nl: 'de keten klopt', en: 'the chain verifies' },
  chainBroken: { nl: 'de keten klopt NIET', en: 'the chain does NOT verify' },
  at: { nl: 'Tijdstip', en: 'At' },
  type: { nl: 'Soort', en: 'Type' },
  actor: { nl: 'Door', en: 'Actor' },
  role: { nl: 'Rol', en: 'Role' },
  notFound: { nl: 'Niet gevonden', en: 'Not found' },
  forbidden: { nl: 'Geen toegang', en: 'Forbidden' },
  done: { nl: 'Gedaan', en: 'Done' },
  persons: { nl: 'Personen', en: 'Persons' },
  search: { nl: 'Zoeken', en: 'Search' },
  searchHint: { nl: 'Naam, leerling- of personeelsnummer, of gebruikersnaam', en: 'Name, pupil or employee number, or username' },
  nobody: { nl: 'Niemand gevonden.', en: 'Nobody found.' },
  several: { nl: 'Meerdere personen; kies er een:', en: 'Several persons; pick one:' },
  unreadable: { nl: 'De bronnen konden niet gelezen worden:', en: 'The sources could not be read:' },
  contracts: { nl: 'Contracten', en: 'Contracts' },
  accounts: { nl: 'Accounts en rechten', en: 'Accounts and permissions' },
  rule: { nl: 'Regel', en: 'Rule' },
  permission: { nl: 'Recht', en: 'Permission' },
  held: { nl: 'Toegekend', en: 'Held' },
  nearMisses: { nl: 'Regels die net niet golden', en: 'Rules that did not match' },
  nextActions: { nl: 'Wat het volgende plan doet', en: 'What the next plan does' },
  yes: { nl: 'ja', en: 'yes' },
  no: { nl: 'nee', en: 'no' },
} as const

export type Word = keyof typeof WORDS

export function t(lang: Lang, word: Word): string {
  return WORDS[word][lang]
}

export function pickLang(query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'nl' || query === 'en') return query
  return /^\s*nl\b/i.test(acceptLanguage ?? '') ? 'nl' : 'en'
}
