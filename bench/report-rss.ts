// Preloaded into a benchmarked `koppel` child (`node --import ./bench/report-rss.ts …`): on exit it writes the
// process's peak resident set size to the file named by KOPPEL_BENCH_RSS_FILE, so the parent can report it
// without counting its own memory (the demo LDAP server lives in the parent).
import { writeFileSync } from 'node:fs'

const file = process.env['KOPPEL_BENCH_RSS_FILE']
if (file !== undefined) {
  process.on('exit', () => {
    // maxRSS is in kilobytes
    writeFileSync(file, String(process.resourceUsage().maxRSS))
  })
}
