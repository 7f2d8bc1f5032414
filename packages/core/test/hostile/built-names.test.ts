/**
 * Class 15: error `name`s are public API and must survive bundling (tsup renamed `BearerError` to
 * `_BearerError`). Checked on the BUILT package, ESM and CJS: run `pnpm --filter @org/rs-core build` first.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const esmPath = fileURLToPath(new URL('../../dist/index.js', import.meta.url))
const cjsPath = fileURLToPath(new URL('../../dist/index.cjs', import.meta.url))

type Built = Record<string, new (...args: never[]) => Error>

function errorsOf(mod: Built): Record<string, Error> {
  const C = mod as unknown as Record<string, new (...args: unknown[]) => Error>
  return {
    BearerError: new C.BearerError!('invalid_token', 'x'),
    AuthorizationServerError: new C.AuthorizationServerError!('network', 'x'),
    ConfigurationError: new C.ConfigurationError!('c', []),
    TokenEndpointError: new C.TokenEndpointError!('invalid_client', undefined, 400),
    ReplayCacheError: new C.ReplayCacheError!('store down'),
  }
}

it.each([
  ['dist/index.js (ESM)', async () => (await import(esmPath)) as Built],
  ['dist/index.cjs (CJS)', async () => createRequire(import.meta.url)(cjsPath) as Built],
])('%s: every error keeps its name', async (_label, load) => {
  expect(existsSync(esmPath) && existsSync(cjsPath), 'build @org/rs-core first').toBe(true)
  for (const [name, err] of Object.entries(errorsOf(await load()))) {
    expect(err.name).toBe(name)
    expect(String(err)).toMatch(new RegExp(`^${name}: `))
  }
})
