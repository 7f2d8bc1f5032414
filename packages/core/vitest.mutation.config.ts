import { defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

/**
 * The test run StrykerJS uses (stryker.config.mjs): every behavioural test, without the three
 * static checks that read the sources or the build rather than run them (instrumented sources are
 * longer than 300 lines, and the sandbox has no fresh build); no mutant could make them fail.
 * (mergeConfig appends this list to the base one.)
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['test/layout.test.ts', 'test/runtime-agnostic.test.ts', 'test/hostile/built-names.test.ts'],
    },
  }),
)
