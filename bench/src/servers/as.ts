/**
 * Child process: the real authorization server (oidc-provider, through @org/rs-testing) on
 * 127.0.0.1. Answers `issue` (a token), `count` (requests received on a path) and `reset`.
 */
import { startTestAS } from '@org/rs-testing'
import { importJWK, type JWK } from 'jose'
import { serveParent } from '../runner.js'

const as = await startTestAS()

serveParent(
  {
    issuer: as.issuer,
    endpoints: as.endpoints,
    clients: { 'rs-json': as.clients['rs-json'], app: as.clients.app },
  },
  {
    issue: async (m) => {
      // `dpopJwk`: bind the token to this public key (cnf.jkt); only the public key crosses the IPC channel.
      const { dpopJwk, ...options } = m.options as Parameters<typeof as.issueToken>[0] & { dpopJwk?: JWK }
      const dpop = dpopJwk ? ({ publicKey: await importJWK(dpopJwk, 'ES256', { extractable: true }) } as CryptoKeyPair) : undefined
      return { token: await as.issueToken({ ...options, ...(dpop ? { dpop } : {}) }) }
    },
    count: (m) => ({ count: as.requestCount(m.path as string) }),
    reset: () => {
      as.resetCounts()
      return {}
    },
  },
)
