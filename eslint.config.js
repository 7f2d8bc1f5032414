// One lint configuration for the whole repository: typescript-eslint's strict rules, formatting left to Prettier.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.snippets/**',
      '**/coverage/**',
      '**/reports/**',
      '**/.stryker-tmp/**',
      '**/.out/**',
      'api/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  prettier,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Assertions are used where a value was just checked (e.g. after a map lookup guarded by has()).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests and fixtures type hostile input on purpose.
      '@typescript-eslint/no-explicit-any': 'error',
      // A handler assigned once, after the server that calls it is created, stays a let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // NestJS modules and controllers are (possibly empty) decorated classes by design.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true, allowStaticOnly: false }],
    },
  },
  {
    files: [
      '**/test/**',
      '**/*.test.ts',
      'bench/**',
      'packages/testing/**',
      'packages/conformance*/**',
      'packages/scale-tests/**',
      'packages/runtimes/**',
    ],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-dynamic-delete': 'off',
    },
  },
)
