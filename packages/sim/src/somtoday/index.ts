// Somtoday ConnectAPI + HRMService simulator (see README.md).
export { DEFAULT_CLIENT, startSomtodaySim } from './somtoday-sim.ts'
export type { SomtodaySim, SomtodaySimClient, SomtodaySimOptions } from './somtoday-sim.ts'
export type { HrmPerson } from './hrm-service.ts'
export { uuidFrom } from './somtoday-data.ts'
