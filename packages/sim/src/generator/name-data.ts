// Name tables for the generator, with rough relative frequencies (Meertens Instituut family-name counts,
// SVB first-name lists for the birth years involved). The numbers are weights, not exact statistics:
// what matters is the skew (so "Jan de Vries" happens), the prefixes, and the population's diversity.

type W = readonly (readonly [string, number])[]

/** Pupils, born ~2008–2015. */
export const pupilBoys: W = [
  ['Daan', 900], ['Sem', 880], ['Lucas', 800], ['Milan', 780], ['Levi', 760], ['Luuk', 700], ['Thijs', 650],
  ['Jayden', 620], ['Tim', 600], ['Bram', 560], ['Lars', 550], ['Finn', 540], ['Noah', 530], ['Ruben', 500],
  ['Jesse', 480], ['Thomas', 470], ['Stijn', 450], ['Sven', 430], ['Max', 420], ['Julian', 400], ['Gijs', 380],
  ['Mees', 370], ['Liam', 360], ['Jens', 330], ['Tijn', 320], ['Sam', 310], ['Teun', 300], ['Niels', 280],
  ['Mohamed', 420], ['Adam', 300], ['Rayan', 200], ['Ayoub', 150], ['Yusuf', 160], ['Emir', 120], ['Mehmet', 80],
  ['Daniël', 260], ['Joël', 120], ['Noë', 40], ['Raphaël', 60], ['Mikaël', 40], ['José', 30], ['Jan', 90],
  ['Pieter', 80], ['Floris', 200], ['Hugo', 220], ['Olivier', 180], ['Siem', 250], ['Dex', 150], ['Boaz', 90],
  ['Kyan', 110], ['Wout', 140], ['Joep', 150], ['Jurre', 160], ['Koen', 170], ['Rick', 120], ['Quinten', 70],
  ['Chen', 25], ['Minh', 25], ['Kofi', 15], ['Omar', 110], ['Bilal', 90], ['Kerem', 60], ['Arda', 50],
]

export const pupilGirls: W = [
  ['Emma', 900], ['Sophie', 820], ['Julia', 800], ['Tess', 700], ['Lotte', 650], ['Zoë', 600], ['Eva', 600],
  ['Lisa', 560], ['Anna', 540], ['Sara', 520], ['Fleur', 500], ['Noa', 490], ['Isa', 470], ['Lieke', 440],
  ['Saar', 420], ['Fenna', 400], ['Evi', 390], ['Nina', 380], ['Sanne', 350], ['Femke', 330], ['Anouk', 320],
  ['Roos', 310], ['Mila', 300], ['Yara', 290], ['Lynn', 280], ['Amy', 260], ['Floor', 250], ['Iris', 240],
  ['Maud', 230], ['Esmee', 220], ['Noor', 300], ['Liv', 200], ['Jasmijn', 190], ['Anaïs', 60], ['Renée', 70],
  ['Chloë', 90], ['Naomi', 120], ['Amira', 120], ['Aya', 110], ['Yasmina', 90], ['Fatima', 100], ['Nour', 100],
  ['Elif', 90], ['Zeynep', 80], ['Ayşe', 30], ['Hiba', 50], ['Linh', 20], ['Mei', 20], ['Ilse', 40],
  ['Maria', 60], ['Marit', 150], ['Hanna', 160], ['Elin', 140], ['Jade', 150], ['Benthe', 130], ['Romy', 200],
]

/** Staff and guardians, born ~1960–1995. */
export const adultMen: W = [
  ['Jan', 900], ['Peter', 800], ['Mark', 780], ['Kees', 400], ['Johan', 500], ['Henk', 450], ['Erik', 600],
  ['Dennis', 550], ['Martijn', 520], ['Bas', 500], ['Jeroen', 560], ['Sander', 540], ['Michiel', 380],
  ['Willem', 350], ['Pieter', 330], ['Hans', 420], ['Marco', 400], ['Patrick', 420], ['Richard', 380],
  ['Robert', 370], ['Paul', 400], ['Rob', 380], ['Frank', 360], ['Arjan', 300], ['Edwin', 280], ['Ronald', 300],
  ['Wouter', 320], ['Joost', 300], ['Vincent', 300], ['Thomas', 280], ['Niels', 260], ['Remco', 240],
  ['Mohamed', 260], ['Ahmed', 160], ['Mustafa', 140], ['Hasan', 90], ['Mehmet', 110], ['Ali', 120],
  ['José', 50], ['René', 200], ['André', 180], ['Gérard', 20], ['Daniël', 150], ['Michaël', 90], ['Anh', 15],
  ['Wei', 15], ['Sean', 20], ['Lars', 60], ['Thijs', 120], ['Gert-Jan', 80], ['Jan-Willem', 70],
]

