import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // StrykerJS sandboxes (pnpm mutation) hold copies of the tests: never run them as tests of their own.
    exclude: [...configDefaults.exclude, '.stryker-tmp*/**', 'reports/**'],
  },
})
