/**
 * The one build of every published package: ESM + CJS + .d.ts / .d.cts, from src/index.ts.
 * Dependencies and peer dependencies stay external (tsup's default): nothing is bundled in.
 */
import { defineConfig } from 'tsup'

export function library(platform: 'neutral' | 'node') {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    platform,
  })
}