export const adultWomen: W = [
  ['Maria', 500], ['Anja', 450], ['Linda', 600], ['Sandra', 580], ['Monique', 480], ['Petra', 450],
  ['Marieke', 420], ['Esther', 500], ['Ingrid', 350], ['Wendy', 400], ['Karin', 420], ['Saskia', 400],
  ['Ilse', 300], ['Annemiek', 200], ['Renée', 150], ['Inge', 380], ['Marloes', 320], ['Chantal', 300],
  ['Mirjam', 320], ['Judith', 300], ['Femke', 280], ['Anouk', 260], ['Sanne', 300], ['Eva', 220], ['Lotte', 180],
  ['Kim', 320], ['Nicole', 330], ['Astrid', 220], ['Hanneke', 200], ['Miriam', 180], ['Els', 200],
  ['Fatma', 140], ['Hatice', 100], ['Ayşe', 90], ['Naima', 90], ['Khadija', 80], ['Fatima', 120],
  ['Anaïs', 20], ['Zoë', 20], ['Hélène', 30], ['Thi', 15], ['Siobhan', 10], ['Yvonne', 100], ['Annelies', 150],
]

/** [prefix, family name, weight]; the top of the Dutch list plus the diversity of today's population. */
export const familyNames: readonly (readonly [string, string, number])[] = [
  ['de', 'Jong', 86], ['', 'Jansen', 74], ['de', 'Vries', 73], ['van den', 'Berg', 61], ['van', 'Dijk', 58],
  ['', 'Bakker', 56], ['', 'Janssen', 55], ['', 'Visser', 50], ['', 'Smit', 46], ['', 'Meijer', 42],
  ['de', 'Boer', 41], ['', 'Mulder', 39], ['de', 'Groot', 38], ['', 'Bos', 37], ['', 'Vos', 33],
  ['', 'Peters', 32], ['', 'Hendriks', 32], ['van', 'Leeuwen', 31], ['', 'Dekker', 30], ['', 'Brouwer', 29],
  ['de', 'Wit', 28], ['', 'Dijkstra', 28], ['', 'Smits', 27], ['de', 'Graaf', 26], ['van der', 'Meer', 26],
  ['van der', 'Linden', 24], ['', 'Kok', 24], ['', 'Jacobs', 24], ['de', 'Haan', 23], ['', 'Vermeulen', 23],
  ['van den', 'Heuvel', 22], ['van der', 'Veen', 22], ['van den', 'Broek', 22], ['de', 'Bruijn', 21],
  ['de', 'Bruin', 21], ['van der', 'Heijden', 21], ['', 'Schouten', 20], ['van', 'Beek', 20], ['', 'Willems', 20],
  ['van', 'Vliet', 20], ['van de', 'Ven', 19], ['', 'Hoekstra', 19], ['', 'Maas', 19], ['', 'Verhoeven', 19],
  ['', 'Koster', 18], ['van', 'Dam', 18], ['van der', 'Wal', 18], ['', 'Prins', 18], ['', 'Blom', 18],
  ['', 'Huisman', 17], ['', 'Peeters', 17], ['de', 'Jonge', 17], ['', 'Kuipers', 17], ['van', 'Veen', 16],
  ['', 'Post', 16], ['', 'Kuiper', 16], ['', 'Veenstra', 16], ['', 'Kramer', 16], ['van den', 'Brink', 15],
  ['', 'Scholten', 15], ['van', 'Wijk', 15], ['', 'Postma', 15], ['', 'Martens', 15], ['', 'Vink', 14],
  ['de', 'Ruiter', 14], ['', 'Timmermans', 14], ['', 'Groen', 14], ['', 'Gerritsen', 14], ['', 'Jonker', 14],
  ['van', 'Loon', 13], ['', 'Boer', 13], ['van der', 'Velde', 13], ['', 'Willemsen', 13], ['', 'Smeets', 13],
  ['de', 'Lange', 13], ['de', 'Vos', 12], ['', 'Bosch', 12], ['van', 'Dongen', 12], ['', 'Schipper', 12],
  ['de', 'Koning', 12], ['van der', 'Laan', 12], ['', 'Koning', 12], ['van der', 'Velden', 11],
  ['', 'Driessen', 11], ['van', 'Doorn', 11], ['', 'Hermans', 11], ['', 'Evers', 11], ['van den', 'Bosch', 11],
  ['van der', 'Meulen', 11], ['', 'Hofman', 11], ['', 'Bosman', 10], ['', 'Wolters', 10], ['', 'Sijbesma', 3],
  ['ter', 'Horst', 6], ['te', 'Riele', 2], ['van \'t', 'Hof', 4], ['\'t', 'Hart', 6], ['in \'t', 'Veld', 7],
  ['van der', 'Ploeg', 9], ['ter', 'Haar', 6], ['', 'Verbeek', 10], ['van', 'Rijn', 9], ['op de', 'Beek', 3],
  ['van de', 'Kamp', 6], ['ten', 'Brink', 4], ['van \'t', 'Zand', 3], ['\'t', 'Hooft', 2], ['de la', 'Croix', 1],
  ['', 'Yılmaz', 8], ['', 'Kaya', 6], ['', 'Demir', 6], ['', 'Şahin', 5], ['', 'Çelik', 5], ['', 'Yıldız', 4],
  ['', 'Özdemir', 4], ['', 'Aydın', 4], ['', 'Öztürk', 4], ['', 'Doğan', 3], ['', 'Kılıç', 3], ['el', 'Amrani', 3],
  ['', 'Bouzid', 3], ['', 'Benali', 3], ['el', 'Idrissi', 3], ['', 'Boukhari', 2], ['', 'Nguyễn', 3],
  ['', 'Tran', 2], ['', 'Müller', 2], ['', 'Ødegård', 1], ['', 'O\'Brien', 1.5], ['', 'Schmidt', 2],
  ['', 'Kowalski', 2], ['', 'Nowak', 2], ['', 'Wiśniewski', 1], ['', 'Pinas', 2], ['', 'Sewdien', 1.5],
  ['', 'Ramdin', 1.5], ['', 'Mahabier', 1.5], ['', 'Martina', 2], ['', 'D\'Hondt', 1], ['', 'Lefèvre', 1],
  ['', 'García', 1.5], ['', 'Fernández', 1], ['', 'Kovačević', 1], ['', 'Wang', 1.5], ['', 'Chen', 1.5],
  ['', 'Mensah', 1], ['', 'Haile', 1], ['', 'Al-Hassan', 1.5], ['', 'Bakker-de Vries', 0.5],
  // Hard cases for escaping: a comma inside a family name does occur in foreign registrations.
  ['', 'O\'Brien, Jr.', 5], ['', 'Garcia, y Lopez', 4],
]

