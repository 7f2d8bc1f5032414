/**
 * Child process: the real authorization server (oidc-provider, through @org/rs-testing) on
 * 127.0.0.1. Answers `issue` (a token), `count` (requests received on a path) and `reset`.
 */
import { startTestAS } from '@org/rs-testing'
import { serveParent } from '../runner.js'

const as = await startTestAS()

serveParent(
  {
    issuer: as.issuer,
    endpoints: as.endpoints,
    clients: { 'rs-json': as.clients['rs-json'], app: as.clients.app },
  },
  {
    issue: async (m) => ({ token: await as.issueToken(m.options as Parameters<typeof as.issueToken>[0]) }),
    count: (m) => ({ count: as.requestCount(m.path as string) }),
    reset: () => {
      as.resetCounts()
      return {}
    },
  },
)
