/**
 * Runs packages/conformance's suite with the frameworks resolved HERE, from this package's
 * node_modules (the oldest versions the adapters' peer ranges accept), for every importer: the
 * conformance apps AND the adapters' own imports (e.g. rs-hono's `hono/http-exception`). npm aliases
 * in packages/conformance alone would run the app on the old framework and the adapter on the new one.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vitest/config'

const FRAMEWORKS = [
  'express',
  'express4',
  'fastify',
  'hono',
  'koa',
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
]

/** `virtual:resolved-frameworks`: the version each framework name resolves to when a conformance app imports it. */
function resolvedFrameworks(): Plugin {
  const id = 'virtual:resolved-frameworks'
  const importer = fileURLToPath(new URL('../conformance/src/apps/shared.ts', import.meta.url))
  return {
    name: 'resolved-frameworks',
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    async load(loaded) {
      if (loaded !== `\0${id}`) return undefined
      const versions: Record<string, string> = {}
      for (const name of FRAMEWORKS) {
        const resolved = await this.resolve(name.startsWith('@nestjs/') ? `${name}/package.json` : name, importer, { ssr: true })
        if (!resolved) throw new Error(`${name} does not resolve from the conformance apps`)
        let dir = dirname(resolved.id)
        for (let i = 0; i < 10; i++, dir = dirname(dir)) {
          try {
            const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string }
            if (pkg.name === 'express' || pkg.name === name) {
              versions[name] = pkg.version
              break
            }
          } catch {
            // not a package root
          }
        }
      }
      return `export default ${JSON.stringify(versions)}`
    },
  }
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [resolvedFrameworks()],
  resolve: { dedupe: FRAMEWORKS },
  test: { testTimeout: 20_000, hookTimeout: 30_000 },
})
