#!/usr/bin/env -S node --no-warnings=ExperimentalWarning
import { enableCompileCache } from 'node:module'
import { raiseHeapLimit } from '../src/cli/heap-limit.ts'

// before anything else is loaded: may restart this process with a heap cap sized to the machine (heap-limit.ts)
raiseHeapLimit(import.meta.filename)

// Node keeps the compiled (and type-stripped) modules between runs, in the OS temp folder unless
// NODE_COMPILE_CACHE names another: the CLI starts in ~0.5 s instead of ~1 s. A cache that cannot be
// written is skipped silently; a changed source file is compiled again.
enableCompileCache()
const { main } = await import('../src/cli/main.ts')

process.exitCode = await main(process.argv.slice(2))