/**
 * Stems and endings for the long tail: the real Dutch name space has ~300,000 family names, so a top-150
 * list alone would make every name a duplicate. Combinations give plausible names ("Hoogeveen", "Brinkman").
 */
export const tailStems: readonly string[] = [
  'Hoog', 'Laag', 'Brink', 'Veld', 'Kamp', 'Dijk', 'Berg', 'Hoek', 'Broek', 'Wester', 'Ooster', 'Noord', 'Zuid',
  'Groen', 'Bloem', 'Linde', 'Eik', 'Beuk', 'Wilg', 'Molen', 'Kerk', 'Hof', 'Water', 'Zand', 'Klei', 'Heide',
  'Bosch', 'Haar', 'Horst', 'Riet', 'Voor', 'Achter', 'Over', 'Ter', 'Nij', 'Oude', 'Nieuwen', 'Hout', 'Steen',
  'Schut', 'Visch', 'Wijn', 'Koop', 'Bijl', 'Smeel', 'Haver', 'Rogge', 'Tarwe', 'Gerst', 'Vlas',
]

export const tailEndings: readonly string[] = [
  'man', 'mans', 'stra', 'sma', 'inga', 'ink', 'ing', 'huis', 'kamp', 'veld', 'meijer', 'dijk', 'berg', 'hof',
  'veen', 'broek', 'horst', 'beek', 'land', 'wijk', 'hout', 'er', 'ers', 'en', 'ema',
]

export const tailPrefixes: W = [['', 80], ['van', 9], ['van de', 3], ['van der', 3], ['ter', 2], ['ten', 1], ['de', 2]]

/** Share of all family-name draws that come from the long tail. */
export const tailShare = 0.75
