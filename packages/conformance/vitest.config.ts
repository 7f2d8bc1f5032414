import { configDefaults, defineConfig } from 'vitest/config'

// .readme-examples/ holds packages/testing/README.md's examples, run by test/readme-examples.test.ts in a vitest of their own.
export default defineConfig({ test: { exclude: [...configDefaults.exclude, '.readme-examples/**'] } })
