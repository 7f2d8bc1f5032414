/**
 * The whole conformance suite (packages/conformance/test/conformance.test.ts), on the oldest supported
 * framework versions. A guard first: if resolution ever stopped picking them, this fails instead of
 * silently testing the current versions again.
 */
import { readFileSync } from 'node:fs'
// @ts-expect-error a virtual module of vitest.config.ts
import resolved from 'virtual:resolved-frameworks'
import { expect, it } from 'vitest'
import '../../conformance/test/conformance.test.js'

const installed = (name: string): string =>
  JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version

it('the conformance apps import the oldest supported versions', () => {
  expect(resolved).toEqual({
    express: expect.stringMatching(/^5\.0\./),
    express4: expect.stringMatching(/^4\.21\./),
    fastify: expect.stringMatching(/^5\.0\./),
    hono: expect.stringMatching(/^4\.6\./),
    koa: expect.stringMatching(/^2\.13\./),
    '@nestjs/common': expect.stringMatching(/^11\.0\./),
    '@nestjs/core': expect.stringMatching(/^11\.0\./),
    '@nestjs/platform-express': expect.stringMatching(/^11\.0\./),
    '@nestjs/platform-fastify': expect.stringMatching(/^11\.0\./),
  })
  for (const name of Object.keys(resolved)) expect(resolved[name]).toBe(installed(name))
})
