import { defineConfig } from 'vitest/config'

// Building a TypeScript program over the packages' and frameworks' types takes seconds on a busy machine.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 120_000 } })
