export { startAdServer, type AdServerOptions, type RunningAdServer } from './ad-server.ts'
