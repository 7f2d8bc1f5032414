// Mutation testing of core (StrykerJS 9.6; 10.x needs Node 22). Not part of `pnpm test`:
//   pnpm mutation                                   (root: the whole of core, ~20+ minutes on 2 cores)
//   pnpm --filter @org/rs-core mutation --mutate src/bearer.ts   (one file; see MUTATION.md)
// Scores and survivors are recorded in MUTATION.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner', './mutation/ignore-messages.mjs'],
  // The text of error messages is not mutated (see mutation/ignore-messages.mjs); codes, statuses,
  // reasons and failure kinds are. Every mutator, StringLiteral included, is on everywhere else.
  ignorers: ['error-messages'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // Pure type and re-export modules have nothing to mutate.
  mutate: [
    'src/**/*.ts',
    '!src/**/index.ts',
    '!src/events/types.ts',
    '!src/resource-server/types.ts',
    '!src/client-credentials/types.ts',
    '!src/refusal-reason.ts',
  ],
  // Tests spawn real local servers: a mutant that makes a request hang is a timeout, not a hang of the run.
  timeoutMS: 10_000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  // Not copied to the sandbox: other runs' sandboxes, reports, the build (no test of the run reads it).
  ignorePatterns: ['/.stryker-tmp*', '/reports', '/dist'],
  cleanTempDir: 'always',
}
