// Eduarte (Topicus, MBO) SOAP simulator: see README.md.
export { eduarteData, eduarteDate } from './eduarte-data.ts'
export type {
  EduarteBegeleider,
  EduarteContact,
  EduarteData,
  EduarteDataOptions,
  EduarteDeelnemer,
  EduarteGebruiker,
  EduarteMedewerker,
  EduarteVerbintenis,
} from './eduarte-data.ts'
export {
  deelnemerXml,
  EDUARTE_NS,
  medewerkerXml,
  outOfOrder,
  startEduarteSim,
} from './eduarte-sim.ts'
export type { EduarteSim, EduarteSimOptions } from './eduarte-sim.ts'
