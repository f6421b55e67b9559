// How many cases each property tries: a few seconds in `npm test`, more with `npm run fuzz`
// (KOPPEL_FUZZ_RUNS). The seed is printed by fast-check on a failure, so a case can be replayed.
export const RUNS = Number(process.env['KOPPEL_FUZZ_RUNS'] ?? 150)

/** fast-check parameters shared by every property. */
export const params = (scale = 1) => ({ numRuns: Math.max(1, Math.round(RUNS * scale)) })
