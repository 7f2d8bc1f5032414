import { fileURLToPath } from 'node:url'
import { smoke } from '@org/example-shared/smoke'
import { expect, it } from 'vitest'

it('starts with `pnpm start`, answers 200 with a valid token and 401 without', async () => {
  const { withToken, withoutToken, body } = await smoke(fileURLToPath(new URL('..', import.meta.url)))
  expect(withToken.status).toBe(200)
  expect(body).toMatchObject({ sub: 'agent-1', locations: expect.any(Array) })
  expect(withoutToken.status).toBe(401)
  expect(withoutToken.headers.get('www-authenticate')).toBe('Bearer')
}, 60_000)
