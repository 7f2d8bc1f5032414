// One shard of core's mutation run (see MUTATION.md): the files of $STRYKER_MUTATE (comma-separated
// globs), static mutants ignored unless $STRYKER_STATIC is "include", reports named after $STRYKER_SHARD so that shards run one after the
// other keep each other's results.
import base from './stryker.config.mjs'

const shard = process.env.STRYKER_SHARD ?? 'shard'
export default {
  ...base,
  mutate: (process.env.STRYKER_MUTATE ?? '').split(',').filter(Boolean),
  ignoreStatic: process.env.STRYKER_STATIC !== 'include',
  htmlReporter: { fileName: `reports/mutation/${shard}.html` },
  jsonReporter: { fileName: `reports/mutation/${shard}.json` },
  tempDirName: `.stryker-tmp-${shard}`,
}
