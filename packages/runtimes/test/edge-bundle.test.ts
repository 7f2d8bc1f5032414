/**
 * What an edge worker built on `createJwtResourceServer` ships: bundled from core's sources the way
 * a worker bundler does (esbuild, `platform: 'neutral'`, tree-shaken), it holds none of the code of
 * introspection, encrypted responses, DPoP or mTLS, nor jose's JWE (oauth4webapi stays: AS metadata
 * discovery uses it). A static
 * import that pulls one of them back into the JWT-only factory fails here (`pnpm bench` scenario 7
 * measures the size itself). The same bundle of `createResourceServer` holds all of them, so the
 * check can tell the two apart.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const coreSrc = fileURLToPath(new URL('../../core/src/', import.meta.url))

/** Minified bytes each input contributes to a worker that exports `factory` only. */
async function inputsOf(factory: string): Promise<Map<string, number>> {
  const result = await build({
    stdin: { contents: `export { ${factory} } from './index.ts'`, resolveDir: coreSrc, loader: 'ts' },
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    minify: true,
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: 'worker.js',
  })
  const inputs = Object.values(result.metafile.outputs)[0]!.inputs
  return new Map(
    Object.entries(inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([path, i]) => [path.replace(/^.*node_modules\//, '').replace(/^.*core\/src\//, 'core/'), i.bytesInOutput]),
  )
}

/** Code only introspection, encrypted responses, DPoP and mTLS need. */
const BEYOND_JWT = [
  'core/introspection/request.ts',
  'core/introspection/jwt-response.ts',
  'core/introspection/encrypted-response.ts',
  'core/keys/private-keys.ts',
  'core/dpop/htu.ts',
  'core/dpop/nonce.ts',
  'core/dpop/replay.ts',
  'core/mtls/certificate.ts',
  'core/sender-constraint/challenge.ts',
  'core/sender-constraint/credentials.ts',
  'jose/dist/webapi/lib/jwe_decrypt.js',
  'jose/dist/webapi/lib/key_management.js',
]

function present(inputs: Map<string, number>): string[] {
  const paths = [...inputs.keys()]
  return BEYOND_JWT.filter((wanted) => paths.some((p) => p === wanted || p.startsWith(`${wanted}/`)))
}

describe('an edge worker bundle', () => {
  it('of createJwtResourceServer holds no introspection, JWE, DPoP or mTLS code', async () => {
    const inputs = await inputsOf('createJwtResourceServer')
    expect(present(inputs)).toEqual([])
    // What it needs is there: JWT verification, the key set, the bearer header.
    expect([...inputs.keys()]).toEqual(expect.arrayContaining(['core/jwt/verify.ts', 'core/keys/remote-key-set.ts', 'core/bearer.ts']))
  }, 60_000)

  it('of createResourceServer holds all of it', async () => {
    const inputs = await inputsOf('createResourceServer')
    expect(present(inputs)).toEqual(BEYOND_JWT)
  }, 60_000)
})
